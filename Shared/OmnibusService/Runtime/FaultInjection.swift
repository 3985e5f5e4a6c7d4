import Foundation

/// Named points where a test may have the process killed, to prove that what a crash at
/// that exact point leaves behind is recovered. `OMNIBUS_FAULT_KILL` lists the points,
/// comma-separated; at a listed point the process sends itself SIGKILL — no cleanup, as
/// from the kernel's OOM killer or a pulled plug. Unset (always, outside tests) it costs
/// one check of an empty set.
///
/// Points: `after-commit:<command>` (the command server, once a batch holding that
/// command committed and before any reply is sent), and the ones a service names itself
/// (orders' checkout: `checkout:coupon-reserved`, `checkout:order-placed`,
/// `checkout:coupon-confirmed`; see docs/ORDERS.md).
public enum FaultInjection {
    private static let points: Set<String> = Set(
        (ProcessInfo.processInfo.environment["OMNIBUS_FAULT_KILL"] ?? "")
            .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })

    /// Whether any point is armed.
    public static var isArmed: Bool { !points.isEmpty }

    /// Kills the process if `point` is armed.
    public static func killIfArmed(_ point: String) {
        guard points.contains(point) else { return }
        FileHandle.standardError.write(Data("fault injection: killed at \(point)\n".utf8))
        kill(getpid(), SIGKILL)
    }
}
