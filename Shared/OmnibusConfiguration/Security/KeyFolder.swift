import Foundation

/// The CURVE keys of one deployment, as `omnibus keys` writes them: `principals.json` maps
/// every principal (a service, the gateway, an ops user, a channel front end) to its public
/// key — the allow-list servers admit — and `<principal>.key` holds each secret key, readable
/// by its owner only (mode 0600). Copy to each host only the secret keys it runs.
public struct KeyFolder: Sendable {
    public let path: String
    /// Public keys (Z85) by principal name.
    public let publicKeys: [String: String]

    /// A folder's allow-list as loaded (or made in memory, for a benchmark).
    public init(path: String, publicKeys: [String: String]) {
        self.path = path
        self.publicKeys = publicKeys
    }

    /// The allow-list's file name inside the folder.
    public static let principalsFile = "principals.json"

    /// Reads the folder's allow-list.
    public static func load(_ path: String) throws -> KeyFolder {
        let file = URL(fileURLWithPath: path).appendingPathComponent(principalsFile)
        do {
            let keys = try JSONDecoder().decode([String: String].self, from: Data(contentsOf: file))
            for (name, key) in keys where key.utf8.count != 40 {
                throw ConfigurationError("\(file.path): the public key of '\(name)' is not 40 Z85 characters")
            }
            return KeyFolder(path: path, publicKeys: keys)
        } catch let error as ConfigurationError {
            throw error
        } catch {
            throw ConfigurationError("cannot read the key folder's \(file.path): \(error.localizedDescription)")
        }
    }

    /// The secret key of `principal`, refused when its file can be read by anyone but its owner.
    public func secretKey(of principal: String) throws -> String {
        let file = URL(fileURLWithPath: path).appendingPathComponent("\(principal).key").path
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: file),
              let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue else {
            throw ConfigurationError("no secret key for '\(principal)' at \(file) (make keys with `omnibus keys`)")
        }
        guard mode & 0o077 == 0 else {
            throw ConfigurationError("\(file) is readable by others (mode \(String(mode, radix: 8))); run chmod 600 on it")
        }
        let text = try String(contentsOfFile: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.utf8.count == 40 else { throw ConfigurationError("\(file) does not hold a 40-character Z85 secret key") }
        return text
    }

    /// The principal a public key belongs to, if any.
    public func principal(ofPublicKey key: String) -> String? {
        publicKeys.first { $0.value == key }?.key
    }

    /// Creates `file` readable by its owner only from the first byte (never 0644 then 0600)
    /// and refuses to replace one that exists.
    private static func writeSecret(_ text: String, to file: String) throws {
        let descriptor = open(file, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard descriptor >= 0 else { throw ConfigurationError("cannot create \(file): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        let bytes = Array(text.utf8)
        guard write(descriptor, bytes, bytes.count) == bytes.count else {
            throw ConfigurationError("cannot write \(file): \(String(cString: strerror(errno)))")
        }
    }

    /// Writes a new folder with a key pair per principal, made by `generate` (public, secret).
    /// Refuses to overwrite an existing allow-list: replacing keys is a deliberate act.
    public static func create(
        at path: String, principals: [String], generate: () throws -> (publicKey: String, secretKey: String)
    ) throws -> KeyFolder {
        let folder = URL(fileURLWithPath: path)
        let list = folder.appendingPathComponent(principalsFile)
        guard !FileManager.default.fileExists(atPath: list.path) else {
            throw ConfigurationError("\(list.path) exists; keys are not replaced (remove the folder to start again)")
        }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        var publicKeys: [String: String] = [:]
        for principal in principals {
            let keys = try generate()
            let file = folder.appendingPathComponent("\(principal).key").path
            try writeSecret(keys.secretKey + "\n", to: file)
            publicKeys[principal] = keys.publicKey
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(publicKeys).write(to: list)
        return KeyFolder(path: path, publicKeys: publicKeys)
    }
}
