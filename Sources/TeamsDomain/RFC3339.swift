import TimeText

/// RFC 3339 timestamps (`2026-11-25T09:00:00Z`, `2026-11-25T09:00:00.250+01:00`), parsed straight from bytes.
public enum RFC3339 {
    /// Parses an RFC 3339 date-time; `nil` when the bytes are not one.
    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Timestamp? {
        let n = bytes.count
        guard n >= 20 else { return nil }
        @inline(__always) func digits(_ at: Int, _ count: Int) -> Int? {
            var v = 0
            for i in at..<(at + count) {
                let d = Int(bytes[i]) &- 48
                guard d >= 0, d <= 9 else { return nil }
                v = v * 10 + d
            }
            return v
        }
        guard let year = digits(0, 4), bytes[4] == 0x2D, let month = digits(5, 2), bytes[7] == 0x2D,
              let day = digits(8, 2), bytes[10] == 0x54 || bytes[10] == 0x74 || bytes[10] == 0x20,
              let hour = digits(11, 2), bytes[13] == 0x3A, let minute = digits(14, 2), bytes[16] == 0x3A,
              let second = digits(17, 2)
        else { return nil }
        guard (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year),
              hour <= 23, minute <= 59, second <= 60
        else { return nil }
        var i = 19
        var micros: Int64 = 0
        if i < n, bytes[i] == 0x2E {
            i += 1
            var scale: Int64 = 100_000
            let start = i
            while i < n, bytes[i] >= 0x30, bytes[i] <= 0x39 {
                if scale > 0 { micros += Int64(bytes[i] - 0x30) * scale; scale /= 10 }
                i += 1
            }
            guard i > start else { return nil }
        }
        guard i < n else { return nil }
        var offsetSeconds = 0
        switch bytes[i] {
        case 0x5A, 0x7A:  // Z z
            i += 1
        case 0x2B, 0x2D:  // + -
            guard i + 6 == n, let oh = digits(i + 1, 2), bytes[i + 3] == 0x3A, let om = digits(i + 4, 2),
                  oh <= 23, om <= 59
            else { return nil }
            offsetSeconds = (oh * 3600 + om * 60) * (bytes[i] == 0x2B ? 1 : -1)
            i += 6
        default:
            return nil
        }
        guard i == n else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        let secs = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + min(second, 59)) - Int64(offsetSeconds)
        return Timestamp(microseconds: secs * 1_000_000 + micros)
    }

    /// Parses an RFC 3339 date-time from a string.
    public static func parse(_ string: String) -> Timestamp? {
        var s = string
        return s.withUTF8 { parse($0) }
    }

    /// Formats as `YYYY-MM-DDTHH:MM:SS[.mmm]Z` (milliseconds only when not whole seconds).
    public static func format(_ t: Timestamp) -> String {
        RFC3339Format.string(microseconds: t.microseconds, milliseconds: .unlessWholeSecond)
    }

    package static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 (Howard Hinnant's algorithm).
    public static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        RFC3339Format.daysFromCivil(year: year, month: month, day: day)
    }

    public static func civilFromDays(_ days: Int) -> (year: Int, month: Int, day: Int) {
        RFC3339Format.civilFromDays(days)
    }
}
