/// A minimal, allocation-light JSON writer (RFC 8259) straight into UTF-8 bytes: the API's fixed shapes,
/// live messages and the simulator's native NDJSON lines all write JSON through it.
///
/// Commas are placed automatically; call ``key(_:)`` before each value inside an object. Non-finite
/// doubles are written as `null`.
public struct JSONWriter {
    public private(set) var bytes: [UInt8] = []
    private var needsComma: [Bool] = [false]
    /// Whether strings escape `<`, `>` and `&` too (see ``JSONString/append(_:escapingMarkup:into:)``).
    public let escapingMarkup: Bool

    /// - Parameters:
    ///   - capacity: bytes reserved up front.
    ///   - escapingMarkup: escape `<`, `>` and `&` in strings so the JSON is safe inside HTML (the default);
    ///     false for JSON that never meets a page (NDJSON event lines), which keeps it readable.
    public init(capacity: Int = 1024, escapingMarkup: Bool = true) {
        bytes.reserveCapacity(capacity)
        self.escapingMarkup = escapingMarkup
    }

    /// The bytes as a `String`.
    public var text: String { String(decoding: bytes, as: UTF8.self) }

    private mutating func separator() {
        if needsComma[needsComma.count - 1] { bytes.append(0x2C) }
        needsComma[needsComma.count - 1] = true
    }

    public mutating func beginObject() { separator(); bytes.append(0x7B); needsComma.append(false) }
    public mutating func endObject() { bytes.append(0x7D); needsComma.removeLast() }
    public mutating func beginArray() { separator(); bytes.append(0x5B); needsComma.append(false) }
    public mutating func endArray() { bytes.append(0x5D); needsComma.removeLast() }

    /// Writes a key; the next value call writes its value.
    public mutating func key(_ k: String) {
        separator()
        appendString(k)
        bytes.append(0x3A)
        needsComma[needsComma.count - 1] = false
    }

    public mutating func string(_ s: String) { separator(); appendString(s) }
    public mutating func int(_ v: Int) {
        separator()
        // Digits straight into the bytes: no string per number.
        guard v != .min else { bytes.append(contentsOf: String(v).utf8); return }
        if v < 0 { bytes.append(0x2D) }
        var n = v.magnitude
        let start = bytes.count
        repeat {
            bytes.append(0x30 + UInt8(n % 10))
            n /= 10
        } while n > 0
        bytes[start...].reverse()
    }
    public mutating func double(_ v: Double) {
        separator()
        bytes.append(contentsOf: (v.isFinite ? String(v) : "null").utf8)
    }
    public mutating func bool(_ v: Bool) { separator(); bytes.append(contentsOf: (v ? "true" : "false").utf8) }
    public mutating func null() { separator(); bytes.append(contentsOf: "null".utf8) }

    public mutating func string(_ s: String?) { if let s { string(s) } else { null() } }

    public mutating func field(_ k: String, _ v: String?) { key(k); string(v) }
    public mutating func field(_ k: String, _ v: Int) { key(k); int(v) }
    public mutating func field(_ k: String, _ v: Bool) { key(k); bool(v) }
    public mutating func field(_ k: String, _ v: Double) { key(k); double(v) }

    private mutating func appendString(_ s: String) {
        var s = s
        let markup = escapingMarkup
        s.withUTF8 { JSONString.append($0, escapingMarkup: markup, into: &bytes) }
    }
}

/// JSON string literals, written straight into bytes.
public enum JSONString {
    /// Appends `buffer` (UTF-8) as a quoted JSON string. `escapingMarkup` also escapes `<`, `>` and
    /// `&`, so the JSON can never close a script or comment when embedded in HTML; live messages
    /// carry HTML fragments and leave them as they are, or they would grow sixfold.
    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    public static func append(_ buffer: UnsafeBufferPointer<UInt8>, escapingMarkup: Bool, into bytes: inout [UInt8]) {
        bytes.append(0x22)
        var run = 0
        for i in 0..<buffer.count {
            let b = buffer[i]
            let escape: [UInt8]?
            switch b {
            case 0x22: escape = [0x5C, 0x22]
            case 0x5C: escape = [0x5C, 0x5C]
            case 0x0A: escape = [0x5C, 0x6E]
            case 0x0D: escape = [0x5C, 0x72]
            case 0x09: escape = [0x5C, 0x74]
            case 0x00..<0x20, 0x7F: escape = [0x5C, 0x75, 0x30, 0x30, hex[Int(b >> 4)], hex[Int(b & 15)]]
            case 0x3C where escapingMarkup, 0x3E where escapingMarkup, 0x26 where escapingMarkup:
                escape = [0x5C, 0x75, 0x30, 0x30, hex[Int(b >> 4)], hex[Int(b & 15)]]
            default: escape = nil
            }
            if let escape {
                if run < i { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[run..<i])) }
                bytes += escape
                run = i + 1
            }
        }
        if run < buffer.count { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[run..<buffer.count])) }
        bytes.append(0x22)
    }
}
