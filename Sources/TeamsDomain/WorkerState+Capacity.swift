extension WorkerState {
    /// Voice capacity in use: every call the worker holds, wrap-up included, because a call in
    /// wrap-up still occupies its voice slot until it ends.
    /// Offered (ringing) calls take none.
    public var voiceInUse: Int { activeCallCount }

    /// Calls the worker holds, wrap-up included, offered (ringing) calls and calls whose end the registry marked
    /// overdue (`CallState.isEndOverdue`: their end was lost, they are over) not.
    public var activeCallCount: Int {
        var n = 0
        for call in calls where call.phase != .offered && !call.isEndOverdue { n += 1 }
        return n
    }

    /// Offers missed (rejected or timed out) at or after `start`, e.g. local midnight.
    public func missedOffers(since start: Timestamp) -> Int {
        var n = 0
        for t in missedOfferTimes.reversed() {
            guard t >= start else { break }
            n += 1
        }
        return n
    }

    /// Capacity in use on a channel: calls for `"voice"`, tasks of that channel otherwise.
    public func inUse(channel: String) -> Int {
        if channel == "voice" { return activeCallCount }
        var count = 0
        for task in tasks where task.channel == channel { count += 1 }
        return count
    }

    /// Total capacity on a channel; an unstated channel counts as 1 for voice (a worker can
    /// always take one call) and 0 for the others.
    public func capacity(of channel: String) -> Int {
        capacity[channel] ?? (channel == "voice" ? 1 : 0)
    }

    /// Whether the worker holds two or more calls that have not ended (wrap-up included, offers not).
    public var isOnMultipleCalls: Bool { activeCallCount >= 2 }

    /// Calls that are live right now (neither held nor in wrap-up).
    public var liveCalls: [CallState] { calls.filter { $0.phase == .live } }
}
