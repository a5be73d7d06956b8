import Foundation
import Testing
@testable import TeamsDomain

@Suite("Registry: late and duplicate events, versions")
struct RegistryOrderingTests {
    @Test func duplicatesChangeNothing() {
        var r = Registry()
        let events = [
            E.worker("WK01", 0, name: "Ada", team: "Billing", capacity: ["voice": 2]),
            E.activity("WK01", 1, "Available", available: true),
            E.capacity("WK01", 2, "chat", 2),
            E.start("WK01", "CA1", 3),
            E.call("WK01", "CA1", .hold, 4), E.call("WK01", "CA1", .mute, 4),
            E.task("WK01", "CH1", 5),
            E.call("WK01", "CA1", .resume, 6), E.call("WK01", "CA1", .unmute, 6),
            E.call("WK01", "CA1", .wrapup, 7),
        ]
        for event in events {
            #expect(r.apply(event) == .changed("WK01"))
            let version = r.version
            let before = r[worker: "WK01"]!
            #expect(r.apply(event).reason != nil, "second \(event.kind)")
            #expect(r.version == version)
            let after = r[worker: "WK01"]!
            #expect(after.calls.map(\.phase) == before.calls.map(\.phase))
            #expect(after.calls.map(\.muted) == before.calls.map(\.muted))
            #expect(after.version == before.version)
        }
    }

    @Test func eachChangingEventBumpsVersionOnceAndStampsTheWorker() {
        var r = Registry()
        r.run(E.worker("WK01", 0), E.worker("WK02", 0))
        #expect(r.version == 2)
        #expect(r[worker: "WK01"]!.version == 1)
        #expect(r[worker: "WK02"]!.version == 2)
        r.run(E.start("WK01", "CA1", 1))
        #expect(r.version == 3)
        #expect(r[worker: "WK01"]!.version == 3)
        #expect(r[worker: "WK02"]!.version == 2)
        r.run(E.heartbeat(2), E.call("WK01", "CA1", .resume, 2))  // nothing to resume
        #expect(r.version == 3)
        #expect(r[worker: "WK01"]!.version == 3)
    }

    @Test func lateHoldAfterResumeDoesNotReHold() {
        var r = Registry()
        r.run(E.start("WK01", "CA1", 0), E.call("WK01", "CA1", .hold, 10), E.call("WK01", "CA1", .resume, 20))
        #expect(r.apply(E.call("WK01", "CA1", .hold, 10)).reason == ApplyOutcome.Reason.late)
        #expect(r.call("WK01", "CA1")!.phase == .live)
    }

    @Test func lateHoldAfterARedundantResumeDoesNotReHold() {
        // The resume arrived first and found the call live; it still proves the call is live at 20.
        var r = Registry()
        r.run(E.start("WK01", "CA1", 0), E.call("WK01", "CA1", .resume, 20))
        #expect(r.apply(E.call("WK01", "CA1", .hold, 10)).reason == ApplyOutcome.Reason.late)
        #expect(r.call("WK01", "CA1")!.phase == .live)
    }

    @Test func lateUnmuteDoesNotUndoMute() {
        var r = Registry()
        r.run(E.start("WK01", "CA1", 0), E.call("WK01", "CA1", .unmute, 4), E.call("WK01", "CA1", .mute, 10))
        #expect(r.apply(E.call("WK01", "CA1", .unmute, 5)).reason == ApplyOutcome.Reason.late)
        #expect(r.call("WK01", "CA1")!.muted == true)
    }

    @Test func holdAndMuteAreTimedSeparately() {
        // A mute newer than a delayed hold does not make the hold look late.
        var r = Registry()
        r.run(E.start("WK01", "CA1", 0), E.call("WK01", "CA1", .mute, 12))
        #expect(r.apply(E.call("WK01", "CA1", .hold, 11)) == .changed("WK01"))
        let c = r.call("WK01", "CA1")!
        #expect(c.phase == .held)
        #expect(c.holdSince == t(11))
        #expect(c.muted == true)
        #expect(c.updatedAt == t(12))
    }

    @Test func sameTimestampEventsAllApply() {
        var r = Registry()
        r.run(E.start("WK01", "CA1", 5), E.call("WK01", "CA1", .hold, 5), E.call("WK01", "CA1", .mute, 5))
        let c = r.call("WK01", "CA1")!
        #expect(c.phase == .held)
        #expect(c.muted == true)
    }

    @Test func endedCallIsNotResurrected() {
        var r = Registry()
        r.run(E.start("WK01", "CA1", 0), E.call("WK01", "CA1", .end, 30))
        let version = r.version
        #expect(r.apply(E.start("WK01", "CA1", 0)).reason == ApplyOutcome.Reason.callEnded)
        #expect(r.apply(E.call("WK01", "CA1", .hold, 10)).reason == ApplyOutcome.Reason.callEnded)
        #expect(r.apply(E.call("WK01", "CA1", .end, 30)).reason == ApplyOutcome.Reason.callEnded)
        #expect(r[worker: "WK01"]!.calls.isEmpty)
        #expect(r.version == version)
    }

    @Test func aCallIdStartedAgainAfterItsEndIsANewCall() {
        // A task transferred back to the same agent keeps its sid.
        var r = Registry()
        r.run(E.start("WK01", "CA1", 0), E.call("WK01", "CA1", .end, 30))
        #expect(r.apply(E.start("WK01", "CA1", 40, via: .transfer)) == .changed("WK01"))
        // The first leg's end, delivered again, must not end the second leg.
        #expect(r.apply(E.call("WK01", "CA1", .end, 30)).reason == ApplyOutcome.Reason.late)
        #expect(r.call("WK01", "CA1")?.startedAt == t(40))
    }

    @Test func endOutOfOrderStillEnds() {
        var r = Registry()
        r.run(E.start("WK01", "CA1", 0), E.call("WK01", "CA1", .hold, 20))
        #expect(r.apply(E.call("WK01", "CA1", .end, 15)) == .changed("WK01"))
        #expect(r.call("WK01", "CA1") == nil)
        // and the wrap-up that should have come before it is now moot
        #expect(r.apply(E.call("WK01", "CA1", .wrapup, 12)).reason == ApplyOutcome.Reason.callEnded)
    }

    @Test func tombstonesAreBoundedPerWorker() {
        var r = Registry()
        let n = Registry.endedMemory + 4
        for i in 0..<n {
            r.run(E.start("WK01", "C\(i)", Double(i * 10)), E.call("WK01", "C\(i)", .end, Double(i * 10 + 5)))
        }
        let w = r[worker: "WK01"]!
        #expect(w.ended.count == Registry.endedMemory)
        #expect(w.endedAt(.call, "C\(n - 1)") == t(Double((n - 1) * 10 + 5)))
        #expect(w.endedAt(.call, "C0") == nil)
        #expect(r.apply(E.start("WK01", "C\(n - 1)", 0)).reason == ApplyOutcome.Reason.callEnded)
    }

    @Test("a start dated before every end a worker still remembers is late: it may be of a call or task whose end it forgot")
    func startsBeforeForgottenEndsAreLate() {
        var r = Registry()
        let n = Registry.endedMemory + 4
        for i in 0..<n {
            r.run(E.start("WK01", "C\(i)", Double(100 + i * 10)), E.call("WK01", "C\(i)", .end, Double(100 + i * 10 + 5)))
        }
        // C0...C3 are forgotten; the oldest end remembered is C4's, at 145.
        #expect(r.apply(E.start("WK01", "C0", 100)).reason == ApplyOutcome.Reason.late, "a forgotten call stays over")
        #expect(r.apply(E.start("WK01", "CX", 145)).reason == ApplyOutcome.Reason.late)
        #expect(r.apply(E.task("WK01", "T0", 120)).reason == ApplyOutcome.Reason.late)
        #expect(r.apply(E.start("WK01", "C\(n - 1)", 290)).reason == ApplyOutcome.Reason.callEnded)
        #expect(r[worker: "WK01"]!.calls.isEmpty && r[worker: "WK01"]!.tasks.isEmpty)
        #expect(r.apply(E.start("WK01", "CY", 146)) == .changed("WK01"), "after the oldest end remembered: a call")
        #expect(r.apply(E.task("WK01", "T1", 300)) == .changed("WK01"))
        // A worker that has not ended as many as it remembers takes any start.
        r.run(E.start("WK02", "C0", 100), E.call("WK02", "C0", .end, 200))
        #expect(r.apply(E.start("WK02", "CZ", 50)) == .changed("WK02"))
    }

    /// How older builds saved a tombstone: with the id itself.
    struct SavedWithID: Codable {
        var id: String
        var endedAt: Timestamp
        var fingerprint: UInt32
        var kind: EndedWork.Kind
    }

    @Test("a tombstone keeps a digest of the id, not the id; a saved floor's tombstones, new or old, still reject a late start")
    func tombstonesKeepADigest() throws {
        #expect(MemoryLayout<EndedWork>.size <= 24, "no String (16 bytes and a heap block for a sid) is kept")
        let sid = "CA0123456789abcdef0123456789abcdef"
        var r = Registry()
        r.run(E.start("WK01", sid, 0), E.call("WK01", sid, .end, 30), E.start("WK01", "CA2", 40))
        let restored = try JSONDecoder().decode(Registry.self, from: JSONEncoder().encode(r))
        var again = restored
        #expect(again.apply(E.start("WK01", sid, 10)).reason == ApplyOutcome.Reason.callEnded)
        #expect(again.apply(E.call("WK01", sid, .hold, 20)).reason == ApplyOutcome.Reason.callEnded)
        #expect(again.apply(E.start("WK01", "CA0123456789abcdef0123456789abcdee", 50)) == .changed("WK01"),
                "an id one byte apart is another call")
        #expect(restored[worker: "WK01"]?.endedAt(.call, sid) == t(30))
        #expect(restored[worker: "WK01"]?.endedAt(.task, sid) == nil, "a task of that id did not end")

        let old = SavedWithID(id: sid, endedAt: t(30), fingerprint: EndedWork.fingerprint(of: sid), kind: .call)
        let read = try JSONDecoder().decode(EndedWork.self, from: JSONEncoder().encode(old))
        #expect(read == EndedWork(kind: .call, id: sid, endedAt: t(30)))
        #expect(read != EndedWork(kind: .call, id: "CA2", endedAt: t(30)))
    }

    @Test func lateStartKeepsCallsInStartOrder() {
        var r = Registry()
        r.run(E.start("WK01", "CA2", 20, via: .transfer), E.start("WK01", "CA3", 30, via: .transfer),
              E.start("WK01", "CA1", 10, via: .transfer))
        #expect(r[worker: "WK01"]!.calls.map(\.id) == ["CA1", "CA2", "CA3"])
    }
}
