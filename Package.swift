// swift-tools-version:6.1
import PackageDescription

/// Every Omnibus target builds in Swift 6 language mode (strict concurrency).
let strictSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
]

let grdb = Target.Dependency.product(name: "GRDB", package: "GRDB.swift")
/// SQLite's C API as GRDB links it, for the runtime's per-event statements (RawStatement).
let sqlite = Target.Dependency.product(name: "GRDBSQLite", package: "GRDB.swift")
let logging = Target.Dependency.product(name: "Logging", package: "swift-log")
let metrics = Target.Dependency.product(name: "Metrics", package: "swift-metrics")
let lifecycle = Target.Dependency.product(name: "ServiceLifecycle", package: "swift-service-lifecycle")
let argumentParser = Target.Dependency.product(name: "ArgumentParser", package: "swift-argument-parser")
let prometheus = Target.Dependency.product(name: "Prometheus", package: "swift-prometheus")
let asyncAlgorithms = Target.Dependency.product(name: "AsyncAlgorithms", package: "swift-async-algorithms")
let unixSignals = Target.Dependency.product(name: "UnixSignals", package: "swift-service-lifecycle")

var targets: [Target] = [
    .systemLibrary(
        name: "CZeroMQ",
        path: "Shared/CZeroMQ",
        pkgConfig: "libzmq",
        providers: [.apt(["libzmq3-dev"])]
    ),
    // C because SQLite's VFS and variadic configuration calls are C interfaces; links the
    // system libsqlite3 that GRDB links, so its settings and VFS are the ones GRDB's connections use.
    .target(name: "CSQLiteTuning", path: "Shared/CSQLiteTuning", linkerSettings: [.linkedLibrary("sqlite3")]),
    .target(name: "OmnibusBus", dependencies: ["CZeroMQ"], path: "Shared/OmnibusBus"),
    .target(name: "OmnibusWire", path: "Shared/OmnibusWire"),
    .target(name: "OmnibusContracts", dependencies: ["OmnibusWire"], path: "Shared/OmnibusContracts"),
    .target(name: "OmnibusConfiguration", path: "Shared/OmnibusConfiguration"),
    .target(
        name: "OmnibusClient", dependencies: ["OmnibusBus", "OmnibusContracts", "OmnibusConfiguration", logging, metrics, lifecycle],
        path: "Shared/OmnibusClient"),
    .target(
        name: "OmnibusCommandLine", dependencies: ["OmnibusConfiguration", "OmnibusWire", argumentParser, logging], path: "Shared/OmnibusCommandLine"),
    .target(
        name: "OmnibusService",
        dependencies: [
            "OmnibusBus", "OmnibusContracts", "OmnibusClient", "OmnibusConfiguration", "OmnibusCommandLine", "CSQLiteTuning", grdb,
            sqlite, logging, metrics, prometheus, lifecycle, argumentParser, asyncAlgorithms,
        ],
        path: "Shared/OmnibusService"
    ),
    .executableTarget(
        name: "omnibus-probe",
        dependencies: ["OmnibusService", "OmnibusClient", "OmnibusCommandLine", "OmnibusContracts", argumentParser, grdb, lifecycle],
        path: "Tools/Probe"
    ),
    .executableTarget(
        name: "omnibus",
        dependencies: [
            "OmnibusClient", "OmnibusConfiguration", "OmnibusContracts", "OmnibusBus", "OmnibusCommandLine", argumentParser, unixSignals,
            asyncAlgorithms, logging, grdb,
        ],
        path: "Tools/Omnibus"
    ),
    .executableTarget(
        name: "omnibus-bench",
        dependencies: ["OmnibusService", "OmnibusClient", "OmnibusContracts", "IdentityService", "OrdersService", "CouponsService", "ConversationService", "NotificationsService", "Gateway", "OmnibusConfiguration", argumentParser, grdb, logging, lifecycle,
            .product(name: "AsyncHTTPClient", package: "async-http-client"), .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"),
        ],
        path: "Tools/Benchmark"
    ),
    .testTarget(
        name: "IdentityTests",
        dependencies: ["IdentityService", "OmnibusClient", "OmnibusTestSupport", grdb]
    ),
    .testTarget(
        name: "CouponsTests",
        dependencies: ["CouponsService", "IdentityService", "OmnibusClient", "OmnibusTestSupport", grdb]
    ),
    .testTarget(
        name: "ConversationTests",
        dependencies: ["ConversationService", "IdentityService", "OmnibusClient", "OmnibusTestSupport", grdb]
    ),
    .testTarget(
        name: "NotificationsTests",
        dependencies: ["NotificationsService", "OrdersService", "IdentityService", "OmnibusClient", "OmnibusTestSupport", grdb]
    ),
    .testTarget(
        name: "OrdersTests",
        dependencies: ["OrdersService", "IdentityService", "OmnibusClient", "OmnibusTestSupport", grdb]
    ),
    .target(
        name: "OmnibusTestSupport",
        dependencies: ["OmnibusService", "OmnibusBus", "OmnibusClient", "IdentityService", grdb, logging, lifecycle],
        path: "Tests/OmnibusTestSupport"
    ),
    .testTarget(name: "OmnibusBusTests", dependencies: ["OmnibusBus", "OmnibusTestSupport"]),
    .testTarget(
        name: "AddingAServiceTests",
        dependencies: ["IdentityService", "OmnibusService", "OmnibusClient", "OmnibusContracts", "OmnibusTestSupport", grdb, logging]
    ),
    .testTarget(name: "OmnibusWireTests", dependencies: ["OmnibusWire", "OmnibusTestSupport"]),
    .testTarget(name: "OmnibusContractsTests", dependencies: ["OmnibusContracts", "OmnibusTestSupport"]),
    .testTarget(
        name: "OmnibusServiceTests",
        dependencies: [
            "OmnibusService", "OmnibusClient", "OmnibusConfiguration", "OmnibusTestSupport", grdb,
            .product(name: "MetricsTestKit", package: "swift-metrics"),
        ]
    ),
    .testTarget(
        name: "EndToEndTests",
        dependencies: [
            "OmnibusService", "OmnibusClient", "OmnibusConfiguration", "OmnibusTestSupport", grdb, logging,
            "omnibus-probe", "omnibus", "omnibus-identity", "omnibus-orders", "omnibus-coupons", "omnibus-conversation", "omnibus-notifications", "omnibus-gateway", "IdentityService", "OrdersService",
            "CouponsService", "ConversationService", "Gateway", .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
        ]
    ),
]

/// A service is a library (its domain and composition root, which tests link) under
/// Services/NAME/Sources and a thin executable `omnibus-name` under Services/NAME/Main.
func service(_ name: String, dependencies: [Target.Dependency] = []) -> [Target] {
    let common: [Target.Dependency] = ["OmnibusService", "OmnibusContracts", "OmnibusBus", grdb, logging]
    return [
        .target(name: "\(name)Service", dependencies: common + dependencies, path: "Services/\(name)/Sources"),
        .executableTarget(
            name: "omnibus-\(name.lowercased())",
            dependencies: [.target(name: "\(name)Service"), "OmnibusService", "OmnibusBus", argumentParser, lifecycle],
            path: "Services/\(name)/Main"),
    ]
}

let serviceNames = ["Identity", "Orders", "Coupons", "Conversation"]
targets += serviceNames.flatMap { service($0) }
// Notifications renders its templates with swift-mustache, sends e-mail over SMTP with
// SwiftNIO (STARTTLS by swift-nio-ssl) and signs webhooks (async-http-client) with swift-crypto.
targets += service("Notifications", dependencies: [
    .product(name: "Mustache", package: "swift-mustache"),
    .product(name: "AsyncHTTPClient", package: "async-http-client"),
    .product(name: "Crypto", package: "swift-crypto"),
    .product(name: "NIOCore", package: "swift-nio"),
    .product(name: "NIOPosix", package: "swift-nio"),
    .product(name: "NIOSSL", package: "swift-nio-ssl"),
])

// The HTTP gateway links the client side only (no GRDB): Hummingbird in front of command clients and bus readers.
targets += [
    .target(
        name: "Gateway",
        dependencies: [
            "OmnibusClient", "OmnibusConfiguration", "OmnibusContracts", "OmnibusBus", logging, lifecycle, asyncAlgorithms,
            .product(name: "Hummingbird", package: "hummingbird"), .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "Crypto", package: "swift-crypto"), .product(name: "NIOCore", package: "swift-nio"),
        ],
        path: "Services/Gateway/Sources"),
    .executableTarget(
        name: "omnibus-gateway", dependencies: ["Gateway", "OmnibusBus", "OmnibusClient", "OmnibusCommandLine", "OmnibusConfiguration", argumentParser, logging],
        path: "Services/Gateway/Main"),
]

for index in targets.indices where targets[index].type != .system {
    targets[index].swiftSettings = (targets[index].swiftSettings ?? []) + strictSettings
}

let package = Package(
    name: "Omnibus",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "OmnibusWire", targets: ["OmnibusWire"]),
        .library(name: "OmnibusContracts", targets: ["OmnibusContracts"]),
        .library(name: "OmnibusBus", targets: ["OmnibusBus"]),
        .library(name: "OmnibusService", targets: ["OmnibusService"]),
        .library(name: "OmnibusClient", targets: ["OmnibusClient"]),
        .library(name: "OmnibusConfiguration", targets: ["OmnibusConfiguration"]),
        .executable(name: "omnibus", targets: ["omnibus"]),
        .executable(name: "omnibus-identity", targets: ["omnibus-identity"]),
        .executable(name: "omnibus-orders", targets: ["omnibus-orders"]),
        .executable(name: "omnibus-coupons", targets: ["omnibus-coupons"]),
        .executable(name: "omnibus-conversation", targets: ["omnibus-conversation"]),
        .executable(name: "omnibus-notifications", targets: ["omnibus-notifications"]),
        .executable(name: "omnibus-gateway", targets: ["omnibus-gateway"]),
        .executable(name: "omnibus-probe", targets: ["omnibus-probe"]),
        .executable(name: "omnibus-bench", targets: ["omnibus-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-async-algorithms", from: "1.1.4"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.8.1"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
    ],
    targets: targets
)
