import Foundation
import OmnibusConfiguration
import Testing

@Suite("Suite configuration")
struct SuiteConfigurationTests {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test("the shipped deploy/omnibus.json is valid and equals the built-in local defaults")
    func shippedFile() throws {
        let path = Self.repositoryRoot.appendingPathComponent(SuiteConfiguration.defaultPath).path
        #expect(try SuiteConfiguration.load(path: path) == SuiteConfiguration.localDefaults)
    }

    @Test("an explicit path wins over the environment, which wins over the defaults")
    func resolutionOrder() throws {
        let directory = NSTemporaryDirectory() + "omnibus-config-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let custom = SuiteConfiguration(services: ["identity": .loopback(basePort: 9101)])
        let path = directory + "/custom.json"
        try JSONEncoder().encode(custom).write(to: URL(fileURLWithPath: path))

        #expect(try SuiteConfiguration.resolve(explicitPath: path, environment: [:]).configuration == custom)
        #expect(try SuiteConfiguration.resolve(explicitPath: nil, environment: ["OMNIBUS_CONFIG": path]).configuration == custom)
        #expect(throws: ConfigurationError.self) {
            try SuiteConfiguration.resolve(explicitPath: directory + "/missing.json", environment: [:])
        }
    }

    @Test("malformed files, non-ZeroMQ addresses and addresses used twice are refused with the reason")
    func invalidFiles() throws {
        let directory = NSTemporaryDirectory() + "omnibus-config-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let cases: [(String, String)] = [
            ("{\"services\": 3}", "not a valid Omnibus configuration"),
            ("{\"services\": {\"identity\": {\"events\": \"http://x\", \"replay\": \"tcp://127.0.0.1:1\", \"commands\": \"tcp://127.0.0.1:2\"}}}",
             "is not a tcp:// or ipc:// address"),
            ("{\"services\": {\"identity\": {\"events\": \"tcp://127.0.0.1:1\", \"replay\": \"tcp://127.0.0.1:1\", \"commands\": \"tcp://127.0.0.1:2\"}}}",
             "already used by"),
        ]
        for (index, (text, reason)) in cases.enumerated() {
            let path = "\(directory)/\(index).json"
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            do {
                _ = try SuiteConfiguration.load(path: path)
                Issue.record("\(text) was accepted")
            } catch let error as ConfigurationError {
                #expect(error.description.contains(reason), "\(error)")
            }
        }
        #expect(throws: ConfigurationError.self) { try SuiteConfiguration.localDefaults.endpoints(of: "billing") }
    }
}
