import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import OmnibusClient
import OmnibusContracts

/// `GET /healthz`: the gateway answers, and so does every service (its `service.health`);
/// 200 when all do, 503 with the ones that do not; and how many streams are open.
struct HealthRoute: Sendable {
    let clients: [String: CommandClient]
    let streams: StreamSlots

    struct Report: Encodable, Sendable {
        var ok: Bool
        var services: [String: ServiceState]
        /// Event and view streams open now, and the most the gateway serves.
        var streams: Int
        var maxStreams: Int
    }

    struct ServiceState: Codable, Sendable {
        var up: Bool
        var head: Int64?
        var error: String?
    }

    func handle() async -> Response {
        let states = await clients.askEach { try await $0.send(GetHealth(), timeout: .seconds(2)).head }.mapValues { answer in
            switch answer {
            case .success(let head): ServiceState(up: true, head: head)
            case .failure(let error): ServiceState(up: false, error: "\(error)")
            }
        }
        let report = Report(ok: states.values.allSatisfy(\.up), services: states, streams: streams.inUse, maxStreams: streams.limit)
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: report.ok ? .ok : .serviceUnavailable, headers: headers,
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: (try? ContractCoding.encode(report)) ?? Data())))
    }
}
