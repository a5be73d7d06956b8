extension CallFlags {
    /// How long, in seconds, two live calls or an unmuted held call are tolerated before
    /// wrong-call risk is flagged: the agent's client needs a moment to hold and mute the other call.
    public static let defaultGrace: Double = 3

    /// A call that started longer ago than any call can last (`CallState.longestCall`) and whose end
    /// never arrived: it is over, so it is shown as such, with no running timers and no other flag.
    public static let endNotReceived = CallFlags(rawValue: 1 << 2)
    /// The flags that alert a supervisor (a cleared one stays visible a while as "just cleared").
    public static let alerts: CallFlags = [.misroute, .wrongCallRisk]
}

extension CallState {
    /// The longest a call can last, in seconds: Twilio ends every call after 24 hours at most
    /// (Programmable Voice's maximum call duration, `TimeLimit` up to 86400 s).
    public static let longestCall: Double = 86_400

    /// Whether this call, ringing, live or on hold, started more than `longestCall` before `now`:
    /// its end must have happened and not reached us. A call in wrap-up has ended already.
    @inline(__always)
    public func endIsOverdue(at now: Timestamp) -> Bool {
        Self.endIsOverdue(phase: phase, startedAt: startedAt, at: now)
    }

    /// ``endIsOverdue(at:)`` of a call read through a pointer, from the two fields it reads: called as a method
    /// on `pointee`, the whole call was copied first (a retain per string).
    @inline(__always)
    static func endIsOverdue(phase: Phase, startedAt: Timestamp, at now: Timestamp) -> Bool {
        endIsOverdue(inWrapUp: phase == .wrapup, startedAt: startedAt.microseconds, at: now.microseconds)
    }

    /// The same rule from bare times (µs since the epoch): the reports' agents keep their calls so.
    @inline(__always)
    package static func endIsOverdue(inWrapUp: Bool, startedAt: Int64, at now: Int64) -> Bool {
        !inWrapUp && now &- startedAt > longestCallMicros
    }

    /// Whether the registry has marked this call's end overdue (``endOverdue``) and it is not in wrap-up (a wrap-up
    /// received since shows as one).
    public var isEndOverdue: Bool { endOverdue && phase != .wrapup }

    /// `longestCall` in microseconds.
    static let longestCallMicros = Int64(longestCall * 1_000_000)
}

extension WorkerState {
    /// The flags of one of this worker's calls at `now`.
    ///
    /// - misroute: stored when the call started (a queue call reaching an agent already on a call).
    /// - wrong-call risk: for longer than `grace` seconds, either two or more of the worker's calls
    ///   have been live at once (every live call is flagged), or the agent has been unmuted on this
    ///   held call, as a mute source reported (`muted == false`; unknown mute never counts).
    /// - end not received: the call started longer ago than any call lasts (`CallState.endIsOverdue`);
    ///   such a call carries no other flag and counts in no other call's wrong-call risk.
    public func flags(of call: CallState, at now: Timestamp, grace: Double = CallFlags.defaultGrace) -> CallFlags {
        Self.flags(of: call, overlap: liveOverlapStart(at: now), at: now, grace: grace)
    }

    /// The flags of every call at `now`, in the order of `calls`.
    public func callFlags(at now: Timestamp, grace: Double = CallFlags.defaultGrace) -> CallFlagList {
        let overlap = liveOverlapStart(at: now)
        // Each call read where it lies: passing a call by value copies it (a retain per string, on a floor of
        // thousands each a cache miss).
        return calls.withUnsafeBufferPointer { calls in
            var list = CallFlagList()
            for i in calls.indices { list.append(Self.flags(of: calls.baseAddress! + i, overlap: overlap, at: now, grace: grace)) }
            return list
        }
    }

    /// Whether any call of the worker carries wrong-call risk at `now`.
    public func hasWrongCallRisk(at now: Timestamp, grace: Double = CallFlags.defaultGrace) -> Bool {
        let overlap = liveOverlapStart(at: now)
        return calls.withUnsafeBufferPointer { calls in
            calls.indices.contains { i in
                let call = calls.baseAddress! + i
                return !CallState.endIsOverdue(phase: call.pointee.phase, startedAt: call.pointee.startedAt, at: now)
                    && (Self.riskStart(of: call, overlap: overlap).map { exceeds(grace, from: $0, to: now) } ?? false)
            }
        }
    }

    private static func flags(of call: CallState, overlap: Timestamp?, at now: Timestamp, grace: Double) -> CallFlags {
        withUnsafePointer(to: call) { flags(of: $0, overlap: overlap, at: now, grace: grace) }
    }

    private static func flags(of call: UnsafePointer<CallState>, overlap: Timestamp?, at now: Timestamp, grace: Double) -> CallFlags {
        if CallState.endIsOverdue(phase: call.pointee.phase, startedAt: call.pointee.startedAt, at: now) { return .endNotReceived }
        var flags: CallFlags = call.pointee.misroute ? .misroute : []
        if let start = riskStart(of: call, overlap: overlap), now.microseconds &- start.microseconds > micros(grace) {
            flags.insert(.wrongCallRisk)
        }
        return flags
    }

    /// When the condition behind wrong-call risk began for this call (the flag shows once it has
    /// lasted longer than the grace period); `nil` when the call is not in such a condition.
    public func wrongCallRiskStart(of call: CallState) -> Timestamp? {
        Self.riskStart(of: call, overlap: liveOverlapStart())
    }

    /// ``wrongCallRiskStart(of:)`` of `calls[index]`, read where it lies (no copy of the call).
    package func wrongCallRiskStart(ofCallAt index: Int) -> Timestamp? {
        let overlap = liveOverlapStart()
        return calls.withUnsafeBufferPointer { Self.riskStart(of: $0.baseAddress! + index, overlap: overlap) }
    }

    /// The first moment after `now` at which some call's flags change without any new event,
    /// so a view knows when to refresh a row nobody has touched. `nil` when none will.
    public func nextFlagChange(after now: Timestamp, grace: Double = CallFlags.defaultGrace) -> Timestamp? {
        let overlap = liveOverlapStart(at: now)
        let graceMicros = Self.micros(grace)
        var next: Timestamp?
        // Each call read through a pointer (a `for call in` loop copies every call).
        calls.withUnsafeBufferPointer { calls in
            for call in calls.indices.lazy.map({ calls.baseAddress! + $0 }) {
                let phase = call.pointee.phase, startedAt = call.pointee.startedAt
                if CallState.endIsOverdue(phase: phase, startedAt: startedAt, at: now) { continue }
                if phase != .wrapup {
                    // Its end becomes overdue (every flag of it changes) strictly after start + the longest call.
                    let overdueAt = Timestamp(microseconds: startedAt.microseconds &+ CallState.longestCallMicros &+ 1)
                    if next.map({ overdueAt < $0 }) ?? true { next = overdueAt }
                }
                guard let start = Self.riskStart(of: call, overlap: overlap) else { continue }
                // The flag turns on strictly after start + grace.
                let flagAt = Timestamp(microseconds: start.microseconds &+ graceMicros &+ 1)
                if flagAt > now, next.map({ flagAt < $0 }) ?? true { next = flagAt }
            }
        }
        return next
    }

    /// When two or more calls have been live at once: the second-earliest `liveSince` among live calls, leaving
    /// out those marked overdue (``CallState/endOverdue``) and, at `now`, those whose end is overdue then.
    func liveOverlapStart(at now: Timestamp? = nil) -> Timestamp? {
        var earliest: Timestamp?
        var second: Timestamp?
        // Each call's fields read through a pointer: read through the array, each call was copied (a retain per
        // string, on a floor of thousands each a cache miss).
        calls.withUnsafeBufferPointer { calls in
            for call in calls.indices.lazy.map({ calls.baseAddress! + $0 }) where call.pointee.phase == .live {
                if call.pointee.endOverdue { continue }
                if let now, CallState.endIsOverdue(phase: call.pointee.phase, startedAt: call.pointee.startedAt, at: now) { continue }
                let since = call.pointee.liveSince ?? call.pointee.startedAt
                if let first = earliest, since >= first {
                    if second.map({ since < $0 }) ?? true { second = since }
                } else {
                    second = earliest
                    earliest = since
                }
            }
        }
        return second
    }

    private static func riskStart(of call: CallState, overlap: Timestamp?) -> Timestamp? {
        withUnsafePointer(to: call) { riskStart(of: $0, overlap: overlap) }
    }

    private static func riskStart(of call: UnsafePointer<CallState>, overlap: Timestamp?) -> Timestamp? {
        switch call.pointee.phase {
        case .live:
            return overlap
        case .held where call.pointee.muted == false:
            // Only a mute source that said "unmuted" counts: unknown mute is not a risk (Flex mutes in the browser).
            let holdSince = call.pointee.holdSince ?? call.pointee.startedAt
            return max(holdSince, call.pointee.muteChangedAt)
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

extension Registry {
    /// Calls, over every worker, whose end is overdue at `now` (`CallState.endIsOverdue`): ends the feed lost.
    public func callsEndNotReceived(at now: Timestamp) -> Int {
        var count = 0
        for (_, w) in workers { for call in w.calls where call.endIsOverdue(at: now) { count += 1 } }
        return count
    }
}
