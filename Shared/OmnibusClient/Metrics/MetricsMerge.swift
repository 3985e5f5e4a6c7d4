/// What `omnibus metrics` and the gateway's `/metrics` do with the services'
/// `service.metrics` replies.
public enum MetricsMerge {
    /// Merges several services' expositions into one valid exposition: each metric family's
    /// `# TYPE` (and `# HELP`) line once, followed by all its samples from every service.
    /// Concatenating them instead would repeat the family header, which Prometheus and
    /// node_exporter's textfile collector refuse.
    public static func merge(_ texts: [String]) -> String {
        var order: [String] = []
        var headers: [String: [String]] = [:]
        var samples: [String: [String]] = [:]
        for text in texts {
            var family = ""
            for line in text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init) {
                if line.hasPrefix("# ") {
                    let words = line.split(separator: " ", maxSplits: 3)
                    guard words.count >= 3, words[1] == "TYPE" || words[1] == "HELP" else { continue }
                    family = String(words[2])
                    if headers[family] == nil { order.append(family); headers[family] = [] }
                    // One HELP and one TYPE line per family: the first service's.
                    if !headers[family]!.contains(where: { $0.split(separator: " ", maxSplits: 3).prefix(3) == words.prefix(3) }) {
                        headers[family]!.append(line)
                    }
                } else {
                    if headers[family] == nil { order.append(family); headers[family] = [] }
                    samples[family, default: []].append(line)
                }
            }
        }
        return order.map { family in
            (headers[family]! + samples[family, default: []]).map { $0 + "\n" }.joined()
        }.joined()
    }
}
