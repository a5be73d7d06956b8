#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Hands out one shared `String` per distinct byte sequence, so the sids and names every Twilio event
/// repeats (worker, task, reservation, queue...) are not allocated again for each event, and the
/// mapper's dictionaries compare them by identity instead of by bytes.
///
/// Open addressing over a power-of-two table, keyed by a fast byte hash. Bounded: when ``limit``
/// strings are held the table starts over (strings already handed out stay valid; only sharing
/// restarts), so memory stays flat however many sids a long-running server sees.
struct StringInterner {
    let limit: Int
    /// Hash of each slot's string; 0 marks an empty slot (a string hashing to 0 is stored as 1).
    private var hashes: [UInt64]
    private var strings: [String]
    private var mask: Int
    private(set) var count = 0

    init(limit: Int = 1 << 14) {
        self.limit = max(16, limit)
        var size = 16
        while size < self.limit * 2 { size <<= 1 }
        hashes = Array(repeating: 0, count: size)
        strings = Array(repeating: "", count: size)
        mask = size - 1
    }

    /// The shared string whose UTF-8 is `bytes` (which must be valid UTF-8).
    mutating func intern(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        // Up to 15 bytes a String is stored inline: building one costs less than looking it up.
        if bytes.count <= 15 { return String(decoding: bytes, as: UTF8.self) }
        let h = max(1, Self.hash(bytes))
        let m = mask
        let found: Int? = hashes.withUnsafeBufferPointer { hs in
            strings.withUnsafeBufferPointer { ss in
                var i = Int(truncatingIfNeeded: h) & m
                while hs[i] != 0 {
                    if hs[i] == h, Self.equal(ss[i], bytes) { return i }
                    i = (i + 1) & m
                }
                return ~i
            }
        }
        if let found, found >= 0 { return strings[found] }
        let s = String(decoding: bytes, as: UTF8.self)
        var i = ~found!
        if count >= limit {
            for k in hashes.indices { hashes[k] = 0; strings[k] = "" }
            count = 0
            i = Int(truncatingIfNeeded: h) & m
        }
        hashes[i] = h
        strings[i] = s
        count += 1
        return s
    }

    /// The shared string equal to `string`.
    mutating func intern(_ string: String) -> String {
        var string = string
        return string.withUTF8 { intern($0) }
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
