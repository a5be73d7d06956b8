import Testing
@testable import TeamsDomain

@Suite("Registry: calls")
struct RegistryCallTests {
    @Test func callStartAddsALiveCall() {
        var r = Registry()
        #expect(r.apply(E.start("WK01", "CA1", 60, via: .queue, from: "+15551230001", queue: "Billing")) == .changed("WK01"))
        let c = try! #require(r.call("WK01", "CA1"))
        #expect(c.phase == .live)
        #expect(c.muted == nil, "unknown until a mute source reports it")
        #expect(c.from == "+15551230001")
        #expect(c.queue == "Billing")
        #expect(c.via == .queue)
        #expect(c.direction == .inbound)
        #expect(c.startedAt == t(60))
        #expect(c.liveSince == t(60))
        #expect(!c.misroute)
    }

    @Test func fullLifecycle() {
        var r = Registry()
        r.run(E.start("WK01", "CA1", 0))
        #expect(r.apply(E.call("WK01", "CA1", .hold, 10)) == .changed("WK01"))
        var c = r.call("WK01", "CA1")!
        #expect(c.phase == .held)
        #expect(c.holdSince == t(10))
        #expect(c.liveSince == nil)

        #expect(r.apply(E.call("WK01", "CA1", .mute, 10)) == .changed("WK01"))
        c = r.call("WK01", "CA1")!
        #expect(c.muted == true)
        #expect(c.muteChangedAt == t(10))

        #expect(r.apply(E.call("WK01", "CA1", .resume, 20)) == .changed("WK01"))
        #expect(r.apply(E.call("WK01", "CA1", .unmute, 20)) == .changed("WK01"))
        c = r.call("WK01", "CA1")!
        #expect(c.phase == .live)
        #expect(c.liveSince == t(20))
        #expect(c.holdSince == nil)
        #expect(c.muted == false)
        #expect(c.muteChangedAt == t(20))

        #expect(r.apply(E.call("WK01", "CA1", .wrapup, 30)) == .changed("WK01"))
        c = r.call("WK01", "CA1")!
        #expect(c.phase == .wrapup)
        #expect(c.wrapupSince == t(30))
        #expect(c.liveSince == nil)
        #expect(c.updatedAt == t(30))

        #expect(r.apply(E.call("WK01", "CA1", .end, 40)) == .changed("WK01"))
        #expect(r[worker: "WK01"]!.calls.isEmpty)
        #expect(r.version == 7)
    }

    @Test func holdOrResumeInWrapupIsIgnored() {
        var r = Registry()
        r.run(E.start("WK01", "CA1", 0), E.call("WK01", "CA1", .wrapup, 5))
        #expect(r.apply(E.call("WK01", "CA1", .hold, 6)).reason == ApplyOutcome.Reason.inWrapup)
        #expect(r.apply(E.call("WK01", "CA1", .resume, 6)).reason == ApplyOutcome.Reason.inWrapup)
        #expect(r.apply(E.call("WK01", "CA1", .wrapup, 7)).reason == ApplyOutcome.Reason.duplicate)
        #expect(r.call("WK01", "CA1")!.phase == .wrapup)
    }

    @Test func unknownCallChangesAreIgnored() {
        var r = Registry()
        r.run(E.worker("WK01", 0))
        for change in CallChange.allCases {
            // Ends of an unknown call have nothing to end; other changes wait for their call (see Registry+Pending).
            let expected = change == .end || change == .miss ? ApplyOutcome.Reason.unknownCall : ApplyOutcome.Reason.pending
            #expect(r.apply(E.call("WK01", "CAX", change, 1)).reason == expected)
        }
        #expect(r.version == 1)
    }

    /// The agent's client holds and mutes the first call when a transfer lands; the registry shows
    /// each step as its event arrives, and never holds anything by itself.
    @Test func multiCallHoldAndMuteScenario() {
        var r = Registry()
        r.run(E.worker("WK01", 0, name: "Ada", capacity: ["voice": 2]),
              E.start("WK01", "CA1", 10, via: .queue),
              E.start("WK01", "CA2", 70, via: .transfer))
        var w = r[worker: "WK01"]!
        #expect(w.calls.map(\.id) == ["CA1", "CA2"])
        #expect(w.calls.map(\.phase) == [.live, .live])  // nothing invented
        #expect(w.isOnMultipleCalls)
        #expect(w.voiceInUse == 2)
        #expect(!w.calls[1].misroute)

        r.run(E.call("WK01", "CA1", .hold, 70.5), E.call("WK01", "CA1", .mute, 70.5))
        w = r[worker: "WK01"]!
        #expect(w.calls[0].phase == .held)
        #expect(w.calls[0].muted == true)
        #expect(w.calls[1].phase == .live)
        #expect(w.callFlags(at: t(200)) == [[], []])

        // Back to the first caller: resume it, hold and mute the second.
        r.run(E.call("WK01", "CA2", .hold, 100), E.call("WK01", "CA2", .mute, 100),
              E.call("WK01", "CA1", .resume, 100), E.call("WK01", "CA1", .unmute, 100))
        w = r[worker: "WK01"]!
        #expect(w.calls.map(\.phase) == [.live, .held])
        #expect(w.calls.map(\.muted) == [false, true])
        #expect(w.calls[1].holdSince == t(100))
        #expect(w.liveCalls.map(\.id) == ["CA1"])

        r.run(E.call("WK01", "CA1", .wrapup, 130), E.call("WK01", "CA1", .end, 140))
        w = r[worker: "WK01"]!
        #expect(w.calls.map(\.id) == ["CA2"])
        #expect(!w.isOnMultipleCalls)
    }

    @Test(arguments: [
        (CallVia.queue, true), (CallVia.transfer, false), (CallVia.outbound, false), (CallVia.direct, false),
    ])
    func misrouteOnlyForQueueCallsOnABusyAgent(via: CallVia, expected: Bool) {
        var r = Registry()
        r.run(E.start("WK01", "CA1", 0), E.start("WK01", "CA2", 30, via: via))
        let w = r[worker: "WK01"]!
        #expect(w.calls[1].misroute == expected)
        #expect(w.flags(of: w.calls[1], at: t(31)).contains(.misroute) == expected)
        #expect(!w.calls[0].misroute)
    }

    @Test func queueCallToAFreeAgentIsNoMisroute() {
        var r = Registry()
        r.run(E.start("WK01", "CA1", 0), E.call("WK01", "CA1", .end, 20), E.start("WK01", "CA2", 30))
        #expect(r.call("WK01", "CA2")!.misroute == false)
    }

    @Test func callInWrapupCountsForMisroute() {
        var r = Registry()
        r.run(E.start("WK01", "CA1", 0), E.call("WK01", "CA1", .wrapup, 20), E.start("WK01", "CA2", 30))
        #expect(r.call("WK01", "CA2")!.misroute)
    }

    @Test func aLateStartMakesLaterQueueCallsMisroutes() {
        var r = Registry()
        r.run(E.start("WK01", "CA2", 30), E.start("WK01", "CA1", 10, via: .transfer))
        let w = r[worker: "WK01"]!
        #expect(w.calls.map(\.id) == ["CA1", "CA2"])
        #expect(w.calls.map(\.misroute) == [false, true])
    }

    @Test func voiceInUseCountsWrapupAndTasksCountPerChannel() {
        var r = Registry()
        r.run(E.start("WK01", "CA1", 0), E.call("WK01", "CA1", .wrapup, 5), E.start("WK01", "CA2", 6, via: .transfer),
              E.task("WK01", "CH1", 7))
        let w = r[worker: "WK01"]!
        #expect(w.voiceInUse == 2)
        #expect(w.inUse(channel: "voice") == 2)
        #expect(w.inUse(channel: "chat") == 1)
        #expect(w.inUse(channel: "email") == 0)
        #expect(w.capacity(of: "voice") == 1)
        #expect(w.isOnMultipleCalls)
    }
}
