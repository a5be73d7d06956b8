import TeamsDomain

/// Turns the event stream into interval figures, timeline spans and incidents, per agent.
///
/// Not thread-safe: one `ReportWriter` thread owns it. Each agent keeps a checkpoint (its state at
/// an interval boundary at least `lateWindow` behind the newest event); its events since are kept in the
/// `EventStore` (the reports database), not in memory. An event older than what the agent has already accrued is
/// kept there too and the agent is replayed from the checkpoint over the events read back, so figures already
/// written are corrected. An event identical to one already kept (same worker, time, kind and call or activity)
/// is a duplicate and counts nothing; one older than the checkpoint is too late and counts nothing either.
final class ReportEngine {
    /// One agent's checkpoint, newest events and machine. A class: the table of agents holds a pointer
    /// each, not the log itself (a dictionary keeps a quarter of its slots empty, and a log is a few hundred
    /// bytes).
    final class Log {
        var baseState: AgentState
        /// The newest event time taken and the events taken at that time: a repeat of one of them is told here,
        /// without the store. Memory holds no more of the agent's events: an hour of a busy agent's (a hundred or
        /// more, each with its call id) cost kilobytes an agent.
        var newest = NewestEvents()
        var machine: AgentMachine
        /// Everything since the checkpoint must be rewritten (after a replay).
        var fullRewrite: Bool
        var checkpointDirty: Bool
        var dirty = true
        /// An event was applied since the open spans were last written (accruing time changes none of them:
        /// a floor on calls is not rewritten span by span at every flush).
        var openSpansDirty = true

        var baseTime: Int64 { baseState.clock }

        init(baseState: AgentState, machine: AgentMachine, fullRewrite: Bool = false, checkpointDirty: Bool = true) {
            self.baseState = baseState
            self.machine = machine
            self.fullRewrite = fullRewrite
            self.checkpointDirty = checkpointDirty
        }
    }

    /// A worker's name and team. The name is kept only until written to the database: after, its hash tells
    /// a change.
    struct Profile: Sendable, Hashable {
        /// `nil` once written.
        var name: String?
        var nameHash: Int
        var team: SharedName

        init(name: String, team: SharedName) {
            self.name = name
            self.nameHash = name.hashValue
            self.team = team
        }
    }

    /// Who had a call last, for transfers out.
    struct Holder: Sendable {
        var worker: SharedName
        /// The call's queue there.
        var queue: SharedName
        var startedAt: Int64
        /// When it ended there; `.max` while it goes on.
        var endedAt: Int64 = .max
    }

    /// Cumulative counts, for `/status` and `/metrics`.
    struct Counters: Sendable, Hashable {
        var counted: UInt64 = 0
        var duplicates: UInt64 = 0
        var tooLate: UInt64 = 0
        var replays: UInt64 = 0
        /// Events dated more than `maxAhead` after the wall clock: not counted.
        var future: UInt64 = 0
        /// Reads and writes of the event store that failed (a replay then misses events, a repeat may count).
        var storeFailures: UInt64 = 0
    }

    let grace: Int64
    let lateWindow: Int64
    /// Where the agents' events since their checkpoints are kept and read back.
    let store: any EventStore
    private(set) var logs: [String: Log] = [:]
    /// Agents whose log may have something to write (`dirty` or `checkpointDirty`): `collect`
    /// looks at no other, so a quiet floor costs nothing per flush.
    private var pendingLogs: Set<String> = []
    /// Agents fed or restored since `advanceAll` last ran, and the horizon it advanced them to:
    /// while the horizon stands still, only these can be behind it.
    private var fedSinceAdvance: Set<String> = []
    private var advancedTo: Int64 = .min
    private(set) var profiles: [String: Profile] = [:]
    private var dirtyProfiles: Set<String> = []
    /// Newest event time seen (microseconds); open states are accrued up to it.
    private(set) var horizon: Int64 = .min
    var counters = Counters()
    /// Who had each call last, for transfers out, by the call id's hash (this process's `hashValue`: the table lives
    /// in memory only, rebuilt from the events at a restart). Not by the id itself: a floor's calls of the last minutes
    /// each held a 34-character id of its own (80 bytes of heap) here.
    private var holders: [Int: Holder] = [:]
    /// Events kept and not yet written to the database, every agent's in one list: a list of its own per agent,
    /// freed at every write, left holes between the agents' long-lived state that the heap could not hand back
    /// (about 400 bytes an agent on a floor read at once).
    private var unwritten: [(worker: String, event: ReportEvent)] = []
    /// How long after a call ended at one agent its start at another still counts as a transfer out.
    static let transferGap: Int64 = 120 * 1_000_000

    /// - Parameters:
    ///   - grace: seconds a wrong-call-risk condition lasts before it is an incident.
    ///   - lateWindow: seconds an event may be late and still correct the figures.
    ///   - store: where events are kept and read back (the reports database).
    init(grace: Double, lateWindow: Double = 3600, store: any EventStore) {
        self.grace = Int64((grace * 1_000_000).rounded())
        self.lateWindow = Int64(lateWindow * 1_000_000)
        self.store = store
    }

    /// How far (microseconds) an event may be dated after the wall clock: a producer's clock running
    /// ahead must not accrue every open activity into the future.
    static let maxAhead: Int64 = 300 * 1_000_000

    /// Feeds a batch of domain events in arrival order; `now` is the wall clock.
    func ingest(_ events: [Event], now: Timestamp = .now()) {
        let limit = now.microseconds + Self.maxAhead
        for event in events {
            if event.at.microseconds > limit {
                counters.future += 1
                continue
            }
            if event.at.microseconds > horizon { horizon = event.at.microseconds }
            if case .worker(let id, let profile) = event.kind {
                let known = profiles[id]
                var p = known ?? Profile(name: id, team: .empty)
                var changed = known == nil
                if let name = profile.name, name.hashValue != p.nameHash {
                    p = Profile(name: name, team: p.team)
                    changed = true
                }
                if let team = profile.team.map(SharedName.init), team != p.team {
                    p.team = team
                    changed = true
                }
                if changed {
                    profiles[id] = p
                    dirtyProfiles.insert(id)
                }
                continue
            }
            guard let (worker, e) = ReportEvent.from(event) else { continue }
            // Older than anything an agent still accrues: it could only open a state from long ago.
            if e.at < horizon - AgentMachine.maxGap {
                counters.tooLate += 1
                continue
            }
            if e.kind == .callStart { noteStart(worker: worker, e) }
            if e.kind == .end, var h = holders[e.ref.hashValue], h.worker == SharedName(worker) {
                h.endedAt = e.at
                holders[e.ref.hashValue] = h
            }
            ingest(worker: worker, e)
        }
    }

    private func noteStart(worker: String, _ e: ReportEvent) {
        let key = e.ref.hashValue
        if let previous = holders[key] {
            // An older leg read again (a file re-read, a late event) is no transfer and no newer holder.
            guard previous.startedAt <= e.at else { return }
            if e.via == CallVia.transfer.rawValue, previous.worker != SharedName(worker),
               previous.endedAt == .max || e.at - previous.endedAt <= Self.transferGap {
                ingest(worker: previous.worker.text,
                       ReportEvent(at: e.at, kind: .transferOut, ref: e.ref, queue: previous.queue.text))
            }
        }
        holders[key] = Holder(worker: SharedName(worker), queue: SharedName(e.queue), startedAt: e.at)
    }

    /// Feeds one report event of `worker` (also used when restoring from the database).
    func ingest(worker: String, _ e: ReportEvent, restoring: Bool = false) {
        if logs[worker] == nil {
            let base = AgentMachine.interval(e.at - lateWindow) * 1_000_000
            let state = AgentState(clock: base)
            logs[worker] = Log(baseState: state, machine: AgentMachine(worker: worker, grace: grace, state: state,
                                                                      output: AgentOutput()))
            if profiles[worker] == nil {
                profiles[worker] = Profile(name: worker, team: .empty)
                dirtyProfiles.insert(worker)
            }
        }
        if restoring {
            // Who had each call, as `ingest(_:now:)` learnt it before the restart.
            if e.kind == .callStart {
                if (holders[e.ref.hashValue]?.startedAt ?? .min) <= e.at {
                    holders[e.ref.hashValue] = Holder(worker: SharedName(worker), queue: SharedName(e.queue), startedAt: e.at)
                }
            } else if e.kind == .end, holders[e.ref.hashValue]?.worker == SharedName(worker) {
                holders[e.ref.hashValue]?.endedAt = e.at
            }
        }
        let log = logs[worker]!
        pendingLogs.insert(worker)
        fedSinceAdvance.insert(worker)
        log.dirty = true
        log.openSpansDirty = true
        let logged = LoggedEvent(e)
        guard isNew(logged, of: worker, log, restoring: restoring) else { return }
        counters.counted += 1
        if !restoring { unwritten.append((worker, e)) }
        if e.at >= log.machine.state.clock || e.kind == .transferOut {
            log.machine.apply(logged)
            replayIfStale(worker, log)
        } else {
            // The newest event is late only for an agent moved on to the wall clock (`advanceEpisodes`): it replays
            // that agent, but is no late event.
            if e.at < horizon { counters.replays += 1 }
            replay(worker, log)
        }
    }

    /// False for an event older than the agent's checkpoint (too late) or one already taken (a duplicate), each
    /// counted. The newest events are in memory; an older one is looked up in the store.
    private func isNew(_ e: LoggedEvent, of worker: String, _ log: Log, restoring: Bool) -> Bool {
        if e.at < log.baseTime {
            counters.tooLate += 1
            return false
        }
        if e.at >= log.newest.at {
            if log.newest.take(at: e.at, kind: e.kind, ref: e.ref) { return true }
            counters.duplicates += 1
            return false
        }
        // Restored events come from the store in time order: none is older than the newest.
        guard !restoring else { return true }
        keepUnwritten()
        do {
            if try store.contains(worker: worker, at: e.at, kind: e.kind, ref: e.ref) {
                counters.duplicates += 1
                return false
            }
        } catch {
            counters.storeFailures += 1
        }
        return true
    }

    /// Hands the events taken and not yet kept to the store, so that what it reads back is complete.
    private func keepUnwritten() {
        guard !unwritten.isEmpty else { return }
        do {
            try store.keep(unwritten)
            unwritten = []
        } catch {
            counters.storeFailures += 1
        }
    }

    /// Replays when a change reached an interval already written and forgotten (not counted in
    /// `replays`, which counts late events).
    private func replayIfStale(_ worker: String, _ log: Log) {
        if log.machine.output.stale { replay(worker, log) }
    }

    /// Replays every event since the checkpoint (read back from the store), up to the time already accrued.
    private func replay(_ worker: String, _ log: Log) {
        let clock = log.machine.state.clock
        log.machine = AgentMachine(worker: log.machine.worker, grace: log.machine.grace, state: log.baseState,
                                   output: AgentOutput())
        for e in storedEvents(of: worker, since: log.baseTime) { log.machine.apply(LoggedEvent(e)) }
        log.machine.advance(to: clock)
        log.fullRewrite = true
    }

    /// `worker`'s events from `since` (microseconds), in the order taken: the store's, once it has them all.
    private func storedEvents(of worker: String, since: Int64) -> [ReportEvent] {
        keepUnwritten()
        do {
            return try store.events(of: worker, since: since)
        } catch {
            counters.storeFailures += 1
            return []
        }
    }

    /// Restores an agent's checkpoint (before its events are fed with `restoring: true`).
    func restore(worker: String, base: AgentState) {
        logs[worker] = Log(baseState: base, machine: AgentMachine(worker: worker, grace: grace, state: base,
                                                                 output: AgentOutput()),
                           fullRewrite: true, checkpointDirty: false)
        pendingLogs.insert(worker)
        fedSinceAdvance.insert(worker)
        // Calls the agent had at the checkpoint: a transfer of one after the restart is their transfer out.
        for call in base.calls {
            holders[call.id.hashValue] = Holder(worker: SharedName(worker), queue: call.queue, startedAt: call.startedAt)
        }
    }

    /// A profile read from the database: already written, so its name is not kept.
    func restore(profile id: String, name: String, team: String) {
        var p = Profile(name: name, team: SharedName(team))
        p.name = nil
        profiles[id] = p
    }

    func restore(horizon: Int64) {
        self.horizon = max(self.horizon, horizon)
    }

    /// Accrues every agent with something open up to the newest event time; with `everyone` false, only the
    /// agents fed since the last call (a floor of open calls is then not rewritten at every flush: the others
    /// catch up at the next call with `everyone`).
    func advanceAll(everyone: Bool = true) {
        guard horizon != .min else { return }
        let all = everyone && horizon != advancedTo
        let behind = all ? Array(logs.keys) : Array(fedSinceAdvance)
        for key in behind {
            guard let state = logs[key]?.machine.state,
                  state.clock < horizon, state.activity != nil || !state.calls.isEmpty else { continue }
            logs[key]!.machine.advance(to: horizon)
            replayIfStale(key, logs[key]!)
            logs[key]!.dirty = true
            pendingLogs.insert(key)
        }
        if everyone { advancedTo = horizon }
        fedSinceAdvance = []
        // Calls ended longer ago than a transfer out counts (and any started longer ago than an agent accrues):
        // once they outnumber the agents twice, not at a fixed count, so a floor keeps about its open calls here.
        if holders.count > 2 * logs.count + 1_000 {
            let cut = horizon - Self.transferGap, oldest = horizon - AgentMachine.maxGap
            holders = holders.filter { $0.value.endedAt >= cut && $0.value.startedAt >= oldest }
        }
    }

    /// How recent (microseconds before the wall clock) the newest event must be for the feed to count as current:
    /// a heartbeat keeps a quiet feed current.
    static let currentFeed: Int64 = 300 * 1_000_000

    /// Moves the agents with a wrong-call-risk episode going on to the wall clock `now` (microseconds), while the
    /// feed is current. Event time stands still on a quiet floor: an agent on two open calls would otherwise become
    /// an incident (and its exposure grow) only when some other event arrives, while the Teams View already flags
    /// the risk. Only these agents are moved (episodes are rare): the floor's event time is not, so events still
    /// arriving are not made late. An event for one of them dated before `now` is late and replays that agent.
    /// Nothing moves while the newest event is older than `currentFeed` (a file of past days being read).
    func advanceEpisodes(now: Int64) {
        guard horizon != .min, now > horizon, now - horizon <= Self.currentFeed else { return }
        for (key, log) in logs {
            guard log.machine.state.episode != nil, log.machine.state.clock < now else { continue }
            log.machine.advance(to: now)
            replayIfStale(key, log)
            log.dirty = true
            log.openSpansDirty = true
            pendingLogs.insert(key)
        }
    }

    /// What the database needs to catch up with, and the checkpoints moved forward after it.
    func collect() -> WriteBatch {
        var batch = WriteBatch(horizon: horizon)
        var moves = 0
        for id in dirtyProfiles {
            guard let p = profiles[id] else { continue }
            batch.profiles.append((id, p.name, p.team.text))
            // Written: the database has the name now.
            profiles[id]?.name = nil
        }
        dirtyProfiles = []
        // In the workers' order, as the tables' keys begin (see `ReportDatabase.insert`).
        for key in pendingLogs.sorted() where logs[key].map({ $0.dirty || $0.checkpointDirty }) ?? false {
            let team = profiles[key]?.team.text ?? ""
            logs[key]!.collect(into: &batch, worker: key, team: team)
            if moves < Self.checkpointMovesPerCollect, moveCheckpoint(key, logs[key]!, into: &batch) { moves += 1 }
        }
        pendingLogs = []
        // After the checkpoints: moving one keeps the events taken so far in the store first.
        swap(&batch.events, &unwritten)
        return batch
    }

    /// Checkpoints one `collect` moves at most: each reads the agent's events back from the store (a floor's agents
    /// reach their checkpoint's age together), and a checkpoint left for the next write is no error.
    static let checkpointMovesPerCollect = 500

    /// Moves `log`'s checkpoint to the interval boundary `lateWindow` behind `horizon` once it is two
    /// windows behind, forgetting the written output before it; the store's events before it are pruned.
    /// - Returns: whether it moved.
    private func moveCheckpoint(_ worker: String, _ log: Log, into batch: inout WriteBatch) -> Bool {
        guard horizon != .min, horizon - log.baseTime > 2 * lateWindow else { return false }
        let newBase = AgentMachine.interval(horizon - lateWindow) * 1_000_000
        var probe = AgentMachine(worker: worker, grace: log.machine.grace, state: log.baseState, output: AgentOutput())
        for e in storedEvents(of: worker, since: log.baseTime) where e.at < newBase { probe.apply(LoggedEvent(e)) }
        probe.advance(to: newBase)
        // An episode not yet an incident would credit intervals before the checkpoint: wait for it.
        if let episode = probe.state.episode, !episode.credited {
            // Not again at every write: once the checkpoint is another interval older.
            return true
        }
        log.baseState = probe.state
        if log.newest.at < newBase { log.newest.reset() }
        let baseSeconds = AgentMachine.interval(newBase)
        log.machine.output.intervals.removeAll(before: baseSeconds)
        log.machine.output.spans = log.machine.output.spans.filter { ($0.end ?? .max) >= newBase }
        log.machine.output.spansWritten = log.machine.output.spans.count
        log.machine.output.incidents = log.machine.output.incidents.filter { ($0.value.end ?? .max) >= newBase }
        batch.checkpoints.append((worker, log.baseState))
        batch.prunes.append((worker, newBase))
        return true
    }

    /// The spans still going on for `worker`, up to the newest event.
    func openSpans(of worker: String) -> [TimelineSpan] {
        logs[worker]?.machine.openSpans ?? []
    }
}

extension ReportEngine.Log {
    func collect(into batch: inout WriteBatch, worker: String, team: String) {
        let baseSeconds = AgentMachine.interval(baseTime)
        if fullRewrite {
            batch.rewrites.append((worker, baseSeconds, baseTime))
            for row in machine.output.intervals.entries where row.key.start >= baseSeconds {
                batch.intervals.append(.init(worker: worker, team: team, start: row.key.start, queue: row.key.queue.text,
                                             figures: row.figures))
            }
            batch.spans.append((worker, machine.output.spans.filter { $0.end.map { $0 >= baseTime } ?? true }))
            batch.incidents.append(contentsOf: machine.output.incidents.values)
        } else {
            for row in machine.output.intervals.entries where row.dirty {
                batch.intervals.append(.init(worker: worker, team: team, start: row.key.start, queue: row.key.queue.text,
                                             figures: row.figures))
            }
            batch.spans.append((worker, Array(machine.output.spans[machine.output.spansWritten...])))
            for id in machine.output.dirtyIncidents {
                if let incident = machine.output.incidents[id] { batch.incidents.append(incident) }
            }
        }
        if fullRewrite || openSpansDirty { batch.spans.append((worker, machine.openSpans)) }
        openSpansDirty = false
        machine.output.intervals.markWritten()
        machine.output.dirtyIncidents = []
        machine.output.forgetWritten(current: AgentMachine.interval(machine.state.clock))
        fullRewrite = false
        dirty = false
        if checkpointDirty {
            batch.checkpoints.append((worker, baseState))
            checkpointDirty = false
        }
    }
}

/// Everything one flush writes, in one transaction.
struct WriteBatch {
    struct IntervalRow {
        var worker: String
        var team: String
        var start: Int64
        var queue: String
        var figures: IntervalFigures
    }

    var horizon: Int64
    /// `name` is `nil` when only the team changed (the name is already written).
    var profiles: [(id: String, name: String?, team: String)] = []
    /// Events to keep, every agent's in the order taken.
    var events: [(worker: String, event: ReportEvent)] = []
    /// Delete this worker's intervals from `seconds` and spans and incidents from `micros` before writing.
    var rewrites: [(worker: String, seconds: Int64, micros: Int64)] = []
    var intervals: [IntervalRow] = []
    var spans: [(worker: String, spans: [TimelineSpan])] = []
    var incidents: [Incident] = []
    var checkpoints: [(worker: String, state: AgentState)] = []
    /// Delete this worker's events before the time (microseconds).
    var prunes: [(worker: String, before: Int64)] = []

    var isEmpty: Bool {
        profiles.isEmpty && events.isEmpty && rewrites.isEmpty && intervals.isEmpty
            && spans.allSatisfy(\.spans.isEmpty) && incidents.isEmpty && checkpoints.isEmpty && prunes.isEmpty
    }
}
