import TeamsDomain

/// Bounds on native event fields, so hostile input cannot bloat the registry's memory.
public struct NativeLimits: Sendable, Hashable {
    /// Longest `worker`, `call` and `task` id, in UTF-8 bytes.
    public var maxIDBytes: Int
    /// Longest free-text field (name, team, activity, caller, queue, channel, skill), in UTF-8 bytes.
    public var maxTextBytes: Int
    /// Most skills a worker may list.
    public var maxSkills: Int
    /// Most channels a `capacity` object may name.
    public var maxChannels: Int
    /// Largest capacity of one channel.
    public var maxCapacity: Int

    /// Seconds an event's time may be ahead of this host's clock (`--max-clock-skew`); later ones are
    /// rejected, because an event from the future would make every true event after it look late.
    public var maxClockSkew: Double

    /// Seconds an event's time may be behind this host's clock (`--max-event-age`); older ones are rejected
    /// as ``IngestReject/Category/tooOld``: a state begun that long ago is not live (a producer whose clock
    /// was reset, a stray line from an old file), and would show a hold of years. `nil` or 0: no limit
    /// (replaying recorded traffic).
    public var maxEventAge: Double?

    /// The server's clock when the input arrived, when that is not now: a replay of the write-ahead log sets
    /// it to each record's time, so a line is judged against the clock it came at, and what was accepted or
    /// rejected then is accepted or rejected again. `nil`: now.
    public var arrival: Timestamp?

    public init(maxIDBytes: Int = 256, maxTextBytes: Int = 256, maxSkills: Int = 64, maxChannels: Int = 16,
                maxCapacity: Int = 100, maxClockSkew: Double = 300, maxEventAge: Double? = nil) {
        self.maxClockSkew = maxClockSkew
        self.maxEventAge = maxEventAge
        self.maxIDBytes = maxIDBytes
        self.maxTextBytes = maxTextBytes
        self.maxSkills = maxSkills
        self.maxChannels = maxChannels
        self.maxCapacity = maxCapacity
    }
}

extension NativeLimits {
    /// The earliest event time taken: 2000-01-01T00:00:00Z. Earlier times are a clock that was never set
    /// (Unix time 0, the zero time of Go or .NET: `0001-01-01`), not history.
    static let earliest = Timestamp(microseconds: 946_684_800_000_000)

    /// The time an event is taken at: `at` itself, or the wall clock (``arrival`` when set) when `at` is ahead
    /// of it by up to ``maxClockSkew`` seconds. A producer whose clock runs ahead would otherwise show its calls
    /// at 0:00 and its last event as just now until the wall clock caught up; what it reports happened when it
    /// arrived, and events from one producer keep their order.
    ///
    /// Throws when `at` is more than ``maxClockSkew`` seconds ahead of that clock, before ``earliest``, or more
    /// than ``maxEventAge`` seconds behind that clock.
    func admit(_ at: Timestamp, now: Timestamp? = nil) throws(IngestReject) -> Timestamp {
        let now = now ?? arrival ?? .now()
        guard at >= Self.earliest else {
            throw IngestReject(.clockSkew, "event time \(RFC3339.format(at)) is before 2000-01-01T00:00:00Z: the producer's clock or time field is unset or wrong, not history")
        }
        if let maxEventAge, maxEventAge > 0, at.microseconds < now.microseconds &- Int64(maxEventAge * 1_000_000) {
            let behind = (now.microseconds &- at.microseconds) / 1_000_000
            throw IngestReject(.tooOld, "event time \(RFC3339.format(at)) is \(Self.age(behind)) behind this server's clock (limit \(Self.age(Int64(maxEventAge))), --max-event-age): too old for the live floor")
        }
        let limit = now.microseconds &+ Int64(maxClockSkew * 1_000_000)
        guard at.microseconds <= limit else {
            let ahead = (at.microseconds &- now.microseconds) / 1_000_000
            throw IngestReject(.clockSkew, "event time \(RFC3339.format(at)) is \(Self.age(ahead)) ahead of this server's clock (limit \(Self.age(Int64(maxClockSkew))), --max-clock-skew)")
        }
        return min(at, now)
    }
}

extension NativeLimits {
    /// Whole seconds in the two largest units that fit, the second left out when zero: `45 s`, `5 min 12 s`,
    /// `12 min`, `5 h 3 min`, `9 d 4 h`. A distance just past a limit must not read as the limit itself.
    static func age(_ seconds: Int64) -> String {
        func two(_ big: Int64, _ bigUnit: String, _ small: Int64, _ smallUnit: String) -> String {
            small == 0 ? "\(big) \(bigUnit)" : "\(big) \(bigUnit) \(small) \(smallUnit)"
        }
        if seconds >= 86_400 { return two(seconds / 86_400, "d", seconds % 86_400 / 3600, "h") }
        if seconds >= 3600 { return two(seconds / 3600, "h", seconds % 3600 / 60, "min") }
        if seconds >= 60 { return two(seconds / 60, "min", seconds % 60, "s") }
        return "\(seconds) s"
    }
}
