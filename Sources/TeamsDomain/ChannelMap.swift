/// A value per TaskRouter channel (`voice`, `chat`, `sms`, …) of one worker: its capacity, or when a
/// channel's capacity or availability last changed.
///
/// A worker has a handful of channels, so the entries are one short array sorted by channel name, not a
/// dictionary: two channels take one 80-byte allocation here, where a `[String: Int]` of two takes about
/// 170 bytes (its hash table keeps a quarter of its slots empty, and its header is larger), and every
/// worker of the registry holds two of these. Lookups scan the array (a few string comparisons).
///
/// Reads like a dictionary (`map["voice"]`, `keys`, `for (channel, value) in map`, a dictionary literal)
/// and is written and read as one in snapshots (`Codable` as `[String: Value]`), so the snapshot format
/// does not change.
public struct ChannelMap<Value: Sendable & Hashable>: Sendable, Hashable, Sequence, ExpressibleByDictionaryLiteral {
    public typealias Element = (key: String, value: Value)

    /// Sorted by `key`, each key once.
    private var entries: [Entry] = []

    fileprivate struct Entry: Sendable, Hashable {
        var key: String
        var value: Value
    }

    public init() {}

    public init(dictionaryLiteral elements: (String, Value)...) {
        for (key, value) in elements { self[key] = value }
    }

    /// The entries of `dictionary`.
    public init(_ dictionary: [String: Value]) {
        entries.reserveCapacity(dictionary.count)
        for (key, value) in dictionary { self[key] = value }
    }

    /// The value of a channel; setting `nil` removes it.
    public subscript(key: String) -> Value? {
        get {
            for e in entries where e.key == key { return e.value }
            return nil
        }
        set {
            let i = entries.firstIndex { $0.key >= key } ?? entries.endIndex
            let found = i < entries.endIndex && entries[i].key == key
            switch (found, newValue) {
            case (true, let value?): entries[i].value = value
            case (true, nil): entries.remove(at: i)
            case (false, let value?): entries.insert(Entry(key: key, value: value), at: i)
            case (false, nil): break
            }
        }
    }

    /// The channels, in name order. A closure, not `\.key`: a key path into this generic type is instantiated
    /// by the runtime on every call (~6% of a new view's first render, once per row, went to it).
    public var keys: [String] { entries.map { $0.key } }

    /// Whether `other` keeps its entries in the same heap block (`SharedValues`).
    func sharesEntries(with other: ChannelMap) -> Bool {
        entries.withUnsafeBufferPointer { a in other.entries.withUnsafeBufferPointer { $0.baseAddress == a.baseAddress } }
    }
    public var count: Int { entries.count }
    public var isEmpty: Bool { entries.isEmpty }

    public func makeIterator() -> Iterator { Iterator(base: entries.makeIterator()) }

    /// The entries in channel-name order.
    public struct Iterator: IteratorProtocol {
        fileprivate var base: IndexingIterator<[Entry]>

        public mutating func next() -> Element? { base.next().map { ($0.key, $0.value) } }
    }
}

extension ChannelMap: Codable where Value: Codable {
    public init(from decoder: any Decoder) throws {
        self.init(try decoder.singleValueContainer().decode([String: Value].self))
    }

    /// Written as `[String: Value]` is (a keyed container), in channel-name order: a dictionary built to write it
    /// would list its entries in an order of its own, another each time, and a saved floor would differ from
    /// one writing to the next.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: ChannelKey.self)
        for entry in entries { try c.encode(entry.value, forKey: ChannelKey(stringValue: entry.key)) }
    }

    private struct ChannelKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
