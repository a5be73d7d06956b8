import Testing
import Foundation
@testable import TeamsIngest

/// What a reader emitted, in a comparable form.
enum ReadLine: Equatable, CustomStringConvertible {
    case line(String)
    case tooLong(preview: String, length: Int)

    var description: String {
        switch self {
        case .line(let s): return "line(\(s.debugDescription))"
        case .tooLong(let p, let n): return "tooLong(\(p.prefix(10).debugDescription)…, \(n))"
        }
    }
}

/// Feeds `chunks` then finishes (when `finish`), collecting lines.
func readLines(_ chunks: [String], max: Int = 65_536, finish: Bool = true) -> [ReadLine] {
    readLines(chunks.map { Array($0.utf8) }, max: max, finish: finish)
}

func readLines(_ chunks: [[UInt8]], max: Int = 65_536, finish: Bool = true) -> [ReadLine] {
    var reader = LineReader(maxLineLength: max)
    var out: [ReadLine] = []
    let collect: (LineReader.Line) -> Void = { line in
        switch line {
        case .line(let b): out.append(.line(String(decoding: b, as: UTF8.self)))
        case .tooLong(let p, let n): out.append(.tooLong(preview: String(decoding: p, as: UTF8.self), length: n))
        }
    }
    for chunk in chunks { chunk.withUnsafeBufferPointer { reader.feed($0, collect) } }
    if finish { reader.finish(collect) }
    return out
}

@Suite("Line reader")
struct LineReaderTests {
    @Test("splits lines inside one chunk")
    func simple() {
        #expect(readLines(["a\nbb\n\nccc\n"]) == [.line("a"), .line("bb"), .line(""), .line("ccc")])
    }

    @Test("joins lines split across chunks, byte by byte too")
    func splitAcrossChunks() {
        #expect(readLines(["ab", "c\nde", "f\n"]) == [.line("abc"), .line("def")])
        let text = "{\"a\":1}\n{\"b\":2}\r\nlast"
        let bytes = text.utf8.map { [$0] }
        #expect(readLines(bytes) == [.line("{\"a\":1}"), .line("{\"b\":2}"), .line("last")])
    }

    @Test("CRLF: the \\r is not part of the line, even when split from its \\n")
    func crlf() {
        #expect(readLines(["a\r\nb\r", "\nc\r\n"]) == [.line("a"), .line("b"), .line("c")])
        // A lone \r inside a line is content.
        #expect(readLines(["a\rb\n"]) == [.line("a\rb")])
    }

    @Test("a partial last line waits until finish")
    func partialTail() {
        #expect(readLines(["a\nbc"], finish: false) == [.line("a")])
        #expect(readLines(["a\nbc"], finish: true) == [.line("a"), .line("bc")])
        var reader = LineReader()
        "tail".utf8.withContiguousStorageIfAvailable { reader.feed($0) { _ in Issue.record("no line yet") } }
        #expect(reader.pendingByteCount == 4)
        #expect(reader.hasPartialLine)
    }

    @Test("an over-long line inside one chunk is reported once and the stream goes on")
    func overlongInChunk() {
        let long = String(repeating: "x", count: 11)
        #expect(readLines(["ok\n\(long)\nnext\n"], max: 10)
            == [.line("ok"), .tooLong(preview: long, length: 11), .line("next")])
    }

    @Test("exactly the limit is fine, CRLF does not count")
    func atLimit() {
        let ten = String(repeating: "y", count: 10)
        #expect(readLines(["\(ten)\n\(ten)\r\n"], max: 10) == [.line(ten), .line(ten)])
        #expect(readLines([ten, "\r", "\n"], max: 10) == [.line(ten)])
    }

    @Test("an over-long line across many chunks is skipped to its newline")
    func overlongAcrossChunks() {
        let chunks = ["start\nabcdef", "ghijkl", "mnopqr", "stu\nafter\n"]
        let lines = readLines(chunks, max: 8)
        #expect(lines == [.line("start"), .tooLong(preview: "abcdefghijklmnopqrstu", length: 21), .line("after")])
    }

    @Test("the preview of a huge line is bounded")
    func hugePreview() {
        let huge = String(repeating: "z", count: 100_000)
        let lines = readLines([huge + "\nok\n"], max: 1000)
        guard case .tooLong(let preview, let length) = lines.first else { Issue.record("expected tooLong"); return }
        #expect(preview.utf8.count == LineReader.previewLength)
        #expect(length == 100_000)
        #expect(lines.last == .line("ok"))
        // Chunked the same.
        let chunked = stride(from: 0, to: huge.utf8.count, by: 4096).map { i in
            Array(huge.utf8)[i..<min(i + 4096, huge.utf8.count)].map { $0 }
        } + [Array("\nok\n".utf8)]
        #expect(readLines(chunked, max: 1000).count == 2)
    }

    @Test("an over-long unterminated tail is reported at finish")
    func overlongTail() {
        #expect(readLines(["aaaaaaaaaaaa"], max: 5) == [.tooLong(preview: "aaaaaaaaaaaa", length: 12)])
        #expect(readLines(["aaaa", "aaaaaaaa"], max: 5) == [.tooLong(preview: "aaaaaaaaaaaa", length: 12)])
    }

    @Test("reset forgets a partial line")
    func reset() {
        var reader = LineReader()
        var out: [String] = []
        let collect: (LineReader.Line) -> Void = { if case .line(let b) = $0 { out.append(String(decoding: b, as: UTF8.self)) } }
        Array("partial".utf8).withUnsafeBufferPointer { reader.feed($0, collect) }
        reader.reset()
        Array("fresh\n".utf8).withUnsafeBufferPointer { reader.feed($0, collect) }
        #expect(out == ["fresh"])
    }

    @Test("an over-long CRLF line split across chunks is reported as when read whole (fuzz-line-reader input)")
    func overlongCRLFAnySplit() throws {
        // Fuzz input: two bytes of line limit - 1, one byte of chunking seed, then the stream.
        let url = TwilioTest.repoRoot().appendingPathComponent("Tests/Fixtures/fuzz/line-reader-crlf-over-long.bin")
        let input = try [UInt8](Data(contentsOf: url))
        let limit = 1 + (Int(input[0]) | Int(input[1]) << 8)
        let stream = Array(input[3...])
        let whole = readLines([stream], max: limit)
        #expect(whole.contains(.tooLong(preview: "this line is too long", length: 21)))
        for cut in 1..<stream.count {
            let split = readLines([Array(stream[..<cut]), Array(stream[cut...])], max: limit)
            #expect(split == whole, "split at byte \(cut)")
        }
        let bytes = readLines(stream.map { [$0] }, max: limit)
        #expect(bytes == whole, "byte by byte")
    }
}
