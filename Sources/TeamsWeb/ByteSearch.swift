#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Finding bytes in bytes with the C library's `memchr` and `memcmp`: the standard library's
/// `firstRange(of:)` on a `String.UTF8View` goes through generic searching and type metadata
/// lookups, and cost a quarter of a filtered page's server time.
package enum ByteSearch {
    /// The offsets of the first occurrence of `needle` in `bytes`; nil when there is none or `needle` is empty.
    static func firstRange(of needle: [UInt8], in bytes: [UInt8]) -> Range<Int>? {
        bytes.withUnsafeBufferPointer { b in
            needle.withUnsafeBufferPointer { n in firstOffset(of: n, in: b, from: 0, pivot: 0).map { $0 ..< $0 + n.count } }
        }
    }

    /// The offset of the first occurrence of `needle` in `bytes` starting at `from` or later; nil when there
    /// is none or `needle` is empty. `memchr` looks for `needle[pivot]` (its rarest byte is fastest); a
    /// candidate's last and middle bytes are compared before `memcmp`, so most fail without a call.
    package static func firstOffset(of needle: UnsafeBufferPointer<UInt8>, in bytes: UnsafeBufferPointer<UInt8>,
                            from: Int, pivot k: Int) -> Int? {
        let n = needle.count
        guard n > 0, k < n, let base = bytes.baseAddress, bytes.count >= n else { return nil }
        let lastPivot = bytes.count - n + k
        var at = max(from, 0) + k
        while at <= lastPivot, let hit = memchr(base + at, Int32(needle[k]), lastPivot - at + 1) {
            let start = UnsafeRawPointer(hit) - UnsafeRawPointer(base) - k
            if base[start + n - 1] == needle[n - 1], base[start + n / 2] == needle[n / 2],
               memcmp(base + start, needle.baseAddress!, n) == 0 { return start }
            at = start + k + 1
        }
        return nil
    }
}
