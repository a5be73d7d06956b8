/// A dictionary key for sids: the string with a precomputed 64-bit hash, so hashing feeds 8 bytes to
/// `Hasher` and each probe of a lookup compares two integers before it compares any text.
///
/// Swift's `Dictionary` stores no hashes and compares keys at every probe; with 34-byte sids that
/// was most of the mapper's time.
struct SidKey: Hashable, Codable {
    let hash: UInt64
    let string: String

    init(_ string: String) {
        self.string = string
        hash = string.utf8.withContiguousStorageIfAvailable { StringInterner.hash($0) }
            ?? { var s = string; return s.withUTF8 { StringInterner.hash($0) } }()
    }

    static func == (a: SidKey, b: SidKey) -> Bool { a.hash == b.hash && a.string == b.string }

    func hash(into hasher: inout Hasher) { hasher.combine(hash) }

    /// Encoded as the sid alone; the hash is computed again (it depends on this process's seed).
    init(from decoder: any Decoder) throws {
        self.init(try decoder.singleValueContainer().decode(String.self))
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(string)
    }
}
