/// Call changes that arrive before their call: a Flex plugin's `call.mute` posted the moment the agent
/// accepts, while the Twilio events that start the call still wait in the decoder's reorder window.
///
/// Such a change (hold, resume, mute, unmute, wrap-up of a call the worker does not have, or of a worker
/// the registry does not know) is held, not dropped, and applied in time order right after the call is
/// started or offered to the same worker. Held changes are bounded (``pendingChangeLimit``, oldest first
/// out) and expire ``pendingChangeExpiry`` seconds of event time after their own time (found at most a
/// second of event time later: one pass a second over what is held); every drop is counted. A change
/// already that old is dropped on arrival. At the limit the oldest eighth goes at once, so a flood of
/// changes for calls that never start costs O(log n) per change, not a scan of everything held.
/// An `end` is never held: the end of an unknown call has nothing to end.
extension Registry {
    mutating func hold(_ event: Event) {
        guard case .call(_, let call, _) = event.kind else { return }
        let now = lastEventAt ?? event.at
        expirePending(now: now)
        guard event.at.microseconds >= now.microseconds &- Int64(Self.pendingChangeExpiry * 1_000_000) else {
            pendingHeld += 1
            pendingDropped += 1
            return
        }
        if pendingCount >= Self.pendingChangeLimit { dropOldestPending() }
        pendingOldest = min(pendingOldest, event.at.microseconds)
        var list = pending[call] ?? []
        let index = list.firstIndex { $0.at > event.at } ?? list.endIndex
        list.insert(event, at: index)
        pending[call] = list
        pendingCount += 1
        pendingHeld += 1
    }

    /// Applies the changes held for `call` of `worker` after its start or offer (`outcome`).
    mutating func applyPending(_ call: CallID, worker: WorkerID, _ outcome: ApplyOutcome) -> ApplyOutcome {
        guard let list = pending[call] else { return outcome }
        var result = outcome
        var kept: [Event] = []
        pending[call] = nil
        pendingCount -= list.count
        for event in list {
            guard event.worker == worker else { kept.append(event); continue }
            pendingApplied += 1
            guard case .call(let id, let c, let change) = event.kind else { continue }
            let at = event.at
            if case .changed = update(id, at: at, create: false, { $0.changeCall(c, change, at: at) }) {
                result = .changed(worker)
            }
        }
        if !kept.isEmpty {
            pending[call] = kept
            pendingCount += kept.count
        }
        return result
    }

    /// Drops held changes older than ``pendingChangeExpiry`` seconds before `now` (event time).
    mutating func expirePending(now: Timestamp) {
        let limit = now.microseconds &- Int64(Self.pendingChangeExpiry * 1_000_000)
        guard pendingOldest < limit, now.microseconds &- pendingExpiredAt >= 1_000_000 else { return }
        pendingExpiredAt = now.microseconds
        dropPending { $0.at.microseconds < limit }
    }

    /// Drops the oldest eighth of what is held (at least one change).
    private mutating func dropOldestPending() {
        var times = pending.values.flatMap { $0.map(\.at.microseconds) }
        guard !times.isEmpty else { return }
        let k = max(1, times.count / 8)
        times.sort()
        let cut = times[k - 1]
        var budget = k
        dropPending { event in
            // Every change older than the cut, and as many at the cut as make up the eighth.
            if event.at.microseconds < cut { budget -= 1; return true }
            if event.at.microseconds == cut, budget > 0 { budget -= 1; return true }
            return false
        }
    }

    /// Drops the held changes `drop` picks (counted), and finds the oldest left.
    private mutating func dropPending(_ drop: (Event) -> Bool) {
        var oldest = Int64.max
        for (call, list) in pending {
            let kept = list.filter { !drop($0) }
            pendingDropped += list.count - kept.count
            pendingCount -= list.count - kept.count
            pending[call] = kept.isEmpty ? nil : kept
            if let first = kept.first { oldest = min(oldest, first.at.microseconds) }
        }
        pendingOldest = oldest
    }
}
