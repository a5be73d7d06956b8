import TeamsDomain

/// RFC 2822 date-times as Twilio's Voice callbacks send them: `Tue, 04 Mar 2025 15:24:03 +0000`.
///
/// Accepts the optional day name (checked to be a day name, not checked against the date), a one- or
/// two-digit day, English month abbreviations, a four-digit year, `HH:MM` with optional `:SS`, and a zone
/// of `±HHMM`, `GMT`, `UT`, `UTC` or `Z`. Anything else is not a date.
public enum RFC2822 {
    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    private static let days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

    /// Parses an RFC 2822 date-time; `nil` when the text is not one.
    public static func parse(_ text: String) -> Timestamp? {
        var rest = Substring(text)
        if let comma = rest.firstIndex(of: ",") {
            let day = rest[..<comma].trimmingSpaces().lowercased()
            guard days.contains(day) else { return nil }
            rest = rest[rest.index(after: comma)...]
        }
        let parts = rest.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 5 else { return nil }
        guard parts[0].count <= 2, let day = Int(parts[0]), day >= 1,
              let month = months.firstIndex(of: parts[1].lowercased()).map({ $0 + 1 }),
              parts[2].count == 4, let year = Int(parts[2]), year >= 1900,
              day <= RFC3339.daysInMonth(month, year)
        else { return nil }
        let clock = parts[3].split(separator: ":", omittingEmptySubsequences: false)
        guard clock.count == 2 || clock.count == 3, clock.allSatisfy({ $0.count == 2 && $0.allSatisfy(\.isASCIIDigit) }),
              let hour = Int(clock[0]), let minute = Int(clock[1]), hour <= 23, minute <= 59
        else { return nil }
        let second = clock.count == 3 ? Int(clock[2])! : 0
        guard second <= 60 else { return nil }
        guard let offset = zoneOffset(parts[4]) else { return nil }
        let days = RFC3339.daysFromCivil(year: year, month: month, day: day)
        let seconds = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + min(second, 59)) - Int64(offset)
        return Timestamp(microseconds: seconds * 1_000_000)
    }

    /// Seconds east of UTC.
    private static func zoneOffset(_ zone: Substring) -> Int? {
        switch zone.uppercased() {
        case "GMT", "UT", "UTC", "Z": return 0
        default: break
        }
        let chars = Array(zone.utf8)
        guard chars.count == 5, chars[0] == UInt8(ascii: "+") || chars[0] == UInt8(ascii: "-"),
              chars[1...].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 })
        else { return nil }
        let hours = Int(chars[1] - 0x30) * 10 + Int(chars[2] - 0x30)
        let minutes = Int(chars[3] - 0x30) * 10 + Int(chars[4] - 0x30)
        guard hours <= 23, minutes <= 59 else { return nil }
        return (hours * 3600 + minutes * 60) * (chars[0] == UInt8(ascii: "+") ? 1 : -1)
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}

extension Substring {
    func trimmingSpaces() -> Substring {
        var s = self
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return s
    }
}

extension RFC3339 {
    /// Days in `month` of `year` (Gregorian).
    static func daysInMonth(_ month: Int, _ year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}
