import TeamsDomain

/// When rows must be redrawn with no event: a wrong-call-risk flag turns on once two live calls
/// (or an unmuted held call) outlast the grace period, and nothing arrives to say so.
///
/// Keeps, per worker, the next moment its flags flip (`WorkerState.nextFlagChange`). The live
/// updater asks which are due at each flush and when to wake up next.
/// Also keeps when a lingering cleared flag (`FlagLinger`) is due to go, and the registry of the
/// previous flush, against which cleared flags are found.
struct FlagTimers {
    private var due: [WorkerID: Timestamp] = [:]
    private var lingerDue: [WorkerID: Timestamp] = [:]
    /// The registry as the previous flush saw it.
    var last: Registry?
    /// The wake-up already asked for, so one is not scheduled twice.
    private var wakeAt: Timestamp?

    /// Looks at every worker (at start: the registry may hold workers from before).
    mutating func scan(_ registry: Registry, at now: Timestamp, grace: Double) {
        last = registry
        for (id, w) in registry.workers {
            if let next = w.nextFlagChange(after: now, grace: grace) { due[id] = next }
        }
    }

    /// Re-reads the timers of workers that changed (or were removed).
    mutating func note<S: Sequence<WorkerID>>(_ ids: S, in registry: Registry, at now: Timestamp, grace: Double) {
        for id in ids {
            due[id] = registry.workers[id]?.nextFlagChange(after: now, grace: grace)
        }
    }

    /// The workers whose flags flipped by `now`; their timers are dropped (re-read them with `note`).
    mutating func takeDue(at now: Timestamp) -> Set<WorkerID> {
        var out = Set<WorkerID>()
        for (id, at) in due where at <= now { out.insert(id) }
        for id in out { due[id] = nil }
        var gone: [WorkerID] = []
        for (id, at) in lingerDue where at <= now { out.insert(id); gone.append(id) }
        for id in gone { lingerDue[id] = nil }
        return out
    }

    /// Rows to redraw when lingering flags go (`FlagLinger.noteCleared`'s answer).
    mutating func linger(_ expiries: [WorkerID: Timestamp]) {
        lingerDue.merge(expiries) { _, new in new }
    }

    /// The earliest pending flip, unless a wake-up no later than it is already scheduled.
    mutating func nextWake(after now: Timestamp) -> Timestamp? {
        guard let earliest = [due.values.min(), lingerDue.values.min()].compactMap({ $0 }).min() else { return nil }
        if let scheduled = wakeAt, scheduled > now, scheduled <= earliest { return nil }
        wakeAt = earliest
        return earliest
    }
}
