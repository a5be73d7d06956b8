/// The order agents' names are listed in (the Teams View, the kiosk and `/api/workers` share it through
/// `WorkerQuery.teamsPageOrder`): natural, as people read a list. Runs of digits compare as numbers ("Agent 2" before
/// "Agent 10"), case is ignored ("ada" beside "Ada"), and the accented Latin letters of Western names sort with their
/// plain letter ("Émile" between "Ella" and "Emma"). Names equal under these rules fall back to code-point order, so
/// the order is total and the same on every page.
///
/// Byte by byte over UTF-8 with no allocation: a sort compares names of the whole floor many times over, where a
/// locale-aware comparison costs about twenty times more.
enum NameOrder {
    /// Whether `a` comes before `b`.
    static func precedes(_ a: String, _ b: String) -> Bool {
        if a == b { return false }
        let natural: Int? = a.utf8.withContiguousStorageIfAvailable { pa in
            b.utf8.withContiguousStorageIfAvailable { pb in compare(pa, pb) }
        } ?? nil
        let order = natural ?? compare(Array(a.utf8)[...], Array(b.utf8)[...])
        return order != 0 ? order < 0 : a < b
    }

    /// -1, 0 or 1: `a` before, level with, or after `b` in natural order.
    static func compare<C: RandomAccessCollection>(_ a: C, _ b: C) -> Int where C.Element == UInt8, C.Index == Int {
        var i = a.startIndex, j = b.startIndex
        while i < a.endIndex, j < b.endIndex {
            if isDigit(a[i]), isDigit(b[j]) {
                // Leading zeros say nothing of the number: "007" is level with "7" here (and before it in the tie-break).
                while i < a.endIndex, a[i] == 0x30 { i += 1 }
                while j < b.endIndex, b[j] == 0x30 { j += 1 }
                var ei = i, ej = j
                while ei < a.endIndex, isDigit(a[ei]) { ei += 1 }
                while ej < b.endIndex, isDigit(b[ej]) { ej += 1 }
                if ei - i != ej - j { return ei - i < ej - j ? -1 : 1 }
                while i < ei {
                    if a[i] != b[j] { return a[i] < b[j] ? -1 : 1 }
                    i += 1
                    j += 1
                }
                continue
            }
            let (x, nextI) = folded(a, at: i)
            let (y, nextJ) = folded(b, at: j)
            if x != y { return x < y ? -1 : 1 }
            i = nextI
            j = nextJ
        }
        let restA = i < a.endIndex, restB = j < b.endIndex
        return restA == restB ? 0 : (restA ? 1 : -1)
    }

    static func isDigit(_ byte: UInt8) -> Bool { byte &- 0x30 < 10 }

    /// Appends the sort key of `name`: bytes that compare (byte by byte, a key that is a prefix of another first) as
    /// ``compare(_:_:)`` compares the names, so a sort reads each name once instead of once per comparison.
    ///
    /// A letter or other byte is its folded value (`folded`, never a digit). A run of digits is `0x30` (a digit
    /// compared with anything else sorts by whether that is below `0`, whichever digit it is), the length of the run
    /// without its leading zeros (one byte below 255; else 255 and four bytes, high first), then those digits. A key
    /// reads from its start one way only, so two keys level up to a byte are level token for token there.
    static func appendKey(of name: String, to key: inout [UInt8]) {
        if name.utf8.withContiguousStorageIfAvailable({ appendKey($0, to: &key) }) == nil {
            appendKey(Array(name.utf8)[...], to: &key)
        }
    }

    static func appendKey<C: RandomAccessCollection>(_ s: C, to key: inout [UInt8]) where C.Element == UInt8, C.Index == Int {
        var i = s.startIndex
        while i < s.endIndex {
            guard isDigit(s[i]) else {
                let (x, next) = folded(s, at: i)
                key.append(UInt8(truncatingIfNeeded: x))
                i = next
                continue
            }
            while i < s.endIndex, s[i] == 0x30 { i += 1 }
            var end = i
            while end < s.endIndex, isDigit(s[end]) { end += 1 }
            key.append(0x30)
            let length = end - i
            if length < 0xFF {
                key.append(UInt8(length))
            } else {
                let long = UInt32(clamping: length)
                key.append(0xFF)
                for shift in [24, 16, 8, 0] as [UInt32] { key.append(UInt8(truncatingIfNeeded: long >> shift)) }
            }
            key.append(contentsOf: s[i..<end])
            i = end
        }
    }

    /// The byte at `i` as compared (a digit where a number runs against a letter: its own value, so numbers sort
    /// where digits do), and where the next one starts. ASCII letters lower case; À–þ (`C3 80`–`C3 BE`) as their plain
    /// letter; any other byte as itself.
    static func folded<C: RandomAccessCollection>(_ s: C, at i: Int) -> (UInt16, Int) where C.Element == UInt8, C.Index == Int {
        let byte = s[i]
        if byte &- 0x41 < 26 { return (UInt16(byte | 0x20), i + 1) }
        if byte == 0xC3, i + 1 < s.endIndex, s[i + 1] &- 0x80 < 0x3F, latin1[Int(s[i + 1] &- 0x80)] != 0 {
            return (UInt16(latin1[Int(s[i + 1] &- 0x80)]), i + 2)
        }
        return (UInt16(byte), i + 1)
    }

    /// The plain lower-case letter of U+00C0...U+00FE (0: none, such as × and ÷).
    static let latin1 = Array("aaaaaaaceeeeiiiidnooooo\0ouuuuytsaaaaaaaceeeeiiiidnooooo\0ouuuuyt".utf8)
}
