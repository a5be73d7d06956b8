import HTTPTypes
import Synchronization
import Testing
@testable import MicroHTTP

@Suite("Request durations: a histogram per group of routes, counted lock-free")
struct RequestDurationsTests {
    static func durations() -> RequestDurations {
        RequestDurations(groups: ["hello", "events", "other"], bounds: [.milliseconds(1), .milliseconds(10)],
                         unrouted: "other") { _, pattern in
            switch pattern {
            case "/hello", "/hello/:name": "hello"
            case "/events": "events"
            case "/unmeasured": nil
            default: "other"
            }
        }
    }

    @Test("a duration counts in the first bucket whose bound it does not pass, with its time")
    func buckets() {
        let durations = Self.durations()
        durations.record(group: 0, .zero)
        durations.record(group: 0, .milliseconds(1))
        durations.record(group: 0, .milliseconds(1) + .nanoseconds(1))
        durations.record(group: 0, .milliseconds(10))
        durations.record(group: 0, .seconds(3))
        durations.record(group: 2, .microseconds(5))
        let series = durations.snapshot()
        #expect(series.map(\.group) == ["hello", "events", "other"])
        #expect(series[0].counts == [2, 2, 1])
        #expect(series[0].nanoseconds == [1_000_000, 11_000_001, 3_000_000_000])
        #expect(series[1].counts == [0, 0, 0] && series[1].nanoseconds == [0, 0, 0])
        #expect(series[2].counts == [1, 0, 0] && series[2].nanoseconds == [5000, 0, 0])
        #expect(durations.boundNanoseconds == [1_000_000, 10_000_000])
    }

    @Test("the server counts each request answered with bytes in its route's group; streams and HEAD of them apart")
    func served() throws {
        let streams = Mutex<[StreamingBody]>([])
        let kept = text("kept").reusable()
        var router = Router()
        router.get("/hello") { _ in text("hello, world") }
        router.get("/hello/:name") { request in text("hello, \(request.parameters["name"] ?? "")") }
        router.get("/kept") { _ in kept }
        router.get("/unmeasured") { _ in text("not timed") }
        router.get("/events") { request in
            if request.queryValue("refuse") != nil { return text("busy", status: .serviceUnavailable) }
            let body = StreamingBody(maxPendingBytes: 1 << 20)
            body.write("hello\n")
            streams.withLock { $0.append(body) }
            return Response(status: .ok, body: .stream(body))
        }
        router.durations = Self.durations()
        let durations = try #require(router.durations)
        func counts() -> [String: Int] {
            Dictionary(uniqueKeysWithValues: durations.snapshot().map { ($0.group, $0.counts.reduce(0, +)) })
        }
        try withServer(router) { server in
            let client = try RawClient(port: server.port)
            #expect(try client.request("GET", "/hello").status == 200)
            #expect(try client.request("GET", "/hello/ada").status == 200)
            #expect(try client.request("HEAD", "/hello").status == 200)
            // A reusable response, sent as it was made, is timed too; an unclassified route is not.
            #expect(try client.request("GET", "/kept").status == 200)
            #expect(try client.request("GET", "/kept").status == 200)
            #expect(try client.request("GET", "/unmeasured").status == 200)
            // No route: an unknown path, a method the path does not answer.
            #expect(try client.request("GET", "/missing").status == 404)
            #expect(try client.request("POST", "/hello").status == 405)
            #expect(try client.request("GET", "/events?refuse=1").status == 503)
            #expect(eventually { counts() == ["hello": 3, "events": 1, "other": 4] }, "\(counts())")

            // A stream is not timed, neither while it is open nor once it has ended; its HEAD, answered at once, is.
            let streaming = try RawClient(port: server.port)
            try streaming.send("GET /events HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try streaming.readHead().status == 200)
            #expect(try streaming.readChunk() == Array("hello\n".utf8))
            try #require(streams.withLock { $0.first }).close()
            #expect(try streaming.readChunk() == nil)
            #expect(try client.request("HEAD", "/events").status == 200)
            #expect(eventually { counts()["events"] == 2 })
            #expect(try client.request("GET", "/hello").status == 200)
            #expect(eventually { counts() == ["hello": 4, "events": 2, "other": 4] }, "\(counts())")
        }
    }
}
