import Synchronization

/// The shared, thread-safe home of the registry.
///
/// Ingest applies batches (one lock acquisition per batch); views take snapshots, which are O(1)
/// copies of the persistent registry, and never wait for more than a pointer copy. Listeners hear
/// of every batch that changed something, after the lock is released, so a slow listener never
/// stalls ingest of the next batch by another thread, nor can it deadlock by reading the store.
public final class RegistryStore: Sendable {
    /// Cumulative counts since the store was created, for status pages and metrics.
    public struct Counters: Sendable, Hashable, Codable {
        /// Events that changed something.
        public var applied: UInt64 = 0
        /// Events that changed nothing.
        public var unchanged: UInt64 = 0
        /// Batches applied (including ones that changed nothing).
        public var batches: UInt64 = 0
        /// `unchanged` broken down by `ApplyOutcome.Reason`.
        public var unchangedByReason: [String: UInt64] = [:]

        public init() {}

        /// All events seen.
        public var events: UInt64 { applied + unchanged }

        /// Events refused because the registry held `--max-workers` workers (each would have added one).
        public var refusedTooManyWorkers: UInt64 { unchangedByReason[ApplyOutcome.Reason.tooManyWorkers] ?? 0 }

        /// Call starts refused because their worker held `--max-calls-per-worker` calls.
        public var refusedTooManyCalls: UInt64 { unchangedByReason[ApplyOutcome.Reason.tooManyCalls] ?? 0 }
    }

    public typealias Listener = @Sendable (ChangeSet) -> Void

    private struct State {
        var registry: Registry
        var counters = Counters()

        mutating func apply(_ event: Event, into changes: inout ChangeSet, reasons: inout ReasonTally) -> ApplyOutcome {
            let outcome = registry.apply(event)
            switch outcome {
            case .changed, .removed:
                counters.applied += 1
            case .unchanged(let reason):
                counters.unchanged += 1
                reasons.count(reason)
            }
            changes.record(outcome)
            return outcome
        }

        mutating func finish(_ changes: inout ChangeSet, reasons: ReasonTally) {
            changes.version = registry.version
            changes.lastEventAt = registry.lastEventAt
            counters.batches += 1
            reasons.add(to: &counters.unchangedByReason)
        }

        /// Applies a batch in place, reading events through a buffer so none is copied.
        mutating func apply(_ events: UnsafeBufferPointer<Event>) -> ChangeSet {
            var changes = ChangeSet()
            changes.since = registry.version
            changes.reserve(Swift.min(events.count, Self.batchCapacityHint))
            var reasons = ReasonTally()
            // Through the pointer, each event is borrowed where it lies; the buffer's subscript would copy it
            // (a retain and a release of each of its strings).
            if let base = events.baseAddress {
                for i in 0..<events.count {
                    _ = apply(base[i], into: &changes, reasons: &reasons)
                }
            }
            finish(&changes, reasons: reasons)
            return changes
        }

        /// Most outcomes a batch reserves room for up front in its `ChangeSet`.
        static let batchCapacityHint = 4096
    }

    /// Counts of `unchanged` reasons within one batch. The reasons are a handful of static
    /// strings, so a short list compared by value beats hashing each into the counters dictionary.
    struct ReasonTally {
        private var reasons: [(reason: String, count: UInt64)] = []

        @inline(__always)
        mutating func count(_ reason: String) {
            for i in reasons.indices where reasons[i].reason == reason {
                reasons[i].count += 1
                return
            }
            reasons.append((reason, 1))
        }

        func add(to totals: inout [String: UInt64]) {
            for (reason, count) in reasons { totals[reason, default: 0] += count }
        }
    }

    private let state: Mutex<State>
    /// The registry's `nextEndDue` after the last change: ``markOverdueEnds(at:)`` takes no lock before it.
    private let endDue = Atomic<Int64>(Int64.min)
    private let listeners = Mutex<[Listener]>([])

    public init(_ registry: Registry = Registry()) {
        state = Mutex(State(registry: registry))
    }

    /// Applies a batch of events in order under one lock and tells listeners what changed.
    ///
    /// With one writer (the design), listeners see change sets in version order. Should several
    /// threads apply concurrently, listeners may be called concurrently and out of order; order
    /// by `ChangeSet.version` then.
    @discardableResult
    public func apply<C: Collection<Event>>(_ events: C) -> ChangeSet {
        if let changes = events.withContiguousStorageIfAvailable({ apply(buffer: $0) }) {
            return changes
        }
        return apply(buffer: ContiguousArray(events))
    }

    /// Applies a batch of events; the same as the generic form, without generic dispatch per event.
    @discardableResult
    public func apply(_ events: [Event]) -> ChangeSet {
        events.withUnsafeBufferPointer { apply(buffer: $0) }
    }

    /// Applies a batch of events; the same as the generic form, without generic dispatch per event.
    @discardableResult
    public func apply(_ events: ArraySlice<Event>) -> ChangeSet {
        events.withUnsafeBufferPointer { apply(buffer: $0) }
    }

    private func apply(buffer events: UnsafeBufferPointer<Event>) -> ChangeSet {
        let changes = mutate { $0.apply(events) }
        if !changes.isEmpty {
            notify(changes)
        }
        return changes
    }

    private func apply(buffer events: ContiguousArray<Event>) -> ChangeSet {
        events.withUnsafeBufferPointer { apply(buffer: $0) }
    }

    /// Applies one event; prefer batches on hot paths.
    @discardableResult
    public func apply(_ event: Event) -> ApplyOutcome {
        let (outcome, changes) = mutate { state -> (ApplyOutcome, ChangeSet) in
            var changes = ChangeSet()
            changes.since = state.registry.version
            var reasons = ReasonTally()
            let outcome = state.apply(event, into: &changes, reasons: &reasons)
            state.finish(&changes, reasons: reasons)
            return (outcome, changes)
        }
        if !changes.isEmpty {
            notify(changes)
        }
        return outcome
    }

    /// Runs a change of the registry under the lock, then publishes its `nextEndDue`.
    private func mutate<R>(_ body: (inout State) -> R) -> R {
        state.withLock { s in
            let result = body(&s)
            endDue.store(s.registry.nextEndDue, ordering: .relaxed)
            return result
        }
    }

    /// Marks the calls whose end is overdue at `now` (``Registry/markOverdueEnds(at:)``) and tells listeners which
    /// workers that changed. Until a call may be due, one atomic load and no lock: call it before reading the
    /// registry for a view.
    @discardableResult
    public func markOverdueEnds(at now: Timestamp) -> ChangeSet {
        guard now.microseconds > endDue.load(ordering: .relaxed) else { return ChangeSet(version: 0) }
        let changes = mutate { s -> ChangeSet in
            let marked = s.registry.markOverdueEnds(at: now)
            guard !marked.isEmpty else { return ChangeSet(version: s.registry.version) }
            var changes = ChangeSet(version: s.registry.version, changed: Set(marked), lastEventAt: s.registry.lastEventAt)
            changes.since = s.registry.version &- 1
            return changes
        }
        if !changes.isEmpty {
            notify(changes)
        }
        return changes
    }

    /// A consistent copy of the registry; O(1), later batches do not affect it.
    public func snapshot() -> Registry {
        state.withLock { $0.registry }
    }

    /// The registry version now.
    public var version: UInt64 {
        state.withLock { $0.registry.version }
    }

    /// Cumulative counters.
    public var counters: Counters {
        state.withLock { $0.counters }
    }

    /// The registry and the counters together, as one consistent copy (O(1)): what a saved floor keeps.
    public func capture() -> (registry: Registry, counters: Counters) {
        state.withLock { ($0.registry, $0.counters) }
    }

    /// Replaces the registry and the counters with saved ones (a restart restoring its floor), keeping the
    /// limits this store was made with; listeners hear of every worker as changed.
    public func restore(_ registry: Registry, counters: Counters) {
        let changes = mutate { state -> ChangeSet in
            var restored = registry
            restored.limits = state.registry.limits
            restored.shareRepeatedValues()
            state.registry = restored
            state.counters = counters
            var changes = ChangeSet(version: restored.version, changed: Set(restored.workers.keys),
                                    lastEventAt: restored.lastEventAt)
            changes.replacedRegistry = true
            return changes
        }
        if !changes.isEmpty { notify(changes) }
    }

    /// Calls `listener` after every batch that changed something, on the applying thread.
    public func observe(_ listener: @escaping Listener) {
        listeners.withLock { $0.append(listener) }
    }

    private func notify(_ changes: ChangeSet) {
        let current = listeners.withLock { $0 }
        for listener in current {
            listener(changes)
        }
    }
}
