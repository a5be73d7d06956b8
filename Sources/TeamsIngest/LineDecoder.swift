import TeamsDomain

/// Turns one input line into events. Implementations keep reusable scratch state, so each reading thread
/// owns its own decoder (hence not `Sendable`-shared; make a fresh one per thread via the pipeline's factory).
public protocol LineDecoder {
    /// Decodes `line` (no trailing newline; never blank: blank lines are skipped before decoding) and appends
    /// what it says to `events`. A line may yield several events (Twilio formats) or none (a recognised event
    /// that maps to nothing). Returns the rejection when the line is unusable, in which case `events` is untouched.
    mutating func decode(line: UnsafeBufferPointer<UInt8>, into events: inout [Event]) -> IngestReject?
}

enum LineBytes {
    /// True when the line holds only JSON whitespace (such lines are skipped, not rejected).
    @inline(__always)
    static func isBlank(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        for b in line where !(b == 0x20 || b == 0x09 || b == 0x0D || b == 0x0A) { return false }
        return true
    }

    /// Offset of the first byte that breaks UTF-8, or `nil` when the bytes are valid UTF-8.
    static func firstInvalidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        guard let base = bytes.baseAddress else { return nil }
        var i = 0
        let n = bytes.count
        while i < n {
            if base[i] < 0x80 { i += 1; continue }
            guard case .valid(let length) = UTF8Sequence.check(base, count: n, at: i) else { return i }
            i += length
        }
        return nil
    }

    /// A printable preview of possibly hostile bytes: at most `limit` bytes, cut on a character boundary,
    /// invalid UTF-8 and control characters replaced by U+FFFD, an ellipsis when cut.
    static func preview(_ bytes: UnsafeBufferPointer<UInt8>, limit: Int = 200) -> String {
        var scalars = String.UnicodeScalarView()
        var used = 0
        var truncated = false
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        loop: while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let s):
                let control = s.value < 0x20 && s.value != 0x09 || s.value == 0x7F
                let shown: Unicode.Scalar = control ? "\u{FFFD}" : s
                let size = UTF8.width(shown)
                if used + size > limit { truncated = true; break loop }
                used += size
                scalars.append(shown)
            case .error:
                if used + 3 > limit { truncated = true; break loop }
                used += 3
                scalars.append("\u{FFFD}")
            case .emptyInput:
                break loop
            }
        }
        var text = String(scalars)
        if truncated { text += "…" }
        return text
    }
}
