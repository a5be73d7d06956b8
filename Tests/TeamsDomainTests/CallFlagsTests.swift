import Testing
@testable import TeamsDomain

@Suite("Derived flags: wrong-call risk and misroute")
struct CallFlagsTests {
    let grace = CallFlags.defaultGrace

    /// CA1 live from 0, transfer CA2 live from 10; the client has not held CA1.
    func twoLive() -> WorkerState {
        var r = Registry()
        r.run(E.start("WK01", "CA1", 0), E.start("WK01", "CA2", 10, via: .transfer))
        return r[worker: "WK01"]!
    }

    @Test func defaultGraceIsThreeSeconds() {
        #expect(CallFlags.defaultGrace == 3)
    }

    @Test func twoLiveCallsWithinGraceAreNotFlagged() {
        let w = twoLive()
        #expect(w.callFlags(at: t(10)) == [[], []])
        #expect(w.callFlags(at: t(13)) == [[], []])  // exactly the grace: not longer than it
    }

    @Test func twoLiveCallsBeyondGraceFlagBoth() {
        let w = twoLive()
        let justAfter = Timestamp(microseconds: t(13).microseconds + 1)
        #expect(w.callFlags(at: justAfter) == [.wrongCallRisk, .wrongCallRisk])
        #expect(w.flags(of: w.calls[0], at: t(20)) == .wrongCallRisk)
        #expect(w.hasWrongCallRisk(at: t(20)))
        #expect(w.wrongCallRiskStart(of: w.calls[0]) == t(10))
    }

    @Test func customGrace() {
        let w = twoLive()
        #expect(w.callFlags(at: t(20), grace: 15) == [[], []])
        #expect(w.callFlags(at: t(26), grace: 15) == [.wrongCallRisk, .wrongCallRisk])
    }

    @Test func holdingOneCallClearsTheOverlap() {
        var r = Registry()
        r.run(E.start("WK01", "CA1", 0), E.start("WK01", "CA2", 10, via: .transfer),
              E.call("WK01", "CA1", .hold, 11), E.call("WK01", "CA1", .mute, 11))
        let w = r[worker: "WK01"]!
        #expect(w.callFlags(at: t(100)) == [[], []])
        #expect(!w.hasWrongCallRisk(at: t(100)))
    }

    @Test func overlapIsTimedFromTheSecondLiveCall() {
        // Three calls: the first live since 0, the others resumed at 50 and 52.
        var r = Registry()
        r.run(E.start("WK01", "CA1", 0), E.start("WK01", "CA2", 1, via: .transfer),
              E.start("WK01", "CA3", 2, via: .transfer),
              E.call("WK01", "CA2", .hold, 3), E.call("WK01", "CA2", .mute, 3),
              E.call("WK01", "CA3", .hold, 3), E.call("WK01", "CA3", .mute, 3),
              E.call("WK01", "CA2", .resume, 50), E.call("WK01", "CA3", .resume, 52))
        let w = r[worker: "WK01"]!
        #expect(w.wrongCallRiskStart(of: w.calls[0]) == t(50))
        #expect(w.callFlags(at: t(53)) == [[], [], []])
        #expect(w.callFlags(at: t(53.5)) == [.wrongCallRisk, .wrongCallRisk, .wrongCallRisk])
    }

    @Test func wrapupCallsDoNotCountAsLive() {
        var r = Registry()
        r.run(E.start("WK01", "CA1", 0), E.call("WK01", "CA1", .wrapup, 5), E.start("WK01", "CA2", 6, via: .transfer))
        #expect(r[worker: "WK01"]!.callFlags(at: t(100)) == [[], []])
    }

    @Test func unmutedOnHoldBeyondGraceIsFlagged() {
        var r = Registry()
        r.run(E.start("WK01", "CA1", 0), E.call("WK01", "CA1", .unmute, 0), E.start("WK01", "CA2", 10, via: .transfer),
              E.call("WK01", "CA1", .hold, 10))  // held, but the client never muted (and said so)
        let w = r[worker: "WK01"]!
        #expect(w.callFlags(at: t(13)) == [[], []])
        #expect(w.callFlags(at: t(13.001)) == [.wrongCallRisk, []])
        #expect(w.nextFlagChange(after: t(11)) == Timestamp(microseconds: t(13).microseconds + 1))
    }

    @Test func unmuteOnHoldIsTimedFromTheUnmute() {
        var r = Registry()
        r.run(E.start("WK01", "CA1", 0), E.call("WK01", "CA1", .hold, 10), E.call("WK01", "CA1", .mute, 10),
              E.call("WK01", "CA1", .unmute, 40))
        let w = r[worker: "WK01"]!
        #expect(w.wrongCallRiskStart(of: w.calls[0]) == t(40))
        #expect(w.callFlags(at: t(42)) == [[]])
        #expect(w.callFlags(at: t(44)) == [.wrongCallRisk])
    }

    @Test func mutedOnHoldIsSafe() {
        var r = Registry()
        r.run(E.start("WK01", "CA1", 0), E.call("WK01", "CA1", .mute, 9), E.call("WK01", "CA1", .hold, 10))
        let w = r[worker: "WK01"]!
        #expect(w.wrongCallRiskStart(of: w.calls[0]) == nil)
        #expect(w.callFlags(at: t(1000)) == [[]])
        #expect(w.nextFlagChange(after: t(11)) == nil)
    }

    @Test func singleLiveCallIsSafe() {
        var r = Registry()
        r.run(E.start("WK01", "CA1", 0))
        #expect(r[worker: "WK01"]!.callFlags(at: t(1000)) == [[]])
    }

    @Test func misrouteAndRiskCombine() {
        var r = Registry()
        r.run(E.start("WK01", "CA1", 0), E.start("WK01", "CA2", 10, via: .queue))
        let w = r[worker: "WK01"]!
        #expect(w.callFlags(at: t(11)) == [[], .misroute])
        #expect(w.callFlags(at: t(20)) == [.wrongCallRisk, [.misroute, .wrongCallRisk]])
    }
}
