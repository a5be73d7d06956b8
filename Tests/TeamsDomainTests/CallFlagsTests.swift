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

    @Test func resumingAHeldCallTheAgentWasUnmutedOnKeepsItsRiskUnbroken() {
        // CA1 live; CA2 held and muted, then unmuted at 20 (risk after the grace), then resumed at 40 with CA1
        // still live: the risk goes on from 20, with no new grace period in which the flag would read cleared.
        var r = Registry()
        r.run(E.start("WK01", "CA1", 0), E.start("WK01", "CA2", 10, via: .transfer),
              E.call("WK01", "CA2", .hold, 11), E.call("WK01", "CA2", .mute, 11),
              E.call("WK01", "CA2", .unmute, 20), E.call("WK01", "CA2", .resume, 40))
        let w = r[worker: "WK01"]!
        #expect(w.callFlags(at: t(40.5)) == [.wrongCallRisk, .wrongCallRisk])
        #expect(w.wrongCallRiskStart(of: w.calls[1]) == t(20))
        // Resumed muted, the overlap starts at the resume as before.
        var m = Registry()
        m.run(E.start("WK01", "CA1", 0), E.start("WK01", "CA2", 10, via: .transfer),
              E.call("WK01", "CA2", .hold, 11), E.call("WK01", "CA2", .mute, 11), E.call("WK01", "CA2", .resume, 40))
        #expect(m[worker: "WK01"]!.callFlags(at: t(40.5)) == [[], []])
        #expect(m[worker: "WK01"]!.wrongCallRiskStart(of: m[worker: "WK01"]!.calls[1]) == t(40))
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
        // The only change ahead: the call's end becomes overdue after the longest call.
        #expect(w.nextFlagChange(after: t(11)) == Timestamp(microseconds: t(CallState.longestCall).microseconds + 1))
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

    // MARK: A call whose end never arrived

    @Test("a live or held call older than the longest call Twilio allows is flagged end-not-received, nothing else")
    func endNotReceivedAfterTheLongestCall() {
        var r = Registry()
        r.run(E.start("WK01", "CA1", 0), E.start("WK01", "CA2", 5, via: .transfer), E.call("WK01", "CA2", .hold, 6),
              E.call("WK01", "CA2", .unmute, 6))
        let w = r[worker: "WK01"]!
        let longest = CallState.longestCall
        #expect(longest == 24 * 3600)
        // At exactly the longest call, both still count as calls (the held one unmuted: a risk).
        #expect(w.callFlags(at: t(longest)) == [[], .wrongCallRisk])
        // The held call still has a moment to go; the live one is past the longest call.
        #expect(w.callFlags(at: t(longest + 1)) == [.endNotReceived, .wrongCallRisk])
        #expect(w.callFlags(at: t(longest + 6)) == [.endNotReceived, .endNotReceived])
        #expect(!w.hasWrongCallRisk(at: t(longest + 6)))
        #expect(w.calls[0].endIsOverdue(at: t(longest + 1)))
        #expect(!w.calls[0].endIsOverdue(at: t(longest)))
    }

    @Test("a call whose end is overdue counts in no overlap: a fresh live call beside it is not at risk")
    func overdueCallMakesNoOverlap() {
        var r = Registry()
        let later = CallState.longestCall + 100
        r.run(E.start("WK01", "CA1", 0), E.start("WK01", "CA2", later, via: .transfer))
        let w = r[worker: "WK01"]!
        #expect(w.callFlags(at: t(later + 30)) == [.endNotReceived, []])
        #expect(!w.hasWrongCallRisk(at: t(later + 30)))
    }

    @Test("the moment a call's end becomes overdue is a flag change a view must refresh at")
    func overdueIsAFlagChange() {
        var r = Registry()
        r.run(E.start("WK01", "CA1", 0))
        let w = r[worker: "WK01"]!
        let due = Timestamp(microseconds: t(CallState.longestCall).microseconds + 1)
        #expect(w.nextFlagChange(after: t(60)) == due)
        #expect(w.nextFlagChange(after: due) == nil)
        // A call in wrap-up has ended: it never becomes overdue.
        r.run(E.call("WK01", "CA1", .wrapup, 30))
        let wrapped = r[worker: "WK01"]!
        #expect(wrapped.nextFlagChange(after: t(60)) == nil)
        #expect(wrapped.callFlags(at: t(CallState.longestCall * 3)) == [[]])
    }

    @Test("a queue call beside a call whose end is overdue is no misroute; beside one within the longest call it is")
    func queueCallBesideAnOverdueCallIsNoMisroute() {
        let longest = CallState.longestCall
        var r = Registry()
        r.run(E.start("WK01", "CA1", 0), E.start("WK01", "CA2", longest + 60, via: .queue))
        let w = r[worker: "WK01"]!
        #expect(!w.calls[1].misroute)
        #expect(w.callFlags(at: t(longest + 70)) == [.endNotReceived, []])
        var s = Registry()
        s.run(E.start("WK01", "CA1", 0), E.start("WK01", "CA2", longest - 60, via: .queue))
        #expect(s[worker: "WK01"]!.calls[1].misroute)
    }

    @Test("a call whose end is overdue is not one the agent works: counted neither by callCount(at:) nor by flags")
    func overdueCallIsNotCounted() {
        let longest = CallState.longestCall
        var r = Registry()
        r.run(E.start("WK01", "CA1", 0), E.start("WK01", "CA2", longest - 10, via: .transfer))
        let w = r[worker: "WK01"]!
        #expect(w.callCount == 2)
        #expect(w.callCount(at: t(longest)) == 2)
        #expect(w.callCount(at: t(longest + 1)) == 1)
        #expect(w.callCount(callFlags: w.callFlags(at: t(longest))) == 2)
        #expect(w.callCount(callFlags: w.callFlags(at: t(longest + 1))) == 1)
    }
}

@Suite("Call flag lists")
struct CallFlagListTests {
    /// Lists of 0 to 20 flags, past the eight held inline: the same elements, order, count, union and equality as
    /// the array they were built from.
    @Test("inline and past eight: as the array it was built from")
    func likeAnArray() {
        let kinds: [CallFlags] = [[], .misroute, .wrongCallRisk, .endNotReceived, [.misroute, .wrongCallRisk]]
        for n in 0...20 {
            let array = (0..<n).map { kinds[($0 * 7 + n) % kinds.count] }
            let list = CallFlagList(array)
            #expect(Array(list) == array)
            #expect(list.count == n)
            #expect(list.union == array.reduce(into: CallFlags()) { $0.formUnion($1) })
            var appended = CallFlagList()
            for f in array { appended.append(f) }
            #expect(appended == list)
            #expect(appended.hashValue == list.hashValue)
            if n > 0 {
                var other = array
                other[n - 1] = other[n - 1] == .misroute ? .wrongCallRisk : .misroute
                #expect(CallFlagList(other) != list)
                #expect(CallFlagList(array.dropLast()) != list)
            }
        }
    }
}
