/// A command as a type: its wire name, the major version of its `data`, its reply, and
/// whether it changes state — the pairing every handler, client and test relies on, checked
/// by the compiler (as grpc-swift's method descriptors do).
///
/// A value of the type is the command's `data`; its JSON is exactly what docs/PROTOCOL.md
/// documents for the command. Register a handler with
/// `commands.register(ResolveIdentifier.self) { input, context in … }` and send one with
/// `try await client.send(ResolveIdentifier(…))`, which returns a ``Reply``.
public protocol CommandContract: Codable, Sendable {
    /// What a successful reply's `data` holds.
    associatedtype Reply: Codable & Sendable

    /// The wire name, `service.noun.verb` (e.g. `identity.resolve`); its first part is the
    /// service that takes it.
    static var name: String { get }
    /// The major version of `data` this type speaks; 1 unless the contract says otherwise.
    static var version: Int { get }
    /// False for queries: they change nothing, emit nothing, and their replies are not
    /// stored for retries, since answering again is harmless.
    static var changesState: Bool { get }
}

extension CommandContract {
    public static var version: Int { 1 }
    public static var changesState: Bool { true }

    /// The service that takes the command: its name's first part.
    public static var service: Substring { name.prefix { $0 != "." } }
}

/// A command that only reads: `changesState` is false.
public protocol QueryContract: CommandContract {}

extension QueryContract {
    public static var changesState: Bool { false }
}
