import HashTreeCollections

/// What applying one event did.
public enum ApplyOutcome: Sendable, Hashable {
    /// The worker changed (created, updated, or a call/task of it changed).
    case changed(WorkerID)
    /// The worker was removed.
    case removed(WorkerID)
    /// Nothing changed: a heartbeat, a late or duplicate event, an event for an unknown call.
    case unchanged(reason: String)
}

/// The in-memory worker registry: a value, so a copy is a consistent snapshot.
///
/// `workers` is a persistent hash tree, so taking a snapshot is O(1) and the single writer
/// pays only for the paths it changes afterwards.
public struct Registry: Sendable {
    /// Increases by one for every event that changed something.
    public private(set) var version: UInt64 = 0
    public private(set) var workers: TreeDictionary<WorkerID, WorkerState> = [:]
    /// Time of the newest event seen (heartbeats included).
    public private(set) var lastEventAt: Timestamp?

    public init() {}

    /// Applies one event. Pure state transition: no I/O, no clock.
    public mutating func apply(_ event: Event) -> ApplyOutcome {
        fatalError("TODO")
    }
}
