import Testing
import TeamsDomain
@testable import TeamsReports

/// On a quiet floor event time stands still: an agent on two open calls still becomes a wrong-call-risk incident
/// once the grace period has passed by the wall clock, while the feed is current.
@Suite("Reports: a quiet feed")
struct QuietFeedTests {
    /// Ann takes c2 while c1 is live and unmuted, 20 s before `now`; nothing arrives after.
    static func twoOpenCalls(at t0: Timestamp) -> [Event] {
        [
            Event(at: t0, .worker("w1", WorkerProfile(name: "Ann", team: "Alpha"))),
            Event(at: t0, .activity("w1", name: "Available", available: true)),
            Event(at: t0.adding(seconds: 1), .callStart("w1", CallStart(call: "c1", from: "+15550001", queue: "Sales", via: .queue))),
            Event(at: t0.adding(seconds: 1), .call("w1", "c1", .unmute)),
            Event(at: t0.adding(seconds: 2), .callStart("w1", CallStart(call: "c2", from: "+15550002", queue: "Sales", via: .transfer))),
        ]
    }

    func risks(_ batch: WriteBatch) -> [Incident] { batch.incidents.filter { $0.kind == .wrongCallRisk } }

    @Test func anEpisodeBecomesAnIncidentByTheWallClockWhenNothingElseArrives() throws {
        let now = Timestamp.now()
        let engine = ReportEngine(grace: 3, store: try ReportDatabase(directory: nil))
        engine.ingest(Self.twoOpenCalls(at: now.adding(seconds: -20)), now: now)
        engine.advanceAll()
        // By event time the two calls have been open together for no time at all: no incident yet.
        #expect(risks(engine.collect()).isEmpty)
        engine.advanceEpisodes(now: now.microseconds)
        engine.advanceAll()
        let incident = try #require(risks(engine.collect()).first)
        #expect(incident.end == nil)
        #expect(incident.exposure == now.microseconds - now.adding(seconds: -18).microseconds)
        // Its exposure goes on growing with the wall clock.
        engine.advanceEpisodes(now: now.microseconds + 5_000_000)
        #expect(try #require(risks(engine.collect()).first).exposure == incident.exposure + 5_000_000)
    }

    @Test func theNextEventOfAnAgentMovedOnIsNoLateEvent() throws {
        let now = Timestamp.now()
        let engine = ReportEngine(grace: 3, store: try ReportDatabase(directory: nil))
        engine.ingest(Self.twoOpenCalls(at: now.adding(seconds: -20)), now: now)
        engine.advanceEpisodes(now: now.microseconds)
        // The newest event, dated just before the wall clock the agent was moved to: replayed, not counted late.
        engine.ingest([Event(at: now.adding(seconds: -0.5), .call("w1", "c2", .end))], now: now)
        #expect(engine.counters.replays == 0)
        #expect(engine.counters.counted == 5)
        // One older than the newest is late, as ever.
        engine.ingest([Event(at: now.adding(seconds: -10), .call("w1", "c1", .hold))], now: now)
        #expect(engine.counters.replays == 1)
    }

    @Test func aFeedOfPastDaysIsNotMovedToTheWallClock() throws {
        let now = Timestamp.now()
        let engine = ReportEngine(grace: 3, store: try ReportDatabase(directory: nil))
        // The newest event is older than `currentFeed`: a file of the past being read, not a quiet floor.
        engine.ingest(Self.twoOpenCalls(at: now.adding(seconds: -Double(ReportEngine.currentFeed / 1_000_000) - 20)), now: now)
        engine.advanceAll()
        _ = engine.collect()
        engine.advanceEpisodes(now: now.microseconds)
        engine.advanceAll()
        #expect(risks(engine.collect()).isEmpty)
    }
}
