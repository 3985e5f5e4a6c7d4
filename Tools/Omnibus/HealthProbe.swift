import Foundation
import OmnibusBus
import OmnibusClient
import OmnibusCommandLine
import OmnibusContracts

/// Asks a service for its `service.health` over its command endpoint.
enum HealthProbe {
    /// The report, or the reason there is none (no answer in time, an error reply).
    static func check(endpoint: String, context: ZMQContext, timeoutMilliseconds: Int) async -> Result<HealthReport, OmnibusError> {
        do {
            return .success(try await CommandClient.reply(
                to: GetHealth(), at: endpoint, context: context, timeout: .milliseconds(timeoutMilliseconds)
            ).get())
        } catch let error as OmnibusError where error.code == .unavailable {
            return .failure(OmnibusError(.unavailable, "no health answer within \(timeoutMilliseconds) ms"))
        } catch let error as OmnibusError {
            return .failure(error)
        } catch {
            return .failure(OmnibusError(.unavailable, "\(error)"))
        }
    }
}
