import Testing
import TeamsDomain
@testable import TeamsIngest

@Suite("Byte order marks")
struct ByteOrderMarkTests {
    static let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
    static let first = Array(#"{"type":"worker","at":"2026-11-25T09:00:00Z","worker":"WK01","name":"Ada"}"#.utf8)
    static let second = Array(#"{"type":"worker","at":"2026-11-25T09:00:01Z","worker":"WK02","name":"Bo"}"#.utf8)

    @Test("a BOM at the start of a body costs neither an NDJSON line nor a JSON array")
    func body() {
        let collector = EventCollector()
        let pipeline = IngestPipeline(logger: quietLogger, sink: collector.sink)
        let ndjson = pipeline.ingest(body: Self.bom + Self.first + [0x0A] + Self.second, source: "post")
        #expect(ndjson.accepted == 2 && ndjson.rejected == 0)
        let array = pipeline.ingest(body: Self.bom + Array("[".utf8) + Self.first + Array(",".utf8) + Self.second
                                    + Array("]".utf8), source: "post")
        #expect(array.accepted == 2 && array.rejected == 0)
        #expect(collector.events.count == 4)
    }

    @Test("a BOM at the start of a file, fed in pieces that split it, costs no line")
    func fileInPieces() {
        let collector = EventCollector()
        let pipeline = IngestPipeline(logger: quietLogger, sink: collector.sink)
        var session = pipeline.makeSession(source: "file")
        let bytes = Self.bom + Self.first + [0x0A] + Self.bom + Self.second + [0x0A]
        for i in stride(from: 0, to: bytes.count, by: 2) {
            bytes[i..<min(i + 2, bytes.count)].withUnsafeBufferPointer { session.feed($0) }
        }
        session.finish()
        #expect(session.result.accepted == 2 && session.result.rejected == 0)
        #expect(collector.events.map(\.at) == [RFC3339.parse("2026-11-25T09:00:00Z")!, RFC3339.parse("2026-11-25T09:00:01Z")!])
    }

    @Test("a line that is only a BOM is blank")
    func onlyMark() {
        let pipeline = IngestPipeline(logger: quietLogger, sink: EventCollector().sink)
        let result = pipeline.ingest(body: Self.bom + [0x0A] + Self.first, source: "post")
        #expect(result.accepted == 1 && result.rejected == 0)
    }
}
