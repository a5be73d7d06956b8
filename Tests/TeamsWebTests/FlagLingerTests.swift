import Testing
import TeamsDomain
@testable import TeamsWeb

@Suite("Flag linger: a flag shows as \"just cleared\" only when it cleared lately")
struct FlagLingerTests {
    static let base: Int64 = 1_800_000_000_000_000

    static func at(_ seconds: Int64) -> Timestamp { Timestamp(microseconds: base + seconds * 1_000_000) }

    /// WK01 on CA1 from the queue, then CA2 from the queue while on it (a misroute) at 10 s.
    static func misrouted() -> Registry {
        var r = Registry()
        _ = r.apply(Event(at: at(0), .callStart("WK01", CallStart(call: "CA1"))))
        _ = r.apply(Event(at: at(10), .callStart("WK01", CallStart(call: "CA2"))))
        return r
    }

    @Test("a misroute an event ends among the newest events lingers; one ended long before the newest event does not")
    func eventTime() {
        let old = Self.misrouted()
        let now = Self.at(30)
        #expect(old[worker: "WK01"]!.callFlags(at: now).contains { $0.contains(.misroute) }, "the setup is a misroute")

        // Ended at 20 s, the newest event the registry has seen: cleared just now.
        var live = old
        _ = live.apply(Event(at: Self.at(20), .call("WK01", "CA2", .end)))
        let linger = FlagLinger(seconds: 60)
        let expiries = linger.noteCleared(["WK01"], old: old, new: live, at: now, grace: 3)
        #expect(expiries["WK01"] != nil)
        #expect(linger.recent(live[worker: "WK01"]!, flags: live[worker: "WK01"]!.callFlags(at: now), at: now)?.flags.contains(.misroute) == true)

        // The same end read from history, with events ten minutes later already in: not "just cleared".
        var history = old
        _ = history.apply(Event(at: Self.at(20), .call("WK01", "CA2", .end)))
        _ = history.apply(Event(at: Self.at(620), .activity("WK02", name: "Available", available: true)))
        let fresh = FlagLinger(seconds: 60)
        #expect(fresh.noteCleared(["WK01"], old: old, new: history, at: now, grace: 3).isEmpty)
        #expect(fresh.recent(history[worker: "WK01"]!, flags: history[worker: "WK01"]!.callFlags(at: now), at: now) == nil)
    }
}
