import Testing
import TeamsDomain
@testable import TeamsReports

/// A repeat of an event at an agent's newest time is told from memory (`NewestEvents`), one at an older time by
/// the store; events at one instant that differ in kind or call are each counted.
@Suite("Reports: repeated events at one instant")
struct RepeatedEventTests {
    /// `count` call starts and, for each call, a hold and a mute, all at `t`.
    static func burst(_ count: Int, at t: Timestamp) -> [Event] {
        (1...count).flatMap { i in
            [Event(at: t, .callStart("w1", CallStart(call: "c\(i)", queue: "Sales", via: .queue))),
             Event(at: t, .call("w1", "c\(i)", .hold)),
             Event(at: t, .call("w1", "c\(i)", .mute))]
        }
    }

    @Test(arguments: [1, 2, 3, 4, 7])
    func eachEventAtOneInstantCountsOnceHoweverManyThereAre(calls: Int) throws {
        let t = Timestamp.now().adding(seconds: -60)
        let engine = ReportEngine(grace: 3, store: try ReportDatabase(directory: nil))
        let burst = Self.burst(calls, at: t)
        engine.ingest(burst)
        #expect(engine.counters.counted == UInt64(burst.count))
        #expect(engine.counters.duplicates == 0)
        // The same events again, in reverse order: each is a repeat.
        engine.ingest(burst.reversed())
        #expect(engine.counters.counted == UInt64(burst.count))
        #expect(engine.counters.duplicates == UInt64(burst.count))
        // One more at the same instant is new: neither its call nor its kind alone makes it a repeat.
        engine.ingest([Event(at: t, .call("w1", "c1", .unmute)),
                       Event(at: t, .call("w1", "c\(calls + 1)", .hold))])
        #expect(engine.counters.counted == UInt64(burst.count + 2))
        #expect(engine.counters.duplicates == UInt64(burst.count))
    }

    @Test func aRepeatOfAnOlderInstantIsToldByTheStore() throws {
        let t = Timestamp.now().adding(seconds: -60)
        let engine = ReportEngine(grace: 3, store: try ReportDatabase(directory: nil))
        let first = Self.burst(2, at: t)
        engine.ingest(first)
        // A later event moves the newest instant on: the earlier ones are then looked up in the store.
        engine.ingest([Event(at: t.adding(seconds: 1), .call("w1", "c1", .resume))])
        engine.ingest(first)
        #expect(engine.counters.counted == UInt64(first.count + 1))
        #expect(engine.counters.duplicates == UInt64(first.count))
        // A new event at the older instant is late, not a repeat.
        engine.ingest([Event(at: t, .call("w1", "c2", .unmute))])
        #expect(engine.counters.counted == UInt64(first.count + 2))
        #expect(engine.counters.duplicates == UInt64(first.count))
    }
}
