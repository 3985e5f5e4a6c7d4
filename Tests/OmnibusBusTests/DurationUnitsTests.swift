import OmnibusBus
import Testing

@Suite struct DurationUnitsTests {
    @Test func conversionsCountWholeSecondsToo() {
        #expect(Duration.milliseconds(2_500).wholeMilliseconds == 2_500)
        #expect(Duration.seconds(100).wholeMilliseconds == 100_000)
        #expect(Duration.microseconds(1_999).wholeMilliseconds == 1)
        #expect(Duration.milliseconds(2_500).secondsValue == 2.5)
        #expect(Duration.seconds(100).secondsValue == 100)
    }
}
