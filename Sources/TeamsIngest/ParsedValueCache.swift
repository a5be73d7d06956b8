#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Values parsed from JSON, by their raw bytes: a direct-mapped cache (a colliding value replaces the slot's), so a
/// value a feed repeats (a task's attribute string in each of its events, a team's skill list or capacity map in
/// each profile) costs a hash and a compare instead of a parse, and every repeat shares the first one's storage.
/// Memory is bounded by the slot count.
///
/// Only values whose parse depends on nothing but their bytes (and limits fixed for the reader's life) belong here.
struct ParsedValueCache<Value> {
    /// A power of two.
    let slotCount: Int
    /// Hash of each slot's raw bytes (``StringInterner/hash(_:)``); 0 marks an empty slot.
    private var hashes: [UInt64]
    private var raws: [[UInt8]]
    private var parsed: [Value?]

    /// `slots` is rounded up to a power of two (at least 16).
    init(slots: Int) {
        var n = 16
        while n < slots { n <<= 1 }
        slotCount = n
        hashes = Array(repeating: 0, count: n)
        raws = Array(repeating: [], count: n)
        parsed = Array(repeating: nil, count: n)
    }

    /// The value stored for bytes equal to `raw` (whose ``StringInterner/hash(_:)`` is `hash`), if its slot still holds it.
    func lookup(_ raw: UnsafeBufferPointer<UInt8>, hash: UInt64) -> Value? {
        let h = max(1, hash)
        let i = Int(truncatingIfNeeded: h) & (slotCount - 1)
        let same = hashes.withUnsafeBufferPointer { hs in
            raws.withUnsafeBufferPointer { rs in
                hs[i] == h && rs[i].count == raw.count
                    && rs[i].withUnsafeBufferPointer { raw.count == 0 || memcmp($0.baseAddress!, raw.baseAddress!, raw.count) == 0 }
            }
        }
        return same ? parsed[i] : nil
    }

    mutating func store(_ raw: UnsafeBufferPointer<UInt8>, hash: UInt64, _ value: Value) {
        let h = max(1, hash)
        let i = Int(truncatingIfNeeded: h) & (slotCount - 1)
        hashes[i] = h
        raws[i] = Array(raw)
        parsed[i] = value
    }

    /// The value of `raw`: the stored one, else `parse()`'s, stored for the next time (a throw stores nothing).
    mutating func value<E: Error>(of raw: UnsafeBufferPointer<UInt8>, parse: () throws(E) -> Value) throws(E) -> Value {
        let h = StringInterner.hash(raw)
        if let hit = lookup(raw, hash: h) { return hit }
        let value = try parse()
        store(raw, hash: h, value)
        return value
    }
}

/// The worker-profile values of native lines, by their bytes: a floor's agents share a few skill lists and capacity
/// maps, so each distinct one is built once (no array, dictionary or hashing per profile event) and every worker
/// given it holds the same storage.
struct ProfileValues {
    var skills: ParsedValueCache<[String]>
    var capacity: ParsedValueCache<[String: Int]>

    init(slots: Int = 256) {
        skills = ParsedValueCache(slots: slots)
        capacity = ParsedValueCache(slots: slots)
    }
}
