// The line reader every source and body goes through. Input: two bytes choose the line limit (1...600),
// one byte seeds the chunk sizes, the rest is the stream. Beyond "does not crash": however the stream is cut
// into chunks, the reader hands out exactly the lines a plain split gives (trailing `\r` dropped, over-long
// lines as their first 256 bytes and their length), and never holds more than the limit between chunks.
import FuzzCheck
import TeamsIngest

enum Out: Equatable {
    case line([UInt8])
    case tooLong(preview: [UInt8], length: Int)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLineReader(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = fuzzInput(data, size)
    guard input.count >= 3 else { return 0 }
    let limit = 1 + (Int(input[0]) | Int(input[1]) << 8) % 600
    var seed = UInt64(input[2]) &+ 1
    let stream = UnsafeBufferPointer(rebasing: input[3...])

    var reader = LineReader(maxLineLength: limit)
    var got: [Out] = []
    func collect(_ line: LineReader.Line) {
        switch line {
        case .line(let b): got.append(.line(Array(b)))
        case .tooLong(let preview, let length): got.append(.tooLong(preview: Array(preview), length: length))
        }
    }
    var at = 0
    while at < stream.count {
        // xorshift: chunk sizes from 1 byte to a few times the limit.
        seed ^= seed << 13; seed ^= seed >> 7; seed ^= seed << 17
        let n = min(stream.count - at, 1 + Int(seed % UInt64(3 * limit + 8)))
        reader.feed(UnsafeBufferPointer(rebasing: stream[at..<(at + n)]), collect)
        invariant(reader.pendingByteCount <= limit + 1, "holds \(reader.pendingByteCount) bytes with a limit of \(limit)")
        at += n
    }
    reader.finish(collect)
    invariant(!reader.hasPartialLine, "partial line left after finish")

    var want: [Out] = []
    var pieces = stream.split(separator: 0x0A, omittingEmptySubsequences: false)
    if pieces.last?.isEmpty == true { pieces.removeLast() }
    for piece in pieces {
        var line = Array(piece)
        if line.last == 0x0D { line.removeLast() }
        want.append(line.count > limit ? .tooLong(preview: Array(line.prefix(LineReader.previewLength)), length: line.count) : .line(line))
    }
    invariant(got.count == want.count, "\(got.count) lines, a plain split gives \(want.count) (limit \(limit))")
    for (i, (g, w)) in zip(got, want).enumerated() {
        invariant(g == w, "line \(i) differs (limit \(limit)): got \(describe(g)), want \(describe(w))")
    }
    return 0
}

func describe(_ o: Out) -> String {
    switch o {
    case .line(let b): return "line of \(b.count) bytes"
    case .tooLong(let p, let n): return "too long: \(n) bytes, preview of \(p.count)"
    }
}
