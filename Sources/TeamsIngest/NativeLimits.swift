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

    public init(maxIDBytes: Int = 256, maxTextBytes: Int = 256, maxSkills: Int = 64, maxChannels: Int = 16,
                maxCapacity: Int = 100, maxClockSkew: Double = 300) {
        self.maxClockSkew = maxClockSkew
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

    /// Throws when `at` is more than ``maxClockSkew`` seconds ahead of the wall clock, or before ``earliest``.
    func checkSkew(_ at: Timestamp, now: Timestamp = .now()) throws(IngestReject) {
        guard at >= Self.earliest else {
            throw IngestReject(.clockSkew, "event time \(RFC3339.format(at)) is before 2000-01-01T00:00:00Z: the producer's clock or time field is unset")
        }
        let limit = now.microseconds &+ Int64(maxClockSkew * 1_000_000)
        guard at.microseconds <= limit else {
            let ahead = (at.microseconds &- now.microseconds) / 1_000_000
            throw IngestReject(.clockSkew, "event time \(RFC3339.format(at)) is \(ahead) s ahead of this server's clock (limit \(Int(maxClockSkew)) s, --max-clock-skew)")
        }
    }
}
