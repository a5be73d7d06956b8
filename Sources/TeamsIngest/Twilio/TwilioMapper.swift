import DequeModule
import TeamsDomain

/// Turns Twilio records, in time order, into domain events, keeping the correlation Twilio does not
/// put in every event: which worker holds a task (task events lack the worker), and which task and
/// participant role a conference call sid belongs to (conference callbacks know nothing of tasks).
///
/// Mapping (call id = task sid, so the TaskRouter and conference views of a call meet):
/// - `reservation.accepted`: voice → `callStart` (via `transfer` when `transfer_*` fields or Flex
///   transfer attributes say so, else `outbound` for outbound tasks, else `queue`); other channels →
///   `taskStart`; a transfer to a queue counts as `queue`. `worker_channel_capacity`, when present, also sets that channel's capacity.
/// - `reservation.wrapup` / `task.wrapup` → `call(.wrapup)` (voice only: the registry has no task wrap-up).
/// - `reservation.completed`, `task.completed`, `task.canceled` → `call(.end)` / `taskEnd`;
///   `reservation.canceled` only for a reservation that had been accepted.
/// - `worker.activity.update` → `activity` (availability only when the event states it).
/// - `worker.created`, `worker.attributes.update` → `worker` profile; any other event carrying the
///   worker's name or attributes yields a profile too when it differs from the last one emitted, so
///   workers created before teamsview started still get their names and teams.
/// - `worker.capacity.update`, `worker.channel.availability.update` → `capacity`; `worker.deleted` → `workerRemove`.
/// - Conference `participant-hold`/`-unhold` of the customer → `call(.hold/.resume)`;
///   `participant-mute`/`-unmute` of the worker → `call(.mute/.unmute)`. A callback that cannot be tied
///   to a started call yet is parked until the task that explains it arrives.
struct TwilioMapper {
    enum Role { case customer, worker }

    struct TaskMemo {
        var worker: WorkerID?
        var voice: Bool?
        var startedAt: Timestamp?
        var ended = false
    }

    static let maxParked = 1024

    // Keyed by sid with a precomputed hash (see ``SidKey``).
    private var tasks: BoundedMap<SidKey, TaskMemo>
    private var conferenceTask: BoundedMap<SidKey, String>
    private var callTask: BoundedMap<SidKey, (task: String, role: Role)>
    private var profiles: BoundedMap<SidKey, WorkerProfile>
    private var parked: Deque<ConferenceRecord> = []
    private var ignoredStatistics = TwilioStatistics()
    /// Ignored counts of known TaskRouter types that have their own entry in `ignoredStatistics`,
    /// by ``TaskRouterType/index``: counted here without hashing, added in when statistics are read.
    private var ignoredKnown: [Int] = Array(repeating: 0, count: TaskRouterType.known.count)
    private var knownHasEntry: [Bool?] = Array(repeating: nil, count: TaskRouterType.known.count)

    var statistics: TwilioStatistics {
        var s = ignoredStatistics
        for (i, n) in ignoredKnown.enumerated() where n > 0 {
            s.ignored[TaskRouterType.known[i].name, default: 0] += n
        }
        return s
    }

    private mutating func ignore(_ type: TaskRouterType) {
        guard let i = type.index else { return ignoredStatistics.ignore(type.name) }
        switch knownHasEntry[i] {
        case true?:
            ignoredKnown[i] += 1
        case false?:
            ignoredStatistics.ignore(type.name)
        case nil:
            // The first one decides, as it would have: an entry while there is room, else "(other)".
            ignoredStatistics.ignore(type.name)
            knownHasEntry[i] = ignoredStatistics.ignored[type.name] != nil
        }
    }

    /// Counts an ignored event by name (conference callbacks, other products' CloudEvents).
    mutating func ignore(_ name: String) { ignoredStatistics.ignore(name) }

    init(capacity: Int) {
        tasks = BoundedMap(capacity: capacity)
        conferenceTask = BoundedMap(capacity: capacity)
        callTask = BoundedMap(capacity: capacity)
        profiles = BoundedMap(capacity: capacity)
    }

    mutating func map(_ record: TwilioRecord, into out: inout [Event]) {
        switch record {
        case .taskRouter(let r): map(r, into: &out)
        case .conference(let c): map(c, into: &out)
        }
        ignoredStatistics.parkedConference = parked.count
    }

    // MARK: TaskRouter

    mutating func map(_ r: TaskRouterRecord, into out: inout [Event]) {
        let before = out.count
        let learned = learn(r)
        if r.type == .workerDeleted, let worker = r.workerSid {
            out.append(Event(at: r.at, .workerRemove(worker)))
            profiles[SidKey(worker)] = nil
        } else if let worker = r.workerSid {
            profile(r, worker: worker, force: r.type == .workerCreated || r.type == .workerAttributesUpdate, into: &out)
        }
        switch r.type {
        case .workerActivityUpdate:
            if let worker = r.workerSid, let name = r.activityName {
                out.append(Event(at: r.at, .activity(worker, name: name, available: r.activityAvailable)))
            }
        case .workerCapacityUpdate, .workerChannelAvailabilityUpdate:
            if let worker = r.workerSid, let channel = r.taskChannel, let total = r.channelCapacity {
                out.append(Event(at: r.at, .capacity(worker, channel: channel, total: total)))
            }
        case .reservationAccepted:
            accept(r, into: &out)
        case .reservationWrapup, .taskWrapup:
            wrapup(r, into: &out)
        case .reservationCompleted, .taskCompleted, .taskCanceled, .reservationCanceled:
            end(r, into: &out)
        default:
            break
        }
        if out.count == before { ignore(r.type) }
        if learned || r.type == .reservationAccepted { unpark(into: &out) }
    }

    private mutating func profile(_ r: TaskRouterRecord, worker: WorkerID, force: Bool, into out: inout [Event]) {
        guard r.worker != nil || r.workerName != nil else { return }
        let profile = WorkerProfile(name: r.worker?.fullName ?? r.workerName, team: r.worker?.team, skills: r.worker?.skills)
        let key = SidKey(worker)
        guard force || profiles[key] != profile else { return }
        profiles[key] = profile
        out.append(Event(at: r.at, .worker(worker, profile)))
    }

    private mutating func accept(_ r: TaskRouterRecord, into out: inout [Event]) {
        guard let worker = r.workerSid, let task = r.taskSid else { return }
        let attributes = r.task
        let voice = r.taskChannel.map { $0.lowercased() == "voice" } ?? (attributes?.callSid != nil)
        let channel = r.taskChannel ?? (voice ? "voice" : "default")
        if let total = r.channelCapacity {
            out.append(Event(at: r.at, .capacity(worker, channel: channel, total: total)))
        }
        if voice {
            let outbound = attributes?.isOutbound ?? false
            let via = Self.via(r, outbound: outbound)
            let from = outbound ? (attributes?.to ?? attributes?.from) : attributes?.from
            let start = CallStart(call: task, from: from, queue: r.taskQueue,
                                  direction: outbound ? .outbound : .inbound, via: via)
            out.append(Event(at: r.at, .callStart(worker, start)))
        } else {
            out.append(Event(at: r.at, .taskStart(worker, TaskStart(task: task, channel: channel, from: attributes?.from, queue: r.taskQueue))))
        }
        let key = SidKey(task)
        var memo = tasks[key] ?? TaskMemo()
        memo.worker = worker
        memo.voice = voice
        memo.startedAt = r.at
        memo.ended = false
        tasks[key] = memo
    }

    /// How a voice task reached its worker. A transfer to a *queue* counts as `queue`: routing offered
    /// it like any queue call, so when it reaches an agent already on a call that is the misroute
    /// supervisors want flagged. Only a transfer to a worker by name stacks legitimately.
    static func via(_ r: TaskRouterRecord, outbound: Bool) -> CallVia {
        let attributes = r.task
        if r.transferredToQueue || attributes?.transferredToQueue == true { return .queue }
        if r.transferred || attributes?.transferred == true { return .transfer }
        return outbound ? .outbound : .queue
    }

    private mutating func wrapup(_ r: TaskRouterRecord, into out: inout [Event]) {
        guard let task = r.taskSid else { return }
        let memo = tasks[SidKey(task)]
        guard let worker = r.workerSid ?? memo?.worker else { return }
        let voice = memo?.voice ?? r.taskChannel.map { $0.lowercased() == "voice" } ?? true
        guard voice else { return }
        out.append(Event(at: clamp(r.at, memo), .call(worker, task, .wrapup)))
    }

    private mutating func end(_ r: TaskRouterRecord, into out: inout [Event]) {
        guard let task = r.taskSid else { return }
        let key = SidKey(task)
        let memo = tasks[key]
        let worker: WorkerID
        switch r.type {
        case .reservationCompleted:
            guard let w = r.workerSid else { return }
            worker = w
        case .reservationCanceled:
            // Pending reservations are canceled all the time; only an accepted one had a call to end.
            guard let w = r.workerSid, let memo, memo.worker == w, memo.startedAt != nil else { return }
            worker = w
        default:
            guard let w = memo?.worker else { return }
            worker = w
        }
        let voice = memo?.voice ?? r.taskChannel.map { $0.lowercased() == "voice" } ?? true
        let at = clamp(r.at, memo)
        out.append(Event(at: at, voice ? .call(worker, task, .end) : .taskEnd(worker, task)))
        tasks.modify(key) { $0.ended = true }
    }

    /// Learns correlation from task attributes; true when something new was learned.
    private mutating func learn(_ r: TaskRouterRecord) -> Bool {
        guard let task = r.taskSid, let a = r.task else { return false }
        let key = SidKey(task)
        if tasks[key] == nil { tasks[key] = TaskMemo() }
        var learned = false
        if let conference = a.conferenceSid.map(SidKey.init), conferenceTask[conference] != task {
            conferenceTask[conference] = task
            learned = true
        }
        learned = learnCall(a.callSid, task, .customer) || learned
        learned = learnCall(a.customerCallSid, task, .customer) || learned
        learned = learnCall(a.workerCallSid, task, .worker) || learned
        learned = learnCall(a.workerParticipantCallSid, task, .worker) || learned
        return learned
    }

    private mutating func learnCall(_ sid: String?, _ task: String, _ role: Role) -> Bool {
        guard let sid = sid.map(SidKey.init) else { return false }
        if let known = callTask[sid], known.task == task, known.role == role { return false }
        callTask[sid] = (task, role)
        return true
    }

    /// A change's time, never before its call started: conference callbacks carry whole seconds, so a
    /// hold in the second a call was accepted would otherwise look older than the call's start.
    private func clamp(_ at: Timestamp, _ memo: TaskMemo?) -> Timestamp {
        guard let start = memo?.startedAt else { return at }
        return max(at, start)
    }

    // MARK: Conference callbacks

    mutating func map(_ c: ConferenceRecord, into out: inout [Event]) {
        let change: CallChange
        switch c.event {
        case "participant-hold": change = .hold
        case "participant-unhold": change = .resume
        case "participant-mute": change = .mute
        case "participant-unmute": change = .unmute
        default:
            ignore("conference:" + c.event)
            return
        }
        switch resolve(c, change) {
        case .event(let e): out.append(e)
        case .irrelevant: ignore("conference:" + c.event)
        case .unresolved: park(c)
        }
    }

    private enum Resolution {
        case event(Event)
        /// Tied to a call, but not a change teamsview shows (hold of the agent, mute of the customer).
        case irrelevant
        /// Not yet tied to a started call.
        case unresolved
    }

    private func resolve(_ c: ConferenceRecord, _ change: CallChange) -> Resolution {
        let byCall = c.callSid.flatMap { callTask[SidKey($0)] }
        let role: Role?
        switch c.label?.lowercased() {
        case "customer": role = .customer
        case "worker": role = .worker
        default: role = byCall?.role
        }
        // The call sid names the task most precisely; the conference's latest task is the fallback.
        let candidates = [byCall?.task, conferenceTask[SidKey(c.conferenceSid)]].compactMap { $0 }
        var chosen: (task: String, memo: TaskMemo)?
        for task in candidates {
            guard let memo = tasks[SidKey(task)], memo.worker != nil, memo.startedAt != nil else { continue }
            if chosen == nil || (chosen!.memo.ended && !memo.ended) { chosen = (task, memo) }
        }
        guard let role, let chosen, let worker = chosen.memo.worker else { return .unresolved }
        let wanted: Role = (change == .hold || change == .resume) ? .customer : .worker
        guard role == wanted, chosen.memo.voice != false else { return .irrelevant }
        return .event(Event(at: clamp(c.at, chosen.memo), .call(worker, chosen.task, change)))
    }

    private mutating func park(_ c: ConferenceRecord) {
        if parked.count >= Self.maxParked {
            parked.removeFirst()
            ignoredStatistics.unmatchedConference += 1
        }
        parked.append(c)
    }

    /// Emits parked callbacks that the newly learned correlation explains, in the order they were parked.
    private mutating func unpark(into out: inout [Event]) {
        guard !parked.isEmpty else { return }
        var still: Deque<ConferenceRecord> = []
        for c in parked {
            let change: CallChange
            switch c.event {
            case "participant-hold": change = .hold
            case "participant-unhold": change = .resume
            case "participant-mute": change = .mute
            default: change = .unmute
            }
            switch resolve(c, change) {
            case .event(let e): out.append(e)
            case .irrelevant: ignore("conference:" + c.event)
            case .unresolved: still.append(c)
            }
        }
        parked = still
    }
}
