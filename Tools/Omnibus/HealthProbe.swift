import Foundation
import OmnibusBus
import OmnibusClient
import OmnibusContracts
import OmnibusService

/// Asks a service for its `service.health` over its command endpoint.
enum HealthProbe {
    /// The report, or the reason there is none (no answer in time, an error reply). The
    /// blocking exchange runs on a thread of its own, off the cooperative pool.
    static func check(endpoint: String, context: ZMQContext, timeoutMilliseconds: Int) async -> Result<HealthReport, OmnibusError> {
        let outcome = try? await DedicatedThread.run(name: "health-probe", stop: StopSignal()) {
            exchange(endpoint: endpoint, context: context, timeoutMilliseconds: timeoutMilliseconds)
        }
        return outcome ?? .failure(OmnibusError(.internal, "the health probe's thread failed"))
    }

    private static func exchange(endpoint: String, context: ZMQContext, timeoutMilliseconds: Int) -> Result<HealthReport, OmnibusError> {
        do {
            let client = try CommandClient(context: context, endpoint: endpoint, timeoutMilliseconds: timeoutMilliseconds)
            let request = CommandRequest(id: UUID().uuidString, command: healthCommand, data: Empty())
            return .success(try client.send(request, expecting: HealthReport.self).get())
        } catch let error as OmnibusError where error.code == .unavailable {
            return .failure(OmnibusError(.unavailable, "no health answer within \(timeoutMilliseconds) ms"))
        } catch let error as OmnibusError {
            return .failure(error)
        } catch {
            return .failure(OmnibusError(.unavailable, "\(error)"))
        }
    }
}
