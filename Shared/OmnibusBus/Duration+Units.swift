/// Conversions for the APIs that still take plain numbers (libzmq timeouts, `Thread.sleep`).
extension Duration {
    /// Whole milliseconds, rounded toward zero.
    public var wholeMilliseconds: Int64 {
        components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
    }

    /// Seconds as a floating-point number, e.g. for `Thread.sleep(forTimeInterval:)`.
    public var secondsValue: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
