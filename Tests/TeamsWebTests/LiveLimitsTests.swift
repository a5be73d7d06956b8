import Foundation
import Testing
@testable import TeamsWeb

/// The limits of live streams: streams named by their ids take over their own slot, views past
/// the memory budget are evicted, new views past the cap are refused.
@Suite("Live stream limits", .serialized)
struct LiveLimitsTests {
    @Test("an event id names its stream; a page's id and older ids name none; garbage is no id")
    func cursorFormats() {
        let named = LiveCursor("k3f9a-42.1x2b9q7e")
        #expect(named?.epoch == "k3f9a" && named?.seq == 42 && named?.stream == UInt64("1x2b9q7e", radix: 36))
        #expect(named?.text == "k3f9a-42.1x2b9q7e")
        let page = LiveCursor("k3f9a-42")
        #expect(page?.seq == 42 && page?.stream == nil && page?.text == "k3f9a-42")
        for bad in ["", "k3f9a", "k3f9a-", "k3f9a-x", "k3f9a-42.", "k3f9a-42.!", "k3f9a-.5"] {
            #expect(LiveCursor(bad) == nil, "\(bad)")
        }
        let id = String(UInt64.max, radix: 36)
        #expect(LiveCursor("e-1.\(id)")?.stream == UInt64.max)
        #expect(LiveCursor.tail(stream: 35) == Array(".z\n\n".utf8))
    }

    @Test("flushes take a share of a core: the smaller one while no live client is connected; a cheap flush waits coalesce")
    func flushSpacing() {
        let live = LiveSettings(coalesce: 0.1)
        #expect(live.flushShare == 0.15 && live.idleFlushShare == 0.03)
        #expect(live.flushSpacing(after: 0.003, watched: true) == 0.1, "3 ms is under 15% of 100 ms")
        #expect(live.flushSpacing(after: 0.003, watched: false) == 0.1, "and under 3% of it")
        #expect(abs(live.flushSpacing(after: 0.03, watched: true) - 0.2) < 1e-9, "30 ms: 15% of 200 ms")
        #expect(live.flushSpacing(after: 0.024, watched: false) == 0.8, "24 ms: 3% of 800 ms")
        #expect(live.flushSpacing(after: 0.5, watched: true) == 1 && live.flushSpacing(after: 0.5, watched: false) == 1,
                "never more than a second")
        var always = LiveSettings(coalesce: 0.05)
        always.flushShare = 0
        always.idleFlushShare = 0
        #expect(always.flushSpacing(after: 0.5, watched: true) == 0.05 && always.flushSpacing(after: 0.5, watched: false) == 0.05)
    }

    @Test("a reconnect naming its own open stream takes its slot at the cap; another view's cannot")
    func takeover() async throws {
        let server = try await LiveTestServer(seeds: ["multicall.ndjson"], now: "2026-11-25T09:05:21Z",
                                              live: LiveSettings(maxClients: 2))
        let first = try server.stream("/live")
        let firstID = try #require(first.next("reset")?.id)
        let second = try server.stream("/live")
        let secondID = try #require(second.next("reset")?.id)
        #expect(LiveCursor(firstID)?.stream != LiveCursor(secondID)?.stream)
        #expect(try server.stream("/live").status == 503)
        #expect(try server.stream("/live?team=Sales", headers: ["Last-Event-ID": secondID]).status == 503,
                "another view's stream is not taken over")
        let back = try server.stream("/live", headers: ["Last-Event-ID": firstID])
        #expect(back.status == 200)
        _ = try #require(back.next("hello"))
        #expect(first.next("reset", timeout: 5) == nil && first.ended, "the old stream was closed")
        let snapshot = server.app.live.statisticsSnapshot
        #expect(snapshot.takeovers == 1 && snapshot.clients == 2)
        server.feed(#"{"type":"call.mute","at":"2026-11-25T09:05:00Z","worker":"WK01","call":"CA02"}"#)
        let rows = try #require(back.next("rows", timeout: 5))
        #expect(LiveCursor(rows.id ?? "")?.stream != LiveCursor(firstID)?.stream, "the new stream has its own id")
        #expect(second.next("rows", timeout: 5) != nil, "the other stream goes on")
    }

    @Test("past the memory budget the least recently used view is evicted, clients and all")
    func eviction() async throws {
        var live = LiveSettings()
        live.viewsMemoryBytes = 1
        live.evictedRetry = 7
        let server = try await LiveTestServer(seeds: ["multicall.ndjson"], now: "2026-11-25T09:05:21Z", live: live)
        let old = try server.stream("/live?team=Sales")
        _ = try #require(old.next("reset"))
        let new = try server.stream("/live?team=Billing")
        _ = try #require(new.next("reset"))
        let evicted = try #require(old.next("evicted", timeout: 5))
        #expect(try evicted.json()["retry"] as? Int == 7000)
        #expect(old.next(timeout: 5) == nil && old.ended)
        let snapshot = server.app.live.statisticsSnapshot
        #expect(snapshot.evictedViews == 1 && snapshot.evictedClients == 1)
        #expect(snapshot.views == 1 && snapshot.boards == 1 && snapshot.clients == 1)
        server.feed(#"{"type":"call.mute","at":"2026-11-25T09:05:00Z","worker":"WK01","call":"CA02"}"#)
        try await liveWaitUntil { server.app.live.statisticsSnapshot.flushes >= 1 }
        #expect(server.app.live.statisticsSnapshot.views == 1, "the most recently used view stays")
        #expect(!new.ended)
    }

    @Test("a new view past maxViews is refused while every view has clients; a page still renders")
    func viewCap() async throws {
        let server = try await LiveTestServer(seeds: ["multicall.ndjson"], now: "2026-11-25T09:05:21Z",
                                              live: LiveSettings(maxViews: 2))
        let a = try server.stream("/live?team=Sales")
        let b = try server.stream("/live?team=Billing")
        #expect(a.status == 200 && b.status == 200)
        let refused = try server.stream("/live?team=Support")
        #expect(refused.status == 503 && refused.headers["retry-after"] != nil)
        #expect(server.app.live.statisticsSnapshot.refusedViews == 1)
        #expect(try server.stream("/live?team=Sales").status == 200)
        #expect(try server.client.get("/?team=Support").status == 200)
        #expect(server.app.live.statisticsSnapshot.boards == 2, "the page's board was not kept")
    }
}
