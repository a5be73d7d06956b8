/// A bounded cache of identifier strings, keyed by their bytes, so repeated ids decode to one `String`.
///
/// Worker and call ids (`"WK"` + 32 hex digits) are too long for Swift's inline small strings: without
/// this, every event allocates its ids, and the registry compares them byte by byte against the copies
/// it stored. Interned, an id is allocated once, and equal ids share storage, so `==` settles on the
/// storage pointer without reading the bytes (the registry's lookups then touch no cold key copy).
///
/// Two-way set-associative: each id has a set of two entries, chosen by a hash of its bytes; a new id
/// evicts the less recently used of its set. The table starts small and doubles instead of evicting,
/// up to `maxEntries`; it never grows beyond that and only holds ids of at most ``maxBytes`` bytes, so hostile input can cost evictions but
/// not memory. Results never depend on what is cached: a miss just builds the string.
struct IDInterner {
    /// Ids longer than this are built afresh every time (producers' ids are far shorter).
    static let maxBytes = 64
    /// Most entries the table grows to.
    let maxEntries: Int
    static let initialEntries = 1 << 8

    struct Entry {
        /// The id's hash; 0 when the entry is empty (a real hash of 0 is stored as 1).
        var hash: UInt64 = 0
        var string: String = ""
    }

    /// Two-way sets: entries `2k` (most recently used) and `2k + 1`.
    private var entries: [Entry] = []

    init(maxEntries: Int = 1 << 14) {
        precondition(maxEntries >= Self.initialEntries && maxEntries & (maxEntries - 1) == 0)
        self.maxEntries = maxEntries
    }

    /// The string of these UTF-8 bytes (valid UTF-8, no escapes), shared with earlier equal ids when cached.
    @inline(__always)
    mutating func string(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        let n = bytes.count
        guard n > 15, n <= Self.maxBytes else {
            // Short ids are inline small strings: building one allocates nothing.
            return String(decoding: bytes, as: UTF8.self)
        }
        return lookup(bytes)
    }

    private mutating func lookup(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        if entries.isEmpty {
            entries = Array(repeating: Entry(), count: Self.initialEntries)
        }
        let h = Self.hash(bytes)
        let first = Int(truncatingIfNeeded: h >> 32) & (entries.count - 2)
        return entries.withUnsafeMutableBufferPointer { e -> String? in
            if e[first].hash == h, Self.equal(e[first].string, bytes) { return e[first].string }
            if e[first + 1].hash == h, Self.equal(e[first + 1].string, bytes) {
                e.swapAt(first, first + 1)
                return e[first].string
            }
            return nil
        } ?? insertNew(bytes, hash: h)
    }

    private mutating func insertNew(_ bytes: UnsafeBufferPointer<UInt8>, hash h: UInt64) -> String {
        let s = String(decoding: bytes, as: UTF8.self)
        // Grow rather than evict while allowed: an evicted id comes back as a new string, no longer
        // sharing storage with the copies the registry keeps of it.
        while entries.count < maxEntries, setIsFull(h) { grow() }
        insert(s, hash: h)
        return s
    }

    private func setIsFull(_ h: UInt64) -> Bool {
        entries[Int(truncatingIfNeeded: h >> 32) & (entries.count - 2) + 1].hash != 0
    }

    /// Puts `s` first in its set, moving the first to second and evicting the second.
    private mutating func insert(_ s: String, hash h: UInt64) {
        let first = Int(truncatingIfNeeded: h >> 32) & (entries.count - 2)
        entries.withUnsafeMutableBufferPointer { e in
            e.swapAt(first, first + 1)
            e[first] = Entry(hash: h, string: s)
        }
    }

    /// Doubles the table, keeping what it can, most recently used last so they win.
    private mutating func grow() {
        let old = entries
        entries = Array(repeating: Entry(), count: old.count * 2)
        for i in stride(from: 1, to: old.count, by: 2) where old[i].hash != 0 { insert(old[i].string, hash: old[i].hash) }
        for i in stride(from: 0, to: old.count, by: 2) where old[i].hash != 0 { insert(old[i].string, hash: old[i].hash) }
    }

    @inline(__always)
    private static func equal(_ s: String, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let result = s.utf8.withContiguousStorageIfAvailable { stored -> Bool in
            stored.count == bytes.count && memEqual(stored.baseAddress!, bytes.baseAddress!, bytes.count)
        }
        return result ?? false
    }

    @inline(__always)
    private static func memEqual(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
        var i = 0
        while i + 8 <= n {
            if ra.loadUnaligned(fromByteOffset: i, as: UInt64.self) != rb.loadUnaligned(fromByteOffset: i, as: UInt64.self) {
                return false
            }
            i += 8
        }
        while i < n {
            if a[i] != b[i] { return false }
            i += 1
        }
        return true
    }

    /// A fast non-cryptographic hash of 16...64 bytes; never 0.
    @inline(__always)
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        let n = bytes.count
        let p = UnsafeRawPointer(bytes.baseAddress!)
        var h = UInt64(truncatingIfNeeded: n) &* 0x9E37_79B9_7F4A_7C15
        var i = 0
        while i + 8 <= n {
            h = (h ^ p.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0xFF51_AFD7_ED55_8CCD
            h ^= h >> 29
            i += 8
        }
        if i < n {
            // The last 8 bytes, overlapping ones already mixed (n >= 8 here).
            h = (h ^ p.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)) &* 0xC4CE_B9FE_1A85_EC53
            h ^= h >> 32
        }
        h = (h ^ (h >> 33)) &* 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 33
        return h == 0 ? 1 : h
    }
}
