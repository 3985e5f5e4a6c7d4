import Foundation
import OmnibusContracts
import Synchronization

/// Reads a variant's attributes (`{"colour":"red","size":"38"}`), stored as JSON text, as
/// every cart view and catalog lookup does several times per command. A catalog has few
/// distinct texts, so each is decoded once and remembered; the text is the key, so a
/// changed variant is simply a new entry, and the memo is bounded.
enum VariantAttributes {
    private static let memo = Mutex<[String: [String: String]]>([:])
    private static let memoLimit = 10_000

    static func decode(_ text: String) throws -> [String: String] {
        if let known = memo.withLock({ $0[text] }) { return known }
        let attributes = try ContractCoding.decode([String: String].self, from: Data(text.utf8))
        memo.withLock { memo in
            if memo.count >= memoLimit { memo.removeAll(keepingCapacity: true) }
            memo[text] = attributes
        }
        return attributes
    }
}
