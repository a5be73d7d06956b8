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

    /// Throws when `at` is more than ``maxClockSkew`` seconds ahead of the wall clock, before ``earliest``, or
    /// more than ``maxEventAge`` seconds behind the wall clock.
    func checkSkew(_ at: Timestamp, now: Timestamp = .now()) throws(IngestReject) {
        guard at >= Self.earliest else {
            throw IngestReject(.clockSkew, "event time \(RFC3339.format(at)) is before 2000-01-01T00:00:00Z: the producer's clock or time field is unset")
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
    }
}

extension NativeLimits {
    /// Whole seconds as the largest unit that fits: `45 s`, `12 min`, `5 h`, `9 d`.
    static func age(_ seconds: Int64) -> String {
        if seconds >= 86_400 { return "\(seconds / 86_400) d" }
        if seconds >= 3600 { return "\(seconds / 3600) h" }
        if seconds >= 60 { return "\(seconds / 60) min" }
        return "\(seconds) s"
    }
}
