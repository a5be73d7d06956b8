import TeamsDomain

/// Turns input into events: lines always, webhook form bodies when the format has them. Implementations
/// keep reusable scratch state, so each reading thread owns its own decoder (hence not `Sendable`-shared;
/// make a fresh one per thread via the pipeline's factory).
///
/// A decoder may hold events back for a while (to put an unordered feed in order) and let them go as
/// time passes: sources call ``tick(now:into:)`` when input is quiet and ``flush(into:)`` when it ends.
/// The ingest session talks to decoders only through this protocol.
public protocol LineDecoder {
    /// Decodes `line` (no trailing newline; never blank: blank lines are skipped before decoding) and appends
    /// what it says to `events`. A line may yield several events (Twilio formats) or none (a recognised event
    /// that maps to nothing). Returns the rejection when the line is unusable, in which case `events` is untouched.
    mutating func decode(line: UnsafeBufferPointer<UInt8>, into events: inout [Event]) -> IngestReject?

    /// Whether ``decode(formBody:into:)`` understands `application/x-www-form-urlencoded` webhook bodies.
    var decodesForms: Bool { get }

    /// Decodes one form-encoded webhook body; like ``decode(line:into:)`` otherwise. Only called when
    /// ``decodesForms`` is true.
    mutating func decode(formBody: [UInt8], into events: inout [Event]) -> IngestReject?

    /// Appends the held events that are due at `now` (the server's clock). Nothing by default.
    mutating func tick(now: Timestamp, into events: inout [Event])

    /// Appends every held event (end of input). Nothing by default.
    mutating func flush(into events: inout [Event])

    /// Events held back, waiting for ``tick(now:into:)`` or ``flush(into:)``. 0 by default.
    var heldEvents: Int { get }

    /// Counts of recognised input that produced no event (ignored types, duplicates, late records),
    /// cumulative since the decoder was made. Empty by default.
    var formatStatistics: TwilioStatistics { get }

    /// What the decoder remembers between lines (correlation, held events), for a saved floor; `nil`
    /// when it remembers nothing (the default).
    var memory: DecoderMemory? { get }

    /// Takes back a memory ``memory`` gave (a restart). Nothing by default.
    mutating func restore(_ memory: DecoderMemory)

    /// The clock event times are judged against (``NativeLimits/arrival``): set while the write-ahead log is
    /// replayed, `nil` (now) otherwise. Ignored by default.
    var arrival: Timestamp? { get set }
}

/// A decoder's memory as a saved floor keeps it (see ``LineDecoder/memory``).
public struct DecoderMemory: Codable {
    var twilio: TwilioDecoder.Memory?
}

extension LineDecoder {
    public var decodesForms: Bool { false }

    public mutating func decode(formBody: [UInt8], into events: inout [Event]) -> IngestReject? {
        IngestReject(.schema, "form bodies are not understood by this decoder")
    }

    public mutating func tick(now: Timestamp, into events: inout [Event]) {}

    public mutating func flush(into events: inout [Event]) {}

    public var heldEvents: Int { 0 }

    public var arrival: Timestamp? {
        get { nil }
        set {}
    }

    public var formatStatistics: TwilioStatistics { TwilioStatistics() }

    public var memory: DecoderMemory? { nil }

    public mutating func restore(_ memory: DecoderMemory) {}
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
