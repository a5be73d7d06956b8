import DequeModule
import TeamsDomain

/// Turns Twilio records, in time order, into domain events, keeping the correlation Twilio does not
/// put in every event: which workers hold a task (task events lack the worker, and a transferred task
/// keeps its sid while a second worker gets a reservation on it), which task a conference belongs to
/// (conference callbacks know nothing of tasks), and the transfer under way on each task.
///
/// Mapping (call id = task sid, so the TaskRouter, conference and Flex plugin views of a call meet):
/// - `reservation.created` (voice) → `callOffer` (a ringing card: no capacity, no misroute).
/// - `reservation.accepted`: voice → `callStart`; other channels → `taskStart`. How the call arrived:
///   the transfer remembered from `task.transfer-initiated` (or `transfer_*` fields on the reservation)
///   — `WORKER` → `transfer`, `QUEUE` → `queue` (so a queue transfer to a busy agent is a misroute) —
///   else `outbound` for outbound tasks, else `queue`. `worker_channel_capacity` sets that channel's capacity.
/// - `reservation.rejected` / `.timeout` → `call(.miss)` (counted per agent); `reservation.rescinded` /
///   `.canceled` → `call(.end)` of that worker's offer or call.
/// - `reservation.wrapup` / `.completed` change their own worker's call; `task.wrapup`, `task.completed`,
///   `task.canceled`, `task.deleted`, `task.system-deleted` change every worker still holding the task.
/// - A completion that arrives before the acceptance it ends leaves no call: the acceptance is dropped.
/// - `worker.activity.update` → `activity`; any other worker-scoped event whose `worker_activity_name`
///   differs from the last one seen → `activity` too. Availability from `activity.created/updated`
///   (`activity_available`), else the configured available activity names.
/// - `worker.created`, `worker.attributes.update` → `worker` profile; other events carrying the worker's
///   name or attributes yield a profile when it differs from the last one emitted.
/// - `worker.capacity.update` → `capacity`; `worker.deleted` → `workerRemove`.
///   `worker.channel.availability.update` → `channelAvailability` (on/off, not a capacity change).
///   A channel named only by `task_channel_sid` is named from earlier events that carried both.
/// - Conference callbacks resolve to a task (`FriendlyName` = task sid first, then the conference sid
///   and call sids learned from task attributes), then to the holders whose reservation is accepted and
///   not wrapped up: `participant-hold`/`-unhold` of any leg that is not a known worker leg →
///   `call(.hold/.resume)` for each; `participant-mute`/`-unmute` of a known worker leg → that worker's
///   `call(.mute/.unmute)`. A callback that cannot be tied to a holder yet is parked until it can.
struct TwilioMapper: Codable {
    enum Role: Codable { case customer, worker }

    /// One worker's reservation on a task.
    struct Holder: Codable {
        enum State: Codable { case offered, accepted, wrapup, ended }
        var reservation: String?
        var worker: WorkerID
        var state: State
        var startedAt: Timestamp?
        /// When this reservation ended (completed, rejected...): a later acceptance of it is stale.
        var endedAt: Timestamp?
    }

    struct TaskMemo: Codable {
        var voice: Bool?
        var holders: [Holder] = []
        /// A task-level end (completed, canceled, deleted): acceptances older than it are stale.
        var endedAt: Timestamp?
        /// The transfer under way, from `task.transfer-initiated` (cleared when it fails or is canceled).
        var transfer: TransferFields?

        func holderIndex(reservation: String?, worker: WorkerID) -> Int? {
            if let reservation, let i = holders.lastIndex(where: { $0.reservation == reservation }) { return i }
            return holders.lastIndex { $0.worker == worker && $0.state != .ended }
                ?? holders.lastIndex { $0.worker == worker && $0.reservation == nil }
        }

        /// Holders on the call now: accepted and not wrapped up.
        var onCall: [Holder] { holders.filter { $0.state == .accepted } }
        var firstStart: Timestamp? { holders.compactMap(\.startedAt).min() }
    }

    struct WorkerMemo: Codable {
        var profile: WorkerProfile?
        var activity: String?
    }

    /// The task a call sid belongs to, and whose leg it is.
    struct CallLeg: Codable {
        var task: String
        var role: Role
    }

    static let maxParked = 1024
    /// Most reservations remembered per task (transfers back and forth); the oldest ended ones go first.
    static let maxHolders = 8

    // Keyed by sid with a precomputed hash (see ``SidKey``).
    private var tasks: BoundedMap<SidKey, TaskMemo>
    private var conferenceTask: BoundedMap<SidKey, String>
    private var callTask: BoundedMap<SidKey, CallLeg>
    private var workers: BoundedMap<SidKey, WorkerMemo>
    /// Channel unique names by `task_channel_sid`, learned from events that carry both.
    private var channelNames: [String: String] = [:]
    /// `activity_available` by activity name, from `activity.created` / `activity.updated`.
    private var activityAvailable: [String: Bool] = [:]
    private let availableActivities: Set<String>
    private var parked: Deque<ConferenceRecord> = []
    private var ignoredStatistics = TwilioStatistics()

    var statistics: TwilioStatistics { ignoredStatistics }

    /// The TaskRouter types teamsview reads besides the ``TaskRouterType/known`` ones (all read): what they say
    /// is mapped or remembered even when it makes no event (an activity's availability, a transfer under way).
    /// README's list of types to subscribe to is these and the known ones.
    static let readOtherTypes: Set<String> = [
        "reservation.rejected", "reservation.timeout", "reservation.rescinded",
        "task.deleted", "task.system-deleted",
        "task.transfer-initiated", "task.transfer-completed", "task.transfer-failed", "task.transfer-canceled",
        "task.transfer-attempt-failed",
        "activity.created", "activity.updated",
    ]

    /// Whether teamsview reads events of `type`; the others are counted as ignored.
    static func reads(_ type: TaskRouterType) -> Bool {
        guard case .other(let name) = type else { return true }
        return readOtherTypes.contains(name)
    }

    /// Counts an ignored event by name (conference callbacks, other products' CloudEvents).
    mutating func ignore(_ name: String) { ignoredStatistics.ignore(name) }

    /// Counts an event taken at its arrival because its time was ahead of the clock.
    mutating func countAheadOfClock() { ignoredStatistics.aheadOfClock += 1 }

    init(capacity: Int, availableActivities: Set<String> = ["Available"]) {
        tasks = BoundedMap(capacity: capacity)
        conferenceTask = BoundedMap(capacity: capacity)
        callTask = BoundedMap(capacity: capacity)
        workers = BoundedMap(capacity: capacity)
        self.availableActivities = availableActivities
    }

    mutating func map(_ record: TwilioRecord, into out: inout [Event]) {
        switch record {
        case .taskRouter(let r): map(r, into: &out)
        case .conference(let c): map(c, into: &out)
        }
        ignoredStatistics.parkedConference = parked.count
    }

    // MARK: TaskRouter

    mutating func map(_ record: TaskRouterRecord, into out: inout [Event]) {
        let before = out.count
        var r = record
        if let sid = r.taskChannelSid {
            if let name = r.taskChannel {
                if channelNames[sid] != name, channelNames.count < 1024 || channelNames[sid] != nil { channelNames[sid] = name }
            } else if let name = channelNames[sid] {
                // A saved floor may share the record (a copy of the reorder window): name the channel on a copy.
                r = r.copy()
                r.taskChannel = name
            }
        }
        let learned = learn(r)
        if r.type == .workerDeleted, let worker = r.workerSid {
            out.append(Event(at: r.at, .workerRemove(worker)))
            workers[SidKey(worker)] = nil
        } else if let worker = r.workerSid {
            profile(r, worker: worker, force: r.type == .workerCreated || r.type == .workerAttributesUpdate, into: &out)
            if r.type != .workerActivityUpdate { activity(r, worker: worker, force: false, into: &out) }
        }
        switch r.type {
        case .workerActivityUpdate:
            if let worker = r.workerSid { activity(r, worker: worker, force: true, into: &out) }
        case .workerCapacityUpdate:
            if let worker = r.workerSid, let channel = r.taskChannel, let total = r.channelCapacity {
                out.append(Event(at: r.at, .capacity(worker, channel: channel, total: total)))
            }
        case .workerChannelAvailabilityUpdate:
            if let worker = r.workerSid, let channel = r.taskChannel, let available = r.channelAvailable {
                out.append(Event(at: r.at, .channelAvailability(worker, channel: channel, available: available)))
            }
        case .reservationCreated:
            offer(r, into: &out)
        case .reservationAccepted:
            accept(r, into: &out)
        case .reservationWrapup:
            reservationChange(r, .wrapup, into: &out)
        case .reservationCompleted:
            reservationChange(r, .end, into: &out)
        case .reservationCanceled:
            reservationChange(r, .end, into: &out)
        case .taskWrapup:
            taskChange(r, .wrapup, into: &out)
        case .taskCompleted, .taskCanceled:
            taskChange(r, .end, into: &out)
        case .other(let name):
            switch name {
            case "reservation.rejected", "reservation.timeout": reservationChange(r, .miss, into: &out)
            case "reservation.rescinded": reservationChange(r, .end, into: &out)
            case "task.deleted", "task.system-deleted": taskChange(r, .end, into: &out)
            case "task.transfer-initiated", "task.transfer-completed", "task.transfer-failed",
                 "task.transfer-canceled", "task.transfer-attempt-failed":
                transfer(r, name)
            case "activity.created", "activity.updated":
                if let name = r.activityName, let available = r.activityAvailable { activityAvailable[name] = available }
            default: break
            }
        default:
            break
        }
        // A type teamsview reads that made no event (a chat's wrap-up, an offer already shown) is not ignored.
        if out.count == before, !Self.reads(r.type) { ignore(r.type.name) }
        if learned || r.type == .reservationAccepted { unpark(into: &out) }
    }

    private mutating func profile(_ r: TaskRouterRecord, worker: WorkerID, force: Bool, into out: inout [Event]) {
        guard r.worker != nil || r.workerName != nil else { return }
        let profile = WorkerProfile(name: r.worker?.fullName ?? r.workerName, team: r.worker?.team, skills: r.worker?.skills)
        let key = SidKey(worker)
        var memo = workers[key] ?? WorkerMemo()
        guard force || memo.profile != profile else { return }
        memo.profile = profile
        workers[key] = memo
        out.append(Event(at: r.at, .worker(worker, profile)))
    }

    /// The worker's activity from `worker_activity_name`: always on `worker.activity.update`, on other
    /// worker-scoped events only when it differs from the last one seen (so a restart learns it soon).
    private mutating func activity(_ r: TaskRouterRecord, worker: WorkerID, force: Bool, into out: inout [Event]) {
        guard let name = r.activityName, r.type.isWorker || r.type.isReservation else { return }
        let key = SidKey(worker)
        var memo = workers[key] ?? WorkerMemo()
        guard force || memo.activity != name else { return }
        memo.activity = name
        workers[key] = memo
        out.append(Event(at: r.at, .activity(worker, name: name, available: available(name))))
    }

    /// Whether an activity makes a worker available: as `activity.*` events said, else as configured.
    func available(_ activity: String) -> Bool {
        activityAvailable[activity] ?? availableActivities.contains(activity)
    }

    private func isVoice(_ r: TaskRouterRecord, _ memo: TaskMemo?) -> Bool {
        if let channel = r.taskChannel { return channel.lowercased() == "voice" }
        return memo?.voice ?? (r.task?.callSid != nil)
    }

    private func callStart(_ r: TaskRouterRecord, task: String, memo: TaskMemo?, holder reservation: String?) -> CallStart {
        let attributes = r.task
        let outbound = attributes?.isOutbound ?? false
        let from = outbound ? (attributes?.to ?? attributes?.from) : attributes?.from
        return CallStart(call: task, from: from, queue: r.taskQueue, direction: outbound ? .outbound : .inbound,
                         via: Self.via(r, transfer: memo?.transfer, reservation: reservation, outbound: outbound))
    }

    private mutating func offer(_ r: TaskRouterRecord, into out: inout [Event]) {
        guard let worker = r.workerSid, let task = r.taskSid else { return }
        let key = SidKey(task)
        var memo = tasks[key] ?? TaskMemo()
        let voice = isVoice(r, memo)
        memo.voice = voice
        let known = r.reservationSid.map { sid in memo.holders.contains { $0.reservation == sid } }
            ?? memo.holders.contains { $0.worker == worker && $0.state != .ended }
        guard !known else { return }
        addHolder(Holder(reservation: r.reservationSid, worker: worker, state: .offered), to: &memo)
        tasks[key] = memo
        guard voice, memo.endedAt.map({ r.at > $0 }) ?? true else { return }
        out.append(Event(at: r.at, .callOffer(worker, callStart(r, task: task, memo: memo, holder: r.reservationSid))))
    }

    private mutating func accept(_ r: TaskRouterRecord, into out: inout [Event]) {
        guard let worker = r.workerSid, let task = r.taskSid else { return }
        let key = SidKey(task)
        var memo = tasks[key] ?? TaskMemo()
        let voice = isVoice(r, memo)
        memo.voice = voice
        let channel = r.taskChannel ?? (voice ? "voice" : "default")
        if let total = r.channelCapacity {
            out.append(Event(at: r.at, .capacity(worker, channel: channel, total: total)))
        }
        let index = memo.holderIndex(reservation: r.reservationSid, worker: worker)
        // A completion delivered minutes before the acceptance it ends: the call is already over.
        let stale = (memo.endedAt.map { r.at <= $0 } ?? false)
            || (index.flatMap { memo.holders[$0].endedAt }.map { r.at <= $0 } ?? false)
        if !stale {
            if voice {
                out.append(Event(at: r.at, .callStart(worker, callStart(r, task: task, memo: memo, holder: r.reservationSid))))
            } else {
                out.append(Event(at: r.at, .taskStart(worker, TaskStart(task: task, channel: channel, from: r.task?.from, queue: r.taskQueue))))
            }
            if let index {
                memo.holders[index].state = .accepted
                memo.holders[index].startedAt = r.at
                if memo.holders[index].reservation == nil { memo.holders[index].reservation = r.reservationSid }
            } else {
                addHolder(Holder(reservation: r.reservationSid, worker: worker, state: .accepted, startedAt: r.at), to: &memo)
            }
            // The transfer has landed: the next acceptance is routing's own again.
            if let t = memo.transfer, t.initiatingWorker != worker || t.initiatingReservation != r.reservationSid {
                memo.transfer = nil
            }
        }
        tasks[key] = memo
    }

    private mutating func addHolder(_ holder: Holder, to memo: inout TaskMemo) {
        if memo.holders.count >= Self.maxHolders {
            let drop = memo.holders.firstIndex { $0.state == .ended } ?? 0
            memo.holders.remove(at: drop)
        }
        memo.holders.append(holder)
    }

    /// How a voice task reached its worker. A transfer to a *queue* counts as `queue`: routing offered
    /// it like any queue call, so when it reaches an agent already on a call that is the misroute
    /// supervisors want flagged. Only a transfer to a worker stacks legitimately. The reservation's own
    /// `transfer_*` fields win over the task's remembered transfer; Flex's chat-transfer attributes come last.
    static func via(_ r: TaskRouterRecord, transfer remembered: TransferFields?, reservation: String?, outbound: Bool) -> CallVia {
        var transfer = r.transfer
        if transfer?.type == nil, let t = remembered, t.initiatingReservation == nil || t.initiatingReservation != reservation {
            transfer = t
        }
        if let transfer, !transfer.isEmpty {
            // A transfer of unstated type went to a worker unless it says QUEUE.
            return transfer.toQueue ? .queue : .transfer
        }
        let attributes = r.task
        if attributes?.transferredToQueue == true { return .queue }
        if attributes?.transferred == true { return .transfer }
        return outbound ? .outbound : .queue
    }

    /// Remembers (or forgets) the transfer under way on a task.
    private mutating func transfer(_ r: TaskRouterRecord, _ name: String) {
        guard let task = r.taskSid else { return }
        let key = SidKey(task)
        var memo = tasks[key] ?? TaskMemo()
        switch name {
        case "task.transfer-initiated":
            memo.transfer = r.transfer ?? TransferFields()
        case "task.transfer-failed", "task.transfer-canceled":
            memo.transfer = nil
        default:
            // Completed, or one attempt failed (another may follow): keep it for the receiver's acceptance.
            if memo.transfer == nil, let t = r.transfer { memo.transfer = t }
        }
        tasks[key] = memo
    }

    /// A reservation event: changes its own worker's call only.
    private mutating func reservationChange(_ r: TaskRouterRecord, _ change: CallChange, into out: inout [Event]) {
        guard let worker = r.workerSid, let task = r.taskSid else { return }
        let key = SidKey(task)
        var memo = tasks[key] ?? TaskMemo()
        let voice = isVoice(r, memo)
        guard let i = memo.holderIndex(reservation: r.reservationSid, worker: worker) else {
            // Unknown so far (its acceptance may still be on the way): remember the end so it stays ended.
            guard change != .wrapup else {
                if voice { out.append(Event(at: r.at, .call(worker, task, .wrapup))) }
                return
            }
            addHolder(Holder(reservation: r.reservationSid, worker: worker, state: .ended, endedAt: r.at), to: &memo)
            tasks[key] = memo
            if voice, change == .end, r.type == .reservationCompleted {
                out.append(Event(at: r.at, .call(worker, task, .end)))
            }
            return
        }
        let state = memo.holders[i].state
        let at = max(r.at, memo.holders[i].startedAt ?? r.at)
        switch change {
        case .wrapup:
            guard state != .ended else { break }
            memo.holders[i].state = .wrapup
            if voice { out.append(Event(at: at, .call(worker, task, .wrapup))) }
        case .miss:
            guard state == .offered else { break }
            memo.holders[i].state = .ended
            memo.holders[i].endedAt = r.at
            if voice { out.append(Event(at: at, .call(worker, task, .miss))) }
        default:
            if state == .ended { memo.holders[i].endedAt = max(memo.holders[i].endedAt ?? r.at, r.at); break }
            memo.holders[i].state = .ended
            memo.holders[i].endedAt = r.at
            if voice {
                out.append(Event(at: at, .call(worker, task, .end)))
            } else if state != .offered {
                out.append(Event(at: at, .taskEnd(worker, task)))
            }
        }
        tasks[key] = memo
    }

    /// A task event: changes every worker still holding the task.
    private mutating func taskChange(_ r: TaskRouterRecord, _ change: CallChange, into out: inout [Event]) {
        guard let task = r.taskSid else { return }
        let key = SidKey(task)
        var memo = tasks[key] ?? TaskMemo()
        let voice = isVoice(r, memo)
        if change == .end { memo.endedAt = max(memo.endedAt ?? r.at, r.at) }
        for i in memo.holders.indices {
            let h = memo.holders[i]
            let at = max(r.at, h.startedAt ?? r.at)
            switch (change, h.state) {
            case (.wrapup, .accepted):
                memo.holders[i].state = .wrapup
                if voice { out.append(Event(at: at, .call(h.worker, task, .wrapup))) }
            case (.end, .offered), (.end, .accepted), (.end, .wrapup):
                memo.holders[i].state = .ended
                memo.holders[i].endedAt = r.at
                if voice {
                    out.append(Event(at: at, .call(h.worker, task, .end)))
                } else if h.state != .offered {
                    out.append(Event(at: at, .taskEnd(h.worker, task)))
                }
            default:
                break
            }
        }
        tasks[key] = memo
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
        callTask[sid] = CallLeg(task: task, role: role)
        return true
    }

    // MARK: Conference callbacks

    static func change(of event: String) -> CallChange? {
        switch event {
        case "participant-hold": return .hold
        case "participant-unhold": return .resume
        case "participant-mute": return .mute
        case "participant-unmute": return .unmute
        default: return nil
        }
    }

    mutating func map(_ c: ConferenceRecord, into out: inout [Event]) {
        guard let change = Self.change(of: c.event) else {
            ignore("conference:" + c.event)
            return
        }
        // Flex names the conference after the task: remember the conference sid for callbacks without a name.
        if let name = c.friendlyName, tasks[SidKey(name)] != nil, conferenceTask[SidKey(c.conferenceSid)] != name {
            conferenceTask[SidKey(c.conferenceSid)] = name
        }
        switch resolve(c, change) {
        case .events(let events): out.append(contentsOf: events)
        // Read, but nothing a Teams View shows (the agent's own leg on hold): not an ignored type.
        case .irrelevant: break
        case .unresolved: park(c)
        }
    }

    private enum Resolution {
        case events([Event])
        /// Tied to a call, but not a change teamsview shows (mute of the customer, an unknown leg's mute).
        case irrelevant
        /// Not yet tied to a holder on the call.
        case unresolved
    }

    private func resolve(_ c: ConferenceRecord, _ change: CallChange) -> Resolution {
        let byCall = c.callSid.flatMap { callTask[SidKey($0)] }
        let role: Role?
        switch c.label?.lowercased() {
        case "customer": role = .customer
        case "worker", "agent": role = .worker
        default: role = byCall?.role
        }
        // The task: the conference's name first (Flex names it after the task), then what attributes taught.
        var task: String?
        for candidate in [c.friendlyName, conferenceTask[SidKey(c.conferenceSid)], byCall?.task] {
            if let candidate, tasks[SidKey(candidate)] != nil { task = candidate; break }
        }
        guard let task, let memo = tasks[SidKey(task)] else { return .unresolved }
        let onCall = memo.onCall
        guard !onCall.isEmpty else {
            // Nobody on the call yet: wait for an acceptance. Nobody any more (wrapped up, ended): too late to matter.
            let wasAccepted = memo.holders.contains { $0.startedAt != nil }
            return memo.endedAt == nil && !wasAccepted ? .unresolved : .irrelevant
        }
        guard memo.voice != false else { return .irrelevant }
        switch change {
        case .hold, .resume:
            // Any leg that is not a known worker leg: the customer (or a third party) held means the call is held.
            guard role != .worker else { return .irrelevant }
            return .events(onCall.map { Event(at: max(c.at, $0.startedAt ?? c.at), .call($0.worker, task, change)) })
        default:
            guard role == .worker else { return .irrelevant }
            // The worker leg attributes name is the first holder's; with one holder on the call it is theirs.
            guard onCall.count == 1, let holder = onCall.first else { return .irrelevant }
            return .events([Event(at: max(c.at, holder.startedAt ?? c.at), .call(holder.worker, task, change))])
        }
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
            guard let change = Self.change(of: c.event) else { continue }
            switch resolve(c, change) {
            case .events(let events): out.append(contentsOf: events)
            case .irrelevant: break
            case .unresolved: still.append(c)
            }
        }
        parked = still
    }
}
