import Foundation
import Testing
import TeamsDomain

/// The real-shape Flex seed (`seeds/twilio-busy-hour.ndjson`) replayed into a server as a file, and as what a
/// deployment POSTs: Event Streams batches (JSON arrays), conference callbacks as form bodies, and the Flex
/// plugin's native lines; the Teams View API shows the end of the hour the same way for both.
@Suite struct FlexReplayTests {
    static let now = "2026-11-25T10:00:00Z"

    static func formBody(_ object: [String: Any]) -> [UInt8] {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let pairs = object.keys.sorted().map { key -> String in
            let value = "\(object[key]!)"
            return key.addingPercentEncoding(withAllowedCharacters: allowed)! + "="
                + value.addingPercentEncoding(withAllowedCharacters: allowed)!
        }
        return Array(pairs.joined(separator: "&").utf8)
    }

    /// Posts the seed as a deployment delivers it, in order: TaskRouter CloudEvents batched, conference
    /// callbacks one form each, plugin lines one NDJSON body each.
    static func post(_ lines: [[UInt8]], to server: TestServer) throws {
        var batch: [[UInt8]] = []
        func flushBatch() throws {
            guard !batch.isEmpty else { return }
            let body = Array("[".utf8) + batch.joined(separator: Array(",".utf8)) + Array("]".utf8)
            let reply = try server.client.send("POST", "/ingest", headers: ["Content-Type": "application/json"], body: body)
            #expect(reply.status == 200)
            batch.removeAll()
        }
        for line in lines {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any])
            if object["StatusCallbackEvent"] != nil {
                try flushBatch()
                let reply = try server.client.send("POST", "/ingest", headers: ["Content-Type": "application/x-www-form-urlencoded"],
                                                   body: formBody(object))
                #expect(reply.status == 200)
            } else if object["specversion"] == nil {
                try flushBatch()
                let reply = try server.client.send("POST", "/ingest", headers: ["Content-Type": "application/x-ndjson"],
                                                   body: line + [0x0A])
                #expect(reply.status == 200)
            } else {
                batch.append(line)
                if batch.count == 25 { try flushBatch() }
            }
        }
        try flushBatch()
        server.posts.stop()  // lets the reorder window go
    }

    static func workers(_ server: TestServer) throws -> [String: [String: Any]] {
        let list = try #require(try server.client.get("/api/workers").json()["workers"] as? [[String: Any]])
        return Dictionary(uniqueKeysWithValues: list.map { ($0["name"] as? String ?? "", $0) })
    }

    static func calls(_ worker: [String: Any]?) -> [[String: Any]] { worker?["calls"] as? [[String: Any]] ?? [] }

    @Test("the Flex seed, from a file and as POSTed batches, forms and plugin lines, shows the end of the hour")
    func replayShowsTheEndOfTheHour() async throws {
        let seed = try TestServer.seed("twilio-busy-hour.ndjson")
        let lines = seed.split(separator: 0x0A).map(Array.init)
        let fromFile = try await TestServer(seeds: [], now: Self.now, twilio: true)
        _ = fromFile.pipeline.ingest(body: seed, source: "file")
        let fromPosts = try await TestServer(seeds: [], now: Self.now, twilio: true)
        try Self.post(lines, to: fromPosts)

        for server in [fromFile, fromPosts] {
            let w = try Self.workers(server)
            // The stacked warm transfer: live via transfer, the first call held and muted, nothing flagged.
            let ada = Self.calls(w["Ada Okafor"])
            try #require(ada.count == 2)
            #expect(ada[0]["state"] as? String == "held" && ada[0]["muted"] as? Bool == true)
            #expect(ada[1]["state"] as? String == "live" && ada[1]["via"] as? String == "transfer")
            #expect(ada.allSatisfy { ($0["flags"] as? [String]) == [] })
            // The transferor: wrap-up, not on hold, on the same task.
            let bruno = Self.calls(w["Bruno Silva"])
            #expect(bruno.map { $0["state"] as? String } == ["wrapup"])
            #expect(bruno.first?["holdSince"] is NSNull)
            #expect(bruno.first?["id"] as? String == ada[1]["id"] as? String)
            // The queue transfer to a busy agent: a misroute.
            let chen = Self.calls(w["Chen Wei"])
            #expect(chen.count == 2 && (chen.last?["flags"] as? [String])?.contains("misroute") == true)
            // Held with no mute source: unknown, not flagged.
            let erin = Self.calls(w["Erin Walsh"])
            #expect(erin.first?["state"] as? String == "held" && erin.first?["muted"] is NSNull)
            #expect(erin.first?["flags"] as? [String] == [])
            // Unmuted on a held call, long past the grace period: flagged.
            let hana = Self.calls(w["Hana Sato"])
            #expect(hana.first?["state"] as? String == "held" && hana.first?["muted"] as? Bool == false)
            #expect(hana.first?["flags"] as? [String] == ["wrong-call-risk"])
            // The deleted task is gone; Ben's rejected offer and Erin's timed-out one are counted.
            #expect(Self.calls(w["Ben Carter"]).isEmpty)
            #expect(w["Ben Carter"]?["missedOffers"] as? Int == 1)
            #expect(w["Erin Walsh"]?["missedOffers"] as? Int == 1)
            // A ringing offer.
            #expect(Self.calls(w["Gus Lindqvist"]).map { $0["state"] as? String } == ["offered"])
            #expect(w["Gus Lindqvist"]?["placeholder"] as? Bool == false)

            let summary = try server.client.get("/api/summary").json()
            #expect(summary["callsOffered"] as? Int == 1)
            #expect(summary["muteUnknownCalls"] as? Int ?? 0 >= 1)
            #expect(summary["misroutes"] as? Int == 1 && summary["wrongCallRisks"] as? Int == 1)

            let status = try server.client.get("/api/status").json()
            #expect(status["linesRejected"] as? Int == 0)

            // The page shows the three mute states and the ringing card.
            let html = try server.client.get("/").text
            #expect(html.contains("badge--muted") && html.contains("badge--micon") && html.contains("state--offered"))
            let kiosk = try server.client.get("/kiosk").text
            #expect(kiosk.contains("Ringing") && kiosk.contains("tcall__micon"))
        }
        // `recentFlags` ("just cleared", on the server clock) depends on which in-between states a flush
        // happened to see, so it is left out: everything else must match.
        func workers(_ server: TestServer) throws -> [[String: Any]] {
            let all = try server.client.get("/api/workers").json()["workers"] as? [[String: Any]] ?? []
            return all.map { $0.filter { $0.key != "recentFlags" } }
        }
        let a = try workers(fromFile)
        let b = try workers(fromPosts)
        #expect(a.count >= 9)
        #expect(NSDictionary(dictionary: ["w": a]) == NSDictionary(dictionary: ["w": b]))
    }

    @Test("a plugin line before its call is held, applied when the call starts, and counted in /api/status and /metrics")
    func heldChangesAreReported() async throws {
        let server = try await TestServer(seeds: [], now: Self.now)
        func post(_ line: String) throws {
            let reply = try server.client.send("POST", "/ingest", headers: ["Content-Type": "application/x-ndjson"],
                                               body: Array(line.utf8))
            #expect(reply.status == 200)
        }
        func held() throws -> [String: Any] {
            try #require(try server.client.get("/api/status").json()["heldChanges"] as? [String: Any])
        }
        try post(#"{"type":"call.mute","at":"2026-11-25T09:00:01Z","worker":"WK9","call":"WTPLUGIN1"}"#)
        var counts = try held()
        #expect(counts["waiting"] as? Int == 1)
        #expect(counts["held"] as? Int == 1)
        #expect(counts["applied"] as? Int == 0)
        try post(#"{"type":"call.start","at":"2026-11-25T09:00:00Z","worker":"WK9","call":"WTPLUGIN1","from":"+15550009"}"#)
        counts = try held()
        #expect(counts["waiting"] as? Int == 0)
        #expect(counts["applied"] as? Int == 1)
        let call = try #require((try server.client.get("/api/workers/WK9").json()["calls"] as? [[String: Any]])?.first)
        #expect(call["muted"] as? Bool == true)
        let metrics = try server.client.get("/metrics").text
        #expect(metrics.contains(#"teamsview_registry_held_changes_total{outcome="applied"} 1"#))
    }
}
