/// Call changes that arrive before their call: a Flex plugin's `call.mute` posted the moment the agent
/// accepts, while the Twilio events that start the call still wait in the decoder's reorder window.
///
/// Such a change (hold, resume, mute, unmute, wrap-up of a call the worker does not have, or of a worker
/// the registry does not know) is held, not dropped, and applied in time order right after the call is
/// started or offered to the same worker. Held changes are bounded (``pendingChangeLimit``, oldest first
/// out) and expire ``pendingChangeExpiry`` seconds of event time after their own time; every drop is counted.
/// An `end` is never held: the end of an unknown call has nothing to end.
extension Registry {
    mutating func hold(_ event: Event) {
        guard case .call(_, let call, _) = event.kind else { return }
        expirePending(now: lastEventAt ?? event.at)
        if pendingCount >= Self.pendingChangeLimit { dropOldestPending() }
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
        guard pending.values.contains(where: { $0.first.map { $0.at.microseconds < limit } ?? false }) else { return }
        for (call, list) in pending {
            let fresh = list.filter { $0.at.microseconds >= limit }
            pendingDropped += list.count - fresh.count
            pendingCount -= list.count - fresh.count
            pending[call] = fresh.isEmpty ? nil : fresh
        }
    }

    private mutating func dropOldestPending() {
        guard let (call, list) = pending.min(by: { $0.value[0].at < $1.value[0].at }) else { return }
        pendingDropped += 1
        pendingCount -= 1
        pending[call] = list.count > 1 ? Array(list.dropFirst()) : nil
    }
}
