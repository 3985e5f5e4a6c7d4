import Foundation

/// A deterministic source of malformed input (SplitMix64), so a failing fuzz run can be
/// reproduced from its seed.
struct Garbage {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.count))
    }

    mutating func bytes(_ count: Int) -> Data {
        Data((0..<count).map { _ in UInt8(truncatingIfNeeded: next()) })
    }

    /// One malformed request body or message, of one of several kinds, as frames.
    mutating func request(kind: Int) -> [Data] {
        switch kind % 6 {
        case 0: return [bytes(int(1...2000))]
        case 1: return (0..<int(2...4)).map { _ in bytes(int(0...50)) }
        case 2: return [Data(#"{"id":"x","command":"alpha.add_notes","data":{"count":"#.utf8) + bytes(int(0...20))]
        case 3: return [Data(#"{"id":"g\#(next())","command":"no.such_\#(next() % 1000)","data":{}}"#.utf8)]
        case 4: return [Data(#"{"id":5,"command":[],"source":7,"after":"x"}"#.utf8)]
        default: return [Data()]
        }
    }
}
