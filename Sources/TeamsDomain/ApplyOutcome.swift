/// What applying one event did.
public enum ApplyOutcome: Sendable, Hashable {
    /// The worker changed (created, updated, or a call/task of it changed).
    case changed(WorkerID)
    /// The worker was removed.
    case removed(WorkerID)
    /// Nothing changed: a heartbeat, a late or duplicate event, an event for an unknown call.
    case unchanged(reason: String)

    /// The reasons `unchanged` carries. Static strings, so reporting one costs no allocation
    /// on the ingest path, and counters can be keyed by them.
    public enum Reason {
        /// A heartbeat: only `Registry.lastEventAt` moves.
        public static let heartbeat = "heartbeat"
        /// Older than what the registry already applied to that call, task or worker field.
        public static let late = "late event"
        /// Says what the registry already shows (a repeated event, hold on a held call...).
        public static let duplicate = "duplicate"
        /// A call or task change, or a removal, for a worker the registry does not know.
        public static let unknownWorker = "unknown worker"
        /// A change of a call the worker does not have.
        public static let unknownCall = "unknown call"
        /// The end of a task the worker does not have.
        public static let unknownTask = "unknown task"
        /// About a call that already ended; ended calls are never brought back by late events.
        public static let callEnded = "call ended"
        /// About a task that already ended.
        public static let taskEnded = "task ended"
        /// About a worker removed after the event's time.
        public static let workerRemoved = "worker removed"
        /// Hold or resume of a call in wrap-up: the customer is gone, there is nothing to hold.
        public static let inWrapup = "call in wrap-up"
        /// Would add a worker past `Registry.Limits.maxWorkers`.
        public static let tooManyWorkers = "too many workers"
        /// Would start a call past `Registry.Limits.maxCallsPerWorker` on that worker.
        public static let tooManyCalls = "too many calls"
        /// Hold, resume or wrap-up of a call still offered (ringing): nothing to hold before it is accepted.
        public static let notAccepted = "call not accepted"
        /// A missed offer of a call that is not ringing (already accepted, or never offered).
        public static let notOffered = "call not offered"
        /// A change of a call (or of a worker) the registry does not know yet: kept until the call starts
        /// (``Registry/pendingChangeLimit``, ``Registry/pendingChangeExpiry``), then applied.
        public static let pending = "pending call start"

        /// Whether `reason` is a refusal at a registry cap (``tooManyWorkers``, ``tooManyCalls``): the event was
        /// current and well-formed, but the registry would not take it.
        @inline(__always)
        public static func isCap(_ reason: String) -> Bool {
            reason == tooManyWorkers || reason == tooManyCalls
        }
    }

    /// The worker that changed or was removed, if any.
    public var worker: WorkerID? {
        switch self {
        case .changed(let id), .removed(let id): return id
        case .unchanged: return nil
        }
    }
}
