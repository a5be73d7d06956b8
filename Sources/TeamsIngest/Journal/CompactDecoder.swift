/// Decodes values from the compact binary form (see ``CompactTag``). Every read is bounds-checked: damaged
/// bytes throw `DecodingError.dataCorrupted`, never trap.
enum CompactDecoder {
    /// The value of type `T` that `bytes` hold (all of them).
    static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        let source = CompactSource(bytes: bytes)
        guard try source.skip(0) == bytes.count else { throw CompactSource.corrupt("bytes after the value") }
        return try source.value(T.self, at: 0)
    }
}

/// The bytes being read.
final class CompactSource {
    let bytes: [UInt8]

    init(bytes: [UInt8]) { self.bytes = bytes }

    static func corrupt(_ why: String) -> DecodingError {
        .dataCorrupted(.init(codingPath: [], debugDescription: why))
    }

    static func mismatch(_ type: Any.Type, _ found: UInt8) -> DecodingError {
        .typeMismatch(type, .init(codingPath: [], debugDescription: "expected \(type), found tag \(found)"))
    }

    func tag(at p: Int) throws -> UInt8 {
        guard p >= 0, p < bytes.count else { throw Self.corrupt("a value runs past the end") }
        return bytes[p]
    }

    func varint(_ p: inout Int) throws -> UInt64 {
        var v: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard p < bytes.count, shift < 64 else { throw Self.corrupt("a bad varint") }
            let b = bytes[p]
            p += 1
            v |= UInt64(b & 0x7F) << shift
            if b < 0x80 { return v }
            shift += 7
        }
    }

    /// A `u32` length at `p`, and the end of the `length` bytes after it (checked).
    func body(at p: Int) throws -> (start: Int, end: Int) {
        guard p >= 0, p + 4 <= bytes.count else { throw Self.corrupt("a container runs past the end") }
        let length = Int(bytes[p]) | Int(bytes[p + 1]) << 8 | Int(bytes[p + 2]) << 16 | Int(bytes[p + 3]) << 24
        guard p + 4 + length <= bytes.count else { throw Self.corrupt("a container runs past the end") }
        return (p + 4, p + 4 + length)
    }

    /// A string's length and bytes at `p` (no tag); `p` moves past them.
    func raw(_ p: inout Int) throws -> String {
        let length = try varint(&p)
        guard length <= UInt64(bytes.count - p) else { throw Self.corrupt("a string runs past the end") }
        let start = p
        p += Int(length)
        return String(decoding: bytes[start..<p], as: UTF8.self)
    }

    /// Where the value at `p` ends.
    func skip(_ p: Int) throws -> Int {
        var q = p + 1
        switch try tag(at: p) {
        case CompactTag.null.rawValue, CompactTag.falseValue.rawValue, CompactTag.trueValue.rawValue: return q
        case CompactTag.signed.rawValue, CompactTag.unsigned.rawValue:
            _ = try varint(&q)
            return q
        case CompactTag.double.rawValue:
            guard q + 8 <= bytes.count else { throw Self.corrupt("a number runs past the end") }
            return q + 8
        case CompactTag.string.rawValue:
            let length = try varint(&q)
            guard length <= UInt64(bytes.count - q) else { throw Self.corrupt("a string runs past the end") }
            return q + Int(length)
        case CompactTag.keyed.rawValue, CompactTag.unkeyed.rawValue: return try body(at: q).end
        case let t: throw Self.corrupt("unknown tag \(t)")
        }
    }

    func isNull(at p: Int) throws -> Bool { try tag(at: p) == CompactTag.null.rawValue }

    func bool(at p: Int) throws -> Bool {
        switch try tag(at: p) {
        case CompactTag.falseValue.rawValue: return false
        case CompactTag.trueValue.rawValue: return true
        case let t: throw Self.mismatch(Bool.self, t)
        }
    }

    func string(at p: Int) throws -> String {
        let t = try tag(at: p)
        guard t == CompactTag.string.rawValue else { throw Self.mismatch(String.self, t) }
        var q = p + 1
        return try raw(&q)
    }

    func integer<I: FixedWidthInteger>(_ type: I.Type, at p: Int) throws -> I {
        var q = p + 1
        let result: I?
        switch try tag(at: p) {
        case CompactTag.signed.rawValue:
            let z = try varint(&q)
            result = I(exactly: Int64(bitPattern: z >> 1) ^ -Int64(bitPattern: z & 1))
        case CompactTag.unsigned.rawValue: result = I(exactly: try varint(&q))
        case let t: throw Self.mismatch(I.self, t)
        }
        guard let result else { throw Self.corrupt("a number does not fit \(I.self)") }
        return result
    }

    func double(at p: Int) throws -> Double {
        switch try tag(at: p) {
        case CompactTag.double.rawValue:
            guard p + 9 <= bytes.count else { throw Self.corrupt("a number runs past the end") }
            var bits: UInt64 = 0
            for i in 0..<8 { bits |= UInt64(bytes[p + 1 + i]) << (8 * UInt64(i)) }
            return Double(bitPattern: bits)
        case CompactTag.signed.rawValue: return Double(try integer(Int64.self, at: p))
        case CompactTag.unsigned.rawValue: return Double(try integer(UInt64.self, at: p))
        case let t: throw Self.mismatch(Double.self, t)
        }
    }

    /// The value at `p`: primitives directly, anything else through its `init(from:)`.
    func value<T: Decodable>(_ type: T.Type, at p: Int) throws -> T {
        if T.self == String.self { return try string(at: p) as! T }
        if T.self == Int.self { return try integer(Int.self, at: p) as! T }
        if T.self == Int64.self { return try integer(Int64.self, at: p) as! T }
        if T.self == UInt64.self { return try integer(UInt64.self, at: p) as! T }
        if T.self == Bool.self { return try bool(at: p) as! T }
        if T.self == Double.self { return try double(at: p) as! T }
        return try T(from: CompactValueDecoder(source: self, at: p))
    }
}

/// The `Decoder` one value is decoded through.
struct CompactValueDecoder: Decoder {
    let source: CompactSource
    let at: Int

    init(source: CompactSource, at: Int) {
        self.source = source
        self.at = at
    }

    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        let t = try source.tag(at: at)
        guard t == CompactTag.keyed.rawValue else { throw CompactSource.mismatch([String: Any].self, t) }
        let (start, end) = try source.body(at: at + 1)
        var entries: [String: Int] = [:]
        var p = start
        while p < end {
            let key = try source.raw(&p)
            entries[key] = p
            p = try source.skip(p)
        }
        guard p == end else { throw CompactSource.corrupt("a container's entries overrun it") }
        return KeyedDecodingContainer(CompactKeyedDecoder<Key>(source: source, entries: entries))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let t = try source.tag(at: at)
        guard t == CompactTag.unkeyed.rawValue else { throw CompactSource.mismatch([Any].self, t) }
        let (start, end) = try source.body(at: at + 1)
        return CompactUnkeyedDecoder(source: source, cursor: start, end: end)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        CompactSingleDecoder(source: source, at: at)
    }
}

struct CompactKeyedDecoder<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let source: CompactSource
    /// Where each key's value starts.
    let entries: [String: Int]

    var codingPath: [any CodingKey] { [] }
    var allKeys: [Key] { entries.keys.compactMap { Key(stringValue: $0) } }

    func contains(_ key: Key) -> Bool { entries[key.stringValue] != nil }

    private func at(_ key: Key) throws -> Int {
        guard let p = entries[key.stringValue] else {
            throw DecodingError.keyNotFound(key, .init(codingPath: [], debugDescription: "no value for \(key.stringValue)"))
        }
        return p
    }

    func decodeNil(forKey key: Key) throws -> Bool { try source.isNull(at: at(key)) }
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try source.bool(at: at(key)) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try source.string(at: at(key)) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try source.double(at: at(key)) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { Float(try source.double(at: at(key))) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try source.integer(type, at: at(key)) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try source.integer(type, at: at(key)) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try source.integer(type, at: at(key)) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try source.integer(type, at: at(key)) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try source.integer(type, at: at(key)) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try source.integer(type, at: at(key)) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try source.integer(type, at: at(key)) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try source.integer(type, at: at(key)) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try source.integer(type, at: at(key)) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try source.integer(type, at: at(key)) }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try source.value(type, at: at(key)) }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type,
                                               forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try CompactValueDecoder(source: source, at: at(key)).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try CompactValueDecoder(source: source, at: at(key)).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        guard let p = entries["super"] else { throw CompactSource.corrupt("no value for super") }
        return CompactValueDecoder(source: source, at: p)
    }

    func superDecoder(forKey key: Key) throws -> any Decoder { CompactValueDecoder(source: source, at: try at(key)) }
}

struct CompactUnkeyedDecoder: UnkeyedDecodingContainer {
    let source: CompactSource
    var cursor: Int
    let end: Int
    private(set) var currentIndex = 0

    init(source: CompactSource, cursor: Int, end: Int) {
        self.source = source
        self.cursor = cursor
        self.end = end
    }

    var codingPath: [any CodingKey] { [] }
    var count: Int? { nil }
    var isAtEnd: Bool { cursor >= end }

    /// The next value's start; moves past it.
    private mutating func next() throws -> Int {
        guard cursor < end else {
            throw DecodingError.valueNotFound(Any.self, .init(codingPath: [], debugDescription: "no more values"))
        }
        let p = cursor
        let q = try source.skip(p)
        guard q <= end else { throw CompactSource.corrupt("a value overruns its container") }
        cursor = q
        currentIndex += 1
        return p
    }

    mutating func decodeNil() throws -> Bool {
        guard cursor < end, try source.isNull(at: cursor) else { return false }
        _ = try next()
        return true
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { try source.bool(at: next()) }
    mutating func decode(_ type: String.Type) throws -> String { try source.string(at: next()) }
    mutating func decode(_ type: Double.Type) throws -> Double { try source.double(at: next()) }
    mutating func decode(_ type: Float.Type) throws -> Float { Float(try source.double(at: next())) }
    mutating func decode(_ type: Int.Type) throws -> Int { try source.integer(type, at: next()) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try source.integer(type, at: next()) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try source.integer(type, at: next()) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try source.integer(type, at: next()) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try source.integer(type, at: next()) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try source.integer(type, at: next()) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try source.integer(type, at: next()) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try source.integer(type, at: next()) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try source.integer(type, at: next()) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try source.integer(type, at: next()) }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try source.value(type, at: next()) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        try CompactValueDecoder(source: source, at: next()).container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try CompactValueDecoder(source: source, at: next()).unkeyedContainer()
    }

    mutating func superDecoder() throws -> any Decoder { CompactValueDecoder(source: source, at: try next()) }
}

struct CompactSingleDecoder: SingleValueDecodingContainer {
    let source: CompactSource
    let at: Int

    var codingPath: [any CodingKey] { [] }

    func decodeNil() -> Bool { (try? source.isNull(at: at)) ?? false }
    func decode(_ type: Bool.Type) throws -> Bool { try source.bool(at: at) }
    func decode(_ type: String.Type) throws -> String { try source.string(at: at) }
    func decode(_ type: Double.Type) throws -> Double { try source.double(at: at) }
    func decode(_ type: Float.Type) throws -> Float { Float(try source.double(at: at)) }
    func decode(_ type: Int.Type) throws -> Int { try source.integer(type, at: at) }
    func decode(_ type: Int8.Type) throws -> Int8 { try source.integer(type, at: at) }
    func decode(_ type: Int16.Type) throws -> Int16 { try source.integer(type, at: at) }
    func decode(_ type: Int32.Type) throws -> Int32 { try source.integer(type, at: at) }
    func decode(_ type: Int64.Type) throws -> Int64 { try source.integer(type, at: at) }
    func decode(_ type: UInt.Type) throws -> UInt { try source.integer(type, at: at) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try source.integer(type, at: at) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try source.integer(type, at: at) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try source.integer(type, at: at) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try source.integer(type, at: at) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try source.value(type, at: at) }
}
