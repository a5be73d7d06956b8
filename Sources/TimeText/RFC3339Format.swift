/// RFC 3339 date-times in UTC, written (`2026-11-25T09:00:00Z`, `2026-11-25T09:00:00.250Z`), and the civil-calendar
/// arithmetic under them: one implementation for the domain's timestamps and the log's lines. (The calendar functions
/// are inlinable: parsing event times, on the ingest path, uses them.)
package enum RFC3339Format {
    /// When the milliseconds are written.
    package enum Milliseconds: Sendable {
        /// Only when the time is not a whole second (to the microsecond): `…:00Z`, `…:00.250Z`, and `…:00.000Z` for a
        /// time less than a millisecond past a second.
        case unlessWholeSecond
        /// Always: `…:00.000Z`.
        case always
    }

    /// `YYYY-MM-DDTHH:MM:SS[.mmm]Z` of `microseconds` since 1970-01-01 UTC (before it too), milliseconds rounded down.
    package static func string(microseconds: Int64, milliseconds: Milliseconds) -> String {
        var seconds = microseconds / 1_000_000
        var fraction = microseconds % 1_000_000
        if fraction < 0 {
            fraction += 1_000_000
            seconds -= 1
        }
        var days = seconds / 86_400
        var rest = seconds % 86_400
        if rest < 0 {
            rest += 86_400
            days -= 1
        }
        let (year, month, day) = civilFromDays(Int(days))
        var out = pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2) + "T" + pad(Int(rest / 3600), 2) + ":"
            + pad(Int(rest % 3600 / 60), 2) + ":" + pad(Int(rest % 60), 2)
        if fraction != 0 || milliseconds == .always { out += "." + pad(Int(fraction / 1000), 3) }
        return out + "Z"
    }

    /// `value` in decimal, zeros in front up to `width` digits.
    private static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }

    /// Days since 1970-01-01 (Howard Hinnant's algorithm).
    @inlinable
    package static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The date `days` after 1970-01-01.
    @inlinable
    package static func civilFromDays(_ z0: Int) -> (year: Int, month: Int, day: Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }
}
