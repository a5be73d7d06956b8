#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Splits a byte stream, fed in arbitrary chunks, into `\n`-terminated lines of bounded length.
///
/// Lines wholly inside a chunk are handed out without copying; only a line split across chunks is
/// gathered in a carry buffer, which never grows past the limit: once a line is too long the rest of it
/// is skipped up to its newline and reported once as ``Line/tooLong(preview:length:)``.
/// A trailing `\r` (CRLF input) is not part of the line. A partial last line waits for the next chunk
/// until ``finish(_:)`` says the input has ended.
public struct LineReader: Codable {
    /// One line, valid only during the callback.
    public enum Line {
        /// The line's bytes, without `\n` or a trailing `\r`.
        case line(UnsafeBufferPointer<UInt8>)
        /// A line over the limit: its first bytes (up to ``previewLength``) and its full length.
        case tooLong(preview: UnsafeBufferPointer<UInt8>, length: Int)
    }

    /// How much of an over-long line is kept for the rejection report.
    public static let previewLength = 256

    /// The longest line accepted, in bytes, excluding the line terminator.
    public let maxLineLength: Int
    private var carry: [UInt8] = []
    /// Set while skipping the rest of an over-long line.
    private var skipping = false
    private var skippedLength = 0
    private var skippedPreview: [UInt8] = []
    /// The last byte skipped so far: a `\r` there is the CR of a CRLF, not part of the line.
    private var skippedLast: UInt8 = 0

    public init(maxLineLength: Int = 65_536) {
        precondition(maxLineLength > 0, "maxLineLength must be positive")
        self.maxLineLength = maxLineLength
    }

    /// Bytes of an unfinished line waiting for more input (0 when skipping an over-long one).
    public var pendingByteCount: Int { carry.count }

    /// Whether the reader is in the middle of a line (gathered or being skipped).
    public var hasPartialLine: Bool { !carry.isEmpty || skipping }

    /// Feeds the next chunk and calls `body` for every line it completes, in order.
    public mutating func feed(_ chunk: UnsafeBufferPointer<UInt8>, _ body: (Line) -> Void) {
        guard let base = chunk.baseAddress else { return }
        let n = chunk.count
        var start = 0
        while start < n {
            let found = memchr(base + start, 0x0A, n - start)
            guard let found else {
                keepPartial(UnsafeBufferPointer(start: base + start, count: n - start))
                return
            }
            let end = UnsafeRawPointer(found).assumingMemoryBound(to: UInt8.self) - base
            let piece = UnsafeBufferPointer(start: base + start, count: end - start)
            start = end + 1
            if skipping {
                skip(piece)
                emitSkipped(body)
            } else if carry.isEmpty {
                emit(piece, body)
            } else if carry.count + piece.count > maxLineLength + 1 {
                startSkipping(piece)
                emitSkipped(body)
            } else {
                carry.append(contentsOf: piece)
                carry.withUnsafeBufferPointer { emit($0, body) }
                carry.removeAll(keepingCapacity: carry.capacity <= 4 * 1024)
            }
        }
    }

    /// Ends the input: a final line without a newline is handed out as a line.
    public mutating func finish(_ body: (Line) -> Void) {
        if skipping {
            emitSkipped(body)
        } else if !carry.isEmpty {
            carry.withUnsafeBufferPointer { emit($0, body) }
            carry.removeAll()
        }
    }

    /// Forgets any partial line (the file it came from was truncated or replaced).
    public mutating func reset() {
        carry.removeAll()
        skipping = false
        skippedLength = 0
        skippedPreview.removeAll()
    }

    private mutating func keepPartial(_ piece: UnsafeBufferPointer<UInt8>) {
        if skipping {
            skip(piece)
        } else if carry.count + piece.count > maxLineLength + 1 {
            // +1: the byte may be the `\r` of a CRLF, which does not count towards the limit.
            startSkipping(piece)
        } else {
            carry.append(contentsOf: piece)
        }
    }

    private mutating func startSkipping(_ piece: UnsafeBufferPointer<UInt8>) {
        skipping = true
        skippedLength = carry.count + piece.count
        skippedPreview.removeAll(keepingCapacity: true)
        skippedPreview.append(contentsOf: carry.prefix(Self.previewLength))
        skippedPreview.append(contentsOf: piece.prefix(Self.previewLength - skippedPreview.count))
        skippedLast = piece.last ?? carry.last ?? 0
        carry = []
    }

    private mutating func skip(_ piece: UnsafeBufferPointer<UInt8>) {
        skippedLength += piece.count
        if let last = piece.last { skippedLast = last }
        if skippedPreview.count < Self.previewLength {
            skippedPreview.append(contentsOf: piece.prefix(Self.previewLength - skippedPreview.count))
        }
    }

    /// Reports the skipped line as it would be reported whole: without the `\r` of a CRLF, in its length
    /// and in its preview, however the line was split across chunks.
    private mutating func emitSkipped(_ body: (Line) -> Void) {
        var length = skippedLength
        if skippedLast == 0x0D { length -= 1 }
        if skippedPreview.count > length { skippedPreview.removeLast(skippedPreview.count - length) }
        skippedPreview.withUnsafeBufferPointer { body(.tooLong(preview: $0, length: length)) }
        skipping = false
        skippedLength = 0
        skippedPreview.removeAll(keepingCapacity: true)
    }

    private func emit(_ line: UnsafeBufferPointer<UInt8>, _ body: (Line) -> Void) {
        var line = line
        if let last = line.last, last == 0x0D { line = UnsafeBufferPointer(rebasing: line.dropLast()) }
        if line.count > maxLineLength {
            body(.tooLong(preview: UnsafeBufferPointer(rebasing: line.prefix(Self.previewLength)), length: line.count))
        } else {
            body(.line(line))
        }
    }
}
