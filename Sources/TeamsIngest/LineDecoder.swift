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
        var i = 0
        let n = bytes.count
        while i < n {
            let lead = bytes[i]
            if lead < 0x80 { i += 1; continue }
            var low: UInt8 = 0x80
            var high: UInt8 = 0xBF
            let continuation: Int
            switch lead {
            case 0xC2...0xDF: continuation = 1
            case 0xE0: continuation = 2; low = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: continuation = 2
            case 0xED: continuation = 2; high = 0x9F
            case 0xF0: continuation = 3; low = 0x90
            case 0xF1...0xF3: continuation = 3
            case 0xF4: continuation = 3; high = 0x8F
            default: return i
            }
            for k in 1...continuation {
                guard i + k < n else { return i }
                let b = bytes[i + k]
                let ok = k == 1 ? (b >= low && b <= high) : (b & 0xC0 == 0x80)
                if !ok { return i }
            }
            i += continuation + 1
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
