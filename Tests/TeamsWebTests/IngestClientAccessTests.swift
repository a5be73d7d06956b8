import Foundation
import Testing

/// `POST /ingest` as browsers running the Flex plugin reach it: CORS for allowed origins and the client token,
/// against the real `teamsview` executable.
@Suite("POST /ingest from browsers: CORS and the client token (real binary)")
struct IngestClientAccessTests {
    static let producer = "producer-token-7f3a"
    static let client = "client-token-91c2"
    static let flex = "https://flex.twilio.com"

    /// A server allowing the Flex origin, with both tokens (the client one from the environment).
    static func server(_ extra: [String] = []) throws -> (Process, HTTPClient)? {
        guard FileManager.default.isExecutableFile(atPath: DemoTests.binary) else {
            Issue.record("build the executable first: \(DemoTests.binary)")
            return nil
        }
        let (process, port) = try DemoTests.start(
            // Lines of a fixed day, replayed: no limit on their age.
            ["--ingest-token", producer, "--cors-origin", flex, "--cors-origin", "http://localhost:3000", "--max-event-age", "0"] + extra,
            environment: ["TEAMSVIEW_CLIENT_TOKEN": client])
        return (process, HTTPClient(port: port))
    }

    static func line(_ type: String, _ extra: String = "", second: Int = 0) -> String {
        #"{"type":"\#(type)","at":"2026-11-25T09:00:\#(String(format: "%02d", second))Z","worker":"WK1","call":"WT1"\#(extra)}"#
    }

    static func post(_ client: HTTPClient, _ lines: [String], token: String, headers: [String: String] = [:],
                     contentType: String = "application/x-ndjson") throws -> HTTPClient.Reply {
        var h = headers
        h["Content-Type"] = contentType
        h["Authorization"] = "Bearer \(token)"
        return try client.send("POST", "/ingest", headers: h, body: Array(lines.map { $0 + "\n" }.joined().utf8))
    }

    @Test("a preflight from an allowed origin gets the methods, headers, cache time and private-network consent")
    func preflightAllowed() throws {
        guard let (process, client) = try Self.server() else { return }
        defer { stopServer(process) }
        let asked = try client.send("OPTIONS", "/ingest", headers: [
            "Origin": Self.flex, "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type",
            "Access-Control-Request-Private-Network": "true",
        ])
        #expect(asked.status == 204)
        #expect(asked.header("Access-Control-Allow-Origin") == Self.flex)
        #expect(asked.header("Vary") == "Origin")
        #expect(asked.header("Access-Control-Allow-Methods")?.contains("POST") == true)
        let headers = asked.header("Access-Control-Allow-Headers")?.lowercased() ?? ""
        #expect(headers.contains("authorization") && headers.contains("content-type"))
        #expect(asked.header("Access-Control-Max-Age") == "600")
        #expect(asked.header("Access-Control-Allow-Private-Network") == "true")
        // Private-network consent only when asked; origins compare case-insensitively, as browsers serialise them.
        let plain = try client.send("OPTIONS", "/ingest", headers: [
            "Origin": "HTTP://LOCALHOST:3000", "Access-Control-Request-Method": "POST",
        ])
        #expect(plain.status == 204)
        #expect(plain.header("Access-Control-Allow-Origin") == "HTTP://LOCALHOST:3000")
        #expect(plain.header("Access-Control-Allow-Private-Network") == nil)
    }

    @Test("other origins are refused with a reason and counted, preflight and POST alike; nothing is applied")
    func otherOriginsRefused() throws {
        guard let (process, client) = try Self.server() else { return }
        defer { stopServer(process) }
        for origin in ["https://evil.example", "https://flex.twilio.com.evil.example", "null", "http://localhost:3001"] {
            let preflight = try client.send("OPTIONS", "/ingest", headers: [
                "Origin": origin, "Access-Control-Request-Method": "POST",
            ])
            #expect(preflight.status == 403, "\(origin)")
            #expect(preflight.header("Access-Control-Allow-Origin") == nil)
            #expect((try preflight.json()["error"] as? String)?.contains("is not allowed") == true)
        }
        // A "simple" POST needs no preflight: it must be refused on its own, even with the producer token.
        let post = try Self.post(client, [Self.line("call.start")], token: Self.producer,
                                 headers: ["Origin": "https://evil.example"], contentType: "text/plain")
        #expect(post.status == 403)
        #expect(try client.get("/api/workers/WK1").status == 404)
        #expect(try client.get("/api/status").json()["crossOriginRefused"] as? Int == 5)
        #expect(try client.get("/metrics").text.contains("teamsview_ingest_cross_origin_refused_total 5"))
    }

    @Test("the allowed origin's POST is answered with Access-Control-Allow-Origin; requests without Origin are unaffected")
    func allowedPost() throws {
        guard let (process, client) = try Self.server() else { return }
        defer { stopServer(process) }
        let created = try Self.post(client, [Self.line("call.start")], token: Self.producer)
        #expect(created.status == 200)
        #expect(created.header("Access-Control-Allow-Origin") == nil)
        let muted = try Self.post(client, [Self.line("call.mute", second: 1)], token: Self.client,
                                  headers: ["Origin": Self.flex])
        #expect(muted.status == 200)
        #expect(muted.header("Access-Control-Allow-Origin") == Self.flex)
        #expect(muted.header("Vary") == "Origin")
        let call = try #require((try client.get("/api/workers/WK1").json()["calls"] as? [[String: Any]])?.first)
        #expect(call["muted"] as? Bool == true)
        // A wrong token from an allowed origin is still refused, and the browser can read why.
        let wrong = try Self.post(client, [Self.line("call.unmute")], token: "guess", headers: ["Origin": Self.flex])
        #expect(wrong.status == 403)
        #expect(wrong.header("Access-Control-Allow-Origin") == Self.flex)
    }

    @Test("the client token posts call.hold/resume/mute/unmute only; every other line is rejected with a reason and counted")
    func clientTokenScope() throws {
        guard let (process, client) = try Self.server() else { return }
        defer { stopServer(process) }
        let start = try Self.post(client, [Self.line("call.start")], token: Self.producer)
        #expect(try start.json()["accepted"] as? Int == 1)

        let lines = [
            Self.line("call.hold", second: 1),                                                       // 0 ok
            Self.line("call.end", second: 2),                                                        // 1
            Self.line("call.resume", second: 3),                                                     // 2 ok
            #"{"type":"activity","at":"2026-11-25T09:00:04Z","worker":"WK1","activity":"Break"}"#,   // 3
            Self.line("call.mute", second: 5),                                                       // 4 ok
            Self.line("call.start", #","from":"+15550000000""#, second: 6),                          // 5
            #"{"type":"worker.remove","at":"2026-11-25T09:00:07Z","worker":"WK1"}"#,                 // 6
            Self.line("call.unmute", #","EventType":"task.deleted","TaskSid":"WT1""#, second: 8),    // 7 Twilio fields
            #"{"specversion":"1.0","type":"com.twilio.taskrouter.task.deleted","id":"E1","time":"2026-11-25T09:00:09Z","data":{}}"#, // 8
            Self.line("call.unmute", second: 10),                                                    // 9 ok
            "not json",                                                                              // 10
        ]
        let reply = try Self.post(client, lines, token: Self.client)
        #expect(reply.status == 200)
        let result = try reply.json()
        #expect(result["accepted"] as? Int == 4)
        #expect(result["rejected"] as? Int == 7)
        let errors = try #require(result["errors"] as? [[String: Any]])
        #expect(errors.map { $0["index"] as? Int } == [1, 3, 5, 6, 7, 8, 10])
        for e in errors.dropLast() {
            #expect((e["reason"] as? String)?.contains("may send only native call.hold, call.resume, call.mute, call.unmute") == true)
        }
        #expect((errors.last?["reason"] as? String)?.hasPrefix("not JSON") == true)

        // The allowed lines applied, the others did not: the call is still there, live and unmuted, the worker
        // not on a break.
        let worker = try client.get("/api/workers/WK1").json()
        #expect(worker["activity"] as? String != "Break")
        let call = try #require((worker["calls"] as? [[String: Any]])?.first)
        #expect(call["state"] as? String == "live")
        #expect(call["muted"] as? Bool == false)

        // A JSON array body is judged element by element.
        let array = try client.send("POST", "/ingest", headers: [
            "Content-Type": "application/json", "Authorization": "Bearer \(Self.client)",
        ], body: Array("[\(Self.line("call.start", second: 11)),\(Self.line("call.mute", second: 12))]".utf8))
        #expect(try array.json()["accepted"] as? Int == 1)
        #expect((try array.json()["errors"] as? [[String: Any]])?.first?["index"] as? Int == 0)

        // A form (a Twilio callback) with the client token is refused too.
        let form = try client.send("POST", "/ingest", headers: [
            "Content-Type": "application/x-www-form-urlencoded", "Authorization": "Bearer \(Self.client)",
        ], body: Array("StatusCallbackEvent=participant-hold&FriendlyName=WT1&CallSid=CA1&Hold=true".utf8))
        #expect(form.status == 422)
        #expect((try form.json()["errors"] as? [[String: Any]])?.first?["reason"] as? String
                == "this token may send only native call.hold, call.resume, call.mute, call.unmute lines, not forms")
        let status = try client.get("/api/status").json()
        #expect((status["rejectedByCategory"] as? [String: Any])?["not_permitted"] as? Int == 8)

        // The producer token still sends anything.
        let producer = try Self.post(client, [Self.line("call.end", second: 20)], token: Self.producer)
        #expect(try producer.json()["accepted"] as? Int == 1)
        #expect((try client.get("/api/workers/WK1").json()["calls"] as? [[String: Any]])?.isEmpty == true)
        // No token at all, even from loopback, is refused once tokens are configured.
        let anonymous = try client.send("POST", "/ingest", headers: ["Content-Type": "application/x-ndjson"],
                                        body: Array((Self.line("call.hold") + "\n").utf8))
        #expect(anonymous.status == 401)
    }

    @Test("--client-token-file is read at start; an empty file or a client token equal to the ingest token stops it")
    func clientTokenFile() throws {
        guard FileManager.default.isExecutableFile(atPath: DemoTests.binary) else {
            Issue.record("build the executable first: \(DemoTests.binary)")
            return
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("teamsview-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("client-token")
        try Data("from-file-5d1e\n".utf8).write(to: file)
        let (process, port) = try DemoTests.start(["--client-token-file", file.path])
        defer { stopServer(process) }
        let client = HTTPClient(port: port)
        _ = try Self.post(client, [Self.line("call.start")], token: "unused-without-ingest-token")
        let reply = try Self.post(client, [Self.line("call.hold", second: 1), Self.line("call.end", second: 2)],
                                  token: "from-file-5d1e")
        #expect(try reply.json()["accepted"] as? Int == 1)
        #expect(try reply.json()["rejected"] as? Int == 1)

        let empty = directory.appendingPathComponent("empty")
        try Data(" \n".utf8).write(to: empty)
        for (arguments, message) in [
            (["--client-token-file", directory.appendingPathComponent("missing").path], "cannot read --client-token-file"),
            (["--client-token-file", empty.path], "is empty"),
            (["--client-token-file", file.path, "--ingest-token", "from-file-5d1e"], "must differ from the ingest token"),
            (["--cors-origin", "https://flex.twilio.com/path"], "--cors-origin must be"),
        ] {
            let failing = Process()
            failing.executableURL = URL(fileURLWithPath: DemoTests.binary)
            failing.arguments = ["serve", "--port", "0"] + arguments
            failing.currentDirectoryURL = URL(fileURLWithPath: TestServer.repoRoot)
            let errors = Pipe()
            failing.standardError = errors
            try failing.run()
            let log = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            failing.waitUntilExit()
            #expect(failing.terminationStatus != 0, "\(arguments)")
            #expect(log.contains(message), "\(log)")
        }
    }
}
