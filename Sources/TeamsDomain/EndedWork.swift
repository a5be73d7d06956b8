/// A tombstone: a call or task of a worker that ended, and when.
///
/// Events arrive late and twice; without this a `call.start` delivered after the call's
/// `call.end` would put a call on the agent's card that is long over.
public struct EndedWork: Sendable, Hashable, Codable {
    public enum Kind: UInt8, Sendable, Hashable, Codable {
        case call, task
    }

    // Declared in this order so the tombstone stays 32 bytes, as before the fingerprint.
    public var id: String {
        didSet { fingerprint = Self.fingerprint(of: id) }
    }
    public var endedAt: Timestamp
    /// A cheap digest of `id` (see ``fingerprint(of:)``): every `call.start` and `task.start`
    /// checks the tombstones, and comparing integers first spares almost all string comparisons.
    /// A function of `id`, so equality and hashing mean what they meant.
    package private(set) var fingerprint: UInt32
    public var kind: Kind

    public init(kind: Kind, id: String, endedAt: Timestamp) {
        self.kind = kind
        self.id = id
        self.endedAt = endedAt
        self.fingerprint = Self.fingerprint(of: id)
    }

    /// Length and the last (up to) 8 bytes of the UTF-8 form, mixed: producers' ids differ at the
    /// end (counters, random hex), and this is much cheaper than hashing. Equal ids, equal digests.
    @inline(__always)
    static func fingerprint(of id: String) -> UInt32 {
        let digest = { (bytes: UnsafeBufferPointer<UInt8>) -> UInt32 in
            var tail = UInt64(truncatingIfNeeded: bytes.count)
            for b in bytes.suffix(8) { tail = tail << 8 | UInt64(b) }
            let mixed = (tail ^ UInt64(truncatingIfNeeded: bytes.count) << 59) &* 0x9E37_79B9_7F4A_7C15
            return UInt32(truncatingIfNeeded: mixed >> 32)
        }
        if let result = id.utf8.withContiguousStorageIfAvailable(digest) { return result }
        return ContiguousArray(id.utf8).withUnsafeBufferPointer(digest)
    }
}

extension EndedWork {
    /// 128 bits, two per fingerprint: with `Registry.endedMemory` (16) tombstones, about one id in
    /// twenty that never ended looks as if it might have.
    package struct Filter: Sendable, Hashable, Codable {
        var low: UInt64 = 0
        var high: UInt64 = 0

        @inline(__always)
        static func bits(_ fingerprint: UInt32) -> Filter {
            let a = fingerprint & 127, b = (fingerprint >> 7) & 127
            var f = Filter()
            if a < 64 { f.low |= 1 << UInt64(a) } else { f.high |= 1 << UInt64(a - 64) }
            if b < 64 { f.low |= 1 << UInt64(b) } else { f.high |= 1 << UInt64(b - 64) }
            return f
        }

        @inline(__always)
        mutating func insert(_ fingerprint: UInt32) {
            let f = Self.bits(fingerprint)
            low |= f.low
            high |= f.high
        }

        @inline(__always)
        func mayContain(_ fingerprint: UInt32) -> Bool {
            let f = Self.bits(fingerprint)
            return low & f.low == f.low && high & f.high == f.high
        }
    }
}

extension WorkerState {
    /// When the call or task `id` ended, if it is among the remembered ended ones.
    public func endedAt(_ kind: EndedWork.Kind, _ id: String) -> Timestamp? {
        guard !ended.isEmpty else { return nil }
        let fingerprint = EndedWork.fingerprint(of: id)
        guard endedFilter.mayContain(fingerprint) else { return nil }
        return ended.withUnsafeBufferPointer { items -> Timestamp? in
            // Newest last: scanning backwards finds the latest end of a reused id first.
            var i = items.count
            while i > 0 {
                i -= 1
                if items[i].fingerprint == fingerprint, items[i].kind == kind, items[i].id == id {
                    return items[i].endedAt
                }
            }
            return nil
        }
    }

    mutating func rememberEnded(_ kind: EndedWork.Kind, _ id: String, at: Timestamp) {
        let item = EndedWork(kind: kind, id: id, endedAt: at)
        if ended.count == Registry.endedMemory {
            // Full: drop the oldest and append in place, without reallocating or shrinking.
            ended.withUnsafeMutableBufferPointer { items in
                let base = items.baseAddress!
                base.deinitialize(count: 1)
                base.moveInitialize(from: base + 1, count: items.count - 1)
                (base + items.count - 1).initialize(to: item)
            }
            rebuildEndedFilter()
            return
        }
        if ended.count > Registry.endedMemory {
            ended.removeFirst(ended.count - Registry.endedMemory + 1)
            ended.append(item)
            rebuildEndedFilter()
            return
        }
        ended.append(item)
        endedFilter.insert(item.fingerprint)
    }

    /// Reads the fingerprints in place: iterating `ended` would copy every tombstone (retaining and
    /// releasing its id) at every call end once the memory is full.
    private mutating func rebuildEndedFilter() {
        endedFilter = ended.withUnsafeBufferPointer { items in
            var filter = EndedWork.Filter()
            for i in items.indices { filter.insert(items[i].fingerprint) }
            return filter
        }
    }
}
