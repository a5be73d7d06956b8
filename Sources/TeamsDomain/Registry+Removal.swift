extension Registry {
    /// Removes the worker unless an event newer than the removal already reached it
    /// (then the removal is late: the worker was re-created afterwards).
    mutating func remove(_ id: WorkerID, at: Timestamp) -> ApplyOutcome {
        guard let worker = workers[id] else {
            // Remember it anyway: the worker's own late events may still be on their way.
            rememberRemoved(id, at: at)
            return .unchanged(reason: ApplyOutcome.Reason.unknownWorker)
        }
        guard at >= worker.updatedAt else { return .unchanged(reason: ApplyOutcome.Reason.late) }
        workers.removeValue(forKey: id)
        rememberRemoved(id, at: at)
        version &+= 1
        return .removed(id)
    }

    private mutating func rememberRemoved(_ id: WorkerID, at: Timestamp) {
        if let known = removedWorkers[id], known >= at { return }
        removedWorkers[id] = at
        if removedWorkers.count > Self.removedWorkerMemory {
            forgetOlderRemovals()
        }
    }

    /// Keeps the newer half of the removal tombstones.
    private mutating func forgetOlderRemovals() {
        let times = removedWorkers.values.sorted()
        let cutoff = times[times.count / 2]
        removedWorkers = removedWorkers.filter { $0.value >= cutoff }
    }
}
