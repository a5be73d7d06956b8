import TeamsDomain

/// The figures of the summary tiles and `/api/summary`, for one set of workers at one moment.
public struct Summary: Sendable, Equatable {
    public var agents = 0
    /// Agents per presence group (`Presence.group`): idle, busy, away, offline.
    public var idle = 0, busy = 0, away = 0, offline = 0
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
    /// Offered (ringing) calls.
    public var callsOffered = 0
    /// Start of the longest hold in progress.
    public var longestHoldSince: Timestamp?
    /// The agent of the longest hold in progress (id and name).
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
    init(_ workers: [WorkerState], flags allFlags: [[CallFlags]], at now: Timestamp, offlineActivity: String = "Offline") {
        var activities: [String: Int] = [:]
        // Through indices: iterating the values would copy every WorkerState.
        for i in workers.indices {
            agents += 1
            switch workers[i].presence(offlineActivity: offlineActivity).group {
            case "idle": idle += 1
            case "away": away += 1
            case "offline": offline += 1
            default: busy += 1
            }
            activities[workers[i].activity, default: 0] += 1
            tasks += workers[i].tasks.count
            if workers[i].isOnMultipleCalls { agentsOnMultipleCalls += 1 }
            var misrouted = false, risky = false
            for (call, f) in zip(workers[i].calls, allFlags[i]) {
                switch call.phase {
                case .offered: callsOffered += 1
                case .live: callsLive += 1
                case .held: callsHeld += 1
                case .wrapup: callsWrapup += 1
                }
                if call.phase == .live || call.phase == .held {
                    switch call.muted {
                    case true?: mutedCalls += 1
                    case nil: muteUnknownCalls += 1
                    case false?: break
                    }
                }
                if let h = call.holdSince, call.phase == .held, longestHoldSince.map({ h < $0 }) ?? true {
                    longestHoldSince = h
                    longestHoldWorker = (workers[i].id, workers[i].name.isEmpty ? workers[i].id : workers[i].name)
                }
                if f.contains(.misroute) { misrouted = true }
                if f.contains(.wrongCallRisk) { risky = true }
            }
            if misrouted { misroutes += 1 }
            if risky { wrongCallRisks += 1 }
        }
        byActivity = activities.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            .map { (activity: $0.key, count: $0.value) }
    }

    public static func == (a: Summary, b: Summary) -> Bool {
        a.agents == b.agents && a.idle == b.idle && a.busy == b.busy && a.away == b.away && a.offline == b.offline
            && a.callsLive == b.callsLive && a.callsHeld == b.callsHeld
            && a.callsWrapup == b.callsWrapup && a.agentsOnMultipleCalls == b.agentsOnMultipleCalls
            && a.mutedCalls == b.mutedCalls && a.muteUnknownCalls == b.muteUnknownCalls
            && a.callsOffered == b.callsOffered && a.longestHoldSince == b.longestHoldSince
            && a.longestHoldWorker?.id == b.longestHoldWorker?.id && a.longestHoldWorker?.name == b.longestHoldWorker?.name
            && a.misroutes == b.misroutes && a.wrongCallRisks == b.wrongCallRisks && a.tasks == b.tasks
            && a.byActivity.map(\.activity) == b.byActivity.map(\.activity)
            && a.byActivity.map(\.count) == b.byActivity.map(\.count)
    }
}
