/// Transitions of a worker's calls.
extension WorkerState {
    /// Adds a live call, unless the worker already holds `maxCalls` calls.
    ///
    /// A queue call is a misroute when another call of the worker, started no later, has not
    /// ended, and a call in wrap-up counts: in Twilio it still occupies voice capacity, so
    /// routing should not have offered a queue call yet. Transfers, outbound and direct calls
    /// may legitimately stack and are never misroutes.
    mutating func startCall(_ start: CallStart, at: Timestamp, maxCalls: Int) -> Transition {
        let fingerprint = EndedWork.fingerprint(of: start.call)
        if calls.contains(where: { $0.idFingerprint == fingerprint && $0.id == start.call }) {
            return .noChange(ApplyOutcome.Reason.duplicate)
        }
        guard calls.count < maxCalls else { return .rejected(ApplyOutcome.Reason.tooManyCalls) }
        if let endedAt = endedAt(.call, start.call), at <= endedAt {
            return .rejected(ApplyOutcome.Reason.callEnded)
        }
        var call = CallState(id: start.call, phase: .live, from: start.from, queue: start.queue,
                             direction: start.direction, via: start.via, startedAt: at)
        if start.via == .queue {
            call.misroute = calls.contains { $0.startedAt <= at }
        }
        if let last = calls.last, last.startedAt > at {
            // A late start: calls that began after it while it was going on were stacked on it.
            for i in calls.indices where calls[i].via == .queue && calls[i].startedAt >= at {
                calls[i].misroute = true
            }
            let index = calls.firstIndex { $0.startedAt > at } ?? calls.endIndex
            calls.insert(call, at: index)
        } else {
            calls.append(call)
        }
        return .changed
    }

    mutating func changeCall(_ id: CallID, _ change: CallChange, at: Timestamp) -> Transition {
        let fingerprint = EndedWork.fingerprint(of: id)
        guard let index = calls.firstIndex(where: { $0.idFingerprint == fingerprint && $0.id == id }) else {
            return .rejected(endedAt(.call, id) != nil ? ApplyOutcome.Reason.callEnded : ApplyOutcome.Reason.unknownCall)
        }
        if change == .end {
            // An end is final, so even a late one applies, unless it predates this call: then it is
            // the end of an earlier call with the same id (a task transferred back), delivered late.
            guard at >= calls[index].startedAt else { return .rejected(ApplyOutcome.Reason.late) }
            calls.remove(at: index)
            rememberEnded(.call, id, at: at)
            return .changed
        }
        let transition = calls[index].apply(change, at: at)
        if case .rejected = transition { return transition }
        if at > calls[index].updatedAt { calls[index].updatedAt = at }
        return transition
    }
}

extension CallState {
    /// Hold, resume, mute, unmute or wrap-up of this call (`end` is the worker's business).
    mutating func apply(_ change: CallChange, at: Timestamp) -> Transition {
        switch change {
        case .hold, .resume, .wrapup:
            guard at >= phaseEventAt else { return .rejected(ApplyOutcome.Reason.late) }
            if phase == .wrapup {
                // A second wrap-up is a repeat; hold or resume after the customer left is noise.
                return .rejected(change == .wrapup ? ApplyOutcome.Reason.duplicate : ApplyOutcome.Reason.inWrapup)
            }
            phaseEventAt = at
            switch (change, phase) {
            case (.hold, .live):
                phase = .held
                holdSince = at
                liveSince = nil
            case (.resume, .held):
                phase = .live
                liveSince = at
                holdSince = nil
            case (.wrapup, _):
                phase = .wrapup
                wrapupSince = at
                holdSince = nil
                liveSince = nil
            default:
                return .noChange(ApplyOutcome.Reason.duplicate)
            }
            return .changed
        case .mute, .unmute:
            guard at >= muteEventAt else { return .rejected(ApplyOutcome.Reason.late) }
            muteEventAt = at
            let mute = change == .mute
            guard mute != muted else { return .noChange(ApplyOutcome.Reason.duplicate) }
            muted = mute
            muteChangedAt = at
            return .changed
        case .end:
            return .rejected(ApplyOutcome.Reason.unknownCall)
        }
    }
}
