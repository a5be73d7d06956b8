import Testing
@testable import TeamsDomain

@Suite("PackedTime: an optional time in 8 bytes")
struct PackedTimeTests {
    @Test("holds nil and any event time, in 8 bytes; a call's four optional times with it")
    func roundTrip() {
        var t = PackedTime(wrappedValue: nil)
        #expect(t.wrappedValue == nil)
        for micros: Int64 in [.min, -1, 0, 1_764_662_400_000_000, 253_402_300_799_999_999] {
            t.wrappedValue = Timestamp(microseconds: micros)
            #expect(t.wrappedValue == Timestamp(microseconds: micros))
        }
        t.wrappedValue = nil
        #expect(t.wrappedValue == nil)
        #expect(MemoryLayout<PackedTime>.size == 8)

        var call = CallState(id: "CA1", phase: .live, startedAt: Timestamp(microseconds: 5))
        #expect(call.liveSince == Timestamp(microseconds: 5) && call.holdSince == nil && call.offeredAt == nil)
        call.holdSince = Timestamp(microseconds: 9)
        call.liveSince = nil
        #expect(call.holdSince == Timestamp(microseconds: 9) && call.liveSince == nil)
    }
}
