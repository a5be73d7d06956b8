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
        if let i = calls.firstIndex(where: { $0.idFingerprint == fingerprint && $0.id == start.call }) {
            guard calls[i].phase == .offered else { return .noChange(ApplyOutcome.Reason.duplicate) }
            // The offer was accepted: the call starts now, with its own start's details.
            guard at >= calls[i].phaseEventAt else { return .rejected(ApplyOutcome.Reason.late) }
            let offer = calls.remove(at: i)
            var call = CallState(id: start.call, phase: .live, muted: offer.muted, from: start.from ?? offer.from,
                                 queue: start.queue ?? offer.queue, direction: start.direction, via: start.via,
                                 startedAt: at, muteChangedAt: offer.muted == nil ? nil : offer.muteChangedAt)
            call.offeredAt = offer.offeredAt
            call.muteEventAt = max(offer.muteEventAt, at)
            insert(call, at: at)
            return .changed
        }
        guard calls.count < maxCalls else { return .rejected(ApplyOutcome.Reason.tooManyCalls) }
        if let endedAt = endedAt(.call, start.call), at <= endedAt {
            return .rejected(ApplyOutcome.Reason.callEnded)
        }
        if mayHaveForgottenEnd(startingAt: at) { return .rejected(ApplyOutcome.Reason.late) }
        insert(CallState(id: start.call, phase: .live, from: start.from, queue: start.queue,
                         direction: start.direction, via: start.via, startedAt: at), at: at)
        return .changed
    }

    /// Adds a ringing call; a repeat of an offer, or an offer of a call the worker already has, changes nothing.
    mutating func offerCall(_ start: CallStart, at: Timestamp, maxCalls: Int) -> Transition {
        let fingerprint = EndedWork.fingerprint(of: start.call)
        if calls.contains(where: { $0.idFingerprint == fingerprint && $0.id == start.call }) {
            return .noChange(ApplyOutcome.Reason.duplicate)
        }
        guard calls.count < maxCalls else { return .rejected(ApplyOutcome.Reason.tooManyCalls) }
        if let endedAt = endedAt(.call, start.call), at <= endedAt {
            return .rejected(ApplyOutcome.Reason.callEnded)
        }
        if mayHaveForgottenEnd(startingAt: at) { return .rejected(ApplyOutcome.Reason.late) }
        let call = CallState(id: start.call, phase: .offered, from: start.from, queue: start.queue,
                             direction: start.direction, via: start.via, startedAt: at)
        let index = calls.firstIndex { $0.startedAt > at } ?? calls.endIndex
        calls.insert(call, at: index)
        return .changed
    }

    /// Inserts a call that became live at `at` in start order, deciding misroutes: a queue call is one
    /// when another call (not a mere offer, nor one whose end is overdue at `at`: `CallState.endIsOverdue`)
    /// started no later is still held; a late start marks queue calls that began after it while it was going on
    /// (not those that began once its end was overdue).
    private mutating func insert(_ new: CallState, at: Timestamp) {
        var call = new
        if call.via == .queue {
            call.misroute = calls.contains { $0.phase != .offered && $0.startedAt <= at && !$0.endIsOverdue(at: at) }
        }
        if let last = calls.last(where: { $0.phase != .offered }), last.startedAt > at {
            for i in calls.indices where calls[i].via == .queue && calls[i].phase != .offered && calls[i].startedAt >= at
                && !call.endIsOverdue(at: calls[i].startedAt) {
                calls[i].misroute = true
            }
        }
        let index = calls.firstIndex { $0.startedAt > at } ?? calls.endIndex
        calls.insert(call, at: index)
    }

    mutating func changeCall(_ id: CallID, _ change: CallChange, at: Timestamp) -> Transition {
        let fingerprint = EndedWork.fingerprint(of: id)
        guard let index = calls.firstIndex(where: { $0.idFingerprint == fingerprint && $0.id == id }) else {
            return .rejected(endedAt(.call, id) != nil ? ApplyOutcome.Reason.callEnded : ApplyOutcome.Reason.unknownCall)
        }
        if change == .miss {
            // Only a ringing offer can be missed; once accepted, the call ends with `end`.
            guard calls[index].phase == .offered else { return .rejected(ApplyOutcome.Reason.notOffered) }
            guard at >= calls[index].startedAt else { return .rejected(ApplyOutcome.Reason.late) }
            calls.remove(at: index)
            rememberEnded(.call, id, at: at)
            let slot = missedOfferTimes.lastIndex { $0 <= at }.map { $0 + 1 } ?? 0
            missedOfferTimes.insert(at, at: slot)
            if missedOfferTimes.count > Self.missedOfferMemory { missedOfferTimes.removeFirst() }
            return .changed
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
            if phase == .offered { return .rejected(ApplyOutcome.Reason.notAccepted) }
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
                // Resumed while the agent was unmuted on it: its caller has heard the agent since then, and
                // a wrong-call risk it carried goes on unbroken with another live call (no new grace period).
                liveSince = muted == false ? max(holdSince ?? at, muteChangedAt) : at
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
            guard muted != mute else { return .noChange(ApplyOutcome.Reason.duplicate) }
            muted = mute
            muteChangedAt = at
            return .changed
        case .end, .miss:
            return .rejected(ApplyOutcome.Reason.unknownCall)
        }
    }
}
