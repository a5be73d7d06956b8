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
        calls.lazy.filter { $0.phase == .live || $0.phase == .held || $0.phase == .wrapup }.count
    }

    /// Calls the agent is working (as `callCount`), leaving out those whose flags (`callFlags[i]` for `calls[i]`,
    /// as `callFlags(at:)` gives them) say their end never arrived (`CallFlags.endNotReceived`).
    public func callCount(callFlags: [CallFlags]) -> Int {
        var count = 0
        for (i, call) in calls.enumerated() where call.phase == .live || call.phase == .held || call.phase == .wrapup {
            if i < callFlags.count, callFlags[i].contains(.endNotReceived) { continue }
            count += 1
        }
        return count
    }

    /// Calls the agent is working at `now` (as `callCount`), leaving out those whose end is overdue
    /// (`CallState.endIsOverdue`): the same count as `callCount(callFlags: callFlags(at: now))`.
    public func callCount(at now: Timestamp) -> Int {
        calls.lazy.filter { ($0.phase == .live || $0.phase == .held || $0.phase == .wrapup) && !$0.endIsOverdue(at: now) }.count
    }

    /// The agent's presence; `offlineActivity` names the activity that means logged out
    /// (compared without regard to case).
    public func presence(offlineActivity: String = "Offline") -> Presence {
        presence(offlineActivity: offlineActivity, callFlags: [])
    }

    /// The agent's presence, where a call whose flags (`callFlags[i]` for `calls[i]`, as `callFlags(at:)` gives them)
    /// say its end never arrived (`CallFlags.endNotReceived`) is no call: an agent whose only call started two weeks
    /// ago is not "On call".
    public func presence(offlineActivity: String = "Offline", callFlags: [CallFlags]) -> Presence {
        var live = false, held = false, wrapup = false, offered = false
        for (i, call) in calls.enumerated() {
            if i < callFlags.count, callFlags[i].contains(.endNotReceived) { continue }
            if call.phase == .live { live = true } else if call.phase == .held { held = true }
            else if call.phase == .wrapup { wrapup = true } else { offered = true }
        }
        if live { return .onCall }
        if held { return .onHold }
        if wrapup { return .wrapup }
        if offered { return .offered }
        if !tasks.isEmpty { return .onTask }
        if !hasActivity { return .unknown }
        if activity.lowercased() == offlineActivity.lowercased() { return .offline }
        if !isAvailableActivity { return .away }
        return .idle
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
