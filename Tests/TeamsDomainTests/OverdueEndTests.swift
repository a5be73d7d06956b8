import Foundation
import Synchronization
import Testing
@testable import TeamsDomain

@Suite("Calls whose end was never received: marked in the registry when the clock says so")
struct OverdueEndTests {
    let day = CallState.longestCall

    /// WK1 live from 0; WK2 held from an hour in; WK3 in wrap-up from 0 (a wrap-up has no end to lose).
    func floor() -> Registry {
        var r = Registry()
        r.run(E.start("WK1", "CA1", 0),
              E.start("WK2", "CA2", 3600), E.call("WK2", "CA2", .hold, 3700),
              E.start("WK3", "CA3", 0), E.call("WK3", "CA3", .wrapup, 60))
        return r
    }

    @Test func marksEachCallOnceWhenItsMomentPasses() {
        var r = floor()
        let before = r.version
        #expect(r.markOverdueEnds(at: t(day)).isEmpty)  // exactly the longest call: not longer than it
        #expect(r.version == before)
        #expect(r.markOverdueEnds(at: t(day + 1)) == ["WK1"])
        #expect(r.version == before + 1)
        #expect(r[worker: "WK1"]?.version == r.version)
        #expect(r.call("WK1", "CA1")?.endOverdue == true && r.call("WK1", "CA1")?.isEndOverdue == true)
        #expect(r.call("WK2", "CA2")?.endOverdue == false)
        // Nothing more is due until the held call's moment; a marked call is not marked again.
        #expect(r.markOverdueEnds(at: t(day + 3000)).isEmpty)
        #expect(r.version == before + 1)
        #expect(r.markOverdueEnds(at: t(day + 3601)) == ["WK2"])
        #expect(r.call("WK2", "CA2")?.isEndOverdue == true)
        #expect(r.call("WK3", "CA3")?.endOverdue == false)
        #expect(r.markOverdueEnds(at: t(3 * day)).isEmpty)
    }

    @Test func aCallStartedLaterIsDueLater() {
        var r = floor()
        #expect(r.markOverdueEnds(at: t(day + 3601)).sorted() == ["WK1", "WK2"])
        r.run(E.start("WK3", "CA4", day + 4000))
        #expect(r.markOverdueEnds(at: t(2 * day + 3999)).isEmpty)
        #expect(r.markOverdueEnds(at: t(2 * day + 4001)) == ["WK3"])
        #expect(r.call("WK3", "CA4")?.isEndOverdue == true)
    }

    @Test func aWrapUpReceivedAfterTheMarkShowsAsOne() {
        var r = floor()
        _ = r.markOverdueEnds(at: t(day + 1))
        r.run(E.call("WK1", "CA1", .wrapup, day + 10))
        #expect(r.call("WK1", "CA1")?.phase == .wrapup)
        #expect(r.call("WK1", "CA1")?.isEndOverdue == false)
    }

    /// A call whose end was overdue when a queue call started makes no misroute of it, in whichever order their
    /// starts arrive; one started an hour before does.
    @Test func aLostCallMakesNoMisrouteWhateverTheOrderOfArrival() {
        for lostFirst in [true, false] {
            var r = Registry()
            let lost = E.start("WK1", "OLD", -30 * 3600), queued = E.start("WK1", "NEW", 0)
            if lostFirst { r.run(lost, queued) } else { r.run(queued, lost) }
            #expect(r.call("WK1", "NEW")?.misroute == false, "lost call first: \(lostFirst)")
            var s = Registry()
            let recent = E.start("WK1", "OLD", -3600)
            if lostFirst { s.run(recent, queued) } else { s.run(queued, recent) }
            #expect(s.call("WK1", "NEW")?.misroute == true, "recent call first: \(lostFirst)")
        }
    }

    @Test func aSavedFloorIsMarkedAgainByTheFirstPass() throws {
        var r = floor()
        _ = r.markOverdueEnds(at: t(day + 1))
        var read = try JSONDecoder().decode(Registry.self, from: JSONEncoder().encode(r))
        #expect(read.call("WK1", "CA1")?.endOverdue == false)
        #expect(read.markOverdueEnds(at: t(day + 2)) == ["WK1"])
        #expect(read.call("WK1", "CA1")?.endOverdue == true)
    }

    @Test func theStoreTellsItsListenersWhoChanged() {
        let store = RegistryStore(floor())
        let seen = Mutex<[ChangeSet]>([])
        store.observe { changes in seen.withLock { $0.append(changes) } }
        let before = store.version
        #expect(store.markOverdueEnds(at: t(10)).isEmpty)
        let changes = store.markOverdueEnds(at: t(day + 1))
        #expect(changes.changed == ["WK1"] && changes.since == before && changes.version == before + 1)
        #expect(seen.withLock { $0 } == [changes])
    }
}
