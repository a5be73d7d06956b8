extension CallFlags {
    /// How long, in seconds, two live calls or an unmuted held call are tolerated before
    /// wrong-call risk is flagged: the agent's client needs a moment to hold and mute the other call.
    public static let defaultGrace: Double = 3
}

extension WorkerState {
    /// The flags of one of this worker's calls at `now`.
    ///
    /// - misroute: stored when the call started (a queue call reaching an agent already on a call).
    /// - wrong-call risk: for longer than `grace` seconds, either two or more of the worker's calls
    ///   have been live at once (every live call is flagged), or the agent has been unmuted on this
    ///   held call, as a mute source reported (`muted == false`; unknown mute never counts).
    public func flags(of call: CallState, at now: Timestamp, grace: Double = CallFlags.defaultGrace) -> CallFlags {
        var flags: CallFlags = call.misroute ? .misroute : []
        if let start = wrongCallRiskStart(of: call), exceeds(grace, from: start, to: now) {
            flags.insert(.wrongCallRisk)
        }
        return flags
    }

    /// The flags of every call at `now`, in the order of `calls`.
    public func callFlags(at now: Timestamp, grace: Double = CallFlags.defaultGrace) -> [CallFlags] {
        let overlap = liveOverlapStart
        return calls.map { call in
            var flags: CallFlags = call.misroute ? .misroute : []
            if let start = Self.riskStart(of: call, overlap: overlap), exceeds(grace, from: start, to: now) {
                flags.insert(.wrongCallRisk)
            }
            return flags
        }
    }

    /// Whether any call of the worker carries wrong-call risk at `now`.
    public func hasWrongCallRisk(at now: Timestamp, grace: Double = CallFlags.defaultGrace) -> Bool {
        let overlap = liveOverlapStart
        return calls.contains { call in
            Self.riskStart(of: call, overlap: overlap).map { exceeds(grace, from: $0, to: now) } ?? false
        }
    }

    /// When the condition behind wrong-call risk began for this call (the flag shows once it has
    /// lasted longer than the grace period); `nil` when the call is not in such a condition.
    public func wrongCallRiskStart(of call: CallState) -> Timestamp? {
        Self.riskStart(of: call, overlap: liveOverlapStart)
    }

    /// The first moment after `now` at which some call's flags change without any new event,
    /// so a view knows when to refresh a row nobody has touched. `nil` when none will.
    public func nextFlagChange(after now: Timestamp, grace: Double = CallFlags.defaultGrace) -> Timestamp? {
        let overlap = liveOverlapStart
        let graceMicros = Self.micros(grace)
        var next: Timestamp?
        for call in calls {
            guard let start = Self.riskStart(of: call, overlap: overlap) else { continue }
            // The flag turns on strictly after start + grace.
            let flagAt = Timestamp(microseconds: start.microseconds &+ graceMicros &+ 1)
            if flagAt > now, next.map({ flagAt < $0 }) ?? true { next = flagAt }
        }
        return next
    }

    /// When two or more calls have been live at once: the second-earliest `liveSince` among live calls.
    var liveOverlapStart: Timestamp? {
        var earliest: Timestamp?
        var second: Timestamp?
        for call in calls where call.phase == .live {
            let since = call.liveSince ?? call.startedAt
            if let first = earliest, since >= first {
                if second.map({ since < $0 }) ?? true { second = since }
            } else {
                second = earliest
                earliest = since
            }
        }
        return second
    }

    private static func riskStart(of call: CallState, overlap: Timestamp?) -> Timestamp? {
        switch call.phase {
        case .live:
            return overlap
        case .held where call.muted == false:
            // Only a mute source that said "unmuted" counts: unknown mute is not a risk (Flex mutes in the browser).
            let holdSince = call.holdSince ?? call.startedAt
            return max(holdSince, call.muteChangedAt)
        case .held, .wrapup, .offered:
            return nil
        }
    }

    @inline(__always)
    private func exceeds(_ grace: Double, from start: Timestamp, to now: Timestamp) -> Bool {
        now.microseconds &- start.microseconds > Self.micros(grace)
    }

    @inline(__always)
    private static func micros(_ seconds: Double) -> Int64 { Int64((seconds * 1_000_000).rounded()) }
}
