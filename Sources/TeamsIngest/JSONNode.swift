/// A read-only view of one value of a parsed ``JSONTape``.
///
/// Valid only inside the ``JSONTape/withRoot(_:_:)`` closure that produced it: it points into the tape
/// and the input bytes without owning either.
public struct JSONNode {
    @usableFromInline let tokens: UnsafePointer<JSONToken>
    @usableFromInline let bytes: UnsafePointer<UInt8>
    @usableFromInline let index: Int

    @inlinable
    init(tokens: UnsafePointer<JSONToken>, bytes: UnsafePointer<UInt8>, index: Int) {
        self.tokens = tokens
        self.bytes = bytes
        self.index = index
    }

    @inlinable var token: JSONToken { tokens[index] }

    @inlinable public var kind: JSONKind { token.kind }

    /// The value when it is a boolean.
    @inlinable public var bool: Bool? { token.kind == .bool ? token.flag : nil }

    @inlinable public var isNull: Bool { token.kind == .null }

    /// Element count of an array, member count of an object, 0 otherwise.
    @inlinable public var count: Int { Int(token.count) }

    /// The string's bytes as they appear in the input (escapes not decoded), or `nil` if not a string.
    @inlinable public var rawStringBytes: UnsafeBufferPointer<UInt8>? {
        let t = token
        guard t.kind == .string else { return nil }
        return UnsafeBufferPointer(start: bytes + Int(t.start), count: Int(t.end - t.start))
    }

    /// An array's, object's, number's or literal's bytes as they appear in the input (for a container, from its
    /// opening bracket to its closing one); `nil` for a string (see ``rawStringBytes``).
    @inlinable public var rawValueBytes: UnsafeBufferPointer<UInt8>? {
        let t = token
        guard t.kind != .string else { return nil }
        return UnsafeBufferPointer(start: bytes + Int(t.start), count: Int(t.end - t.start))
    }

    /// Whether the string contains backslash escapes (so its raw bytes differ from its value).
    @inlinable public var hasEscapes: Bool { token.kind == .string && token.flag }

    /// The decoded string, or `nil` if not a string.
    public var string: String? {
        let t = token
        guard t.kind == .string else { return nil }
        let raw = UnsafeBufferPointer(start: bytes + Int(t.start), count: Int(t.end - t.start))
        // The parser validated the UTF-8, so the repairing initializer never repairs here.
        return t.flag ? JSONStrings.unescape(raw) : String(decoding: raw, as: UTF8.self)
    }

    /// The decoded string's length in UTF-8 bytes without building it (escaped strings are decoded).
    public var stringByteCount: Int? {
        let t = token
        guard t.kind == .string else { return nil }
        if !t.flag { return Int(t.end - t.start) }
        return string?.utf8.count
    }

    /// Compares the string's value with `literal` without allocating when it has no escapes.
    @inlinable
    public func stringEquals(_ literal: StaticString) -> Bool {
        let t = token
        guard t.kind == .string else { return false }
        if t.flag { return string == literal.description }
        return bytesEqual(bytes + Int(t.start), Int(t.end - t.start), literal)
    }

    /// The number's source text, or `nil` if not a number.
    public var numberText: String? {
        let t = token
        guard t.kind == .number else { return nil }
        return String(decoding: UnsafeBufferPointer(start: bytes + Int(t.start), count: Int(t.end - t.start)),
                      as: UTF8.self)
    }

    /// The number as an integer, when it is written as one (no fraction, no exponent) and fits.
    public var int64: Int64? {
        let t = token
        guard t.kind == .number, t.flag else { return nil }
        var i = Int(t.start)
        let end = Int(t.end)
        let negative = bytes[i] == 0x2D
        if negative { i += 1 }
        var v: Int64 = 0
        while i < end {
            let d = Int64(bytes[i] &- 0x30)
            // Accumulate negatively so Int64.min parses too.
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.subtractingReportingOverflow(d)
            if o1 || o2 { return nil }
            v = s
            i += 1
        }
        if negative { return v }
        return v == .min ? nil : -v
    }

    /// The number as a `Double` (which may round), or `nil` if not a number.
    public var double: Double? {
        guard let text = numberText else { return nil }
        return Double(text)
    }

    /// The member value for `key` in an object (the last one when the key repeats), or `nil`.
    public subscript(key: String) -> JSONNode? {
        guard kind == .object else { return nil }
        var found: JSONNode?
        var k = key
        k.withUTF8 { want in
            for (name, value) in members where name.keyEquals(want) {
                found = value
            }
        }
        return found
    }

    /// The `index`-th element of an array, or `nil`.
    public subscript(index: Int) -> JSONNode? {
        guard kind == .array, index >= 0, index < count else { return nil }
        var n = 0
        for element in elements {
            if n == index { return element }
            n += 1
        }
        return nil
    }

    /// Compares a string node with UTF-8 bytes (decoding escapes if there are any).
    public func keyEquals(_ other: UnsafeBufferPointer<UInt8>) -> Bool {
        let t = token
        guard t.kind == .string else { return false }
        if t.flag {
            guard var s = string else { return false }
            return s.withUTF8 { $0.elementsEqual(other) }
        }
        let n = Int(t.end - t.start)
        guard n == other.count else { return false }
        let p = bytes + Int(t.start)
        for k in 0..<n where p[k] != other[k] { return false }
        return true
    }

    /// The members of an object as (key, value) pairs in document order; empty for other kinds.
    @inlinable public var members: Members { Members(node: self) }

    /// The elements of an array in order; empty for other kinds.
    @inlinable public var elements: Elements { Elements(node: self) }

    public struct Members: Sequence, IteratorProtocol {
        @usableFromInline let node: JSONNode
        @usableFromInline var cursor: Int
        @usableFromInline var remaining: Int

        @inlinable init(node: JSONNode) {
            self.node = node
            self.cursor = node.index + 1
            self.remaining = node.kind == .object ? node.count : 0
        }

        @inlinable
        public mutating func next() -> (key: JSONNode, value: JSONNode)? {
            guard remaining > 0 else { return nil }
            remaining -= 1
            let key = JSONNode(tokens: node.tokens, bytes: node.bytes, index: cursor)
            let value = JSONNode(tokens: node.tokens, bytes: node.bytes, index: cursor + 1)
            cursor = Int(node.tokens[cursor + 1].next)
            return (key, value)
        }
    }

    public struct Elements: Sequence, IteratorProtocol {
        @usableFromInline let node: JSONNode
        @usableFromInline var cursor: Int
        @usableFromInline var remaining: Int

        @inlinable init(node: JSONNode) {
            self.node = node
            self.cursor = node.index + 1
            self.remaining = node.kind == .array ? node.count : 0
        }

        @inlinable
        public mutating func next() -> JSONNode? {
            guard remaining > 0 else { return nil }
            remaining -= 1
            let element = JSONNode(tokens: node.tokens, bytes: node.bytes, index: cursor)
            cursor = Int(node.tokens[cursor].next)
            return element
        }
    }
}

@inlinable
func bytesEqual(_ p: UnsafePointer<UInt8>, _ n: Int, _ literal: StaticString) -> Bool {
    guard n == literal.utf8CodeUnitCount else { return false }
    let q = literal.utf8Start
    for k in 0..<n where p[k] != q[k] { return false }
    return true
}

/// Decoding of JSON string escapes.
enum JSONStrings {
    /// Decodes the escapes of an already validated JSON string body.
    static func unescape(_ raw: UnsafeBufferPointer<UInt8>) -> String {
        // Decoded text is never longer than its escaped form.
        String(unsafeUninitializedCapacity: raw.count) { out in
            var i = 0
            var o = 0
            let n = raw.count
            guard n > 0, let source = raw.baseAddress, let target = out.baseAddress else { return 0 }
            while i < n {
                // Eight bytes at a time up to the next backslash: the word is stored whole (the output is never
                // ahead of the input, so it stays inside the buffer) and the output moves on by its plain bytes.
                if i &+ 8 <= n {
                    let word = UnsafeRawPointer(source + i).loadUnaligned(as: UInt64.self)
                    UnsafeMutableRawPointer(target + o).storeBytes(of: word, as: UInt64.self)
                    let backslash = word ^ 0x5C5C_5C5C_5C5C_5C5C
                    let found = (backslash &- 0x0101_0101_0101_0101) & ~backslash & 0x8080_8080_8080_8080
                    if found == 0 {
                        i &+= 8
                        o &+= 8
                        continue
                    }
                    let plain = found.trailingZeroBitCount &>> 3
                    i &+= plain
                    o &+= plain
                } else if raw[i] != 0x5C {
                    out[o] = raw[i]
                    o += 1
                    i += 1
                    continue
                }
                let e = raw[i + 1]
                i += 2
                switch e {
                case 0x62: out[o] = 0x08; o += 1
                case 0x66: out[o] = 0x0C; o += 1
                case 0x6E: out[o] = 0x0A; o += 1
                case 0x72: out[o] = 0x0D; o += 1
                case 0x74: out[o] = 0x09; o += 1
                case 0x75:
                    var scalar = UInt32(hex4(raw, i))
                    i += 4
                    if (0xD800...0xDBFF).contains(scalar) {
                        let low = UInt32(hex4(raw, i + 2))
                        i += 6
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    }
                    o += encodeUTF8(scalar, into: out, at: o)
                default: out[o] = e; o += 1  // \" \\ \/
                }
            }
            return o
        }
    }

    private static func hex4(_ raw: UnsafeBufferPointer<UInt8>, _ at: Int) -> UInt16 {
        var v: UInt16 = 0
        for k in at..<(at + 4) { v = v << 4 | UInt16(hexValue(raw[k]) ?? 0) }
        return v
    }

    private static func encodeUTF8(_ s: UInt32, into out: UnsafeMutableBufferPointer<UInt8>, at o: Int) -> Int {
        switch s {
        case 0..<0x80:
            out[o] = UInt8(s)
            return 1
        case 0x80..<0x800:
            out[o] = UInt8(0xC0 | (s >> 6))
            out[o + 1] = UInt8(0x80 | (s & 0x3F))
            return 2
        case 0x800..<0x10000:
            out[o] = UInt8(0xE0 | (s >> 12))
            out[o + 1] = UInt8(0x80 | ((s >> 6) & 0x3F))
            out[o + 2] = UInt8(0x80 | (s & 0x3F))
            return 3
        default:
            out[o] = UInt8(0xF0 | (s >> 18))
            out[o + 1] = UInt8(0x80 | ((s >> 12) & 0x3F))
            out[o + 2] = UInt8(0x80 | ((s >> 6) & 0x3F))
            out[o + 3] = UInt8(0x80 | (s & 0x3F))
            return 4
        }
    }
}
