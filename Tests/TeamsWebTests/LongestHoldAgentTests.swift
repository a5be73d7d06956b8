import Foundation
import Testing
@testable import TeamsWeb

@Suite("The longest hold's agent")
struct LongestHoldAgentTests {
    @Test("holds begun in the same second: the tile names the agent its link lists first, by name, not by id")
    func tieFollowsTheHoldOrder() async throws {
        let server = try await LiveTestServer(now: "2026-11-25T09:05:00Z")
        server.feed(contentsOf: [
            #"{"type":"worker","at":"2026-11-25T08:00:00Z","worker":"WK01","name":"Zed Last","team":"Sales"}"#,
            #"{"type":"worker","at":"2026-11-25T08:00:00Z","worker":"WK02","name":"Ann First","team":"Sales"}"#,
            #"{"type":"worker","at":"2026-11-25T08:00:00Z","worker":"WK03","name":"Bo Later","team":"Sales"}"#,
            #"{"type":"call.start","at":"2026-11-25T09:00:00Z","worker":"WK01","call":"CA1"}"#,
            #"{"type":"call.start","at":"2026-11-25T09:00:00Z","worker":"WK02","call":"CA2"}"#,
            #"{"type":"call.start","at":"2026-11-25T09:00:00Z","worker":"WK03","call":"CA3"}"#,
            #"{"type":"call.hold","at":"2026-11-25T09:01:00Z","worker":"WK01","call":"CA1"}"#,
            #"{"type":"call.hold","at":"2026-11-25T09:01:00Z","worker":"WK02","call":"CA2"}"#,
            #"{"type":"call.hold","at":"2026-11-25T09:02:00Z","worker":"WK03","call":"CA3"}"#,
        ])
        server.app.live.settle()
        let summary = try server.client.get("/api/summary").json()
        #expect(summary["longestHoldAgent"] as? String == "Ann First")
        let first = try server.client.get("/?call=held&sort=hold-time&group=none&per=1").text
        #expect(first.contains("id=\"w-WK02\"") && !first.contains("id=\"w-WK01\""), "the link's one row is Ann First's")
        #expect(try server.client.get("/").text.contains("Ann First</span>"))
    }
}
