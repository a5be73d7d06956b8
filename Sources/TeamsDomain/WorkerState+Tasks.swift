/// Transitions of a worker's non-voice tasks.
extension WorkerState {
    mutating func startTask(_ start: TaskStart, at: Timestamp) -> Transition {
        let fingerprint = EndedWork.fingerprint(of: start.task)
        if tasks.contains(where: { $0.idFingerprint == fingerprint && $0.id == start.task }) {
            return .noChange(ApplyOutcome.Reason.duplicate)
        }
        if let endedAt = endedAt(.task, start.task), at <= endedAt {
            return .rejected(ApplyOutcome.Reason.taskEnded)
        }
        if mayHaveForgottenEnd(startingAt: at) { return .rejected(ApplyOutcome.Reason.late) }
        let task = TaskState(id: start.task, channel: start.channel, from: start.from, queue: start.queue, startedAt: at)
        // Keep start order even when a start arrives late.
        if let last = tasks.last, last.startedAt > at {
            let index = tasks.firstIndex { $0.startedAt > at } ?? tasks.endIndex
            tasks.insert(task, at: index)
        } else {
            tasks.append(task)
        }
        return .changed
    }

    mutating func endTask(_ id: TaskID, at: Timestamp) -> Transition {
        let fingerprint = EndedWork.fingerprint(of: id)
        guard let index = tasks.firstIndex(where: { $0.idFingerprint == fingerprint && $0.id == id }) else {
            return .rejected(endedAt(.task, id) != nil ? ApplyOutcome.Reason.taskEnded : ApplyOutcome.Reason.unknownTask)
        }
        // Older than the start: the end of an earlier task with the same id, delivered late.
        guard at >= tasks[index].startedAt else { return .rejected(ApplyOutcome.Reason.late) }
        tasks.remove(at: index)
        rememberEnded(.task, id, at: at)
        return .changed
    }
}
