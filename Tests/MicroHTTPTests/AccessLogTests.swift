import HTTPTypes
import Logging
import Synchronization
import Testing
@testable import MicroHTTP
#if canImport(Glibc)
import Glibc
#endif

/// Keeps what an access log writes.
final class LineCollector: Sendable {
    struct Line: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: Logger.Metadata
        func string(_ key: String) -> String? { metadata[key].map { "\($0)" } }
    }

    private let lines = Mutex<[Line]>([])
    var all: [Line] { lines.withLock { $0 } }

    func add(_ line: Line) { lines.withLock { $0.append(line) } }

    var logger: Logger {
        Logger(label: "access") { _ in Handler(collector: self) }
    }

    struct Handler: LogHandler {
        let collector: LineCollector
        var logLevel: Logger.Level = .trace
        var metadata: Logger.Metadata = [:]
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            collector.add(Line(level: event.level, message: event.message.description, metadata: event.metadata ?? [:]))
        }
    }
}

@Suite("Access log: one line per request, secrets kept out")
struct AccessLogTests {
    static let log = AccessLog(logger: Logger(label: "unused"), redactedQueryParameters: ["token", "return"])

    @Test("the query's secret values are redacted, by decoded name; the rest is kept as sent")
    func redaction() {
        #expect(Self.log.loggedTarget(Array("/kiosk".utf8)) == ("/kiosk", nil))
        #expect(Self.log.loggedTarget(Array("/kiosk?token=s3cret&rotate=10".utf8)) == ("/kiosk", "token=REDACTED&rotate=10"))
        #expect(Self.log.loggedTarget(Array("/a%20b?x=1&%74oken=s3cret&token=two&flag&=v#frag".utf8))
            == ("/a%20b", "x=1&%74oken=REDACTED&token=REDACTED&flag&=v"))
        #expect(Self.log.loggedTarget(Array("/signin?return=%2F%3Ftoken%3Ds3cret".utf8)) == ("/signin", "return=REDACTED"))
        // A name that does not decode may be anything: its value goes too.
        #expect(Self.log.loggedTarget(Array("/x?%zz=s3cret&a=b".utf8)) == ("/x", "%zz=REDACTED&a=b"))
        // In any case.
        #expect(Self.log.loggedTarget(Array("/kiosk?Token=s3cret&TOKEN=two&%54oken=3".utf8))
            == ("/kiosk", "Token=REDACTED&TOKEN=REDACTED&%54oken=REDACTED"))
    }

    @Test("served requests are logged with method, path, status, bytes, duration, peer; streams when they end")
    func lines() throws {
        let collector = LineCollector()
        let kept = text("kept body").reusable()
        let streams = Mutex<[StreamingBody]>([])
        var router = Router()
        router.get("/hello") { _ in text("hello, world") }
        router.get("/kept") { _ in kept }
        router.get("/events") { _ in
            let body = StreamingBody(maxPendingBytes: 1 << 20)
            body.write("hello\n")
            streams.withLock { $0.append(body) }
            return Response(status: .ok, body: .stream(body))
        }
        var configuration = HTTPServer.Configuration(host: "127.0.0.1", port: 0, threads: 2)
        configuration.accessLog = AccessLog(logger: collector.logger, redactedQueryParameters: ["token"])
        configuration.streamProbeInterval = .milliseconds(50)
        let server = HTTPServer(configuration: configuration, router: router)
        try server.start()
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        #expect(try client.request("GET", "/hello?token=s3cret&page=2").status == 200)
        #expect(try client.request("HEAD", "/hello").status == 200)
        #expect(try client.request("GET", "/kept").status == 200)
        #expect(try client.request("GET", "/kept").status == 200)
        #expect(try client.request("POST", "/hello").status == 405)
        #expect(try client.request("GET", "/missing").status == 404)
        #expect(eventually { collector.all.count == 6 })
        let lines = collector.all
        #expect(lines.allSatisfy { $0.level == .info && $0.string("outcome") == "completed" && $0.string("peer") == "127.0.0.1" })
        #expect(lines.map(\.message) == ["GET /hello 200", "HEAD /hello 200", "GET /kept 200", "GET /kept 200",
                                         "POST /hello 405", "GET /missing 404"])
        #expect(lines[0].string("query") == "token=REDACTED&page=2")
        #expect(lines[0].string("bytes") == "12")
        #expect(lines[1].string("bytes") == "0")
        #expect(lines[3].string("bytes") == "9")
        #expect(lines[5].string("status") == "404")
        #expect(lines[5].string("query") == nil)
        #expect(lines.allSatisfy { Double($0.string("duration_ms") ?? "") != nil })
        #expect(!lines.contains { "\($0.metadata)".contains("s3cret") })

        // A stream is logged once it ends, with every byte it sent.
        let streaming = try RawClient(port: server.port)
        try streaming.send("GET /events HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try streaming.readHead().status == 200)
        #expect(try streaming.readChunk() == Array("hello\n".utf8))
        let stream = try #require(streams.withLock { $0.first })
        #expect(stream.write("more\n"))
        #expect(try streaming.readChunk() == Array("more\n".utf8))
        usleep(50_000)
        #expect(collector.all.count == 6)
        stream.close()
        #expect(try streaming.readChunk() == nil)
        #expect(eventually { collector.all.count == 7 })
        let last = try #require(collector.all.last)
        #expect(last.message == "GET /events 200")
        #expect(last.string("bytes") == "11")
        #expect((Double(last.string("duration_ms") ?? "") ?? 0) >= 50)
        #expect(last.string("outcome") == "completed")

        // A stream whose client leaves is logged as such, not as one the server ended.
        let leaving = try RawClient(port: server.port)
        try leaving.send("GET /events HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try leaving.readHead().status == 200)
        #expect(try leaving.readChunk() == Array("hello\n".utf8))
        leaving.close()
        #expect(eventually { collector.all.count == 8 })
        #expect(collector.all.last?.string("outcome") == "client_gone")
    }
}

