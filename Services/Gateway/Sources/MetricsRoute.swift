import Foundation
import Hummingbird
import NIOCore
import OmnibusClient
import OmnibusContracts

/// `GET /metrics`: every service's Prometheus exposition (its `service.metrics`) merged into
/// one, so Prometheus scrapes the whole suite at the gateway. A service that does not answer
/// is named in a comment and left out; the rest is served.
struct MetricsRoute: Sendable {
    let clients: [String: CommandClient]
    let access: Access
    /// What a caller's channel must be allowed in the policy to read the metrics.
    static let permission = "suite.metrics"

    func handle(_ request: Request) async -> Response {
        if case .refused(let response) = access.check(request, command: Self.permission) { return response }
        let texts = await clients.askEach { try await $0.send(GetMetrics(), timeout: .seconds(2)).text }.mapValues { try? $0.get() }
        let missing = texts.filter { $0.value == nil }.keys.sorted()
        let body = missing.map { "# \($0) did not answer service.metrics\n" }.joined()
            + MetricsMerge.merge(texts.keys.sorted().compactMap { texts[$0] ?? nil })
        return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                        body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }
}
