import Synchronization

/// The shared, thread-safe home of the registry.
///
/// Ingest applies batches (one lock acquisition per batch); views take snapshots, which are O(1)
/// copies of the persistent registry, and never wait for more than a pointer copy. Listeners hear
/// of every batch that changed something, after the lock is released, so a slow listener never
/// stalls ingest of the next batch by another thread, nor can it deadlock by reading the store.
public final class RegistryStore: Sendable {
    /// Cumulative counts since the store was created, for status pages and metrics.
    public struct Counters: Sendable, Hashable {
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
    }

    public typealias Listener = @Sendable (ChangeSet) -> Void

    private struct State {
        var registry: Registry
        var counters = Counters()

        mutating func apply(_ event: Event, into changes: inout ChangeSet) -> ApplyOutcome {
            let outcome = registry.apply(event)
            switch outcome {
            case .changed, .removed:
                counters.applied += 1
            case .unchanged(let reason):
                counters.unchanged += 1
                counters.unchangedByReason[reason, default: 0] += 1
            }
            changes.record(outcome)
            return outcome
        }

        mutating func finish(_ changes: inout ChangeSet) {
            changes.version = registry.version
            changes.lastEventAt = registry.lastEventAt
            counters.batches += 1
        }
    }

    private let state: Mutex<State>
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
        let changes = state.withLock { state -> ChangeSet in
            var changes = ChangeSet()
            for event in events {
                _ = state.apply(event, into: &changes)
            }
            state.finish(&changes)
            return changes
        }
        if !changes.isEmpty {
            notify(changes)
        }
        return changes
    }

    /// Applies one event; prefer batches on hot paths.
    @discardableResult
    public func apply(_ event: Event) -> ApplyOutcome {
        let (outcome, changes) = state.withLock { state -> (ApplyOutcome, ChangeSet) in
            var changes = ChangeSet()
            let outcome = state.apply(event, into: &changes)
            state.finish(&changes)
            return (outcome, changes)
        }
        if !changes.isEmpty {
            notify(changes)
        }
        return outcome
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
