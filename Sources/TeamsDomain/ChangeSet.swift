/// What a batch of events did to the registry: which rows views must redraw or drop.
///
/// One representation: the ordered list of the workers each event changed or removed. Applying a batch
/// only appends to it (no hashing); `changed` and `removed` are worked out from it when read. The ingest
/// path reads neither (live views find changed workers by their `WorkerState/version`), so it hashes each
/// worker id once per event, in the registry's own lookup. A change set given as sets (a restored floor,
/// tests) is that list with each worker once.
public struct ChangeSet: Sendable, Hashable {
    /// The registry version after the batch.
    public var version: UInt64
    /// The registry version before the batch: the workers it changed have versions in `since + 1 ... version`.
    /// Batches a store applies one after another chain (one's `since` is the last one's `version`).
    public var since: UInt64 = 0
    /// Events that changed something.
    public var applied: Int
    /// Events that changed nothing (heartbeats, late, duplicate, unknown call...).
    public var unchanged: Int
    /// Time of the newest event seen so far, after the batch.
    public var lastEventAt: Timestamp?
    /// True when the batch replaced the registry as a whole (a restored floor): every worker in it may have
    /// changed, and worker versions may be lower than before it.
    public var replacedRegistry = false
    /// The events of the batch refused at a registry cap (see ``Refusal``), in order; empty almost always.
    public private(set) var refusals: [Refusal] = []

    /// An event refused at a registry cap (`--max-workers`, `--max-calls-per-worker`): its place in the batch
    /// and the reason (``ApplyOutcome/Reason/tooManyWorkers`` or ``ApplyOutcome/Reason/tooManyCalls``), so
    /// the source can report it as a rejection of the line it came from.
    public struct Refusal: Sendable, Hashable {
        /// 0-based position of the event in the batch.
        public var offset: Int
        public var reason: String
    }

    /// Each outcome recorded that changed or removed a worker, in order; a worker may appear more than once.
    private var touches: [Touch] = []
    /// How many of `touches` are removals.
    private var removals = 0

    private struct Touch: Sendable, Hashable {
        var id: WorkerID
        var removed: Bool
    }

    /// A change set of workers `changed` and `removed` (a worker in both counts as removed).
    public init(version: UInt64 = 0, changed: Set<WorkerID> = [], removed: Set<WorkerID> = [],
                applied: Int = 0, unchanged: Int = 0, lastEventAt: Timestamp? = nil) {
        self.version = version
        touches.reserveCapacity(changed.count + removed.count)
        for id in changed { touches.append(Touch(id: id, removed: false)) }
        for id in removed { touches.append(Touch(id: id, removed: true)) }
        removals = removed.count
        self.applied = applied
        self.unchanged = unchanged
        self.lastEventAt = lastEventAt
    }

    /// Workers created or changed by the batch and still present after it.
    public var changed: Set<WorkerID> { resolved().changed }

    /// Workers removed by the batch and absent after it.
    public var removed: Set<WorkerID> { hasRemovals ? resolved().removed : [] }

    /// Whether `removed` may be non-empty; false means it is empty, known without working it out.
    public var hasRemovals: Bool { removals > 0 }

    /// True when no worker changed or was removed.
    public var isEmpty: Bool { touches.isEmpty }

    /// Calls `body` with each worker the batch changed or removed, in order, a worker possibly more than once.
    /// O(outcomes), no hashing.
    public func forEachTouched(_ body: (WorkerID) -> Void) {
        for touch in touches { body(touch.id) }
    }

    /// Room for `count` recorded outcomes without regrowing.
    mutating func reserve(_ count: Int) {
        touches.reserveCapacity(count)
    }

    /// Folds one event's outcome in. A worker removed and then re-created in the same batch
    /// ends up in `changed` only, so views redraw it rather than drop it.
    public mutating func record(_ outcome: ApplyOutcome) {
        switch outcome {
        case .changed(let id):
            applied += 1
            touches.append(Touch(id: id, removed: false))
        case .removed(let id):
            applied += 1
            removals += 1
            touches.append(Touch(id: id, removed: true))
        case .unchanged(let reason):
            if ApplyOutcome.Reason.isCap(reason) { refusals.append(Refusal(offset: applied + unchanged, reason: reason)) }
            unchanged += 1
        }
    }

    /// `changed` and `removed`: the recorded outcomes replayed in order.
    private func resolved() -> (changed: Set<WorkerID>, removed: Set<WorkerID>) {
        var changed = Set<WorkerID>()
        var removed = Set<WorkerID>()
        guard !touches.isEmpty else { return (changed, removed) }
        changed.reserveCapacity(touches.count - removals)
        for touch in touches {
            if touch.removed {
                changed.remove(touch.id)
                removed.insert(touch.id)
            } else {
                changed.insert(touch.id)
                if !removed.isEmpty { removed.remove(touch.id) }
            }
        }
        return (changed, removed)
    }

    public static func == (a: ChangeSet, b: ChangeSet) -> Bool {
        a.version == b.version && a.since == b.since && a.applied == b.applied && a.unchanged == b.unchanged
            && a.lastEventAt == b.lastEventAt && a.replacedRegistry == b.replacedRegistry
            && a.refusals == b.refusals && a.resolved() == b.resolved()
    }

    public func hash(into hasher: inout Hasher) {
        let sets = resolved()
        hasher.combine(version)
        hasher.combine(since)
        hasher.combine(applied)
        hasher.combine(unchanged)
        hasher.combine(lastEventAt)
        hasher.combine(replacedRegistry)
        hasher.combine(sets.changed)
        hasher.combine(sets.removed)
    }
}

extension Registry {
    /// Applies events in order and reports what they changed.
    public mutating func apply<C: Collection<Event>>(_ events: C) -> ChangeSet {
        var changes = ChangeSet()
        changes.since = version
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

    /// The ids of the workers that changed after registry version `version` (their ``WorkerState/version``
    /// is higher), created ones included; removed workers are not in the registry, so not here. O(workers).
    public func workers(changedAfter version: UInt64) -> Set<WorkerID> {
        var ids = Set<WorkerID>()
        guard version < self.version else { return ids }
        for (id, worker) in workers where worker.version > version {
            ids.insert(id)
        }
        return ids
    }
}
