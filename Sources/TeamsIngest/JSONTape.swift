/// The type of a JSON value.
public enum JSONKind: UInt8, Sendable, Hashable, CustomStringConvertible {
    case null, bool, number, string, array, object

    public var description: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}

/// One value in a ``JSONTape``; containers record where their subtree ends so siblings can be skipped in O(1).
@usableFromInline
struct JSONToken {
    @usableFromInline var kind: JSONKind
    /// Booleans: the value. Strings: has backslash escapes. Numbers: written as an integer.
    @usableFromInline var flag: Bool
    /// Strings: first byte after the opening quote. Others: first byte of the value.
    @usableFromInline var start: UInt32
    /// Strings: offset of the closing quote. Others: one past the last byte.
    @usableFromInline var end: UInt32
    /// Index of the token after this value's subtree.
    @usableFromInline var next: UInt32
    /// Containers: element count (object: member count; each member is a key token then a value subtree).
    @usableFromInline var count: UInt32
}

/// A validating JSON parser that records values as a flat array of tokens (a "tape") over the input bytes.
///
/// Nothing is copied or allocated per value: strings and numbers stay in the input and are decoded only
/// when asked for, which keeps the per-line cost of the ingest hot path to one pass over the bytes.
/// The tape's storage is reused between documents, so keep one tape per thread and parse many lines with it.
///
/// Strictness: RFC 8259 grammar, one value per document (trailing non-whitespace rejected), UTF-8 validated
/// inside strings (structure outside strings is ASCII by grammar), no raw control characters in strings,
/// `\u` escapes must pair surrogates, nesting limited to ``maxDepth`` (default 32).
/// Duplicate object keys are kept in order; ``JSONNode/subscript(_:)`` answers the last one, as JavaScript does.
///
/// Why a hand-written parser: simdjson 3.0.1 (Debian `libsimdjson-dev`, On-Demand API, through a C++
/// shim that filled this same tape with the same offsets and errors) was measured against it end to end
/// (release builds, `teamsview-bench --only ingest,serve,cloudevents`, median of 3, load 0–1.6). Native
/// lines of 157 B: decode alone 1.06M vs 0.93M events/s, `serve --no-reports` from a file 276k vs 221k;
/// CloudEvents of 1.6 KB: 120k vs 124k in process, 45.6k vs 45.1k through `serve`. simdjson parses in
/// fewer instructions, but filling a tape with input offsets (a copy into its padded buffer, a call per
/// value, a grammar check per number) costs more than it saves, so this parser stays.
public struct JSONTape {
    /// The deepest nesting of arrays and objects accepted.
    public var maxDepth: Int
    @usableFromInline var tokens: [JSONToken] = []

    public init(maxDepth: Int = 32) {
        self.maxDepth = maxDepth
        tokens.reserveCapacity(64)
    }

    /// Parses one JSON document; afterwards ``withRoot(_:_:)`` reads it.
    public mutating func parse(_ bytes: UnsafeBufferPointer<UInt8>) throws(JSONError) {
        tokens.removeAll(keepingCapacity: true)
        guard bytes.count < Int(UInt32.max) else { throw JSONError(.tooLarge, at: 0) }
        guard let base = bytes.baseAddress, bytes.count > 0 else { throw JSONError(.empty, at: 0) }
        var parser = JSONParser(base: base, count: bytes.count, maxDepth: maxDepth, tokens: [])
        swap(&parser.tokens, &tokens)
        defer { swap(&parser.tokens, &tokens) }
        try parser.parseDocument()
    }

    /// Reads the last parsed document; `bytes` must be the buffer given to ``parse(_:)``.
    /// The node must not escape `body`: it points into the tape and the bytes.
    @inlinable
    public func withRoot<R, E: Error>(_ bytes: UnsafeBufferPointer<UInt8>, _ body: (JSONNode) throws(E) -> R) throws(E) -> R {
        precondition(!tokens.isEmpty, "withRoot before a successful parse")
        return try tokens.withUnsafeBufferPointer { (t) throws(E) -> R in
            try body(JSONNode(tokens: t.baseAddress!, bytes: bytes.baseAddress!, index: 0))
        }
    }
}

/// The recursive-descent parser behind ``JSONTape``.
struct JSONParser {
    let base: UnsafePointer<UInt8>
    let count: Int
    let maxDepth: Int
    var tokens: [JSONToken]
    var i = 0

    init(base: UnsafePointer<UInt8>, count: Int, maxDepth: Int, tokens: [JSONToken]) {
        self.base = base
        self.count = count
        self.maxDepth = maxDepth
        self.tokens = tokens
    }

    mutating func parseDocument() throws(JSONError) {
        skipWhitespace()
        guard i < count else { throw JSONError(.empty, at: i) }
        try parseValue(depth: 0)
        skipWhitespace()
        if i < count { throw JSONError(.trailingData(base[i]), at: i) }
    }

    @inline(__always)
    mutating func skipWhitespace() {
        while i < count {
            let b = base[i]
            guard b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 else { return }
            i += 1
        }
    }

    @inline(__always)
    mutating func push(_ kind: JSONKind, flag: Bool, start: Int, end: Int) {
        let index = tokens.count
        tokens.append(JSONToken(kind: kind, flag: flag, start: UInt32(start), end: UInt32(end),
                                next: UInt32(index + 1), count: 0))
    }

    mutating func parseValue(depth: Int) throws(JSONError) {
        guard i < count else { throw JSONError(.unexpectedEnd, at: i) }
        switch base[i] {
        case 0x22: try parseString()
        case 0x7B: try parseObject(depth: depth + 1)
        case 0x5B: try parseArray(depth: depth + 1)
        case 0x74: try literal("true", .bool, flag: true)
        case 0x66: try literal("false", .bool, flag: false)
        case 0x6E: try literal("null", .null, flag: false)
        case 0x2D, 0x30...0x39: try parseNumber()
        default: throw JSONError(.unexpectedByte(base[i]), at: i)
        }
    }

    mutating func literal(_ word: StaticString, _ kind: JSONKind, flag: Bool) throws(JSONError) {
        let start = i
        let w = word.utf8Start
        for k in 0..<word.utf8CodeUnitCount {
            guard i < count else { throw JSONError(.unexpectedEnd, at: i) }
            guard base[i] == w[k] else { throw JSONError(.unexpectedByte(base[i]), at: i) }
            i += 1
        }
        push(kind, flag: flag, start: start, end: i)
    }

    mutating func parseObject(depth: Int) throws(JSONError) {
        guard depth <= maxDepth else { throw JSONError(.tooDeep(limit: maxDepth), at: i) }
        let index = tokens.count
        push(.object, flag: false, start: i, end: i)
        i += 1
        var members: UInt32 = 0
        skipWhitespace()
        guard i < count else { throw JSONError(.unexpectedEnd, at: i) }
        if base[i] == 0x7D {
            i += 1
        } else {
            while true {
                guard i < count else { throw JSONError(.unexpectedEnd, at: i) }
                guard base[i] == 0x22 else { throw JSONError(.unexpectedByte(base[i]), at: i) }
                try parseString()
                skipWhitespace()
                guard i < count else { throw JSONError(.unexpectedEnd, at: i) }
                guard base[i] == 0x3A else { throw JSONError(.unexpectedByte(base[i]), at: i) }
                i += 1
                skipWhitespace()
                try parseValue(depth: depth)
                members += 1
                skipWhitespace()
                guard i < count else { throw JSONError(.unexpectedEnd, at: i) }
                let b = base[i]
                i += 1
                if b == 0x2C { skipWhitespace(); continue }
                if b == 0x7D { break }
                throw JSONError(.unexpectedByte(b), at: i - 1)
            }
        }
        tokens[index].end = UInt32(i)
        tokens[index].next = UInt32(tokens.count)
        tokens[index].count = members
    }

    mutating func parseArray(depth: Int) throws(JSONError) {
        guard depth <= maxDepth else { throw JSONError(.tooDeep(limit: maxDepth), at: i) }
        let index = tokens.count
        push(.array, flag: false, start: i, end: i)
        i += 1
        var elements: UInt32 = 0
        skipWhitespace()
        guard i < count else { throw JSONError(.unexpectedEnd, at: i) }
        if base[i] == 0x5D {
            i += 1
        } else {
            while true {
                try parseValue(depth: depth)
                elements += 1
                skipWhitespace()
                guard i < count else { throw JSONError(.unexpectedEnd, at: i) }
                let b = base[i]
                i += 1
                if b == 0x2C { skipWhitespace(); continue }
                if b == 0x5D { break }
                throw JSONError(.unexpectedByte(b), at: i - 1)
            }
        }
        tokens[index].end = UInt32(i)
        tokens[index].next = UInt32(tokens.count)
        tokens[index].count = elements
    }

    mutating func parseNumber() throws(JSONError) {
        let start = i
        var integer = true
        if base[i] == 0x2D { i += 1 }
        guard i < count else { throw JSONError(.unexpectedEnd, at: i) }
        if base[i] == 0x30 {
            i += 1
            // A leading zero may not be followed by more digits ("01").
            if i < count, isDigit(base[i]) { throw JSONError(.invalidNumber, at: start) }
        } else if isDigit(base[i]) {
            while i < count, isDigit(base[i]) { i += 1 }
        } else {
            throw JSONError(.invalidNumber, at: start)
        }
        if i < count, base[i] == 0x2E {
            integer = false
            i += 1
            guard i < count, isDigit(base[i]) else { throw JSONError(.invalidNumber, at: start) }
            while i < count, isDigit(base[i]) { i += 1 }
        }
        if i < count, base[i] == 0x65 || base[i] == 0x45 {
            integer = false
            i += 1
            if i < count, base[i] == 0x2B || base[i] == 0x2D { i += 1 }
            guard i < count, isDigit(base[i]) else { throw JSONError(.invalidNumber, at: start) }
            while i < count, isDigit(base[i]) { i += 1 }
        }
        push(.number, flag: integer, start: start, end: i)
    }

    mutating func parseString() throws(JSONError) {
        i += 1  // opening quote
        let start = i
        var escapes = false
        while true {
            // Fast path: plain ASCII, the overwhelming majority of bytes in event streams, eight bytes at a time,
            // straight to the first byte that needs a closer look (the escaped quotes of an attributes string come
            // every few bytes); byte by byte only in the last seven bytes of the input.
            var found = false
            while i &+ 8 <= count {
                let special = specialBytes(UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self))
                if special != 0 {
                    i &+= special.trailingZeroBitCount &>> 3
                    found = true
                    break
                }
                i &+= 8
            }
            while !found, i < count {
                let b = base[i]
                guard b >= 0x20, b != 0x22, b != 0x5C, b < 0x80 else { break }
                i += 1
            }
            guard i < count else { throw JSONError(.unexpectedEnd, at: i) }
            let b = base[i]
            if b == 0x22 { break }
            if b == 0x5C {
                escapes = true
                try parseEscape()
            } else if b < 0x20 {
                throw JSONError(.controlCharacter(b), at: i)
            } else {
                try validateUTF8Sequence()
            }
        }
        push(.string, flag: escapes, start: start, end: i)
        i += 1  // closing quote
    }

    /// Validates the escape at `i` (a backslash) and moves past it.
    mutating func parseEscape() throws(JSONError) {
        let at = i
        i += 1
        guard i < count else { throw JSONError(.unexpectedEnd, at: i) }
        switch base[i] {
        case 0x22, 0x5C, 0x2F, 0x62, 0x66, 0x6E, 0x72, 0x74:
            i += 1
        case 0x75:
            i += 1
            let unit = try hex4()
            if (0xD800...0xDBFF).contains(unit) {
                guard i + 1 < count, base[i] == 0x5C, base[i + 1] == 0x75 else {
                    throw JSONError(.unpairedSurrogate(unit), at: at)
                }
                i += 2
                let low = try hex4()
                guard (0xDC00...0xDFFF).contains(low) else { throw JSONError(.unpairedSurrogate(unit), at: at) }
            } else if (0xDC00...0xDFFF).contains(unit) {
                throw JSONError(.unpairedSurrogate(unit), at: at)
            }
        default:
            throw JSONError(.invalidEscape(base[i]), at: at)
        }
    }

    mutating func hex4() throws(JSONError) -> UInt16 {
        var v: UInt16 = 0
        for _ in 0..<4 {
            guard i < count else { throw JSONError(.unexpectedEnd, at: i) }
            guard let d = hexValue(base[i]) else { throw JSONError(.invalidUnicodeEscape, at: i) }
            v = v << 4 | UInt16(d)
            i += 1
        }
        return v
    }

    /// Validates one multi-byte UTF-8 sequence starting at `i` (Unicode Table 3-7: no overlongs, no surrogates,
    /// nothing above U+10FFFF) and moves past it.
    mutating func validateUTF8Sequence() throws(JSONError) {
        // Errors name the sequence's first byte, where a reader of the line would look.
        switch UTF8Sequence.check(base, count: count, at: i) {
        case .valid(let length): i += length
        case .invalid: throw JSONError(.invalidUTF8(base[i]), at: i)
        case .truncated: throw JSONError(.unexpectedEnd, at: count)
        }
    }
}

@inline(__always) func isDigit(_ b: UInt8) -> Bool { b &- 0x30 < 10 }

/// The bytes of `w` (eight bytes of input, the first in the low byte) that may not stand inside a JSON string
/// as they are: `"`, `\`, a control character (< 0x20) or non-ASCII (≥ 0x80), each marked by its high bit.
/// The lowest mark is exact (SWAR zero-byte and less-than tests: a borrow only carries into later bytes), so
/// `trailingZeroBitCount / 8` is the offset of the first such byte; marks after it may be spurious.
@inline(__always) func specialBytes(_ w: UInt64) -> UInt64 {
    let ones: UInt64 = 0x0101_0101_0101_0101
    let highs: UInt64 = 0x8080_8080_8080_8080
    let quote = w ^ (ones &* 0x22)
    let backslash = w ^ (ones &* 0x5C)
    let zeroInQuote = (quote &- ones) & ~quote
    let zeroInBackslash = (backslash &- ones) & ~backslash
    let control = (w &- ones &* 0x20) & ~w
    return (zeroInQuote | zeroInBackslash | control | w) & highs
}

@inline(__always) func hexValue(_ b: UInt8) -> UInt8? {
    switch b {
    case 0x30...0x39: return b - 0x30
    case 0x41...0x46: return b - 0x41 + 10
    case 0x61...0x66: return b - 0x61 + 10
    default: return nil
    }
}
