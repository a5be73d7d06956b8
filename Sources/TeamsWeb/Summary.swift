import TeamsDomain

/// The figures of the summary tiles and `/api/summary`, for one set of workers at one moment.
public struct Summary: Sendable, Equatable {
    public var agents = 0
    /// Agents per presence group (`Presence.group`): idle, busy, away, offline, and unknown (no activity
    /// reported yet: neither away nor idle).
    public var idle = 0, busy = 0, away = 0, offline = 0, unknown = 0
    /// Agents per activity name, most first.
    public var byActivity: [(activity: String, count: Int)] = []
    public var callsLive = 0
    public var callsHeld = 0
    public var callsWrapup = 0
    public var agentsOnMultipleCalls = 0
    /// Held or live calls whose agent leg a mute source reported muted.
    public var mutedCalls = 0
    /// Held or live calls no mute source has reported on (Flex multi-call without the plugin).
    public var muteUnknownCalls = 0
    /// Held calls only (the On hold tile's own figures): muted, and not reported on.
    public var heldMuted = 0, heldMuteUnknown = 0
    /// Offered (ringing) calls.
    public var callsOffered = 0
    /// Calls that started longer ago than any call lasts with no end received (`CallFlags.endNotReceived`):
    /// counted here only, not as live, held or ringing.
    public var callsEndNotReceived = 0
    /// Start of the longest hold in progress.
    public var longestHoldSince: Timestamp?
    /// The agent of the longest hold in progress (id and name); of holds that began at the same
    /// moment, the agent with the smallest id.
    public var longestHoldWorker: (id: WorkerID, name: String)?
    public var misroutes = 0
    public var wrongCallRisks = 0
    public var tasks = 0

    public init() {}

    public init<S: Sequence<WorkerState>>(_ workers: S, at now: Timestamp, grace: Double, offlineActivity: String = "Offline") {
        let list = Array(workers)
        self.init(list, flags: list.map { $0.callFlags(at: now, grace: grace) }, at: now, offlineActivity: offlineActivity)
    }

    /// A summary of `workers` whose call flags (`flags[i]` for `workers[i]`) are already known.
    init(_ workers: [WorkerState], flags allFlags: [CallFlagList], at now: Timestamp, offlineActivity: String = "Offline") {
        // Activities tallied by comparing with the few seen so far (a floor has a handful), not by hashing each
        // worker's: counted into `activities` once at the end.
        var seen: [(activity: String, count: Int)] = []
        // Through indices: iterating the values would copy every WorkerState.
        for i in workers.indices {
            count(workers[i], flags: allFlags[i], offlineActivity: offlineActivity, by: 1, activities: false)
            consider(workers[i], flags: allFlags[i])
            guard workers[i].hasActivity else { continue }
            let activity = workers[i].activity
            if let k = seen.firstIndex(where: { $0.activity == activity }) {
                seen[k].count += 1
            } else if seen.count < 16 {
                seen.append((activity, 1))
            } else {
                activities[activity, default: 0] += 1
            }
        }
        for (activity, n) in seen { activities[activity, default: 0] += n }
        sortActivities()
    }

    /// Agents per activity name, the source of `byActivity`.
    private var activities: [String: Int] = [:]

    /// Adds (`delta` 1) or takes away (-1) one worker's counts, with its calls' flags. Leaves the
    /// longest hold and the order of `byActivity` (`sortActivities`) to the caller.
    private mutating func count(_ w: WorkerState, flags: CallFlagList, offlineActivity: String, by delta: Int,
                                activities countsActivity: Bool = true) {
        agents += delta
        switch w.presence(offlineActivity: offlineActivity, callFlags: flags).group {
        case "idle": idle += delta
        case "away": away += delta
        case "offline": offline += delta
        case "unknown": unknown += delta
        default: busy += delta
        }
        // A worker with no activity reported has only the placeholder name: counted as "no activity yet", not as one.
        if countsActivity, w.hasActivity {
            let n = activities[w.activity, default: 0] + delta
            activities[w.activity] = n == 0 ? nil : n
        }
        tasks += delta * w.tasks.count
        if w.callCount(callFlags: flags) >= 2 { agentsOnMultipleCalls += delta }
        var misrouted = false, risky = false
        // Each call's fields read in place (a `for call in` loop copies every call).
        let calls = w.calls
        for i in 0..<min(calls.count, flags.count) {
            let f = flags[i]
            if f.contains(.endNotReceived) {
                callsEndNotReceived += delta
                continue
            }
            let phase = calls[i].phase
            switch phase {
            case .offered: callsOffered += delta
            case .live: callsLive += delta
            case .held: callsHeld += delta
            case .wrapup: callsWrapup += delta
            }
            if phase == .live || phase == .held {
                let held = phase == .held ? delta : 0
                switch calls[i].muted {
                case true?: mutedCalls += delta; heldMuted += held
                case nil: muteUnknownCalls += delta; heldMuteUnknown += held
                case false?: break
                }
            }
            if f.contains(.misroute) { misrouted = true }
            if f.contains(.wrongCallRisk) { risky = true }
        }
        if misrouted { misroutes += delta }
        if risky { wrongCallRisks += delta }
    }

    /// Makes `w` the agent of the longest hold if its hold is longer, or as long and listed first as `sort=hold-time`
    /// lists them (by name in `NameOrder`, then by id): the tile names the agent its link shows first.
    private mutating func consider(_ w: WorkerState, flags: CallFlagList) {
        guard let start = Self.holdStart(w, flags: flags) else { return }
        let name = w.name.isEmpty ? w.id : w.name
        if let since = longestHoldSince, let holder = longestHoldWorker, since <= start {
            guard since == start else { return }
            if NameOrder.precedes(holder.name, name) || (holder.name == name && holder.id < w.id) { return }
        }
        longestHoldSince = start
        longestHoldWorker = (w.id, name)
    }

    /// When the longest of a worker's holds in progress began (a hold whose call's end is overdue is not one).
    private static func holdStart(_ w: WorkerState, flags: CallFlagList) -> Timestamp? {
        var start: Timestamp?
        // Each call's fields read in place (a `for call in` loop copies every call).
        let calls = w.calls
        for i in 0..<min(calls.count, flags.count) where calls[i].phase == .held && !flags[i].contains(.endNotReceived) {
            if let h = calls[i].holdSince, start.map({ h < $0 }) ?? true { start = h }
        }
        return start
    }

    private mutating func sortActivities() {
        byActivity = activities.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            .map { (activity: $0.key, count: $0.value) }
    }

    /// Moves the summary from workers `old` (with `oldFlags`) to `new` (with `newFlags`): each
    /// pair is one worker before and after a change, nil where it was not or is no longer
    /// counted. O(changed workers), giving the figures `init` would count over the whole set.
    /// False (the summary is then spoilt) when the agent of the longest hold is among them and
    /// no longer holds since then: only a count of the whole set finds the next longest.
    mutating func move(_ changes: [(old: WorkerState?, oldFlags: CallFlagList, new: WorkerState?, newFlags: CallFlagList)],
                       offlineActivity: String) -> Bool {
        for c in changes {
            if let w = c.old {
                if w.id == longestHoldWorker?.id {
                    guard let now = c.new, Self.holdStart(now, flags: c.newFlags) == longestHoldSince else { return false }
                }
                count(w, flags: c.oldFlags, offlineActivity: offlineActivity, by: -1)
            }
            if let w = c.new { count(w, flags: c.newFlags, offlineActivity: offlineActivity, by: 1) }
        }
        for c in changes {
            guard let w = c.new else { continue }
            if w.id == longestHoldWorker?.id {
                // Still the longest (checked above): its name may have changed.
                longestHoldWorker = (w.id, w.name.isEmpty ? w.id : w.name)
            } else {
                consider(w, flags: c.newFlags)
            }
        }
        sortActivities()
        return true
    }

    public static func == (a: Summary, b: Summary) -> Bool {
        a.agents == b.agents && a.idle == b.idle && a.busy == b.busy && a.away == b.away && a.offline == b.offline
            && a.unknown == b.unknown
            && a.callsLive == b.callsLive && a.callsHeld == b.callsHeld
            && a.callsWrapup == b.callsWrapup && a.agentsOnMultipleCalls == b.agentsOnMultipleCalls
            && a.mutedCalls == b.mutedCalls && a.muteUnknownCalls == b.muteUnknownCalls
            && a.heldMuted == b.heldMuted && a.heldMuteUnknown == b.heldMuteUnknown
            && a.callsOffered == b.callsOffered && a.callsEndNotReceived == b.callsEndNotReceived && a.longestHoldSince == b.longestHoldSince
            && a.longestHoldWorker?.id == b.longestHoldWorker?.id && a.longestHoldWorker?.name == b.longestHoldWorker?.name
            && a.misroutes == b.misroutes && a.wrongCallRisks == b.wrongCallRisks && a.tasks == b.tasks
            && a.byActivity.map(\.activity) == b.byActivity.map(\.activity)
            && a.byActivity.map(\.count) == b.byActivity.map(\.count)
    }
}
