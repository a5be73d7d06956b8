/// What a batch of events did to the registry: which rows views must redraw or drop.
public struct ChangeSet: Sendable, Hashable {
    /// The registry version after the batch.
    public var version: UInt64
    /// Workers created or changed by the batch and still present after it.
    public var changed: Set<WorkerID>
    /// Workers removed by the batch and absent after it.
    public var removed: Set<WorkerID>
    /// Events that changed something.
    public var applied: Int
    /// Events that changed nothing (heartbeats, late, duplicate, unknown call...).
    public var unchanged: Int
    /// Time of the newest event seen so far, after the batch.
    public var lastEventAt: Timestamp?

    public init(version: UInt64 = 0, changed: Set<WorkerID> = [], removed: Set<WorkerID> = [],
                applied: Int = 0, unchanged: Int = 0, lastEventAt: Timestamp? = nil) {
        self.version = version
        self.changed = changed
        self.removed = removed
        self.applied = applied
        self.unchanged = unchanged
        self.lastEventAt = lastEventAt
    }

    /// True when no worker changed or was removed.
    public var isEmpty: Bool { changed.isEmpty && removed.isEmpty }

    /// Folds one event's outcome in. A worker removed and then re-created in the same batch
    /// ends up in `changed` only, so views redraw it rather than drop it.
    public mutating func record(_ outcome: ApplyOutcome) {
        switch outcome {
        case .changed(let id):
            applied += 1
            changed.insert(id)
            if !removed.isEmpty { removed.remove(id) }
        case .removed(let id):
            applied += 1
            changed.remove(id)
            removed.insert(id)
        case .unchanged:
            unchanged += 1
        }
    }
}

extension Registry {
    /// Applies events in order and reports what they changed.
    public mutating func apply<C: Collection<Event>>(_ events: C) -> ChangeSet {
        var changes = ChangeSet()
        let done: Void? = events.withContiguousStorageIfAvailable { buffer in
            for i in buffer.indices { changes.record(apply(buffer[i])) }
        }
        if done == nil {
            for event in events { changes.record(apply(event)) }
        }
        changes.version = version
        changes.lastEventAt = lastEventAt
        return changes
    }
}
