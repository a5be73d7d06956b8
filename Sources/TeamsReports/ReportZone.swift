import Foundation
import TeamsDomain

/// The IANA time zone reports are read in: local days, their 15-minute intervals, RFC 3339 times
/// with the zone's offset.
///
/// Every offset in the tz database is a whole number of 15 minutes, so intervals aligned to UTC
/// quarter hours are aligned to the zone's too; a local day runs from one local midnight to the
/// next, so a DST day has 92 or 100 intervals.
public struct ReportZone: Sendable {
    /// The IANA name (`Europe/Paris`).
    public let identifier: String
    let zone: TimeZone

    /// Length of one reporting interval, in seconds (the contact-centre convention).
    public static let intervalSeconds: Int64 = 900

    /// `nil` when `identifier` is not an IANA zone name.
    public init?(identifier: String) {
        guard let zone = TimeZone(identifier: identifier) else { return nil }
        self.zone = zone
        // As given: Foundation answers "GMT" for "UTC".
        self.identifier = identifier
    }

    /// The machine's zone (`TZ`, else `/etc/localtime`), `UTC` when it has no name.
    public static var machine: ReportZone {
        ReportZone(identifier: TimeZone.current.identifier) ?? ReportZone(identifier: "UTC")!
    }

    /// Seconds east of UTC at the instant `unixSeconds`.
    public func offset(at unixSeconds: Int64) -> Int {
        zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(unixSeconds)))
    }

    /// Start (Unix seconds) of the interval holding `unixSeconds`.
    public static func intervalStart(_ unixSeconds: Int64) -> Int64 {
        let q = unixSeconds / intervalSeconds
        return (unixSeconds < 0 && unixSeconds % intervalSeconds != 0 ? q - 1 : q) * intervalSeconds
    }

    /// Start (Unix seconds) of the interval holding `t`.
    public static func intervalStart(of t: Timestamp) -> Int64 {
        let micros = intervalSeconds * 1_000_000
        let q = t.microseconds / micros
        return (t.microseconds < 0 && t.microseconds % micros != 0 ? q - 1 : q) * intervalSeconds
    }

    /// A calendar date in the zone.
    public struct Day: Sendable, Hashable, Comparable, CustomStringConvertible {
        public var year: Int, month: Int, day: Int

        public init(year: Int, month: Int, day: Int) {
            self.year = year
            self.month = month
            self.day = day
        }

        /// Parses `YYYY-MM-DD`; `nil` when it is not a real date.
        public init?(_ text: some StringProtocol) {
            let parts = text.split(separator: "-", omittingEmptySubsequences: false)
            guard text.utf8.count == 10, parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
                  let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]), (1...12).contains(m), d >= 1,
                  d <= RFC3339.daysIn(month: m, year: y)
            else { return nil }
            self.init(year: y, month: m, day: d)
        }

        /// Days since 1970-01-01 (proleptic Gregorian).
        public var ordinal: Int { RFC3339.daysFromCivil(year: year, month: month, day: day) }

        /// The date `ordinal` days after 1970-01-01.
        public init(ordinal: Int) {
            let (y, m, d) = RFC3339.civilFromDays(ordinal)
            self.init(year: y, month: m, day: d)
        }

        public func adding(days: Int) -> Day { Day(ordinal: ordinal + days) }

        public static func < (a: Day, b: Day) -> Bool { a.ordinal < b.ordinal }

        public var description: String {
            func pad(_ v: Int, _ n: Int) -> String {
                let s = String(v)
                return String(repeating: "0", count: max(0, n - s.count)) + s
            }
            return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
        }
    }

    /// The local date at the instant `unixSeconds`.
    public func day(at unixSeconds: Int64) -> Day {
        let local = unixSeconds + Int64(offset(at: unixSeconds))
        return Day(ordinal: Int(local >= 0 ? local / 86_400 : (local - 86_399) / 86_400))
    }

    /// The instant (Unix seconds) local `day` begins: its first local midnight, or the first
    /// moment after it when a DST change skips midnight.
    public func start(of day: Day) -> Int64 {
        let localMidnight = Int64(day.ordinal) * 86_400
        // The offset at an instant near local midnight; once more from the first guess across a change.
        var guess = localMidnight - Int64(offset(at: localMidnight))
        guess = localMidnight - Int64(offset(at: guess))
        if self.day(at: guess) != day {
            // Midnight does not exist (skipped forward): the day starts at the change.
            var t = guess
            while self.day(at: t) != day { t += Self.intervalSeconds }
            return t
        }
        // Midnight may exist twice (fall back at midnight): take the first.
        while self.day(at: guess - Self.intervalSeconds) == day { guess -= Self.intervalSeconds }
        return guess
    }

    /// `[start, end)` in Unix seconds of the local days `from...to`.
    public func range(from: Day, to: Day) -> Range<Int64> {
        start(of: from)..<start(of: to.adding(days: 1))
    }

    /// RFC 3339 with the zone's offset at that instant (`2026-03-29T03:00:00+02:00`).
    public func format(_ unixSeconds: Int64) -> String {
        let offset = self.offset(at: unixSeconds)
        let local = unixSeconds + Int64(offset)
        let days = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
        let secs = Int(local - days * 86_400)
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : String(v) }
        let sign = offset < 0 ? "-" : "+"
        let a = abs(offset)
        let zone = offset == 0 ? "Z" : "\(sign)\(two(a / 3600)):\(two(a % 3600 / 60))"
        return "\(Day(ordinal: Int(days)))T\(two(secs / 3600)):\(two(secs % 3600 / 60)):\(two(secs % 60))\(zone)"
    }

    /// RFC 3339 of a timestamp, to the second.
    public func format(_ t: Timestamp) -> String {
        format(t.microseconds >= 0 ? t.microseconds / 1_000_000 : (t.microseconds - 999_999) / 1_000_000)
    }

    /// Local time of day `HH:MM`.
    public func clock(_ unixSeconds: Int64) -> String {
        let s = format(unixSeconds)
        let t = s.index(s.startIndex, offsetBy: 11)
        return String(s[t..<s.index(t, offsetBy: 5)])
    }
}
