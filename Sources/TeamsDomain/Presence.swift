/// What an agent is doing, derived from their work and their TaskRouter activity: the one answer
/// the pages, the kiosk, the API and live updates all give. TaskRouter's activity stays
/// "Available" during calls, so the activity alone reads busy agents as idle.
///
/// The first that holds, in this order: `on-call` (a live call), `on-hold` (calls, none live,
/// one held), `wrapup` (calls, all in wrap-up), `offered` (only offered calls, ringing), `on-task`
/// (non-voice work only), `unknown` (no activity event yet: a worker known only from its profile or its
/// work), `away` (an unavailable activity other than the offline one), `offline` (the activity named by
/// `--offline-activity`), `idle`. The first five are busy.
public enum Presence: String, Sendable, CaseIterable {
    case onCall = "on-call"
    case onHold = "on-hold"
    case wrapup
    case offered
    case onTask = "on-task"
    /// No activity event yet: neither away nor idle, as far as anyone said.
    case unknown
    case away
    case offline
    case idle

    /// Working (a call in any state, or a task).
    public var isBusy: Bool {
        switch self {
        case .onCall, .onHold, .wrapup, .offered, .onTask: return true
        case .unknown, .away, .offline, .idle: return false
        }
    }

    /// The summary group: `idle`, `busy`, `unknown`, `away` or `offline`.
    public var group: String {
        isBusy ? "busy" : rawValue
    }
}

extension WorkerState {
    /// Calls the agent is working: live, held and in wrap-up (an offered call is not one yet).
    public var callCount: Int {
        // By index, each call's phase read in place: a closure over the calls copies every call.
        let calls = self.calls
        var count = 0
        for i in calls.indices where calls[i].phase == .live || calls[i].phase == .held || calls[i].phase == .wrapup { count += 1 }
        return count
    }

    /// Calls the agent is working (as `callCount`), leaving out those whose flags (`callFlags[i]` for `calls[i]`,
    /// as `callFlags(at:)` gives them) say their end never arrived (`CallFlags.endNotReceived`).
    public func callCount(callFlags: CallFlagList) -> Int {
        var count = 0
        let calls = self.calls
        for i in calls.indices where calls[i].phase == .live || calls[i].phase == .held || calls[i].phase == .wrapup {
            if i < callFlags.count, callFlags[i].contains(.endNotReceived) { continue }
            count += 1
        }
        return count
    }

    /// Calls the agent is working at `now` (as `callCount`), leaving out those whose end is overdue
    /// (`CallState.endIsOverdue`): the same count as `callCount(callFlags: callFlags(at: now))`.
    public func callCount(at now: Timestamp) -> Int {
        let calls = self.calls
        var count = 0
        for i in calls.indices {
            let phase = calls[i].phase
            guard phase == .live || phase == .held || phase == .wrapup,
                  !CallState.endIsOverdue(phase: phase, startedAt: calls[i].startedAt, at: now) else { continue }
            count += 1
        }
        return count
    }

    /// The agent's presence; `offlineActivity` names the activity that means logged out
    /// (compared without regard to case).
    public func presence(offlineActivity: String = "Offline") -> Presence {
        presence(offlineActivity: offlineActivity, callFlags: [])
    }

    /// The agent's presence, where a call whose flags (`callFlags[i]` for `calls[i]`, as `callFlags(at:)` gives them)
    /// say its end never arrived (`CallFlags.endNotReceived`), or that the registry marked so (`CallState.isEndOverdue`),
    /// is no call: an agent whose only call started two weeks ago is not "On call".
    public func presence(offlineActivity: String = "Offline", callFlags: CallFlagList) -> Presence {
        var live = false, held = false, wrapup = false, offered = false
        // By index, reading each call's phase in place: a `for call in` loop copies every call (a retain per string).
        let calls = self.calls
        for i in calls.indices {
            if i < callFlags.count, callFlags[i].contains(.endNotReceived) { continue }
            if calls[i].isEndOverdue { continue }
            switch calls[i].phase {
            case .live: live = true
            case .held: held = true
            case .wrapup: wrapup = true
            case .offered: offered = true
            }
        }
        if live { return .onCall }
        if held { return .onHold }
        if wrapup { return .wrapup }
        if offered { return .offered }
        if !tasks.isEmpty { return .onTask }
        if !hasActivity { return .unknown }
        if Self.sameIgnoringCase(activity, offlineActivity) { return .offline }
        if !isAvailableActivity { return .away }
        return .idle
    }

    /// `a.lowercased() == b.lowercased()`, without making either when both are ASCII (an activity name almost always).
    static func sameIgnoringCase(_ a: String, _ b: String) -> Bool {
        var a = a, b = b
        let ascii = a.withUTF8 { x in
            b.withUTF8 { y -> Bool? in
                guard x.count == y.count else { return x.allSatisfy { $0 < 0x80 } && y.allSatisfy { $0 < 0x80 } ? false : nil }
                for k in x.indices {
                    let p = x[k], q = y[k]
                    guard p < 0x80, q < 0x80 else { return nil }
                    if p == q { continue }
                    let lp = p &- 0x41 < 26 ? p | 0x20 : p, lq = q &- 0x41 < 26 ? q | 0x20 : q
                    if lp != lq { return false }
                }
                return true
            }
        }
        return ascii ?? (a.lowercased() == b.lowercased())
    }

    /// Whether an activity was ever reported: a worker created by its profile or a call starts with the
    /// placeholder activity "Unknown" and no activity time.
    public var hasActivity: Bool {
        activityAt != .distantPast || activity != "Unknown"
    }

    /// Whether the activity lets the agent take work: TaskRouter's `available` when known,
    /// otherwise the usual names (Available, Idle, Ready).
    public var isAvailableActivity: Bool {
        if let available { return available }
        let a = activity.lowercased()
        return a.hasPrefix("available") || a == "idle" || a == "ready"
    }
}
