/// A tombstone: a call or task of a worker that ended, and when.
///
/// Events arrive late and twice; without this a `call.start` delivered after the call's
/// `call.end` would put a call on the agent's card that is long over.
public struct EndedWork: Sendable, Hashable, Codable {
    public enum Kind: UInt8, Sendable, Hashable, Codable {
        case call, task
    }

    /// ``digest(of:)`` of the call's or task's id. The id itself is not kept: a 34-character TaskRouter sid
    /// is a heap block of its own (80 bytes), and a worker remembers `Registry.endedMemory` of them, so a
    /// floor after a shift held about 1.5 KB per agent of ended ids that only ever answered "is it this one?".
    public private(set) var digest: UInt64
    public var endedAt: Timestamp
    /// ``fingerprint(of:)`` of the id, for ``Filter``.
    package private(set) var fingerprint: UInt32
    public var kind: Kind

    public init(kind: Kind, id: String, endedAt: Timestamp) {
        self.kind = kind
        self.digest = Self.digest(of: id)
        self.endedAt = endedAt
        self.fingerprint = Self.fingerprint(of: id)
    }

    /// Whether this tombstone is of `id` (its fingerprint `fingerprint`). Two ids with the same digest
    /// would be taken for each other: 64 bits, among the 16 tombstones of one worker.
    @inline(__always)
    func isOf(_ kind: Kind, _ id: String, fingerprint: UInt32) -> Bool {
        self.fingerprint == fingerprint && self.kind == kind && digest == Self.digest(of: id)
    }

    enum CodingKeys: String, CodingKey {
        case id, digest, endedAt, fingerprint, kind
    }

    /// Reads `digest`, or `id` as saved floors before it held (its digest is taken).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        endedAt = try c.decode(Timestamp.self, forKey: .endedAt)
        kind = try c.decode(Kind.self, forKey: .kind)
        if let id = try c.decodeIfPresent(String.self, forKey: .id) {
            digest = Self.digest(of: id)
            fingerprint = Self.fingerprint(of: id)
        } else {
            digest = try c.decode(UInt64.self, forKey: .digest)
            fingerprint = try c.decode(UInt32.self, forKey: .fingerprint)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(digest, forKey: .digest)
        try c.encode(endedAt, forKey: .endedAt)
        try c.encode(fingerprint, forKey: .fingerprint)
        try c.encode(kind, forKey: .kind)
    }

    /// A 64-bit digest of the UTF-8 form: FNV-1a, then a finalising mix. The same in every process (saved
    /// floors keep it), so not seeded: an id made to collide with one a worker ended lately can only make its
    /// own start look late, which whoever sends events can do by ending it.
    static func digest(of id: String) -> UInt64 {
        let hash = { (bytes: UnsafeBufferPointer<UInt8>) -> UInt64 in
            var h: UInt64 = 0xCBF2_9CE4_8422_2325
            for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
            h ^= h >> 33
            h = h &* 0xFF51_AFD7_ED55_8CCD
            h ^= h >> 33
            h = h &* 0xC4CE_B9FE_1A85_EC53
            return h ^ (h >> 33)
        }
        if let result = id.utf8.withContiguousStorageIfAvailable(hash) { return result }
        return ContiguousArray(id.utf8).withUnsafeBufferPointer(hash)
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
                if items[i].isOf(kind, id, fingerprint: fingerprint) {
                    return items[i].endedAt
                }
            }
            return nil
        }
    }

    /// Whether a call or task unknown to the worker, starting at `at`, may be one whose end it has forgotten: it
    /// remembers as many ends as it keeps (`Registry.endedMemory`) and `at` is no later than the oldest of them.
    /// Such a start (a file or a delivery replayed from long ago) is refused as late rather than shown live again.
    func mayHaveForgottenEnd(startingAt at: Timestamp) -> Bool {
        guard ended.count >= Registry.endedMemory else { return false }
        return ended.withUnsafeBufferPointer { items in items.allSatisfy { at <= $0.endedAt } }
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
