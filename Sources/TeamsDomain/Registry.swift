import HashTreeCollections

/// The in-memory worker registry: a value, so a copy is a consistent snapshot.
///
/// `workers` is a persistent hash tree, so taking a snapshot is O(1) and the single writer
/// pays only for the paths it changes afterwards.
///
/// The registry shows what events say and invents nothing: it never holds or mutes a call
/// on its own. Events may arrive late or twice; neither rolls state back:
/// - an event older than the latest one applied to the same call, task or worker field
///   (profile, activity, one capacity channel) is `unchanged(reason: ApplyOutcome.Reason.late)`;
/// - ended calls and tasks are remembered per worker (the last `endedMemory`), removed workers
///   registry-wide (the last `removedWorkerMemory`), so late events do not bring them back;
/// - an event saying what the registry already shows changes nothing and does not bump `version`.
public struct Registry: Sendable, Codable {
    /// How many ended calls and tasks each worker remembers to reject late events about them.
    /// Late events come seconds, at worst minutes, behind; an agent ends far fewer than this in that time.
    public static let endedMemory = 16
    /// How many removed workers are remembered to reject late events about them. When full,
    /// the older half is forgotten (removals are rare, so this is cheap amortised).
    public static let removedWorkerMemory = 4096

    /// Bounds that keep one feed from growing the registry without end.
    public struct Limits: Sendable, Hashable, Codable {
        /// Most workers held; an event that would add one more is `unchanged(tooManyWorkers)`.
        public var maxWorkers: Int
        /// Most calls one worker holds at once (live, held or in wrap-up); a start past it is
        /// `unchanged(tooManyCalls)`. Twilio's voice capacity is at most a few calls per worker.
        public var maxCallsPerWorker: Int

        public init(maxWorkers: Int = 100_000, maxCallsPerWorker: Int = 16) {
            self.maxWorkers = max(1, maxWorkers)
            self.maxCallsPerWorker = max(1, maxCallsPerWorker)
        }
    }

    public var limits: Limits

    /// Increases by one for every event that changed something.
    public internal(set) var version: UInt64 = 0
    public internal(set) var workers: TreeDictionary<WorkerID, WorkerState> = [:]
    /// Time of the newest event seen (heartbeats included).
    public internal(set) var lastEventAt: Timestamp?
    /// Removed workers and when; events about them at or before that time are ignored.
    public internal(set) var removedWorkers: TreeDictionary<WorkerID, Timestamp> = [:]

    /// Changes of calls the registry does not know yet, by call id, oldest first (see ``pendingChangeLimit``).
    var pending: [CallID: [Event]] = [:]
    /// Event time (µs) of the oldest held change, or `Int64.max` when none: expiry looks at nothing until it is due.
    var pendingOldest = Int64.max
    /// Event time (µs) of the last expiry pass; passes are at least a second of event time apart.
    var pendingExpiredAt = Int64.min / 2
    /// How many events `pending` holds.
    public internal(set) var pendingCount = 0
    /// Counters of held changes: held, applied when their call started, dropped (expired or over the limit).
    public internal(set) var pendingHeld = 0
    public internal(set) var pendingApplied = 0
    public internal(set) var pendingDropped = 0

    /// Most call changes held for calls not started yet; the oldest is dropped beyond it.
    public static let pendingChangeLimit = 4096
    /// Seconds of event time a held change waits for its call; older ones are dropped (counted).
    /// Covers a Twilio reorder window and slow deliveries; a plugin line about a call that never starts goes.
    public static let pendingChangeExpiry: Double = 120

    /// The distinct skill lists and capacity maps of the workers, shared (not saved in snapshots: sharing starts
    /// again on restore).
    var skillLists = SharedValues<[String]>()
    /// Event time (µs) at or before which no call's end can be overdue (``markOverdueEnds(at:)`` looks at nothing
    /// until the clock passes it); `Int64.min`: unknown (a registry just read), the next pass looks.
    var nextEndDue = Int64.min
    var capacityMaps = SharedValues<ChannelMap<Int>>()

    enum CodingKeys: String, CodingKey {
        case limits, version, workers, lastEventAt, removedWorkers, pending, pendingOldest, pendingExpiredAt
        case pendingCount, pendingHeld, pendingApplied, pendingDropped
    }

    public init(limits: Limits = Limits()) {
        self.limits = limits
    }

    /// The worker with this id, if the registry knows it.
    public subscript(worker id: WorkerID) -> WorkerState? { workers[id] }

    /// Applies one event. Pure state transition: no I/O, no clock.
    public mutating func apply(_ event: Event) -> ApplyOutcome {
        let at = event.at
        if let last = lastEventAt {
            if at > last { lastEventAt = at }
        } else {
            lastEventAt = at
        }
        switch event.kind {
        case .worker(let id, let profile):
            return updateSharing(id, at: at) { $0.applyProfile(profile, at: at) }
        case .activity(let id, let name, let available):
            return update(id, at: at, create: true) { $0.applyActivity(name, available: available, at: at) }
        case .capacity(let id, let channel, let total):
            return updateSharing(id, at: at) { $0.applyCapacity(channel, total: total, at: at) }
        case .channelAvailability(let id, let channel, let available):
            return update(id, at: at, create: true) { $0.applyChannelAvailability(channel, available: available, at: at) }
        case .callStart(let id, let start):
            noteCallStart(at)
            let maxCalls = limits.maxCallsPerWorker
            let outcome = update(id, at: at, create: true) { $0.startCall(start, at: at, maxCalls: maxCalls) }
            return pending.isEmpty ? outcome : applyPending(start.call, worker: id, outcome)
        case .callOffer(let id, let start):
            noteCallStart(at)
            let maxCalls = limits.maxCallsPerWorker
            let outcome = update(id, at: at, create: true) { $0.offerCall(start, at: at, maxCalls: maxCalls) }
            return pending.isEmpty ? outcome : applyPending(start.call, worker: id, outcome)
        case .call(let id, let call, let change):
            let outcome = update(id, at: at, create: false) { $0.changeCall(call, change, at: at) }
            if case .unchanged(let reason) = outcome,
               reason == ApplyOutcome.Reason.unknownCall || reason == ApplyOutcome.Reason.unknownWorker,
               change != .end, change != .miss {
                hold(event)
                return .unchanged(reason: ApplyOutcome.Reason.pending)
            }
            return outcome
        case .taskStart(let id, let start):
            return update(id, at: at, create: true) { $0.startTask(start, at: at) }
        case .taskEnd(let id, let task):
            return update(id, at: at, create: false) { $0.endTask(task, at: at) }
        case .workerRemove(let id):
            return remove(id, at: at)
        case .heartbeat:
            return .unchanged(reason: ApplyOutcome.Reason.heartbeat)
        }
    }

    /// Runs one transition on the worker in place, creating a placeholder first when `create`
    /// and the worker is unknown.
    ///
    /// The transition works on the value inside the tree node, not on a copy: moving a worker out
    /// and back (as the optional-returning subscript does) costs more than the transition itself.
    /// An unknown worker is therefore inserted first and taken out again when nothing was made of
    /// it, which only happens for events about unknown or removed workers.
    @inline(__always)
    mutating func update(
        _ id: WorkerID, at: Timestamp, create: Bool, _ transition: (inout WorkerState) -> Transition
    ) -> ApplyOutcome {
        let next = version &+ 1
        var removedAt: Timestamp?
        if !removedWorkers.isEmpty, let removed = removedWorkers[id], workers.index(forKey: id) == nil {
            guard at > removed else { return .unchanged(reason: ApplyOutcome.Reason.workerRemoved) }
            removedAt = removed
        }
        var discard = false
        let full = workers.count >= limits.maxWorkers
        let outcome = workers.updateValue(forKey: id, default: WorkerState(id: id, activitySince: at)) { worker in
            // Every stored worker has changed at least once, so version 0 means just inserted.
            let isNew = worker.version == 0
            guard create || !isNew else {
                discard = true
                return ApplyOutcome.unchanged(reason: ApplyOutcome.Reason.unknownWorker)
            }
            guard !isNew || !full else {
                discard = true
                return ApplyOutcome.unchanged(reason: ApplyOutcome.Reason.tooManyWorkers)
            }
            let outcome = Self.run(transition, on: &worker, id: id, at: at, version: next)
            if isNew, case .unchanged = outcome { discard = true }
            return outcome
        }
        if discard {
            workers.removeValue(forKey: id)
        } else if case .changed = outcome {
            version = next
            if removedAt != nil { removedWorkers.removeValue(forKey: id) }
        }
        return outcome
    }

    /// Makes equal skill lists and capacity maps of the workers one shared value each (`skillLists`,
    /// `capacityMaps`), as events make them: a registry read from a saved floor holds one of each per worker.
    /// Call it while this registry is the only holder of its workers (just read): a worker shared with another
    /// registry value is copied to be changed. A worker that already holds the shared values is not written.
    package mutating func shareRepeatedValues() {
        withSharedValues { registry, lists, maps in
            for id in Array(registry.workers.keys) {
                guard let w = registry.workers[id] else { continue }
                let skills = lists.shared(w.skills), capacity = maps.shared(w.capacity)
                let sameSkills = skills.withUnsafeBufferPointer { a in w.skills.withUnsafeBufferPointer { $0.baseAddress == a.baseAddress } }
                let sameCapacity = capacity.sharesEntries(with: w.capacity)
                if sameSkills && sameCapacity { continue }
                registry.workers[id]?.skills = skills
                registry.workers[id]?.capacity = capacity
            }
        }
    }

    /// Runs `body` with the shared-value tables (`skillLists`, `capacityMaps`) moved out of the registry, so that
    /// it can update the workers' tree and the tables together (the tree's closures cannot reach into `self`).
    private mutating func withSharedValues<R>(
        _ body: (inout Registry, inout SharedValues<[String]>, inout SharedValues<ChannelMap<Int>>) -> R
    ) -> R {
        var lists = SharedValues<[String]>(), maps = SharedValues<ChannelMap<Int>>()
        swap(&lists, &skillLists)
        swap(&maps, &capacityMaps)
        defer {
            swap(&lists, &skillLists)
            swap(&maps, &capacityMaps)
        }
        return body(&self, &lists, &maps)
    }

    /// `update` (creating the worker) for a transition that may set skills or capacity: a changed skill list or
    /// capacity map is then swapped for an equal one already held (`skillLists`, `capacityMaps`). One that did not
    /// change is not looked up (a profile repeated with the same values costs no hashing).
    private mutating func updateSharing(
        _ id: WorkerID, at: Timestamp, _ transition: (inout WorkerState) -> Transition
    ) -> ApplyOutcome {
        withSharedValues { registry, lists, maps in
            registry.update(id, at: at, create: true) { worker in
                let skills = worker.skills, capacity = worker.capacity
                let transition = transition(&worker)
                if worker.skills != skills { worker.skills = lists.shared(worker.skills) }
                if worker.capacity != capacity { worker.capacity = maps.shared(worker.capacity) }
                return transition
            }
        }
    }

    @inline(__always)
    private static func run(
        _ transition: (inout WorkerState) -> Transition, on worker: inout WorkerState,
        id: WorkerID, at: Timestamp, version: UInt64
    ) -> ApplyOutcome {
        switch transition(&worker) {
        case .changed:
            worker.version = version
            if at > worker.updatedAt { worker.updatedAt = at }
            return .changed(id)
        case .noChange(let reason):
            // The event was current, just redundant: it still proves the worker existed at `at`.
            if at > worker.updatedAt { worker.updatedAt = at }
            return .unchanged(reason: reason)
        case .rejected(let reason):
            return .unchanged(reason: reason)
        }
    }
}

/// What a transition of one worker did; `Registry` turns it into an `ApplyOutcome`.
enum Transition {
    /// Something a view shows changed: bump versions.
    case changed
    /// The event was current but said nothing new. Bookkeeping timestamps may have moved.
    case noChange(String)
    /// The event was late or about something unknown or ended; nothing moved.
    case rejected(String)
}
