import Testing
@testable import TeamsDomain

@Suite("Mute is tri-state; offered calls; changes held until their call starts")
struct MuteOfferPendingTests {
    static func offer(_ id: WorkerID, _ call: CallID, _ at: Double, queue: String = "Billing") -> Event {
        Event(at: t(at), .callOffer(id, CallStart(call: call, from: "+15551230001", queue: queue)))
    }

    // MARK: Mute

    @Test func muteIsUnknownUntilASourceReportsIt() {
        var r = Registry()
        r.run(E.start("WK1", "CA1", 0))
        #expect(r.call("WK1", "CA1")?.muted == nil)
        r.run(E.call("WK1", "CA1", .unmute, 5))
        #expect(r.call("WK1", "CA1")?.muted == false)
        r.run(E.call("WK1", "CA1", .mute, 6))
        #expect(r.call("WK1", "CA1")?.muted == true)
    }

    @Test func aHeldCallWithUnknownMuteIsNeverAWrongCallRisk() {
        var r = Registry()
        r.run(E.start("WK1", "CA1", 0), E.call("WK1", "CA1", .hold, 10))
        let w = r[worker: "WK1"]!
        #expect(w.callFlags(at: t(100)) == [[]])
        // No risk ahead: the only change is the call's end becoming overdue after the longest call.
        #expect(w.nextFlagChange(after: t(10)) == Timestamp(microseconds: t(CallState.longestCall).microseconds + 1))
    }

    @Test func unmutedOnAHeldCallIsFlaggedAfterTheGrace() {
        var r = Registry()
        r.run(E.start("WK1", "CA1", 0), E.call("WK1", "CA1", .hold, 10), E.call("WK1", "CA1", .mute, 10.5),
              E.call("WK1", "CA1", .unmute, 20))
        let w = r[worker: "WK1"]!
        #expect(w.callFlags(at: t(23)) == [[]])
        #expect(w.callFlags(at: t(23.1)) == [.wrongCallRisk])
        #expect(w.wrongCallRiskStart(of: w.calls[0]) == t(20))
    }

    @Test func twoLiveCallsAreARiskWhateverTheMute() {
        var r = Registry()
        r.run(E.start("WK1", "CA1", 0), E.start("WK1", "CA2", 10, via: .transfer))
        #expect(r[worker: "WK1"]!.callFlags(at: t(20)) == [.wrongCallRisk, .wrongCallRisk])
    }

    @Test func theFirstMuteReportAppliesEvenIfItsClockIsALittleBehindTheStart() {
        // A browser clock 300 ms behind Twilio's: the plugin's mute must not be taken as late.
        var r = Registry()
        r.run(E.start("WK1", "CA1", 10), E.call("WK1", "CA1", .mute, 9.7))
        #expect(r.call("WK1", "CA1")?.muted == true)
        // After that, order by time as usual.
        #expect(r.apply(E.call("WK1", "CA1", .unmute, 9.6)).reason == ApplyOutcome.Reason.late)
    }

    // MARK: Offers

    @Test func anOfferTakesNoCapacityAndRaisesNoMisroute() {
        var r = Registry()
        r.run(E.start("WK1", "CA1", 0), Self.offer("WK1", "CA2", 5))
        let w = r[worker: "WK1"]!
        #expect(w.calls.map(\.phase) == [.live, .offered])
        #expect(w.voiceInUse == 1 && !w.isOnMultipleCalls)
        #expect(w.callFlags(at: t(60)) == [[], []])
    }

    @Test func acceptingAnOfferMakesItLiveAndDecidesMisrouteThen() {
        var r = Registry()
        r.run(E.start("WK1", "CA1", 0), Self.offer("WK1", "CA2", 5), E.start("WK1", "CA2", 12))
        let w = r[worker: "WK1"]!
        let second = w.calls.first { $0.id == "CA2" }!
        #expect(second.phase == .live && second.startedAt == t(12) && second.offeredAt == t(5))
        #expect(second.misroute)
        #expect(w.voiceInUse == 2)
    }

    @Test func missedOffersAreCountedAndWithdrawnOnesAreNot() {
        var r = Registry()
        r.run(Self.offer("WK1", "CA1", 0), E.call("WK1", "CA1", .miss, 20),
              Self.offer("WK1", "CA2", 30), E.call("WK1", "CA2", .end, 40),
              Self.offer("WK1", "CA3", 50), E.call("WK1", "CA3", .miss, 70))
        let w = r[worker: "WK1"]!
        #expect(w.calls.isEmpty)
        #expect(w.missedOffers(since: t(0)) == 2)
        #expect(w.missedOffers(since: t(21)) == 1)
        // A repeated miss, or a miss of an accepted call, changes nothing.
        #expect(r.apply(E.call("WK1", "CA3", .miss, 71)).reason == ApplyOutcome.Reason.callEnded)
        r.run(E.start("WK1", "CA4", 80))
        #expect(r.apply(E.call("WK1", "CA4", .miss, 81)).reason == ApplyOutcome.Reason.notOffered)
        #expect(r[worker: "WK1"]!.missedOffers(since: t(0)) == 2)
    }

    @Test func aRingingCallCannotBeHeld() {
        var r = Registry()
        r.run(Self.offer("WK1", "CA1", 0))
        #expect(r.apply(E.call("WK1", "CA1", .hold, 1)).reason == ApplyOutcome.Reason.notAccepted)
    }

    // MARK: Changes before their call

    @Test func aMuteBeforeItsCallStartsIsHeldAndAppliedWhenItStarts() {
        var r = Registry()
        r.run(E.worker("WK1", 0, name: "Ada"))
        #expect(r.apply(E.call("WK1", "CA1", .mute, 10.2)).reason == ApplyOutcome.Reason.pending)
        #expect(r.pendingCount == 1)
        #expect(r.apply(E.start("WK1", "CA1", 10)) == .changed("WK1"))
        #expect(r.call("WK1", "CA1")?.muted == true)
        #expect(r.pendingCount == 0 && r.pendingHeld == 1 && r.pendingApplied == 1)
    }

    @Test func aChangeForAnUnknownWorkerIsHeldToo() {
        var r = Registry()
        #expect(r.apply(E.call("WK9", "CA1", .hold, 5)).reason == ApplyOutcome.Reason.pending)
        r.run(E.start("WK9", "CA1", 4))
        #expect(r.call("WK9", "CA1")?.phase == .held)
    }

    @Test func heldChangesWaitForTheirOwnWorker() {
        var r = Registry()
        r.run(E.call("WK1", "CA1", .mute, 5))
        r.run(E.start("WK2", "CA1", 4))
        #expect(r.call("WK2", "CA1")?.muted == nil)
        #expect(r.pendingCount == 1)
        r.run(E.start("WK1", "CA1", 4))
        #expect(r.call("WK1", "CA1")?.muted == true)
    }

    @Test func heldChangesExpireAndAreCounted() {
        var r = Registry()
        r.run(E.call("WK1", "CA1", .mute, 0))
        r.run(E.heartbeat(Registry.pendingChangeExpiry + 1))
        r.run(E.call("WK1", "CA2", .mute, Registry.pendingChangeExpiry + 1))
        #expect(r.pendingDropped == 1 && r.pendingCount == 1)
        r.run(E.start("WK1", "CA1", Registry.pendingChangeExpiry + 2))
        #expect(r.call("WK1", "CA1")?.muted == nil)
    }

    @Test func heldChangesAreBounded() {
        var r = Registry()
        for i in 0..<(Registry.pendingChangeLimit + 10) {
            r.run(E.call("WK1", "CA\(i)", .mute, Double(i) / 1000))
        }
        // At the limit the oldest eighth goes at once, all counted.
        let total = Registry.pendingChangeLimit + 10
        #expect(r.pendingCount == total - Registry.pendingChangeLimit / 8)
        #expect(r.pendingDropped == total - r.pendingCount)
        r.run(E.start("WK1", "CA0", 0))  // the oldest went first
        #expect(r.call("WK1", "CA0")?.muted == nil)
        let newest = "CA\(total - 1)"
        r.run(E.start("WK1", newest, 5))  // the newest is still held
        #expect(r.call("WK1", newest)?.muted == true)
    }

    @Test func aChangeAlreadyPastExpiryIsDroppedOnArrival() {
        var r = Registry()
        r.run(E.heartbeat(Registry.pendingChangeExpiry + 10))
        r.run(E.call("WK1", "CA1", .mute, 1))
        #expect(r.pendingCount == 0 && r.pendingDropped == 1 && r.pendingHeld == 1)
    }

    @Test func anEndOfAnUnknownCallIsNotHeld() {
        var r = Registry()
        r.run(E.worker("WK1", 0))
        #expect(r.apply(E.call("WK1", "CA1", .end, 1)).reason == ApplyOutcome.Reason.unknownCall)
        #expect(r.pendingCount == 0)
    }
}
