import Foundation
import Testing
@testable import TeamsWeb

/// The Teams View's own board is kept from the first change on, so a new floor-wide order is re-filed from it
/// rather than read from every worker.
@Suite("The floor's board", .serialized)
struct FloorBoardTests {
    @Test("kept from the first change before any page asks, and not dropped for being unused")
    func keptUnasked() async throws {
        // Views unused for 0.1 s go at the next tick (every 0.25 s, the feed-state interval's floor).
        let server = try await LiveTestServer(seeds: ["multicall.ndjson"], now: "2026-11-25T09:05:21Z",
                                              live: LiveSettings(heartbeat: 0.25, linger: 0.1))
        // A flush that files every worker (a backlog) waits; one that files none, or a tenth of the floor, builds it.
        try await liveWaitUntil { server.app.live.statisticsSnapshot.boards == 1 }
        let floor = try #require(server.app.live.state.withLock { $0.boards.board(LiveUpdates.floorKey) })
        #expect(floor.total > 0)
        #expect(try server.client.get("/?team=Billing").status == 200)
        #expect(server.app.live.statisticsSnapshot.boards == 2)
        // The filtered view goes once unused; the floor's stays.
        try await liveWaitUntil { server.app.live.statisticsSnapshot.boards == 1 }
        try await Task.sleep(for: .milliseconds(600))
        #expect(server.app.live.state.withLock { $0.boards.board(LiveUpdates.floorKey) } != nil)
        #expect(server.app.live.statisticsSnapshot.boards == 1)
        // A new floor-wide order: a board of its own beside the floor's.
        let sorted = try server.client.get("/?sort=calls&group=none")
        #expect(sorted.status == 200)
        #expect(server.app.live.statisticsSnapshot.boards == 2)
    }

    @Test("not built when the memory budget has no room for it, nor when every kept board has a live client")
    func noRoom() async throws {
        var tight = LiveSettings()
        tight.viewsMemoryBytes = 1
        let over = try await LiveTestServer(seeds: ["multicall.ndjson"], now: "2026-11-25T09:05:21Z", live: tight)
        #expect(over.app.live.statisticsSnapshot.boards == 0)

        let full = try await LiveTestServer(seeds: ["multicall.ndjson"], now: "2026-11-25T09:05:21Z",
                                            live: LiveSettings(maxViews: 1))
        try await liveWaitUntil { full.app.live.statisticsSnapshot.boards == 1 }
        // A live view takes the floor's place (maxViews 1); the next flush does not push it out again.
        let stream = try full.stream("/live?team=Sales")
        _ = try #require(stream.next("reset"))
        full.feed(#"{"type":"call.mute","at":"2026-11-25T09:05:00Z","worker":"WK01","call":"CA02"}"#)
        try await liveWaitUntil { full.app.live.statisticsSnapshot.flushes >= 1 }
        full.app.live.settle()
        #expect(full.app.live.statisticsSnapshot.boards == 1)
        #expect(full.app.live.state.withLock { $0.boards.board(LiveUpdates.floorKey) } == nil)
        #expect(!stream.ended)
    }
}

