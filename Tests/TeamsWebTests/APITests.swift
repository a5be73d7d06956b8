import Foundation
import Testing

@Suite("JSON API over the real server")
struct APITests {
    @Test("/api/workers lists every call with state, mute, timers and flags under the documented names")
    func workers() async throws {
        let server = try await TestServer(seeds: ["multicall.ndjson", "misroute.ndjson"], now: "2026-11-25T09:07:00Z")
        let reply = try server.client.get("/api/workers")
        #expect(reply.status == 200)
        #expect(reply.header("content-type") == "application/json; charset=utf-8")
        let workers = try #require(try reply.json()["workers"] as? [[String: Any]])
        #expect(workers.count == 2)
        let ada = try #require(workers.first { $0["id"] as? String == "WK01" })
        #expect(ada["name"] as? String == "Ada Okafor")
        #expect(ada["team"] as? String == "Billing")
        #expect(ada["activity"] as? String == "On a call")
        #expect(ada["activitySince"] as? String == "2026-11-25T09:01:00Z")
        #expect(ada["skills"] as? [String] == ["billing", "spanish"])
        let voice = try #require((ada["capacity"] as? [String: Any])?["voice"] as? [String: Any])
        #expect(voice["used"] as? Int == 2 && voice["total"] as? Int == 2 && voice["available"] as? Bool == true)
        let calls = try #require(ada["calls"] as? [[String: Any]])
        #expect(calls.map { $0["id"] as? String } == ["CA01", "CA02"])
        #expect(calls[0]["state"] as? String == "held")
        #expect(calls[0]["muted"] as? Bool == true)
        #expect(calls[0]["holdSince"] as? String == "2026-11-25T09:03:21Z")
        #expect(calls[0]["since"] as? String == "2026-11-25T09:01:00Z")
        #expect(calls[0]["from"] as? String == "+15551230001")
        #expect(calls[0]["queue"] as? String == "Billing")
        #expect(calls[0]["direction"] as? String == "inbound")
        #expect(calls[0]["via"] as? String == "queue")
        #expect(calls[1]["state"] as? String == "live")
        #expect(calls[1]["muted"] is NSNull, "no source has reported mute for CA02: null, not false")
        #expect(ada["missedOffers"] as? Int == 0)
        #expect(calls[1]["via"] as? String == "transfer")
        #expect(calls[1]["holdSince"] is NSNull)
        #expect(calls[1]["flags"] as? [String] == [])
        let tasks = try #require(ada["tasks"] as? [[String: Any]])
        #expect(tasks.first?["channel"] as? String == "chat")
        let bruno = try #require(workers.first { $0["id"] as? String == "WK02" })
        let brunoCalls = try #require(bruno["calls"] as? [[String: Any]])
        #expect(brunoCalls[1]["flags"] as? [String] == ["misroute"])
    }

    @Test("a worker known only from a call has activity null, not the placeholder \"Unknown\"; reported, it is the name")
    func activityNullUntilReported() async throws {
        let server = try await TestServer(seeds: [], now: "2026-11-25T09:00:00Z")
        let lines = [#"{"type":"call.start","at":"2026-11-25T08:59:00Z","worker":"WK01","call":"CA01"}"#,
                     #"{"type":"call.start","at":"2026-11-25T08:59:00Z","worker":"WK02","call":"CA02"}"#,
                     #"{"type":"activity","at":"2026-11-25T08:59:30Z","worker":"WK02","activity":"Unknown","available":false}"#]
        _ = server.pipeline.ingest(body: Array(lines.joined(separator: "\n").utf8), source: "test")
        let workers = try #require(try server.client.get("/api/workers").json()["workers"] as? [[String: Any]])
        let first = try #require(workers.first { $0["id"] as? String == "WK01" })
        #expect(first["activity"] is NSNull, "\(first)")
        #expect(first["activitySince"] is NSNull, "\(first)")
        #expect(first["presence"] as? String == "on-call")
        // An activity really named "Unknown" is reported as such.
        let second = try #require(workers.first { $0["id"] as? String == "WK02" })
        #expect(second["activity"] as? String == "Unknown", "\(second)")
        #expect(second["activitySince"] is String, "\(second)")
    }

    @Test("JSON carries event text intact but never raw markup")
    func jsonEscaping() async throws {
        let server = try await TestServer(seeds: ["escape.ndjson"], now: "2026-11-25T09:02:00Z")
        let reply = try server.client.get("/api/workers")
        #expect(!reply.text.contains("<script>"))
        #expect(reply.text.contains("\\u003cscript\\u003e"))
        let workers = try #require(try reply.json()["workers"] as? [[String: Any]])
        #expect(workers.contains { $0["name"] as? String == "<script>alert('x')</script> & \"Eve\"" })
    }

    @Test("/api/workers/:id answers one worker, 404 for an unknown one")
    func oneWorker() async throws {
        let server = try await TestServer(seeds: ["multicall.ndjson"], now: "2026-11-25T09:07:00Z")
        let ada = try server.client.get("/api/workers/WK01")
        #expect(ada.status == 200)
        #expect(try ada.json()["name"] as? String == "Ada Okafor")
        #expect(try server.client.get("/api/workers/NOPE").status == 404)
    }

    @Test("/api/summary counts calls live and held, agents on 2+ calls and flags")
    func summary() async throws {
        let server = try await TestServer(seeds: ["multicall.ndjson", "misroute.ndjson", "wrong-call-risk.ndjson"],
                                          now: "2026-11-25T09:12:10Z")
        let s = try server.client.get("/api/summary").json()
        #expect(s["agents"] as? Int == 4)
        // Ada: CA01 held, CA02 live; Bruno: CA10 held, CA11 live; Chen: 2 live; Dana: CA30 held, CA31 live.
        #expect(s["callsLive"] as? Int == 5)
        #expect(s["callsHeld"] as? Int == 3)
        #expect(s["agentsOnMultipleCalls"] as? Int == 4)
        #expect(s["misroutes"] as? Int == 1)
        #expect(s["wrongCallRisks"] as? Int == 2)
        #expect(s["longestHoldSince"] as? String == "2026-11-25T09:03:21Z")
    }

    @Test("garbage lines are rejected and counted at /api/status, the good lines still apply")
    func statusCountsRejects() async throws {
        let server = try await TestServer(seeds: ["bad-lines.ndjson", "multicall.ndjson"], now: "2026-11-25T09:07:00Z")
        let status = try server.client.get("/api/status").json()
        let rejected = try #require(status["linesRejected"] as? Int)
        #expect(rejected > 5)
        #expect((status["eventsApplied"] as? Int ?? 0) >= 9)
        let recent = try #require(status["recentRejects"] as? [[String: Any]])
        #expect(recent.count == min(20, rejected))
        #expect(recent.allSatisfy { ($0["reason"] as? String)?.isEmpty == false && $0["source"] as? String == "bad-lines.ndjson" })
        #expect((status["lastEventAt"] as? String ?? "") >= "2026-11-25T09:03:30Z")
        // The operators' page lists the same rejections, escaped.
        let page = try server.client.get("/status")
        #expect(page.status == 200)
        #expect(page.header("content-security-policy") != nil)
        let firstReason = try #require(recent.first?["reason"] as? String)
        #expect(page.text.contains(firstReason.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "\"", with: "&quot;")
            .replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "'", with: "&#39;")))
        #expect(page.text.contains(">\(rejected)</span>"))
        // The registry is intact and the page still serves.
        #expect(try server.client.get("/").text.contains("Ada Okafor"))
    }

    @Test("/metrics exposes ingest, rejection and call figures in the Prometheus text format")
    func metrics() async throws {
        let server = try await TestServer(seeds: ["bad-lines.ndjson", "multicall.ndjson"], now: "2026-11-25T09:07:00Z")
        let status = try server.client.get("/api/status").json()
        let reply = try server.client.get("/metrics")
        #expect(reply.status == 200)
        #expect(reply.header("content-type")?.hasPrefix("text/plain") == true)
        let lines = reply.text.split(separator: "\n").filter { !$0.hasPrefix("#") }
        func value(_ name: String) -> Double? {
            lines.first { $0.hasPrefix(name + " ") }.flatMap { Double($0.split(separator: " ").last ?? "") }
        }
        let rejectedSum = lines.filter { $0.hasPrefix("teamsview_ingest_rejected_lines_total{") }
            .compactMap { Double($0.split(separator: " ").last ?? "") }.reduce(0, +)
        #expect(rejectedSum == Double(status["linesRejected"] as? Int ?? -1))
        #expect(value("teamsview_ingest_lines_total") == Double(status["linesRead"] as? Int ?? -1))
        #expect(lines.contains("teamsview_calls{state=\"held\"} 1.0"))
        #expect(lines.contains("teamsview_calls{state=\"live\"} 1.0"))
        #expect(value("teamsview_agents_on_multiple_calls") == 1)
        #expect(value("teamsview_live_clients") == 0)
    }
}
