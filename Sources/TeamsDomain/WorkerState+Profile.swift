/// Transitions of a worker's profile, activity and capacity.
extension WorkerState {
    mutating func applyProfile(_ profile: WorkerProfile, at: Timestamp) -> Transition {
        guard at >= profileAt else { return .rejected(ApplyOutcome.Reason.late) }
        profileAt = at
        var changed = false
        if isPlaceholder {
            isPlaceholder = false
            changed = true
        }
        if let given = profile.name, case let name = Self.name(given, id: id), name != self.name {
            self.name = name
            changed = true
        }
        if let team = profile.team, team != self.team {
            self.team = team
            changed = true
        }
        if let skills = profile.skills, skills != self.skills {
            self.skills = skills
            changed = true
        }
        if let capacity = profile.capacity {
            for (channel, total) in capacity where setCapacity(channel, total: total, at: at) {
                changed = true
            }
        }
        return changed ? .changed : .noChange(ApplyOutcome.Reason.duplicate)
    }

    /// The name a row shows: the one given, or the worker id when none is given or it is blank (`"name": ""`
    /// would leave a row with no name to read).
    static func name(_ given: String?, id: WorkerID) -> String {
        guard let given else { return id }
        // A name starting with a visible ASCII character (almost all) is not blank: no need to walk its Characters.
        if let first = given.utf8.first, first > 0x20, first < 0x7F { return given }
        guard given.contains(where: { !$0.isWhitespace }) else { return id }
        return given
    }

    mutating func applyActivity(_ name: String, available: Bool?, at: Timestamp) -> Transition {
        guard at >= activityAt else { return .rejected(ApplyOutcome.Reason.late) }
        activityAt = at
        if name != activity {
            activity = name
            // A new activity without availability makes the old availability meaningless.
            self.available = available
            activitySince = at
            return .changed
        }
        // Same activity again: time in it keeps running; only news about availability counts.
        if let available, available != self.available {
            self.available = available
            return .changed
        }
        return .noChange(ApplyOutcome.Reason.duplicate)
    }

    mutating func applyCapacity(_ channel: String, total: Int, at: Timestamp) -> Transition {
        if let known = capacityAt[channel], at < known { return .rejected(ApplyOutcome.Reason.late) }
        return setCapacity(channel, total: total, at: at) ? .changed : .noChange(ApplyOutcome.Reason.duplicate)
    }

    mutating func applyChannelAvailability(_ channel: String, available: Bool, at: Timestamp) -> Transition {
        if let known = channelAvailabilityAt[channel], at < known { return .rejected(ApplyOutcome.Reason.late) }
        channelAvailabilityAt[channel] = at
        let changed = available ? channelsOff.remove(channel) != nil : channelsOff.insert(channel).inserted
        return changed ? .changed : .noChange(ApplyOutcome.Reason.duplicate)
    }

    /// Sets one channel's capacity unless a newer setting is known; true when the value changed.
    private mutating func setCapacity(_ channel: String, total: Int, at: Timestamp) -> Bool {
        if let known = capacityAt[channel], at < known { return false }
        capacityAt[channel] = at
        guard capacity[channel] != total else { return false }
        capacity[channel] = total
        return true
    }
}
