import Foundation
import OmnibusTestSupport

/// A deterministic source of malformed input, so a failing fuzz run can be reproduced
/// from its seed.
struct Garbage {
    private var random: SeededGenerator

    init(seed: UInt64) { random = SeededGenerator(seed: seed) }

    mutating func next() -> UInt64 { random.next() }

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
