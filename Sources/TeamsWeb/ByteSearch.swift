#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Finding bytes in bytes with the C library's `memchr` and `memcmp`: the standard library's
/// `firstRange(of:)` on a `String.UTF8View` goes through generic searching and type metadata
/// lookups, and cost a quarter of a filtered page's server time.
enum ByteSearch {
    /// The offsets of the first occurrence of `needle` in `bytes`; nil when there is none or `needle` is empty.
    static func firstRange(of needle: [UInt8], in bytes: [UInt8]) -> Range<Int>? {
        guard let first = needle.first, bytes.count >= needle.count else { return nil }
        return bytes.withUnsafeBytes { haystack in
            needle.withUnsafeBytes { n in
                let base = haystack.baseAddress!
                let last = haystack.count - n.count
                var from = 0
                while from <= last, let hit = memchr(base + from, Int32(first), last - from + 1) {
                    let at = UnsafeRawPointer(hit) - base
                    if memcmp(base + at, n.baseAddress!, n.count) == 0 { return at ..< at + n.count }
                    from = at + 1
                }
                return nil
            }
        }
    }
}
