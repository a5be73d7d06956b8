import TeamsDomain

/// The compact binary form of `Codable` values that a saved floor (``FloorSnapshot``, format version 2) is
/// written in: several times cheaper to write than JSON, and no larger.
///
/// Every value is one tag byte (``CompactTag``) and its payload, little-endian:
/// - null, false, true: the tag alone;
/// - a signed integer: its zig-zag LEB128 varint; an unsigned one: its LEB128 varint;
/// - a floating-point number: the 8 bytes of its `Double` bit pattern;
/// - a string: its UTF-8 length as a varint, then the UTF-8 bytes;
/// - a keyed container: a `u32` length of its body, then per entry the key (varint length and UTF-8 bytes)
///   and the value; an unkeyed container: a `u32` length of its body, then the values.
///
/// Values are written as they are encoded (no tree in between); a container's length is filled in when the
/// value that opened it has been encoded. Containers must be written in order (a nested container before its
/// parent's next entry), as synthesized and ordinary hand-written conformances do; writing to a container
/// after its parent moved on throws `EncodingError.invalidValue`. Coding paths are not tracked.
enum CompactTag: UInt8 {
    case null = 0, falseValue, trueValue, signed, unsigned, double, string, keyed, unkeyed
}

/// Encodes values in the compact binary form (see ``CompactTag``).
enum CompactEncoder {
    /// Appends `value`'s compact form to `bytes`.
    /// - Throws: `EncodingError` when `value`'s conformance throws or writes its containers out of order.
    /// - Parameter fastPaths: `false` writes every value through `encode(to:)`, even those with a
    ///   ``CompactEncodable`` form (tests compare the two).
    static func encode<T: Encodable>(_ value: T, appendingTo bytes: inout [UInt8], fastPaths: Bool = true) throws {
        let sink = CompactSink(bytes: bytes)
        sink.fastPaths = fastPaths
        bytes = []
        try sink.value(value)
        sink.close(above: 0)
        if let failure = sink.failure { throw failure }
        bytes = sink.bytes
    }
}

/// The bytes being written and the containers open in them.
/// Its properties skip the runtime's exclusivity checks: one encoding runs on one thread, and the checks
/// cost more than the appends they guard.
final class CompactSink {
    @exclusivity(unchecked) var bytes: [UInt8]
    /// Where each open container's `u32` length goes, outermost first.
    @exclusivity(unchecked) var open: [Int] = []
    /// The first misuse a non-throwing requirement (a nested container) met.
    var failure: (any Error)?
    /// Whether containers that know a ``CompactEncodable`` form write it (the same bytes, faster).
    var fastPaths = true

    init(bytes: [UInt8]) {
        self.bytes = bytes
        open.reserveCapacity(16)
    }

    func tag(_ t: CompactTag) { bytes.append(t.rawValue) }

    func varint(_ v: UInt64) {
        var v = v
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    func signed(_ v: Int64) {
        tag(.signed)
        varint(UInt64(bitPattern: (v << 1) ^ (v >> 63)))
    }

    func unsigned(_ v: UInt64) {
        tag(.unsigned)
        varint(v)
    }

    func double(_ v: Double) {
        tag(.double)
        withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
    }

    func bool(_ v: Bool) { tag(v ? .trueValue : .falseValue) }

    /// A string's length and bytes, without a tag (keys, and the payload of ``string(_:)``).
    func raw(_ s: String) {
        var s = s
        s.withUTF8 { utf8 in
            varint(UInt64(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }

    func string(_ s: String) {
        tag(.string)
        raw(s)
    }

    /// Opens a container here; returns its place on the stack of open ones.
    func openContainer(_ t: CompactTag) -> (index: Int, slot: Int) {
        tag(t)
        let slot = bytes.count
        bytes.append(contentsOf: [0, 0, 0, 0] as [UInt8])
        open.append(slot)
        return (open.count - 1, slot)
    }

    /// Fills in the lengths of the containers opened after the first `depth`: they are complete.
    func close(above depth: Int) {
        while open.count > depth {
            let slot = open.removeLast()
            let length = UInt32(truncatingIfNeeded: bytes.count - slot - 4)
            bytes[slot] = UInt8(truncatingIfNeeded: length)
            bytes[slot + 1] = UInt8(truncatingIfNeeded: length >> 8)
            bytes[slot + 2] = UInt8(truncatingIfNeeded: length >> 16)
            bytes[slot + 3] = UInt8(truncatingIfNeeded: length >> 24)
        }
    }

    /// Before writing to the container at `index` (length at `slot`): closes the ones nested in it.
    func resume(_ index: Int, slot: Int) throws {
        close(above: index + 1)
        guard open.count == index + 1, open[index] == slot else {
            throw EncodingError.invalidValue(slot, .init(codingPath: [],
                debugDescription: "a container was written to after its parent moved on"))
        }
    }

    /// One value: primitives directly (told apart by their type, not by casting the value: a failed
    /// dynamic cast costs more than encoding), anything else through its `encode(to:)`.
    func value<T: Encodable>(_ v: T) throws {
        if T.self == String.self { return string(v as! String) }
        if T.self == Int.self { return signed(Int64(v as! Int)) }
        if T.self == Int64.self { return signed(v as! Int64) }
        if T.self == UInt64.self { return unsigned(v as! UInt64) }
        if T.self == Bool.self { return bool(v as! Bool) }
        if T.self == Double.self { return double(v as! Double) }
        // A saved floor's workers, tens of thousands of them: their hand-written form (the same bytes).
        if T.self == WorkerState.self, fastPaths { return (v as! WorkerState).encode(compact: self) }
        let depth = open.count
        let start = bytes.count
        try v.encode(to: CompactValueEncoder(sink: self, start: start, depth: depth))
        // A value that wrote nothing is an empty keyed container, as JSON would have `{}`.
        if bytes.count == start { _ = openContainer(.keyed) }
        close(above: depth)
    }
}

/// The `Encoder` one value is encoded through.
struct CompactValueEncoder: Encoder {
    let sink: CompactSink
    /// Where the value starts, and how many containers were open before it.
    let start: Int
    let depth: Int

    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    /// The value's container: opened when nothing of the value is written yet, else the one already open.
    private func container(_ t: CompactTag) -> (index: Int, slot: Int) {
        if sink.bytes.count == start { return sink.openContainer(t) }
        if sink.open.count > depth, sink.open[depth] == start + 1, sink.bytes[start] == t.rawValue {
            return (depth, start + 1)
        }
        if sink.failure == nil {
            sink.failure = EncodingError.invalidValue(start, .init(codingPath: [],
                debugDescription: "a value asked for a second, different container"))
        }
        return sink.openContainer(t)
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        let (index, slot) = container(.keyed)
        return KeyedEncodingContainer(CompactKeyedEncoder<Key>(sink: sink, index: index, slot: slot))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        let (index, slot) = container(.unkeyed)
        return CompactUnkeyedEncoder(sink: sink, index: index, slot: slot)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        CompactSingleEncoder(sink: sink)
    }
}

struct CompactKeyedEncoder<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let sink: CompactSink
    let index: Int
    let slot: Int

    var codingPath: [any CodingKey] { [] }

    private func entry(_ key: some CodingKey) throws {
        try sink.resume(index, slot: slot)
        sink.raw(key.stringValue)
    }

    mutating func encodeNil(forKey key: Key) throws { try entry(key); sink.tag(.null) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { try entry(key); sink.bool(value) }
    mutating func encode(_ value: String, forKey key: Key) throws { try entry(key); sink.string(value) }
    mutating func encode(_ value: Double, forKey key: Key) throws { try entry(key); sink.double(value) }
    mutating func encode(_ value: Float, forKey key: Key) throws { try entry(key); sink.double(Double(value)) }
    mutating func encode(_ value: Int, forKey key: Key) throws { try entry(key); sink.signed(Int64(value)) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { try entry(key); sink.signed(Int64(value)) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { try entry(key); sink.signed(Int64(value)) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { try entry(key); sink.signed(Int64(value)) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { try entry(key); sink.signed(value) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { try entry(key); sink.unsigned(UInt64(value)) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { try entry(key); sink.unsigned(UInt64(value)) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { try entry(key); sink.unsigned(UInt64(value)) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { try entry(key); sink.unsigned(UInt64(value)) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { try entry(key); sink.unsigned(value) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws { try entry(key); try sink.value(value) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type,
                                                        forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        do { try entry(key) } catch { sink.failure = sink.failure ?? error }
        let (i, s) = sink.openContainer(.keyed)
        return KeyedEncodingContainer(CompactKeyedEncoder<NestedKey>(sink: sink, index: i, slot: s))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        do { try entry(key) } catch { sink.failure = sink.failure ?? error }
        let (i, s) = sink.openContainer(.unkeyed)
        return CompactUnkeyedEncoder(sink: sink, index: i, slot: s)
    }

    mutating func superEncoder() -> any Encoder { superEncoder(named: "super") }
    mutating func superEncoder(forKey key: Key) -> any Encoder { superEncoder(named: key.stringValue) }

    private func superEncoder(named name: String) -> any Encoder {
        do {
            try sink.resume(index, slot: slot)
            sink.raw(name)
        } catch { sink.failure = sink.failure ?? error }
        return CompactValueEncoder(sink: sink, start: sink.bytes.count, depth: sink.open.count)
    }
}

struct CompactUnkeyedEncoder: UnkeyedEncodingContainer {
    let sink: CompactSink
    let index: Int
    let slot: Int
    private(set) var count = 0

    init(sink: CompactSink, index: Int, slot: Int) {
        self.sink = sink
        self.index = index
        self.slot = slot
    }

    var codingPath: [any CodingKey] { [] }

    private mutating func entry() throws {
        try sink.resume(index, slot: slot)
        count += 1
    }

    mutating func encodeNil() throws { try entry(); sink.tag(.null) }
    mutating func encode(_ value: Bool) throws { try entry(); sink.bool(value) }
    mutating func encode(_ value: String) throws { try entry(); sink.string(value) }
    mutating func encode(_ value: Double) throws { try entry(); sink.double(value) }
    mutating func encode(_ value: Float) throws { try entry(); sink.double(Double(value)) }
    mutating func encode(_ value: Int) throws { try entry(); sink.signed(Int64(value)) }
    mutating func encode(_ value: Int8) throws { try entry(); sink.signed(Int64(value)) }
    mutating func encode(_ value: Int16) throws { try entry(); sink.signed(Int64(value)) }
    mutating func encode(_ value: Int32) throws { try entry(); sink.signed(Int64(value)) }
    mutating func encode(_ value: Int64) throws { try entry(); sink.signed(value) }
    mutating func encode(_ value: UInt) throws { try entry(); sink.unsigned(UInt64(value)) }
    mutating func encode(_ value: UInt8) throws { try entry(); sink.unsigned(UInt64(value)) }
    mutating func encode(_ value: UInt16) throws { try entry(); sink.unsigned(UInt64(value)) }
    mutating func encode(_ value: UInt32) throws { try entry(); sink.unsigned(UInt64(value)) }
    mutating func encode(_ value: UInt64) throws { try entry(); sink.unsigned(value) }
    mutating func encode<T: Encodable>(_ value: T) throws { try entry(); try sink.value(value) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        do { try entry() } catch { sink.failure = sink.failure ?? error }
        let (i, s) = sink.openContainer(.keyed)
        return KeyedEncodingContainer(CompactKeyedEncoder<NestedKey>(sink: sink, index: i, slot: s))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        do { try entry() } catch { sink.failure = sink.failure ?? error }
        let (i, s) = sink.openContainer(.unkeyed)
        return CompactUnkeyedEncoder(sink: sink, index: i, slot: s)
    }

    mutating func superEncoder() -> any Encoder {
        do { try entry() } catch { sink.failure = sink.failure ?? error }
        return CompactValueEncoder(sink: sink, start: sink.bytes.count, depth: sink.open.count)
    }
}

struct CompactSingleEncoder: SingleValueEncodingContainer {
    let sink: CompactSink

    var codingPath: [any CodingKey] { [] }

    mutating func encodeNil() throws { sink.tag(.null) }
    mutating func encode(_ value: Bool) throws { sink.bool(value) }
    mutating func encode(_ value: String) throws { sink.string(value) }
    mutating func encode(_ value: Double) throws { sink.double(value) }
    mutating func encode(_ value: Float) throws { sink.double(Double(value)) }
    mutating func encode(_ value: Int) throws { sink.signed(Int64(value)) }
    mutating func encode(_ value: Int8) throws { sink.signed(Int64(value)) }
    mutating func encode(_ value: Int16) throws { sink.signed(Int64(value)) }
    mutating func encode(_ value: Int32) throws { sink.signed(Int64(value)) }
    mutating func encode(_ value: Int64) throws { sink.signed(value) }
    mutating func encode(_ value: UInt) throws { sink.unsigned(UInt64(value)) }
    mutating func encode(_ value: UInt8) throws { sink.unsigned(UInt64(value)) }
    mutating func encode(_ value: UInt16) throws { sink.unsigned(UInt64(value)) }
    mutating func encode(_ value: UInt32) throws { sink.unsigned(UInt64(value)) }
    mutating func encode(_ value: UInt64) throws { sink.unsigned(value) }
    mutating func encode<T: Encodable>(_ value: T) throws { try sink.value(value) }
}
