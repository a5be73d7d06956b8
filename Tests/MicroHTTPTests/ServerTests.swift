import HTTPTypes
import Logging
import Synchronization
import Testing
@testable import MicroHTTP
#if canImport(Glibc)
import Glibc
#endif

/// Starts a real server on 127.0.0.1, an ephemeral port, for the duration of `body`.
func withServer<T>(_ router: Router, _ body: (HTTPServer) throws -> T) throws -> T {
    let server = HTTPServer(configuration: .init(host: "127.0.0.1", port: 0, threads: 2), router: router)
    try server.start()
    defer { server.stop() }
    return try body(server)
}

/// Polls `condition` until it holds or `timeout` passes; returns whether it held.
func eventually(timeout: Duration = .seconds(3), _ condition: () -> Bool) -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if condition() { return true }
        usleep(2000)
    }
    return condition()
}

func text(_ body: String, status: HTTPResponse.Status = .ok) -> Response {
    Response(status: status, contentType: "text/plain; charset=utf-8", text: body)
}

@Suite struct ServerTests {
    static func router() -> Router {
        var router = Router()
        router.get("/hello") { _ in text("hello, world") }
        router.get("/users/:id/items/:item") { request in
            text("\(request.parameters["id"] ?? "-")/\(request.parameters["item"] ?? "-")")
        }
        router.get("/echo/*") { request in
            var lines = ["path=\(request.path)", "rest=\(request.parameters["*"] ?? "-")"]
            for (name, value) in request.query { lines.append("\(name)=\(value)") }
            return text(lines.joined(separator: "\n"))
        }
        router.get("/whoami") { request in
            text("loopback=\(request.isFromLoopback) ua=\(request.headerFields[.userAgent] ?? "-")")
        }
        router.get("/tagged") { _ in
            var response = text("tagged body")
            response.headerFields[.eTag] = "\"v1\""
            response.headerFields[.cacheControl] = "no-cache"
            return response
        }
        router.post("/upload", bodyLimit: 16) { request in
            text("got \(request.body.count): \(String(decoding: request.body, as: UTF8.self))")
        }
        router.add(.delete, "/hello") { _ in text("deleted") }
        return router
    }

    @Test func getAnswersBodyWithContentLength() throws {
        try withServer(Self.router()) { server in
            #expect(server.port > 0)
            let client = try RawClient(port: server.port)
            let response = try client.request("GET", "/hello")
            #expect(response.status == 200)
            #expect(response.text == "hello, world")
            #expect(response.headers["content-length"] == "12")
            #expect(response.headers["content-type"] == "text/plain; charset=utf-8")
            #expect(response.headers["connection"]?.lowercased() != "close")
        }
    }

    @Test func headHasGetHeadersAndNoBodyAndKeepsTheConnection() throws {
        try withServer(Self.router()) { server in
            let client = try RawClient(port: server.port)
            let head = try client.request("HEAD", "/hello")
            #expect(head.status == 200)
            #expect(head.headers["content-length"] == "12")
            #expect(head.headers["content-type"] == "text/plain; charset=utf-8")
            // Any body bytes after the HEAD answer would corrupt this second response.
            let get = try client.request("GET", "/hello")
            #expect(get.status == 200)
            #expect(get.text == "hello, world")
        }
    }

    @Test func unknownPathIs404() throws {
        try withServer(Self.router()) { server in
            let client = try RawClient(port: server.port)
            #expect(try client.request("GET", "/nope").status == 404)
            #expect(try client.request("GET", "/hello/extra").status == 404)
            // Keep-alive survives error answers too.
            #expect(try client.request("GET", "/hello").status == 200)
        }
    }

    @Test func fallbackAnswersUnknownPathsOnly() throws {
        var router = Self.router()
        router.fallback = { request in
            text("no \(request.method.rawValue) \(request.path) body=\(request.body.count)", status: .notFound)
        }
        // Middleware wraps the fallback as it wraps routes.
        router = router.wrapped { request, next in
            var response = next(request)
            response.headerFields[.server] = "wrapped"
            return response
        }
        try withServer(router) { server in
            let client = try RawClient(port: server.port)
            let unknown = try client.request("GET", "/no%20such/place?x=1")
            #expect(unknown.status == 404)
            #expect(unknown.text == "no GET /no such/place body=0")
            #expect(unknown.headers["server"] == "wrapped")
            // A body sent to an unknown path is thrown away, not refused 413.
            let posted = try client.request("POST", "/nope", body: Array("payload".utf8))
            #expect(posted.status == 404)
            #expect(posted.text == "no POST /nope body=0")
            // Known paths keep their handlers, and another method on them is still 405 with Allow.
            #expect(try client.request("GET", "/hello").text == "hello, world")
            let put = try client.request("PUT", "/hello", body: [])
            #expect(put.status == 405)
            #expect(put.headers["allow"] == "GET, DELETE, HEAD")
        }
    }

    @Test func otherMethodOnKnownPathIs405WithAllow() throws {
        try withServer(Self.router()) { server in
            let client = try RawClient(port: server.port)
            let response = try client.request("PUT", "/hello", body: [])
            #expect(response.status == 405)
            #expect(response.headers["allow"] == "GET, DELETE, HEAD")
            let upload = try client.request("GET", "/upload")
            #expect(upload.status == 405)
            #expect(upload.headers["allow"] == "POST")
            #expect(try client.request("DELETE", "/hello").text == "deleted")
        }
    }

    @Test func routeParametersAreCaptured() throws {
        try withServer(Self.router()) { server in
            let client = try RawClient(port: server.port)
            #expect(try client.request("GET", "/users/42/items/caf%C3%A9").text == "42/café")
            // An encoded slash stays inside its segment.
            #expect(try client.request("GET", "/users/a%2Fb/items/x").text == "a/b/x")
        }
    }

    @Test func pathAndQueryAreDecoded() throws {
        try withServer(Self.router()) { server in
            let client = try RawClient(port: server.port)
            let response = try client.request("GET", "/echo/caf%C3%A9/x?a=1&b=hello+world&c=%C3%A9t%C3%A9&a=2&d=50%25&e=%2B&flag")
            #expect(response.status == 200)
            #expect(response.text == """
                path=/echo/café/x
                rest=café/x
                a=1
                b=hello world
                c=été
                a=2
                d=50%
                e=+
                flag=
                """)
        }
    }

    @Test(arguments: ["/echo/%zz", "/echo/%4", "/echo/%C3", "/echo/x?a=%G1", "/echo/x?a=%"])
    func badPercentEncodingIs400(target: String) throws {
        try withServer(Self.router()) { server in
            let client = try RawClient(port: server.port)
            #expect(try client.request("GET", target).status == 400)
            #expect(try client.request("GET", "/hello").status == 200)
        }
    }

    @Test func malformedRequestsDoNotHurtTheServer() throws {
        try withServer(Self.router()) { server in
            // nil: libmicrohttpd drops the connection (or keeps waiting) without an answer.
            let cases: [(String, Int?)] = [
                ("GARBAGE\r\n\r\n", nil),
                ("GET\r\n\r\n", nil),
                ("\0\0\0\r\n\r\n", nil),
                ("GET /hello HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n", 400),
                ("GET /hello HTTP/1.1\r\nContent-Length: -5\r\n\r\n", 400),
                ("GET noslash HTTP/1.1\r\nHost: x\r\n\r\n", 400),
                ("GET /hello%FF HTTP/1.1\r\nHost: x\r\n\r\n", 400),
                ("GET /hello HTTP/1.1\r\nHost: x\r\n" + String(repeating: "X-Long: \(String(repeating: "y", count: 1000))\r\n", count: 100) + "\r\n", 431),
            ]
            for (garbage, expected) in cases {
                let client = try RawClient(port: server.port, timeoutSeconds: 1)
                try client.send(garbage)
                let response = try? client.readResponse()
                #expect(response?.status == expected, "\(garbage.prefix(60).debugDescription)")
            }
            let client = try RawClient(port: server.port)
            #expect(try client.request("GET", "/hello").status == 200)
            // Every request's state was released, whatever became of the request.
            #expect(eventually { server.liveRequests == 0 })
        }
    }

    @Test func absoluteFormTargetIsRouted() throws {
        try withServer(Self.router()) { server in
            let client = try RawClient(port: server.port)
            #expect(try client.request("GET", "http://localhost/hello").text == "hello, world")
        }
    }

    @Test func loopbackPeerIsFlagged() throws {
        try withServer(Self.router()) { server in
            let client = try RawClient(port: server.port)
            #expect(try client.request("GET", "/whoami", headers: ["User-Agent: raw"]).text == "loopback=true ua=raw")
        }
    }

    @Test func matchingETagAnswers304WithEmptyBodyAndKeepsTheConnection() throws {
        try withServer(Self.router()) { server in
            let client = try RawClient(port: server.port)
            let full = try client.request("GET", "/tagged")
            #expect(full.status == 200)
            #expect(full.headers["etag"] == "\"v1\"")
            for condition in ["\"v1\"", "W/\"v1\"", "\"zz\", \"v1\"", "*"] {
                let cached = try client.request("GET", "/tagged", headers: ["If-None-Match: \(condition)"])
                #expect(cached.status == 304, "\(condition)")
                #expect(cached.body.isEmpty)
                #expect(cached.headers["content-length"] == "0")
                #expect(cached.headers["etag"] == "\"v1\"")
                #expect(cached.headers["cache-control"] == "no-cache")
                #expect(cached.headers["content-type"] == nil)
            }
            let head = try client.request("HEAD", "/tagged", headers: ["If-None-Match: \"v1\""])
            #expect(head.status == 304)
            let stale = try client.request("GET", "/tagged", headers: ["If-None-Match: \"v0\""])
            #expect(stale.status == 200)
            #expect(stale.text == "tagged body")
        }
    }

    @Test(.enabled(if: access("/usr/bin/curl", X_OK) == 0))
    func curlReusesTheConnectionAfter304() throws {
        try withServer(Self.router()) { server in
            let url = "http://127.0.0.1:\(server.port)/tagged"
            let output = try run("/usr/bin/curl", ["-sv", "-H", "If-None-Match: \"v1\"", url, url, "-o", "/dev/null", "-o", "/dev/null"])
            #expect(output.occurrences(of: "< HTTP/1.1 304") == 2)
            #expect(output.occurrences(of: "< Content-Length: 0") == 2)
            #expect(output.contains("Re-using existing connection"))
            #expect(output.occurrences(of: "Connected to") == 1)
        }
    }

    @Test func bodyUnderTheLimitIsDelivered() throws {
        try withServer(Self.router()) { server in
            let client = try RawClient(port: server.port)
            let response = try client.request("POST", "/upload", body: Array("0123456789abcdef".utf8))
            #expect(response.status == 200)
            #expect(response.text == "got 16: 0123456789abcdef")
            #expect(try client.request("POST", "/upload", body: Array("again".utf8)).text == "got 5: again")
        }
    }

    @Test func declaredBodyOverTheLimitIs413() throws {
        try withServer(Self.router()) { server in
            let client = try RawClient(port: server.port)
            // Only the head is sent: the answer must not wait for the body.
            try client.send("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.status == 413)
            #expect(response.headers["connection"]?.lowercased() == "close")
            #expect(try client.isClosedByPeer())
        }
    }

    @Test func chunkedBodyOverTheLimitIs413() throws {
        try withServer(Self.router()) { server in
            let client = try RawClient(port: server.port)
            try client.send("POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "a\r\n0123456789\r\na\r\n0123456789\r\n0\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.status == 413)
            #expect(response.headers["connection"]?.lowercased() == "close")
        }
    }

    @Test("a route's own answer to a body past its limit is sent, with status 413, declared or chunked")
    func routesOwnTooLargeAnswer() throws {
        var router = Router()
        router.post("/upload", bodyLimit: 16, tooLarge: Response(status: .ok, contentType: "application/json", text: "{\"error\":\"big\"}")) { _ in
            Response(contentType: "text/plain", text: "ok")
        }
        try withServer(router) { server in
            let declared = try RawClient(port: server.port)
            try declared.send("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n")
            let a = try declared.readResponse()
            #expect(a.status == 413)
            #expect(a.headers["content-type"] == "application/json")
            #expect(a.text == "{\"error\":\"big\"}")
            let chunked = try RawClient(port: server.port)
            try chunked.send("POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "a\r\n0123456789\r\na\r\n0123456789\r\n0\r\n\r\n")
            let b = try chunked.readResponse()
            #expect(b.status == 413)
            #expect(b.text == "{\"error\":\"big\"}")
            #expect(server.statistics.bodiesTooLarge == 2)
            #expect(server.statistics.bodiesCutOff == 0)
        }
    }

    @Test func endlessChunkedBodyIsCutOff() throws {
        try withServer(Self.router()) { server in
            let client = try RawClient(port: server.port)
            try client.send("POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
            let chunk = Array("4000\r\n".utf8) + [UInt8](repeating: 0x41, count: 0x4000) + Array("\r\n".utf8)
            var sent = 0
            // The server gives up after a bounded amount of discarded body and drops the connection.
            while sent < 16 << 20, (try? client.send(chunk)) != nil { sent += chunk.count }
            #expect(sent < 16 << 20)
            #expect(server.liveRequests == 0 || eventually { server.liveRequests == 0 })
            // Counted: a client whose batches are all cut off shows on /metrics.
            #expect(server.statistics.bodiesCutOff == 1)
            #expect(server.statistics.bodiesTooLarge == 0)
        }
    }

    @Test func statisticsCountResponsesByClass() throws {
        try withServer(Self.router()) { server in
            let client = try RawClient(port: server.port)
            _ = try client.request("GET", "/hello")
            _ = try client.request("GET", "/hello")
            _ = try client.request("GET", "/nope")
            _ = try client.request("GET", "/tagged", headers: ["If-None-Match: \"v1\""])
            let statistics = server.statistics
            #expect(statistics.requests == 4)
            #expect(statistics.responses2xx == 2)
            #expect(statistics.responses3xx == 1)
            #expect(statistics.responses4xx == 1)
            #expect(statistics.responses5xx == 0)
            #expect(statistics.activeConnections == 1)
            #expect(statistics.activeStreams == 0)
        }
    }

    @Test func portInUseFailsToStart() throws {
        try withServer(Self.router()) { server in
            let second = HTTPServer(configuration: .init(host: "127.0.0.1", port: server.port), router: Self.router())
            #expect(throws: HTTPServer.StartError.cannotBind(host: "127.0.0.1", port: server.port,
                                                             reason: "Address already in use")) { try second.start() }
        }
    }

    @Test func bindFailureIsLoggedAsError() throws {
        let messages = CapturedLog()
        try withServer(Self.router()) { server in
            let second = HTTPServer(configuration: .init(host: "127.0.0.1", port: server.port), router: Self.router(),
                                    logger: Logger(label: "test") { _ in messages })
            #expect(throws: HTTPServer.StartError.self) { try second.start() }
        }
        // The address and the reason, not libmicrohttpd's "Failed to bind to port 0".
        let port = messages.entries.compactMap { $0.message.contains("127.0.0.1:") ? $0 : nil }.first
        #expect(port?.level == .error && port?.message.contains("Address already in use") == true)
        #expect(!messages.entries.contains { $0.level >= .warning && $0.message.contains("port 0") })
    }

    @Test func restartsOnTheSamePortAfterStop() throws {
        let first = HTTPServer(configuration: .init(host: "127.0.0.1", port: 0), router: Self.router())
        try first.start()
        let port = first.port
        let client = try RawClient(port: port)
        #expect(try client.request("GET", "/hello").status == 200)
        first.stop()
        #expect(try client.isClosedByPeer())
        let second = HTTPServer(configuration: .init(host: "127.0.0.1", port: port), router: Self.router())
        try second.start()
        defer { second.stop() }
        #expect(try RawClient(port: port).request("GET", "/hello").text == "hello, world")
    }

    @Test func ipv6LoopbackServes() throws {
        let server = HTTPServer(configuration: .init(host: "::1", port: 0), router: Self.router())
        guard (try? server.start()) != nil else { return } // no IPv6 on this host
        defer { server.stop() }
        #expect(server.port > 0)
        let output = try run("/usr/bin/curl", ["-s", "http://[::1]:\(server.port)/whoami"])
        #expect(output.hasPrefix("loopback=true ua=curl/"))
    }
}

extension String {
    func occurrences(of text: String) -> Int {
        split(separator: text, omittingEmptySubsequences: false).count - 1
    }
}

/// Runs a program and returns its stdout and stderr together.
func run(_ program: String, _ arguments: [String]) throws -> String {
    var pipeFDs: [Int32] = [0, 0]
    guard pipe(&pipeFDs) == 0 else { throw ClientError(description: "pipe failed") }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_adddup2(&actions, pipeFDs[1], 1)
    posix_spawn_file_actions_adddup2(&actions, pipeFDs[1], 2)
    posix_spawn_file_actions_addclose(&actions, pipeFDs[0])
    let argv = ([program] + arguments).map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var pid: pid_t = 0
    guard posix_spawn(&pid, program, &actions, nil, argv, environ) == 0 else {
        throw ClientError(description: "spawn \(program) failed")
    }
    Glibc.close(pipeFDs[1])
    var output: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 4096)
    while true {
        let count = chunk.withUnsafeMutableBytes { read(pipeFDs[0], $0.baseAddress, $0.count) }
        if count <= 0 { break }
        output += chunk[..<count]
    }
    Glibc.close(pipeFDs[0])
    var status: Int32 = 0
    waitpid(pid, &status, 0)
    return String(decoding: output, as: UTF8.self)
}

/// A log handler that keeps what it is given.
final class CapturedLog: LogHandler, @unchecked Sendable {
    // Guarded by `lock`; LogHandler requires mutable properties, so Mutex cannot hold them all.
    private let lock = Mutex<[(level: Logger.Level, message: String)]>([])
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    var entries: [(level: Logger.Level, message: String)] { lock.withLock { $0 } }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        lock.withLock { $0.append((event.level, event.message.description)) }
    }
}
