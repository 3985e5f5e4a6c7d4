/// How a policy names commands: a full name (`orders.cart.add`), or a prefix ending in `*`
/// (`orders.cart.*`, or `*` for every command). The bus policy and the gateway's policy
/// read their patterns the same way.
public enum CommandPattern {
    /// Whether `pattern` covers `command`.
    public static func matches(_ pattern: String, _ command: String) -> Bool {
        pattern.hasSuffix("*") ? command.hasPrefix(pattern.dropLast()) : command == pattern
    }
}
