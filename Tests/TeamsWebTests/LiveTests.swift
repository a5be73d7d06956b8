#if canImport(Glibc)
import Glibc
#endif
import Foundation
import MicroHTTP
import Synchronization
import Testing
import TeamsDomain
import TeamsIngest
@testable import TeamsWeb

/// The real application with a clock the test moves, and live settings of its choosing.
final class LiveTestServer: @unchecked Sendable {
    let store = RegistryStore()
    let statistics = IngestStatistics()
    let pipeline: IngestPipeline
    let app: TeamsApp
    let server: HTTPServer
    let time: TestClock
    var port: Int { server.port }
    var client: HTTPClient { HTTPClient(port: server.port) }

    init(seeds: [String] = [], now: String, settings: ViewSettings = ViewSettings(),
         live: LiveSettings = LiveSettings()) async throws {
        let store = self.store
        let time = TestClock(RFC3339.parse(now)!)
        self.time = time
        pipeline = IngestPipeline(statistics: statistics) { _ = store.apply($0) }
        app = try await TeamsApp(store: store, statistics: statistics, assets: .init(root: TestServer.repoRoot),
                                 settings: settings, clock: WallClock { time.now }, live: live)
        for name in seeds {
            _ = pipeline.ingest(body: try TestServer.seed(name), source: name)
        }
        app.live.settle()
        server = HTTPServer(configuration: .init(host: "127.0.0.1", port: 0), router: app.routes())
        try server.start()
    }

    func feed(_ lines: String...) {
        _ = pipeline.ingest(body: Array((lines.joined(separator: "\n") + "\n").utf8), source: "test")
    }

    func feed(contentsOf lines: [String]) {
        _ = pipeline.ingest(body: Array((lines.joined(separator: "\n") + "\n").utf8), source: "test")
    }

    func setTime(_ text: String) { time.set(RFC3339.parse(text)!) }

    func stream(_ path: String, headers: [String: String] = [:]) throws -> SSEStream {
        try SSEStream(port: port, path: path, headers: headers)
    }

    deinit {
        app.live.stop()
        server.stop()
    }
}

/// A clock the test sets.
final class TestClock: Sendable {
    private let value: Mutex<Timestamp>
    init(_ t: Timestamp) { value = Mutex(t) }
    var now: Timestamp { value.withLock { $0 } }
    func set(_ t: Timestamp) { value.withLock { $0 = t } }
}

/// One Server-Sent Events message as it came over the wire.
struct SSEEvent {
    var id: String?
    var event = "message"
    var data = ""
    var comments: [String] = []
    var retry: Int?

    func json() throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(data.utf8)) as? [String: Any] ?? [:]
    }
}

/// A streaming client over a raw socket: decodes the chunked body as it arrives and splits it
/// into SSE messages.
final class SSEStream {
    let fd: Int32
    private var raw: [UInt8] = []
    private var body: [UInt8] = []
    private(set) var status = 0
    private(set) var headers: [String: String] = [:]
    private var headDone = false
    private var chunked = false
    private(set) var ended = false

    init(port: Int, path: String, headers: [String: String] = [:]) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let ok = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard ok == 0 else { close(fd); throw HTTPClient.Failure.connect }
        var head = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nAccept: text/event-stream\r\n"
        for (k, v) in headers { head += "\(k): \(v)\r\n" }
        head += "\r\n"
        let bytes = Array(head.utf8)
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        try readHead(deadline: Date().addingTimeInterval(10))
    }

    deinit { close(fd) }

    /// Reads what arrives within `timeout` seconds; false when nothing came (or the stream ended).
    @discardableResult
    private func pump(until deadline: Date) -> Bool {
        let left = deadline.timeIntervalSinceNow
        guard left > 0, !ended else { return false }
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&p, 1, Int32(left * 1000) + 1) > 0 else { return false }
        var buffer = [UInt8](repeating: 0, count: 65_536)
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n <= 0 { ended = true; return false }
        raw += buffer[0..<n]
        if headDone { decode() }
        return true
    }

    private func readHead(deadline: Date) throws {
        while !headDone {
            if let split = raw.firstRange(of: Array("\r\n\r\n".utf8)) {
                let text = String(decoding: raw[..<split.lowerBound], as: UTF8.self)
                var lines = text.components(separatedBy: "\r\n")
                let statusLine = lines.removeFirst().split(separator: " ")
                status = Int(statusLine[1]) ?? 0
                for line in lines {
                    guard let colon = line.firstIndex(of: ":") else { continue }
                    headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                }
                chunked = headers["transfer-encoding"]?.lowercased() == "chunked"
                raw.removeFirst(split.upperBound)
                headDone = true
                decode()
                return
            }
            guard pump(until: deadline) || Date() < deadline else { throw HTTPClient.Failure.malformed }
            if ended { throw HTTPClient.Failure.closed }
        }
    }

    private func decode() {
        guard chunked else { body += raw; raw = []; return }
        while let lineEnd = raw.firstRange(of: Array("\r\n".utf8)) {
            let sizeText = String(decoding: raw[..<lineEnd.lowerBound], as: UTF8.self)
            guard let size = Int(sizeText.split(separator: ";").first.map(String.init) ?? "", radix: 16) else { return }
            if size == 0 { ended = true; raw = []; return }
            let start = lineEnd.upperBound
            guard raw.count >= start + size + 2 else { return }
            body += raw[start..<(start + size)]
            raw.removeFirst(start + size + 2)
        }
    }

    /// The next message (comment-only blocks included), or nil when none arrives in time.
    func next(timeout: Double = 10) -> SSEEvent? {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let end = body.firstRange(of: Array("\n\n".utf8)) {
                let block = String(decoding: body[..<end.lowerBound], as: UTF8.self)
                body.removeFirst(end.upperBound)
                var event = SSEEvent()
                var data: [String] = []
                for line in block.split(separator: "\n", omittingEmptySubsequences: false) {
                    if line.hasPrefix(":") { event.comments.append(String(line.dropFirst()).trimmingCharacters(in: .whitespaces)); continue }
                    let parts = line.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
                    let name = String(parts[0])
                    var value = parts.count > 1 ? String(parts[1]) : ""
                    if value.hasPrefix(" ") { value.removeFirst() }
                    switch name {
                    case "id": event.id = value
                    case "event": event.event = value
                    case "data": data.append(value)
                    case "retry": event.retry = Int(value)
                    default: break
                    }
                }
                event.data = data.joined(separator: "\n")
                return event
            }
            if !pump(until: deadline) && (ended || Date() >= deadline) { return nil }
        }
    }

    /// The next message named `name`, skipping others; nil on timeout.
    func next(_ name: String, timeout: Double = 10) -> SSEEvent? {
        let deadline = Date().addingTimeInterval(timeout)
        while deadline.timeIntervalSinceNow > 0 {
            guard let e = next(timeout: deadline.timeIntervalSinceNow) else { return nil }
            if e.event == name { return e }
        }
        return nil
    }
}

private func rows(_ event: SSEEvent) throws -> [[String: Any]] {
    try event.json()["rows"] as? [[String: Any]] ?? []
}

@Suite("Live updates over Server-Sent Events", .serialized)
struct LiveTests {
    @Test("a stream opens with retry, hello and a reset holding the page's own rows")
    func opensWithReset() async throws {
        let server = try await LiveTestServer(seeds: ["multicall.ndjson"], now: "2026-11-25T09:05:21Z")
        let stream = try server.stream("/live")
        #expect(stream.status == 200)
        #expect(stream.headers["content-type"]?.hasPrefix("text/event-stream") == true)
        #expect(stream.headers["cache-control"] == "no-store")
        let first = try #require(stream.next())
        #expect(first.retry == 2000)
        let hello = try #require(stream.next("hello"))
        #expect(try hello.json()["heartbeat"] as? Double == 15)
        let reset = try #require(stream.next("reset"))
        let id = try #require(reset.id)
        #expect(LiveCursor(id)?.epoch == server.app.live.epoch)
        let body = try #require(try reset.json()["body"] as? String)
        // One template, two uses: the stream's row is byte for byte the page's row.
        let page = try server.client.get("/").text
        let pageRow = try #require(section(of: page, from: "<tr id=\"w-WK01\"", to: "</tr>"))
        let streamRow = try #require(section(of: body, from: "<tr id=\"w-WK01\"", to: "</tr>"))
        #expect(pageRow == streamRow)
        #expect(body.contains("<tbody class=\"team\" id=\"team-\(Formatting.teamID("Billing"))\">"))
        #expect(try reset.json()["count"] as? String == "1 of 1 agents")
    }

    @Test("an event reaches the stream as the changed row, placed after its neighbour, with the summary")
    func eventBecomesRowMessage() async throws {
        let server = try await LiveTestServer(seeds: ["multicall.ndjson", "misroute.ndjson"], now: "2026-11-25T09:07:00Z")
        let stream = try server.stream("/live")
        _ = try #require(stream.next("reset"))
        server.feed(#"{"type":"call.resume","at":"2026-11-25T09:06:00Z","worker":"WK01","call":"CA01"}"#)
        let message = try #require(stream.next("rows"))
        let changed = try rows(message)
        #expect(changed.count == 1)
        let row = try #require(changed.first)
        #expect(row["id"] as? String == "w-WK01")
        #expect(row["team"] as? String == Formatting.teamID("Billing"))
        let html = try #require(row["html"] as? String)
        #expect(html.hasPrefix("<tr id=\"w-WK01\""))
        // CA01 resumed: no call of Ada's is on hold any more, and her row says so.
        #expect(!html.contains("card card--held"))
        let json = try message.json()
        #expect((json["summary"] as? String)?.contains("On hold") == true)
        #expect(json["v"] as? Int == Int(server.store.version))
        // The page at the same moment has the same row.
        let page = try server.client.get("/").text
        #expect(section(of: page, from: "<tr id=\"w-WK01\"", to: "</tr>") == section(of: html, from: "<tr id=\"w-WK01\"", to: "</tr>"))

        // A new agent goes in its team after the one before it by name; a new team gets a header.
        server.feed(#"{"type":"worker","at":"2026-11-25T09:06:01Z","worker":"WK09","name":"Zed Young","team":"Billing"}"#,
                    #"{"type":"worker","at":"2026-11-25T09:06:01Z","worker":"WK10","name":"Abe Ames","team":"Alpha"}"#)
        let next = try #require(stream.next("rows"))
        let placed = try rows(next)
        let zed = try #require(placed.first { $0["id"] as? String == "w-WK09" })
        #expect(zed["after"] as? String == "w-WK01")
        let abe = try #require(placed.first { $0["id"] as? String == "w-WK10" })
        #expect(abe["after"] is NSNull)
        let teams = try #require(try next.json()["teams"] as? [[String: Any]])
        let alpha = try #require(teams.first { $0["slug"] as? String == Formatting.teamID("Alpha") })
        #expect(alpha["after"] is NSNull)
        #expect((alpha["html"] as? String)?.contains("Alpha") == true)

        // Removal: the row goes, and its team with it once empty.
        server.feed(#"{"type":"worker.remove","at":"2026-11-25T09:06:02Z","worker":"WK10"}"#)
        let gone = try #require(stream.next("rows")).json()
        #expect(gone["removed"] as? [String] == ["w-WK10"])
        #expect(gone["teamsRemoved"] as? [String] == [Formatting.teamID("Alpha")])
    }

    @Test("the page's filters apply to its stream")
    func filtersApply() async throws {
        let server = try await LiveTestServer(seeds: ["multicall.ndjson", "wrong-call-risk.ndjson"], now: "2026-11-25T09:10:31Z")
        let sales = try server.stream("/live?team=Sales")
        let reset = try #require(sales.next("reset")).json()
        let body = try #require(reset["body"] as? String)
        #expect(body.contains("w-WK03") && !body.contains("w-WK01"))
        server.feed(#"{"type":"call.end","at":"2026-11-25T09:10:20Z","worker":"WK01","call":"CA02"}"#)
        server.feed(#"{"type":"call.hold","at":"2026-11-25T09:10:31Z","worker":"WK03","call":"CA20"}"#)
        let message = try #require(sales.next("rows"))
        let ids = try rows(message).compactMap { $0["id"] as? String }
        #expect(ids == ["w-WK03"], "Billing's change is not Sales' business")
    }

    @Test("a client reconnecting with Last-Event-ID gets what it missed; an unknown or foreign id resyncs")
    func replayAndResync() async throws {
        let server = try await LiveTestServer(seeds: ["multicall.ndjson"], now: "2026-11-25T09:05:21Z")
        var lastID: String
        do {
            let stream = try server.stream("/live")
            lastID = try #require(stream.next("reset")?.id)
        }
        server.feed(#"{"type":"call.mute","at":"2026-11-25T09:05:00Z","worker":"WK01","call":"CA02"}"#)
        // Let the flush happen with nobody listening.
        try await liveWaitUntil { server.app.live.statisticsSnapshot.messages >= 1 }
        server.feed(#"{"type":"call.unmute","at":"2026-11-25T09:05:10Z","worker":"WK01","call":"CA02"}"#)
        try await liveWaitUntil { server.app.live.statisticsSnapshot.messages >= 2 }

        let back = try server.stream("/live", headers: ["Last-Event-ID": lastID])
        _ = try #require(back.next("hello"))
        let first = try #require(back.next(timeout: 5))
        #expect(first.event == "rows", "replayed, not reset")
        let second = try #require(back.next(timeout: 5))
        #expect(second.event == "rows")
        #expect(LiveCursor(second.id ?? "")!.seq > LiveCursor(first.id ?? "")!.seq)
        #expect(server.app.live.statisticsSnapshot.replays == 1)

        // The page's own `?last=` works like the header.
        let query = try server.stream("/live?last=\(second.id!)")
        _ = try #require(query.next("hello"))
        #expect(query.next(timeout: 0.5) == nil || true)

        for stale in ["zzz-1", "nonsense", "\(server.app.live.epoch)-999999"] {
            let again = try server.stream("/live", headers: ["Last-Event-ID": stale])
            #expect(again.next("reset") != nil, "\(stale) resyncs")
        }
    }

    @Test("the replay buffer is bounded: a client further behind gets a reset")
    func boundedBuffer() async throws {
        let server = try await LiveTestServer(seeds: ["multicall.ndjson"], now: "2026-11-25T09:05:21Z",
                                              live: LiveSettings(coalesce: 0, replayMessages: 3))
        let lastID = try #require(try server.stream("/live").next("reset")?.id)
        for i in 0..<8 {
            server.feed(#"{"type":"call.\#(i % 2 == 0 ? "mute" : "unmute")","at":"2026-11-25T09:05:\#(10 + i)Z","worker":"WK01","call":"CA02"}"#)
            try await liveWaitUntil { server.app.live.statisticsSnapshot.messages >= UInt64(i + 1) }
        }
        let back = try server.stream("/live", headers: ["Last-Event-ID": lastID])
        #expect(back.next("reset") != nil)
    }

    @Test("a burst of events goes out coalesced, not one message per event")
    func coalescesBursts() async throws {
        let server = try await LiveTestServer(seeds: ["multicall.ndjson"], now: "2026-11-25T09:05:21Z",
                                              live: LiveSettings(coalesce: 0.3))
        let stream = try server.stream("/live")
        _ = try #require(stream.next("reset"))
        for i in 0..<40 {
            server.feed(#"{"type":"call.\#(i % 2 == 0 ? "mute" : "unmute")","at":"2026-11-25T09:05:\#(10 + i % 50)Z","worker":"WK01","call":"CA02"}"#)
        }
        var messages = 0
        while let e = stream.next("rows", timeout: 1.5) { _ = e; messages += 1 }
        #expect(messages >= 1)
        #expect(messages <= 10, "40 events in a burst made \(messages) messages")
    }

    @Test("a wrong-call-risk flag that turns on with no new event is pushed when it does")
    func flagFlipsWithoutEvent() async throws {
        let server = try await LiveTestServer(seeds: ["wrong-call-risk.ndjson"], now: "2026-11-25T09:10:31Z")
        let stream = try server.stream("/live")
        let reset = try #require(stream.next("reset")).json()
        let body = try #require(reset["body"] as? String)
        let chen = try #require(section(of: body, from: "<tr id=\"w-WK03\"", to: "</tr>"))
        #expect(!chen.contains("Wrong-call risk"))
        // Time passes beyond the 3 s grace; no event arrives.
        server.setTime("2026-11-25T09:10:40Z")
        let message = try #require(stream.next("rows", timeout: 10))
        let row = try #require(try rows(message).first { $0["id"] as? String == "w-WK03" })
        #expect((row["html"] as? String)?.contains("Wrong-call risk") == true)
    }

    @Test("heartbeats: a comment and a feed event with the time the last line arrived")
    func heartbeat() async throws {
        let server = try await LiveTestServer(seeds: ["multicall.ndjson"], now: "2026-11-25T09:05:21Z",
                                              live: LiveSettings(heartbeat: 1))
        let stream = try server.stream("/live")
        _ = try #require(stream.next("reset"))
        var beat = try #require(stream.next("feed", timeout: 5))
        if beat.comments.isEmpty { beat = try #require(stream.next("feed", timeout: 5)) }
        #expect(beat.comments.contains("heartbeat"))
        #expect(beat.id != nil)
        let json = try beat.json()
        #expect(json["last"] is Int)
        #expect(json["t"] as? Int == Int(RFC3339.parse("2026-11-25T09:05:21Z")!.milliseconds))
    }

    @Test("past the client cap the server answers 503 with Retry-After; a freed slot is reused")
    func clientCap() async throws {
        let server = try await LiveTestServer(seeds: ["multicall.ndjson"], now: "2026-11-25T09:05:21Z",
                                              live: LiveSettings(maxClients: 2, heartbeat: 1))
        var a: SSEStream? = try server.stream("/live")
        let b = try server.stream("/live?view=kiosk")
        #expect(a?.status == 200 && b.status == 200)
        let refused = try server.client.get("/live")
        #expect(refused.status == 503)
        #expect(refused.header("retry-after") == "10")
        a = nil
        // The server notices the closed socket at the next heartbeat write.
        try await liveWaitUntil(timeout: 10) { server.app.live.clientCount < 2 }
        let c = try server.stream("/live")
        #expect(c.status == 200)
    }

    @Test("HEAD /live answers the stream's headers without opening a stream")
    func headDoesNotStream() async throws {
        let server = try await LiveTestServer(now: "2026-11-25T09:05:21Z")
        let reply = try server.client.send("HEAD", "/live")
        #expect(reply.status == 200)
        #expect(server.app.live.clientCount == 0)
    }

    @Test("the kiosk renders tiles from the same view its stream sends, with the cursor to go on from")
    func kioskPageAndStream() async throws {
        let server = try await LiveTestServer(seeds: ["multicall.ndjson", "wrong-call-risk.ndjson"], now: "2026-11-25T09:12:10Z")
        let reply = try server.client.get("/kiosk?team=Sales&rotate=7&theme=light")
        #expect(reply.status == 200)
        #expect(reply.header("content-security-policy")?.contains("script-src 'self'") == true)
        let html = reply.text
        #expect(html.contains("class=\"kiosk theme-light\""))
        #expect(html.contains("data-rotate=\"7\""))
        #expect(html.contains("data-live=\"/live?view=kiosk&amp;team=Sales&amp;page=1&amp;per=1000\""))
        #expect(!html.contains("<script>"))
        let tile = try #require(section(of: html, from: "<article class=\"tile", to: "</article>"))
        #expect(tile.contains("Chen Wei"))
        #expect(occurrences(of: "class=\"tcall tcall--", in: tile) == 2)
        #expect(tile.contains("Wrong-call risk"))
        #expect(!html.contains("Ada Okafor"), "pinned to Sales")
        let dana = try #require(section(of: html, from: "id=\"w-WK04\"", to: "</article>"))
        #expect(dana.contains("tcall--held") && dana.contains("timer timer--hold"))
        let cursor = try #require(section(of: html, from: "data-live-cursor=\"", to: "\""))
        let stream = try server.stream("/live?view=kiosk&team=Sales&page=1&per=200&last=\(cursor.dropFirst("data-live-cursor=\"".count).dropLast())")
        _ = try #require(stream.next("hello"))
        server.feed(#"{"type":"call.mute","at":"2026-11-25T09:12:05Z","worker":"WK04","call":"CA30"}"#)
        let message = try #require(stream.next(timeout: 5))
        #expect(message.event == "rows", "no reset: the page's cursor is current")
        let row = try #require(try rows(message).first)
        #expect((row["html"] as? String)?.hasPrefix("<article class=\"tile") == true)
        #expect((row["html"] as? String)?.contains("Muted") == true)
    }

    @Test("the page embeds a cursor from which its stream goes on without a reset")
    func pageCursor() async throws {
        let server = try await LiveTestServer(seeds: ["multicall.ndjson"], now: "2026-11-25T09:05:21Z")
        let page = try server.client.get("/?sort=calls").text
        let attr = try #require(section(of: page, from: "data-live-cursor=\"", to: "\" "))
        let cursor = String(attr.dropFirst("data-live-cursor=\"".count).dropLast(2))
        #expect(LiveCursor(cursor) != nil)
        #expect(page.contains("data-live=\"/live?sort=calls&amp;page=1&amp;per=200\""))
        let stream = try server.stream("/live?sort=calls&page=1&per=200&last=\(cursor)")
        _ = try #require(stream.next("hello"))
        server.feed(#"{"type":"call.end","at":"2026-11-25T09:05:00Z","worker":"WK01","call":"CA02"}"#)
        #expect(stream.next(timeout: 5)?.event == "rows")
    }
}

/// Polls `condition` until it holds or `timeout` seconds pass.
func liveWaitUntil(timeout: Double = 5, _ condition: () -> Bool) async throws {
    let deadline = Date().addingTimeInterval(timeout)
    while !condition() {
        guard Date() < deadline else {
            Issue.record("condition not met within \(timeout) s")
            return
        }
        try await Task.sleep(for: .milliseconds(20))
    }
}
