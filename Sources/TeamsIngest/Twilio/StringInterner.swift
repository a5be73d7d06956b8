#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Hands out one shared `String` per distinct byte sequence, so the sids and names every Twilio event
/// repeats (worker, task, reservation, queue...) are not allocated again for each event, and the
/// mapper's dictionaries and the registry's worker table compare them by identity instead of by bytes.
///
/// Open addressing over power-of-two tables, keyed by a fast byte hash. Bounded, in two generations:
/// new strings go to the current table; when it holds ``limit`` strings it becomes the previous one (the
/// one before is dropped) and a new current table starts. A string found only in the previous table moves
/// to the current one, the same instance: what keeps coming (a floor's worker sids) stays shared and
/// identical for the life of the server, while one-off ids (call sids) age out. Strings already handed
/// out stay valid whatever is dropped; memory stays flat however many sids a long-running server sees.
struct StringInterner {
    let limit: Int
    private var current: Table
    /// Empty (no slots) until the current table first fills.
    private var previous = Table(size: 0)

    init(limit: Int = 1 << 14) {
        self.limit = max(16, limit)
        current = Table(size: Self.tableSize(self.limit))
    }

    /// Strings held, both generations.
    var count: Int { current.count + previous.count }

    /// The shared string whose UTF-8 is `bytes` (which must be valid UTF-8).
    mutating func intern(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        // Up to 15 bytes a String is stored inline: building one costs less than looking it up.
        if bytes.count <= 15 { return String(decoding: bytes, as: UTF8.self) }
        let h = max(1, Self.hash(bytes))
        let slot = current.find(h, bytes)
        if slot >= 0 { return current.slots[slot].string }
        let older = previous.count == 0 ? -1 : previous.find(h, bytes)
        let s = older >= 0 ? previous.slots[older].string : String(decoding: bytes, as: UTF8.self)
        if current.count >= limit {
            previous = current
            current = Table(size: Self.tableSize(limit))
            current.insert(s, hash: h, at: ~current.find(h, bytes))
        } else {
            current.insert(s, hash: h, at: ~slot)
        }
        return s
    }

    /// The shared string equal to `string`.
    mutating func intern(_ string: String) -> String {
        var string = string
        return string.withUTF8 { intern($0) }
    }

    /// Slots for `limit` strings: at most half full.
    private static func tableSize(_ limit: Int) -> Int {
        var size = 16
        while size < limit * 2 { size <<= 1 }
        return size
    }

    /// One generation: each slot's hash (0 marks an empty slot; a string hashing to 0 is stored as 1) beside
    /// its string, so a probe reads one cache line, not one in a hash array and another in a string array.
    private struct Table {
        struct Slot {
            var hash: UInt64 = 0
            var string = ""
        }
        var slots: [Slot]
        var count = 0

        init(size: Int) {
            slots = Array(repeating: Slot(), count: size)
        }

        /// The slot holding `bytes`, or `~slot` of the empty slot where it would go (the table is never full).
        func find(_ h: UInt64, _ bytes: UnsafeBufferPointer<UInt8>) -> Int {
            slots.withUnsafeBufferPointer { ss in
                let m = ss.count - 1
                var i = Int(truncatingIfNeeded: h) & m
                while ss[i].hash != 0 {
                    if ss[i].hash == h, StringInterner.equal(ss[i].string, bytes) { return i }
                    i = (i + 1) & m
                }
                return ~i
            }
        }

        mutating func insert(_ s: String, hash: UInt64, at slot: Int) {
            slots[slot] = Slot(hash: hash, string: s)
            count += 1
        }
    }

    @inline(__always)
    static func equal(_ s: String, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let n = bytes.count
        return s.utf8.withContiguousStorageIfAvailable { (u) -> Bool in
            guard u.count == n else { return false }
            guard n > 0 else { return true }
            return memcmp(u.baseAddress!, bytes.baseAddress!, n) == 0
        } ?? s.utf8.elementsEqual(bytes)
    }

    /// Per process, as `Hasher`'s seed is: inputs that collide cannot be prepared in advance. A restart
    /// that restores a saved decoder memory (hashes of deliveries seen) takes that memory's seed.
    static var seed: UInt64 { seedStorage.load(ordering: .relaxed) }
    private static let seedStorage = Atomic<UInt64>(UInt64.random(in: .min ... .max))

    /// Hashes from now on use `seed`: only before anything has been hashed (a restore at start).
    static func adoptSeed(_ seed: UInt64) { seedStorage.store(seed, ordering: .relaxed) }

    /// A fast, non-cryptographic, seeded 64-bit hash of bytes (8 at a time, multiply and fold).
    @inline(__always)
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        let n = bytes.count
        var h: UInt64 = seed ^ UInt64(truncatingIfNeeded: n)
        guard let p = bytes.baseAddress else { return h }
        let raw = UnsafeRawPointer(p)
        var i = 0
        while i + 8 <= n {
            let w = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            h = (h ^ w) &* 0xBF58_476D_1CE4_E5B9
            h ^= h >> 29
            i += 8
        }
        if i < n {
            var w: UInt64 = 0
            var shift: UInt64 = 0
            while i < n {
                w |= UInt64(p[i]) << shift
                shift += 8
                i += 1
            }
            h = (h ^ w) &* 0x94D0_49BB_1331_11EB
        }
        h ^= h >> 32
        h = h &* 0xD6E8_FEB8_6659_FD93
        return h ^ (h >> 32)
    }
}
