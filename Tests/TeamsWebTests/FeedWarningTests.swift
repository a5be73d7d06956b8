import Testing
@testable import TeamsWeb
import TeamsDomain

@Suite("What the stale banner says about the feed")
struct FeedWarningTests {
    let now = RFC3339.parse("2026-11-25T17:30:00Z")!

    func at(_ text: String) -> Timestamp { RFC3339.parse(text)! }

    @Test("a live feed: no warning, also on a quiet floor whose lines change nothing for a few minutes")
    func live() {
        let feed = FeedState(lastEventAt: at("2026-11-25T17:29:55Z"), silentFor: 2)
        #expect(feed.warning(at: now, staleAfter: 30) == nil)
        #expect(!feed.isStale(at: now, staleAfter: 30))
        #expect(FeedState(lastEventAt: at("2026-11-25T17:25:01Z"), silentFor: 2).warning(at: now, staleAfter: 30) == nil)
        #expect(FeedState(lastEventAt: at("2026-11-25T17:24:59Z"), silentFor: 2).warning(at: now, staleAfter: 30) != nil)
    }

    @Test("lines arrive but the newest event is days old: old events, with its date and age")
    func replayedOldFile() {
        let feed = FeedState(lastEventAt: at("2026-11-17T09:02:00Z"), silentFor: 1)
        let text = feed.warning(at: now, staleAfter: 30)
        #expect(text?.hasPrefix("Old events: the newest is from 2026-11-17 09:02 UTC, 8 d 8 h ago") == true, "\(text ?? "nil")")
        // Timers go on counting on the server's clock: the banner must not say they stopped with the events.
        #expect(text?.hasSuffix("States are as of those events; timers count from them, so they include the delay.") == true)
        #expect(text?.contains("timers are as of") == false)
        let age: Double = 8 * 86_400 + 8 * 3600 + 28 * 60
        #expect(feed.eventAge(at: now) == age)
    }

    @Test("no line for hours: silent since when, for how long")
    func silent() {
        let feed = FeedState(lastEventAt: at("2026-11-25T14:02:00Z"), silentFor: 3 * 3600 + 28 * 60)
        let text = feed.warning(at: now, staleAfter: 30)
        #expect(text == "Feed silent since 14:02 UTC (3 h 28 min): no event has arrived since. States are as of then; timers keep counting from when each state began.")
    }

    @Test("silent, after a replay of old events: both are said")
    func silentAndOld() {
        let feed = FeedState(lastEventAt: at("2026-11-20T10:00:00Z"), silentFor: 600)
        let text = feed.warning(at: now, staleAfter: 30) ?? ""
        #expect(text.hasPrefix("Feed silent since 17:20 UTC (10 min)"))
        #expect(text.contains("The newest event is from 2026-11-20 10:00 UTC (5 d 7 h old)."))
    }

    @Test("before the first line: waiting")
    func waiting() {
        #expect(FeedState().warning(at: now, staleAfter: 30) == "Waiting for the first event.")
    }
}
