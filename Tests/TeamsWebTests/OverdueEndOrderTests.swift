import Foundation
import Testing
import TeamsDomain
@testable import TeamsWeb

@Suite("A call whose end was never received sorts as no call, once the server's clock says its end is overdue")
struct OverdueEndOrderTests {
    /// Rows of a page, by worker id, in order.
    func rows(_ server: LiveTestServer, _ path: String) throws -> [String] {
        let html = try server.client.get(path).text
        return captures(#"<tr id="w-(WK[^"]+)""#, in: html).map { $0[0] }
    }

    func line(_ type: String, _ at: String, _ worker: String, _ extra: String = "") -> String {
        #"{"type":"\#(type)","at":"\#(at)","worker":"\#(worker)"\#(extra)}"#
    }

    /// WK1 Ada: a live call from a day and an hour ago, its end lost. WK2 Bo: a live call of ten minutes.
    /// WK3 Cy: on hold in a call from 23 h 59 min ago. WK4 Di: a live call and a second one, from a queue, since
    /// a day and an hour ago (the second's end lost too). WK5 Ed: no call.
    func server() async throws -> LiveTestServer {
        let server = try await LiveTestServer(now: "2026-11-26T10:00:00Z")
        var lines: [String] = []
        for (id, name) in [("WK1", "Ada"), ("WK2", "Bo"), ("WK3", "Cy"), ("WK4", "Di"), ("WK5", "Ed")] {
            lines.append(line("worker", "2026-11-25T08:00:00Z", id, #","name":"\#(name)","team":"Sales","capacity":{"voice":2}"#))
            lines.append(line("activity", "2026-11-25T08:00:00Z", id, #","activity":"Available","available":true"#))
        }
        lines.append(line("call.start", "2026-11-25T08:59:00Z", "WK1", #","call":"CA1","via":"queue""#))
        lines.append(line("call.start", "2026-11-25T10:01:00Z", "WK3", #","call":"CA3","via":"queue""#))
        lines.append(line("call.hold", "2026-11-25T10:02:00Z", "WK3", #","call":"CA3""#))
        lines.append(line("call.start", "2026-11-25T08:59:30Z", "WK4", #","call":"CA4a","via":"queue""#))
        lines.append(line("call.start", "2026-11-26T09:50:00Z", "WK4", #","call":"CA4b","via":"outbound","direction":"outbound""#))
        lines.append(line("call.start", "2026-11-26T09:50:00Z", "WK2", #","call":"CA2","via":"queue""#))
        server.feed(contentsOf: lines)
        server.app.live.settle()
        return server
    }

    @Test("longest call, most calls and problems first leave a lost call out")
    func ordersLeaveTheLostCallOut() async throws {
        let server = try await server()
        // Bo's ten minutes and Di's second call tie: by name. Ada's lost call is no call: with Cy (on hold) and Ed, last by name.
        #expect(try rows(server, "/?sort=call-time&group=none") == ["WK2", "WK4", "WK1", "WK3", "WK5"])
        // Di's lost call does not count: one call, as Bo.
        #expect(try rows(server, "/?sort=calls&group=none") == ["WK2", "WK3", "WK4", "WK1", "WK5"])
        // Two live calls at once, one of them lost, is no wrong-call risk: Cy's hold first, then the live calls.
        #expect(try rows(server, "/?attention=1") == ["WK3", "WK2", "WK4", "WK1", "WK5"])
        // Cy's hold is not lost yet, and is the longest.
        #expect(try rows(server, "/?sort=hold-time&group=none") == ["WK3", "WK1", "WK2", "WK4", "WK5"])
    }

    @Test("the presence and call filters and the capacity in use leave a lost call out, as the summary's tiles count")
    func filtersAndCapacityLeaveTheLostCallOut() async throws {
        let server = try await server()
        #expect(try rows(server, "/?presence=idle") == ["WK1", "WK5"])
        #expect(try rows(server, "/?presence=busy") == ["WK2", "WK3", "WK4"])
        #expect(try rows(server, "/?call=live&sort=call-time&group=none") == ["WK2", "WK4"])
        #expect(try rows(server, "/?call=held&sort=hold-time&group=none") == ["WK3"])
        let api = try JSONSerialization.jsonObject(with: Data(try server.client.get("/api/workers").text.utf8)) as? [String: Any]
        let workers = try #require(api?["workers"] as? [[String: Any]])
        func voiceUsed(_ id: String) -> Int? {
            let w = workers.first { $0["id"] as? String == id }
            return ((w?["capacity"] as? [String: Any])?["voice"] as? [String: Any])?["used"] as? Int
        }
        #expect(voiceUsed("WK1") == 0 && voiceUsed("WK4") == 1 && voiceUsed("WK2") == 1)
        let summary = try JSONSerialization.jsonObject(with: Data(try server.client.get("/api/summary").text.utf8)) as? [String: Any]
        #expect(summary?["agentsIdle"] as? Int == 2 && summary?["agentsBusy"] as? Int == 3, "\(summary ?? [:])")
    }

    @Test("a call whose end falls overdue while the page is kept leaves the order then")
    func theOrderMovesWhenTheEndFallsOverdue() async throws {
        let server = try await server()
        #expect(try rows(server, "/?sort=hold-time&group=none").first == "WK3")
        #expect(try rows(server, "/?attention=1").first == "WK3")
        // Two minutes on, Cy's call is a day old: no event arrives, the views' boards are kept.
        server.setTime("2026-11-26T10:02:00Z")
        server.app.live.settle()
        #expect(try rows(server, "/?sort=hold-time&group=none") == ["WK1", "WK2", "WK3", "WK4", "WK5"])
        #expect(try rows(server, "/?attention=1") == ["WK2", "WK4", "WK1", "WK3", "WK5"])
        let api = try server.client.get("/api/workers").text
        #expect(api.contains(#""endNotReceived":true"#))
    }
}
