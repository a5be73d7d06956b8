import Foundation
import HTTPTypes
import MicroHTTP
import Testing
@testable import TeamsWeb

@Suite("POST /ingest over the real server")
struct IngestEndpointTests {
    static let ndjson = ["Content-Type": "application/x-ndjson"]

    @Test("NDJSON lines are applied and answered with counts; bad lines are listed by index")
    func ndjsonBody() async throws {
        let server = try await TestServer(seeds: [], now: "2026-11-25T09:05:00Z")
        var body = try TestServer.seed("multicall.ndjson")
        body += Array("not json\n{\"type\":\"call.explode\",\"at\":\"2026-11-25T09:04:00Z\",\"worker\":\"WK01\"}\n".utf8)
        let reply = try server.client.send("POST", "/ingest", headers: Self.ndjson, body: body)
        #expect(reply.status == 200)
        // A producer that reads only the head sees the rejections too.
        #expect(reply.header("teamsview-rejected") == "2")
        let result = try reply.json()
        #expect(result["accepted"] as? Int == 9)
        #expect(result["rejected"] as? Int == 2)
        let errors = try #require(result["errors"] as? [[String: Any]])
        #expect(errors.map { $0["index"] as? Int } == [9, 10])
        #expect((errors[1]["reason"] as? String)?.contains("call.explode") == true)
        let ada = try server.client.get("/api/workers/WK01").json()
        #expect((ada["calls"] as? [[String: Any]])?.count == 2)
    }

    @Test("a JSON array of 100,000 events is taken in one POST")
    func bigArray() async throws {
        let server = try await TestServer(seeds: [], now: "2026-11-25T10:00:00Z")
        var body = Array("[".utf8)
        for i in 0..<100_000 {
            if i > 0 { body.append(UInt8(ascii: ",")) }
            body += Array(#"{"type":"activity","at":"2026-11-25T09:00:00Z","worker":"W\#(i % 5000)","activity":"Available"}"#.utf8)
        }
        body.append(UInt8(ascii: "]"))
        let reply = try server.client.send("POST", "/ingest", headers: ["Content-Type": "application/json"], body: body)
        #expect(reply.status == 200)
        #expect(try reply.json()["accepted"] as? Int == 100_000)
        #expect(try server.client.get("/api/summary").json()["agents"] as? Int == 5000)
    }

    @Test("bodies whose every line is rejected get 422, one without an event line 400, an oversized one 413, an unknown type 415")
    func badBodies() async throws {
        let server = try await TestServer(seeds: [], now: "2026-11-25T09:05:00Z", maxBodyBytes: 1 << 20)
        let broken = try server.client.send("POST", "/ingest", headers: ["Content-Type": "application/json"],
                                            body: Array(#"{"type":"worker","at":"#.utf8))
        #expect(broken.status == 422)
        #expect(try broken.json()["rejected"] as? Int == 1)
        #expect(broken.header("teamsview-rejected") == "1")
        let wrongTypes = try server.client.send("POST", "/ingest", headers: Self.ndjson,
                                                body: Array(#"{"type":"worker","at":"2026-11-25T09:00:00Z","worker":42}"#.utf8))
        #expect(wrongTypes.status == 422)
        let empty = try server.client.send("POST", "/ingest", headers: Self.ndjson, body: [])
        #expect(empty.status == 400)
        #expect(empty.header("teamsview-rejected") == "0")
        let huge = try server.client.send("POST", "/ingest", headers: Self.ndjson, body: [UInt8](repeating: 0x41, count: 10 << 20))
        #expect(huge.status == 413)
        // JSON like every other refusal of a post, whether the body was declared too long or sent too long.
        #expect(huge.header("content-type")?.hasPrefix("application/json") == true)
        #expect((try huge.json()["error"] as? String)?.contains("\(1 << 20) bytes") == true)
        let xml = try server.client.send("POST", "/ingest", headers: ["Content-Type": "application/xml"], body: Array("<a/>".utf8))
        #expect(xml.status == 415)
        #expect(try server.client.get("/healthz").status == 200)
        #expect(try server.client.get("/api/status").json()["linesRejected"] as? Int == 2)
        // Each refusal of a whole body is counted for alerting: two with every line rejected, one without an event
        // line, one too large, one of a foreign type.
        let metrics = try server.client.get("/metrics").text
        #expect(metrics.contains(#"teamsview_ingest_refused_posts_total{reason="all-rejected"} 2"#), "\(metrics)")
        #expect(metrics.contains(#"teamsview_ingest_refused_posts_total{reason="unreadable"} 1"#), "\(metrics)")
        #expect(metrics.contains(#"teamsview_ingest_refused_posts_total{reason="unsupported-type"} 1"#))
        #expect(metrics.contains(#"teamsview_http_bodies_refused_total{reason="too-large"} 1"#))
    }

    @Test("with a token, ingest needs Authorization: Bearer; without one, only loopback may post")
    func authorization() async throws {
        let server = try await TestServer(seeds: [], now: "2026-11-25T09:05:00Z", token: "s3cret")
        let line = Array(#"{"type":"heartbeat","at":"2026-11-25T09:00:00Z"}"#.utf8)
        let missing = try server.client.send("POST", "/ingest", headers: Self.ndjson, body: line)
        #expect(missing.status == 401)
        #expect(missing.header("www-authenticate")?.hasPrefix("Bearer") == true)
        let wrong = try server.client.send("POST", "/ingest", headers: ["Content-Type": "application/x-ndjson",
                                                                         "Authorization": "Bearer nope"], body: line)
        #expect(wrong.status == 403)
        let right = try server.client.send("POST", "/ingest", headers: ["Content-Type": "application/x-ndjson",
                                                                         "Authorization": "Bearer s3cret"], body: line)
        #expect(right.status == 200)
        let inURL = try server.client.send("POST", "/ingest?token=s3cret", headers: Self.ndjson, body: line)
        #expect(inURL.status == 200)
        let wrongInURL = try server.client.send("POST", "/ingest?token=x", headers: Self.ndjson, body: line)
        #expect(wrongInURL.status == 403)

        // No token configured: a request from another host is refused, one from loopback taken.
        let open = IngestEndpoint(session: server.posts, token: nil)
        var remote = Request(method: .post, path: "/ingest", body: line, isFromLoopback: false)
        remote.headerFields[.contentType] = "application/x-ndjson"
        #expect(open.handle(remote).status == .forbidden)
        remote.isFromLoopback = true
        #expect(open.handle(remote).status == .ok)
    }

    @Test("Twilio's own webhook form (a conference hold callback) is accepted")
    func formBody() async throws {
        let fixture = URL(fileURLWithPath: TestServer.repoRoot + "/Tests/Fixtures/conference-hold.form")
        guard let form = try? Data(contentsOf: fixture) else {
            Issue.record("fixture missing: \(fixture.path)")
            return
        }
        let server = try await TestServer(seeds: [], now: "2026-11-25T09:05:00Z", twilio: true)
        let reply = try server.client.send("POST", "/ingest", headers: ["Content-Type": "application/x-www-form-urlencoded"],
                                           body: Array(form))
        #expect(reply.status == 200)
        #expect(try reply.json()["accepted"] as? Int == 1)
        #expect(reply.header("teamsview-rejected") == "0")
        let garbage = try server.client.send("POST", "/ingest", headers: ["Content-Type": "application/x-www-form-urlencoded"],
                                             body: Array("a=%zz".utf8))
        #expect(garbage.status == 422)
    }

    @Test("the Twilio seed replayed as a file and as POSTed batches (shuffled, duplicated) gives the same Teams View")
    func twilioReplayConverges() async throws {
        let seed = try TestServer.seed("twilio-busy-hour.ndjson")
        let lines = seed.split(separator: 0x0A).map(Array.init)
        // Stop mid-hour, when calls are in progress, so the comparison covers live state.
        let cut = lines.count * 2 / 3
        let part = Array(lines[..<cut])
        let fromFile = try await TestServer(seeds: [], now: "2026-11-25T10:00:00Z", twilio: true)
        _ = fromFile.pipeline.ingest(body: part.joined(separator: [0x0A]) + [0x0A], source: "file")

        let fromPosts = try await TestServer(seeds: [], now: "2026-11-25T10:00:00Z", twilio: true)
        var rng = SystemRandomNumberGenerator()
        var delivery: [[UInt8]] = []
        for (i, line) in part.enumerated() {
            delivery.append(line)
            if i % 7 == 3 { delivery.append(line) }  // at-least-once: some twice
        }
        // Unordered within a small window: swap neighbours.
        for i in stride(from: 0, to: delivery.count - 1, by: 2) where Bool.random(using: &rng) {
            delivery.swapAt(i, i + 1)
        }
        for start in stride(from: 0, to: delivery.count, by: 40) {
            let batch = delivery[start..<min(delivery.count, start + 40)]
            let body = Array("[".utf8) + batch.joined(separator: Array(",".utf8)) + Array("]".utf8)
            let reply = try fromPosts.client.send("POST", "/ingest", headers: ["Content-Type": "application/json"], body: body)
            #expect(reply.status == 200)
        }
        fromPosts.posts.stop()  // let the reorder buffer go

        // `recentFlags` says when this server saw a flag clear (its own clock, --flag-linger): not event content.
        let a = (try fromFile.client.get("/api/workers").json()["workers"] as? [[String: Any]] ?? []).map { $0.filter { $0.key != "recentFlags" } }
        let b = (try fromPosts.client.get("/api/workers").json()["workers"] as? [[String: Any]] ?? []).map { $0.filter { $0.key != "recentFlags" } }
        #expect(a.count >= 8)
        #expect(NSDictionary(dictionary: ["w": a]) == NSDictionary(dictionary: ["w": b]))
        let calls = a.flatMap { $0["calls"] as? [[String: Any]] ?? [] }
        #expect(!calls.isEmpty)
        // Every repeated delivery was recognised; types a Teams View does not use were counted, not rejected.
        let status = try fromPosts.client.get("/api/status").json()
        // The plugin's native lines are not de-duplicated by the decoder (the registry sees the repeat as no change).
        let native = Array("{\"type\":\"call.".utf8)
        #expect(status["duplicatesDropped"] as? Int == part.indices.filter { $0 % 7 == 3 && !part[$0].starts(with: native) }.count)
        #expect((status["eventsIgnored"] as? Int ?? 0) > 0)
        #expect(status["linesRejected"] as? Int == 0)
    }
}
