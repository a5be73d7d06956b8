import DequeModule

/// A dictionary that forgets its oldest keys (by first insertion) beyond `capacity`.
///
/// Twilio correlation state (task → worker, conference → task, seen event ids) grows with every call
/// for as long as the server runs; a first-in-first-out cap keeps memory flat. FIFO rather than LRU
/// because what is forgotten is old calls, and FIFO costs no bookkeeping on reads.
struct BoundedMap<Key: Hashable, Value> {
    let capacity: Int
    /// Each value with the insertion it came from, so an old `order` entry of a key removed and
    /// inserted again is told apart from its live one.
    private var storage: [Key: (value: Value, insertion: UInt64)] = [:]
    private var order: Deque<(key: Key, insertion: UInt64)> = []
    private var insertions: UInt64 = 0

    init(capacity: Int) {
        precondition(capacity > 0, "BoundedMap capacity must be positive")
        self.capacity = capacity
    }

    var count: Int { storage.count }

    subscript(key: Key) -> Value? {
        get { storage[key]?.value }
        set {
            guard let newValue else {
                // The key stays in `order` until it reaches the front: removals are rare here.
                storage.removeValue(forKey: key)
                return
            }
            if storage[key] != nil {
                storage[key]!.value = newValue
            } else {
                insertions &+= 1
                storage[key] = (newValue, insertions)
                order.append((key, insertions))
                evictIfNeeded()
            }
        }
    }

    /// Updates the value in place when the key is present.
    mutating func modify(_ key: Key, _ body: (inout Value) -> Void) {
        guard storage[key] != nil else { return }
        body(&storage[key]!.value)
    }

    private mutating func evictIfNeeded() {
        while storage.count > capacity || order.count > 2 * capacity, let oldest = order.popFirst() {
            // Only the entry of the live insertion evicts; a stale one (removed, inserted again) just goes.
            if storage.count > capacity, storage[oldest.key]?.insertion == oldest.insertion {
                storage.removeValue(forKey: oldest.key)
            }
        }
    }
}

/// A set of the most recent `capacity` members (first-in-first-out), for de-duplicating deliveries.
struct BoundedSet<Element: Hashable> {
    let capacity: Int
    private var members: Set<Element> = []
    private var order: Deque<Element> = []

    init(capacity: Int) {
        precondition(capacity > 0, "BoundedSet capacity must be positive")
        self.capacity = capacity
        members.reserveCapacity(min(capacity, 1 << 16))
    }

    var count: Int { members.count }

    func contains(_ element: Element) -> Bool { members.contains(element) }

    /// Inserts `element`; false when it was already a member (a duplicate).
    @discardableResult
    mutating func insert(_ element: Element) -> Bool {
        guard members.insert(element).inserted else { return false }
        order.append(element)
        if order.count > capacity, let oldest = order.popFirst() { members.remove(oldest) }
        return true
    }
}

extension BoundedMap: Codable where Key: Codable, Value: Codable {
    /// One remembered entry, oldest first; `insertion` keeps eviction order exact after a restore.
    private struct Entry: Codable {
        var key: Key
        var value: Value?
        var insertion: UInt64
    }

    private enum CodingKeys: String, CodingKey { case capacity, insertions, order }

    /// Encoded as the insertion order, each live entry with its value (stale order entries without).
    func encode(to encoder: any Encoder) throws {
        if let compact = encoder as? CompactValueEncoder, compact.sink.fastPaths, let fast = self as? any CompactEncodable {
            return fast.encode(compact: compact.sink)
        }
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(capacity, forKey: .capacity)
        try c.encode(insertions, forKey: .insertions)
        let entries = order.map { item -> Entry in
            let live = storage[item.key].flatMap { $0.insertion == item.insertion ? $0.value : nil }
            return Entry(key: item.key, value: live, insertion: item.insertion)
        }
        try c.encode(entries, forKey: .order)
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(capacity: max(1, try c.decode(Int.self, forKey: .capacity)))
        insertions = try c.decode(UInt64.self, forKey: .insertions)
        for entry in try c.decode([Entry].self, forKey: .order) {
            order.append((entry.key, entry.insertion))
            if let value = entry.value { storage[entry.key] = (value, entry.insertion) }
        }
    }
}

extension BoundedMap: CompactEncodable where Key: CompactEncodable, Value: CompactEncodable {
    /// The bytes of `encode(to:)` above, written directly (see ``CompactEncodable``).
    func encode(compact sink: CompactSink) {
        sink.keyed {
            sink.key("capacity")
            sink.signed(Int64(capacity))
            sink.key("insertions")
            sink.unsigned(insertions)
            sink.key("order")
            sink.unkeyed {
                for item in order {
                    sink.keyed {
                        sink.key("key")
                        item.key.encode(compact: sink)
                        if let live = storage[item.key], live.insertion == item.insertion {
                            sink.key("value")
                            live.value.encode(compact: sink)
                        }
                        sink.key("insertion")
                        sink.unsigned(item.insertion)
                    }
                }
            }
        }
    }
}

extension BoundedSet: CompactEncodable where Element: CompactEncodable {
    /// The bytes of `encode(to:)` below, written directly (see ``CompactEncodable``).
    func encode(compact sink: CompactSink) {
        sink.keyed {
            sink.key("capacity")
            sink.signed(Int64(capacity))
            sink.key("order")
            sink.unkeyed {
                for element in order { element.encode(compact: sink) }
            }
        }
    }
}

extension BoundedSet: Codable where Element: Codable {
    private enum CodingKeys: String, CodingKey { case capacity, order }

    /// Encoded as its members, oldest first.
    func encode(to encoder: any Encoder) throws {
        if let compact = encoder as? CompactValueEncoder, compact.sink.fastPaths, let fast = self as? any CompactEncodable {
            return fast.encode(compact: compact.sink)
        }
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(capacity, forKey: .capacity)
        try c.encode(Array(order), forKey: .order)
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(capacity: max(1, try c.decode(Int.self, forKey: .capacity)))
        for element in try c.decode([Element].self, forKey: .order) { insert(element) }
    }
}
