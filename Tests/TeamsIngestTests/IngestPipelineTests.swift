import Foundation
import Testing
import TeamsDomain
@testable import TeamsIngest

@Suite("Ingest pipeline")
struct IngestPipelineTests {
    let heartbeat = #"{"type":"heartbeat","at":"2026-11-25T09:00:05Z"}"#

    /// The seed file of bad lines: each line's expected fate, in order.
    static let seedExpectations: [(line: Int, category: IngestReject.Category?, reason: String?)] = [
        (1, nil, nil),
        (2, .json, "not JSON: unexpected byte 0x68 at 1"),
        (3, .json, "not JSON: unexpected end of input at 69"),
        (4, .schema, #"field "worker" must be a string (found a number)"#),
        (5, .unknownType, #"unknown type "call.explode""#),
        (6, .schema, #"missing field "worker""#),
        (7, .schema, #"missing field "at""#),
        (8, .schema, #"missing field "type""#),
        (9, .schema, #"field "at" is not an RFC 3339 timestamp: "yesterday""#),
        (10, .schema, #"field "at" is not an RFC 3339 timestamp: "2026-13-45T09:00:00Z""#),
        (11, .schema, #"field "at" must be an RFC 3339 timestamp string (found a number)"#),
        (12, .encoding, "not UTF-8: invalid byte 0xFF at 0"),
        (13, .tooLong, "line longer than 65536 bytes (102471 bytes)"),
        (14, .schema, "not a JSON object (found an array)"),
        (15, .schema, "not a JSON object (found a number)"),
        (16, .schema, "not a JSON object (found null)"),
        (17, .schema, "not a JSON object (found a string)"),
        (18, .json, "not JSON: unexpected byte 0x00 at 20"),
        (19, .schema, #"field "skills" must be an array of strings (found a string)"#),
        (20, .schema, #"field "skills" must be an array of strings (found a number in it)"#),
        (21, .schema, #"field "capacity" must be an object of channel: integer 0...100 (channel "voice" is "two")"#),
        (22, .schema, #"field "capacity" must be an object of channel: integer 0...100 (channel "voice" is -1)"#),
        (23, .schema, #"field "via" must be one of queue, transfer, outbound, direct (found "teleport")"#),
        (24, .schema, #"field "direction" must be one of inbound, outbound (found "sideways")"#),
        (25, .schema, #"field "available" must be true or false (found a string)"#),
        (26, .json, "not JSON: unexpected byte 0x78 at 49 after the value"),
        (27, .encoding, "not UTF-8: invalid byte 0xC3 at 59"),
        (28, .schema, #"duplicate field "type""#),
        (29, .schema, #"field "worker" is longer than 256 bytes"#),
        (30, .schema, #"field "worker" must not be empty"#),
        (31, .schema, #"missing field "channel""#),
        (32, .json, "not JSON: nesting deeper than 32 at 86"),
        (33, .json, "not JSON: unescaped control character 0x09 in string at 78"),
        (34, .json, "not JSON: invalid escape \\q at 79"),
        (35, .json, "not JSON: unpaired surrogate \\uD800 at 80"),
        (36, .json, "not JSON: unexpected byte 0x7D at 86"),
        (37, nil, nil),
        (38, nil, "blank"),
        (39, nil, "blank"),
        (40, nil, nil),
    ]

    @Test("seeds/bad-lines.ndjson: every bad line rejected with its reason, the good ones still applied")
    func seedFile() throws {
        let data = try Data(contentsOf: repositoryRoot.appendingPathComponent("seeds/bad-lines.ndjson"))
        let collector = EventCollector()
        let pipeline = IngestPipeline(statistics: IngestStatistics(recentRejectLimit: 100), logger: quietLogger, sink: collector.sink)
        let result = pipeline.ingest(body: [UInt8](data), source: "bad-lines.ndjson")

        let expectedErrors = Self.seedExpectations.compactMap { e in
            e.category.map { IngestResult.LineError(line: e.line, reason: e.reason!, category: $0) }
        }
        #expect(result.errors.count == expectedErrors.count)
        for (got, want) in zip(result.errors, expectedErrors) {
            #expect(got == want)
        }
        #expect(result.accepted == 3)
        #expect(result.skipped == 2)
        #expect(result.rejected == 35)
        #expect(collector.events.map(\.at) == [ts("2026-11-25T09:00:00Z"), ts("2026-11-25T09:00:05Z"), ts("2026-11-25T09:10:00Z")])
        #expect(collector.events.last?.kind == .heartbeat)

        let snap = pipeline.statistics.snapshot()
        #expect(snap.linesRead == 40)
        #expect(snap.linesRejected == 35)
        #expect(snap.linesSkippedEmpty == 2)
        #expect(snap.eventsApplied == 3)
        #expect(snap.rejectedByCategory[.tooLong] == 1)
        #expect(snap.rejectedByCategory[.encoding] == 2)
        #expect(snap.rejectedByCategory[.unknownType] == 1)
        #expect(snap.lastLineReceivedAt != nil)
        // Previews are bounded and valid text, even for the 100 KB line and the binary one.
        for reject in snap.recentRejects {
            #expect(reject.preview.utf8.count <= 204)
            #expect(!reject.preview.unicodeScalars.contains { $0.value < 0x09 })
        }
    }

    @Test("the seed file gives the same answers when read in small chunks")
    func seedFileChunked() throws {
        let data = [UInt8](try Data(contentsOf: repositoryRoot.appendingPathComponent("seeds/bad-lines.ndjson")))
        let collector = EventCollector()
        let pipeline = IngestPipeline(logger: quietLogger, sink: collector.sink)
        var session = pipeline.makeSession(source: "chunks")
        session.collectErrors(limit: 100)
        var offset = 0
        while offset < data.count {
            let end = min(offset + 7, data.count)
            data[offset..<end].withUnsafeBufferPointer { session.feed($0) }
            offset = end
        }
        session.finish()
        #expect(session.result.errors.map(\.line) == Self.seedExpectations.filter { $0.category != nil }.map(\.line))
        #expect(collector.events.count == 3)
    }

    @Test("batches end at batchSize and at the end of each chunk")
    func batching() {
        let collector = EventCollector()
        let pipeline = IngestPipeline(batchSize: 4, logger: quietLogger, sink: collector.sink)
        var session = pipeline.makeSession(source: "t")
        let ten = Array(String(repeating: heartbeat + "\n", count: 10).utf8)
        ten.withUnsafeBufferPointer { session.feed($0) }
        #expect(collector.batches.map(\.count) == [4, 4, 2])
        Array((heartbeat + "\n" + heartbeat).utf8).withUnsafeBufferPointer { session.feed($0) }
        #expect(collector.batches.map(\.count) == [4, 4, 2, 1])
        session.finish()
        #expect(collector.batches.map(\.count) == [4, 4, 2, 1, 1])
        #expect(session.lineNumber == 12)
        #expect(pipeline.statistics.snapshot().eventsApplied == 12)
    }

    @Test("a POST body may be a JSON array of events")
    func arrayBody() {
        let collector = EventCollector()
        let pipeline = IngestPipeline(logger: quietLogger, sink: collector.sink)
        let body = " [\(heartbeat), {\"type\":\"nope\",\"at\":\"2026-11-25T09:00:05Z\"}, 3, \"s\",\n\(heartbeat)] "
        let result = pipeline.ingest(body: Array(body.utf8), source: "POST /ingest")
        #expect(result.accepted == 2)
        #expect(result.rejected == 3)
        #expect(result.errors.map(\.line) == [2, 3, 4])
        #expect(result.errors.map(\.reason) == [#"unknown type "nope""#, "not a JSON object (found a number)",
                                                "not a JSON object (found a string)"])
        #expect(collector.events.count == 2)
    }

    @Test("a malformed array body is judged line by line")
    func brokenArrayBody() {
        let collector = EventCollector()
        let pipeline = IngestPipeline(logger: quietLogger, sink: collector.sink)
        let result = pipeline.ingest(body: Array("[\(heartbeat),\n\(heartbeat)\n".utf8), source: "POST")
        #expect(result.rejected == 1)
        #expect(result.accepted == 1)
    }

    @Test("the error list is bounded but the count is not")
    func boundedErrors() {
        let pipeline = IngestPipeline(logger: quietLogger, sink: { _ in })
        let body = Array(String(repeating: "garbage\n", count: 500).utf8)
        let result = pipeline.ingest(body: body, source: "POST", maxErrors: 10)
        #expect(result.rejected == 500)
        #expect(result.errors.count == 10)
    }

    @Test("rejection logging is rate-limited per source and says how many were held back")
    func rateLimitedLogging() {
        let capture = LogCapture()
        let pipeline = IngestPipeline(logger: capture.logger, sink: { _ in })
        _ = pipeline.ingest(body: Array(String(repeating: "garbage\n", count: 50).utf8), source: "a")
        _ = pipeline.ingest(body: Array("garbage\n".utf8), source: "b")
        let messages = capture.messages
        #expect(messages.count == 3)
        #expect(messages[0] == "rejected line 1 of a: not JSON: unexpected byte 0x67 at 0")
        #expect(messages[1] == "49 more rejected lines of a not logged")
        #expect(messages[2] == "rejected line 1 of b: not JSON: unexpected byte 0x67 at 0")
    }

    @Test("the limiter logs again after its interval, with the suppressed count")
    func limiterInterval() async throws {
        let capture = LogCapture()
        let limiter = RejectLogLimiter(logger: capture.logger, interval: .milliseconds(50))
        let r = IngestReject(.json, "x")
        limiter.log(r, source: "s", lineNumber: 1, preview: "")
        limiter.log(r, source: "s", lineNumber: 2, preview: "")
        limiter.log(r, source: "s", lineNumber: 3, preview: "")
        try await Task.sleep(for: .milliseconds(80))
        limiter.log(r, source: "s", lineNumber: 4, preview: "")
        #expect(capture.messages == ["rejected line 1 of s: x", "rejected line 4 of s: x (2 more rejected lines not logged)"])
    }

    @Test("a custom decoder may yield several events per line")
    func customDecoder() {
        struct Twice: LineDecoder {
            var inner = NativeDecoder()
            mutating func decode(line: UnsafeBufferPointer<UInt8>, into events: inout [Event]) -> IngestReject? {
                if let r = inner.decode(line: line, into: &events) { return r }
                events.append(events.last!)
                return nil
            }
        }
        let collector = EventCollector()
        let pipeline = IngestPipeline(logger: quietLogger, decoder: { Twice() }, sink: collector.sink)
        let result = pipeline.ingest(body: Array((heartbeat + "\n").utf8), source: "t")
        #expect(result.events == 2)
        #expect(result.accepted == 1)
        #expect(pipeline.statistics.snapshot().eventsApplied == 2)
    }

    @Test("an event refused at a registry cap rejects its line, with the cap named, in the body's answer and the counters")
    func refusedAtCap() throws {
        let store = RegistryStore(Registry(limits: .init(maxWorkers: 2, maxCallsPerWorker: 1)))
        let statistics = IngestStatistics()
        // Batches of two: refusals are told apart from the lines of other batches.
        let pipeline = IngestPipeline(statistics: statistics, batchSize: 2, logger: quietLogger, store: store)
        let posts = SharedIngestSession(pipeline: pipeline, source: "POST /ingest")
        func line(_ type: String, _ worker: String, _ extra: String = "") -> String {
            #"{"type":"\#(type)","at":"2026-11-25T09:00:00Z","worker":"\#(worker)"\#(extra)}"#
        }
        let body = [line("worker", "W1"), line("worker", "W2"), "not json", line("worker", "W3"),
                    line("call.start", "W1", #","call":"C1""#), line("call.start", "W1", #","call":"C2""#),
                    line("activity", "W4", #","activity":"Available""#)].joined(separator: "\n")
        let result = posts.ingest(body: Array(body.utf8))
        #expect(result.accepted == 3 && result.rejected == 4, "\(result)")
        #expect(result.errors.map(\.index) == [2, 3, 5, 6])
        #expect(result.errors[1].reason.contains("--max-workers") && result.errors[1].reason.contains(#"worker "W3""#))
        #expect(result.errors[2].reason.contains("--max-calls-per-worker"))
        let s = statistics.snapshot()
        #expect(s.rejectedByCategory[.registryCap] == 3)
        #expect(s.linesRejected == 4)
        #expect(store.counters.refusedTooManyWorkers == 2 && store.counters.refusedTooManyCalls == 1)
        #expect(store.snapshot().workers.count == 2)
        // The next body starts afresh: nothing of the last one is counted again.
        let next = posts.ingest(body: Array(line("activity", "W1", #","activity":"Break""#).utf8))
        #expect(next.accepted == 1 && next.rejected == 0 && next.errors.isEmpty)
    }

    @Test("a rejected line of a POST is named by its request and its line in that request's body, not a count across posts")
    func rejectsNamedByRequest() throws {
        let statistics = IngestStatistics()
        let pipeline = IngestPipeline(statistics: statistics, logger: quietLogger, store: RegistryStore())
        let posts = SharedIngestSession(pipeline: pipeline, source: "POST /ingest")
        let good = #"{"type":"worker","at":"2026-11-25T09:00:00Z","worker":"W1"}"#
        _ = posts.ingest(body: Array([good, good, "not json"].joined(separator: "\n").utf8))
        _ = posts.ingest(body: Array([good, "not json either"].joined(separator: "\n").utf8))
        let recent = statistics.snapshot().recentRejects
        #expect(recent.map(\.source) == ["POST /ingest request 1", "POST /ingest request 2"], "\(recent)")
        #expect(recent.map(\.lineNumber) == [3, 2])
    }

    @Test("an event older than the age limit is rejected as too_old, counted, and never reaches the sink")
    func tooOld() {
        let collector = EventCollector()
        let pipeline = IngestPipeline(logger: quietLogger, decoder: { NativeDecoder(limits: NativeLimits(maxEventAge: 7 * 86_400)) },
                                      sink: collector.sink)
        let recent = RFC3339.format(Timestamp.now().adding(seconds: -60))
        let body = [
            #"{"type":"call.start","at":"2001-02-03T09:00:00Z","worker":"W1","call":"OLD","queue":"Sales"}"#,
            #"{"type":"call.hold","at":"2001-02-03T09:01:00Z","worker":"W1","call":"OLD"}"#,
            #"{"type":"call.start","at":"\#(recent)","worker":"W1","call":"NEW","queue":"Sales"}"#,
        ].joined(separator: "\n") + "\n"
        let result = pipeline.ingest(body: Array(body.utf8), source: "test")
        #expect(result.accepted == 1 && result.rejected == 2)
        #expect(result.errors.map(\.category) == [.tooOld, .tooOld])
        #expect(collector.events.count == 1)
        let snap = pipeline.statistics.snapshot()
        #expect(snap.rejectedByCategory[.tooOld] == 2)
        #expect(snap.rejectedByCategory[.clockSkew] == 0)
        #expect(snap.recentRejects.first?.category == .tooOld)
    }
}
