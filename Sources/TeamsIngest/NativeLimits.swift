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

    public init(maxIDBytes: Int = 256, maxTextBytes: Int = 256, maxSkills: Int = 64, maxChannels: Int = 16,
                maxCapacity: Int = 100) {
        self.maxIDBytes = maxIDBytes
        self.maxTextBytes = maxTextBytes
        self.maxSkills = maxSkills
        self.maxChannels = maxChannels
        self.maxCapacity = maxCapacity
    }
}
