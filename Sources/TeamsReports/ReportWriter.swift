import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Logging
import Synchronization
import TeamsDomain

/// Reports' single writer: takes event batches from ingest without blocking it, turns them into
/// figures on its own thread (niced, so it never takes the ingest core from ingest), and writes them
/// in one transaction per flush.
///
/// `submit` only appends the batch to a list (the ingest hot path pays one short lock per batch);
/// figures are written every `flushInterval` seconds, or sooner once `eventsPerTransaction` events
/// wait, old ones expired hourly after `retentionDays`. The list is bounded (`maxQueuedEvents`): past
/// it, `submit` waits for the writer to take the list (back-pressure on ingest, counted), so a writer
/// that cannot keep up slows ingest down instead of growing memory without end. After a burst (a file
/// read, a restart's replay) the heap the writer freed is handed back to the system (`malloc_trim`).
public final class ReportWriter: Sendable {
    public struct Settings: Sendable {
        /// Seconds a wrong-call-risk condition lasts before it is an incident (the view's grace).
        public var grace: Double
        /// Days figures, timelines and incidents are kept.
        public var retentionDays: Int
        /// Seconds between writes.
        public var flushInterval: Double
        /// Seconds between accruing every agent's open activity and calls up to the newest event: a write in
        /// between accrues only the agents with new events (a floor on long calls is not rewritten every
        /// `flushInterval`). `flush()` and `stop()` accrue everyone. Agents with a wrong-call-risk episode going on
        /// are moved to the wall clock at every timed flush and at these, while the feed is current
        /// (`ReportEngine.advanceEpisodes(now:)`).
        public var accrueInterval: Double
        /// Seconds an event may be late and still correct figures already written.
        public var lateWindow: Double
        /// Events taken from ingest after which the writer writes at once rather than waiting for
        /// `flushInterval`: bounds a transaction (and the memory held for it) when the writer catches up. Each write
        /// rewrites every agent fed since the last one, so while catching up (a file read at start, a restart's
        /// backlog) a larger bound writes each agent's intervals and spans fewer times: a 20,000-agent shift file
        /// (760,000 events) was reported in 73 s with 50,000, 40 s with 200,000, 33 s with 1,000,000.
        public var eventsPerTransaction: Int
        /// Nice value of the writer's thread (0...19; Linux nice values are per thread): it yields the
        /// CPU to ingest and the web threads, lags under load and catches up when they are idle.
        public var niceness: Int32
        /// Events handed over and not yet taken by the writer's thread past which `submit` waits (at least
        /// one batch is always taken, however large).
        public var maxQueuedEvents: Int
        /// Events taken since the last trim after which the writer, once its list is empty, hands the heap
        /// it freed back to the system (`malloc_trim`); 0: never.
        public var trimAfterEvents: Int

        public init(grace: Double = 3, retentionDays: Int = 90, flushInterval: Double = 1, lateWindow: Double = 3600,
                    eventsPerTransaction: Int = 200_000, niceness: Int32 = 10, maxQueuedEvents: Int = 1_000_000,
                    trimAfterEvents: Int = 100_000, accrueInterval: Double = 10) {
            self.grace = grace
            self.retentionDays = retentionDays
            self.flushInterval = flushInterval
            self.accrueInterval = accrueInterval
            self.lateWindow = lateWindow
            self.eventsPerTransaction = eventsPerTransaction
            self.niceness = niceness
            self.maxQueuedEvents = maxQueuedEvents
            self.trimAfterEvents = trimAfterEvents
        }
    }

    /// Figures for `/status` and `/metrics`.
    public struct Statistics: Sendable, Hashable {
        /// Events counted in figures.
        public var counted: UInt64 = 0
        /// Events identical to one already counted.
        public var duplicates: UInt64 = 0
        /// Events older than the late window: not counted.
        public var tooLate: UInt64 = 0
        /// Events dated more than 5 minutes ahead of this machine's clock: not counted.
        public var future: UInt64 = 0
        /// Agents replayed because of a late event.
        public var replays: UInt64 = 0
        /// Transactions written.
        public var flushes: UInt64 = 0
        /// Writes that failed (logged; the figures of that flush are written again only if they change again), and
        /// reads of the events kept that failed (a replay then misses events).
        public var failures: UInt64 = 0
        /// Batches handed over and not yet taken by the writer's thread.
        public var queued: Int = 0
        /// Events in those batches.
        public var queuedEvents: Int = 0
        /// Events the writer's thread took and has not yet counted: it takes every batch waiting at once and works
        /// through them (a file read at start: hundreds of thousands), so `queuedEvents` is 0 long before it is done.
        public var takenEvents: Int = 0
        /// Events not yet in the figures: `queuedEvents` and `takenEvents`; 0 once the reports have caught up.
        public var backlog: Int { queuedEvents + takenEvents }
        /// Batches whose `submit` waited for room (`maxQueuedEvents`), and the seconds they waited together.
        public var waits: UInt64 = 0
        public var waitSeconds: Double = 0
        /// Times the writer handed freed heap back to the system after a burst.
        public var trims: UInt64 = 0
        /// Events dropped because the database could not be restored at start (`Restore.failed`).
        public var dropped: UInt64 = 0
    }

    /// What ingest and callers hand the writer's thread.
    private enum Work {
        case events([Event])
        /// Write everything taken so far, then signal.
        case flush(DispatchSemaphore)
    }

    public let database: ReportDatabase
    public let zone: ReportZone
    public let settings: Settings
    /// Work not yet taken by the writer's thread, and the events in it.
    private struct Queue {
        var work: [Work] = []
        var events = 0
        /// Events of the work the writer's thread took and has not counted yet (`Statistics.takenEvents`).
        var taken = 0
        /// `submit` calls waiting for room.
        var waiting = 0
    }

    /// Work not yet taken by the writer's thread: the only lock ingest touches (an append).
    private let pending = Mutex(Queue())
    private let wake = DispatchSemaphore(value: 0)
    /// Signalled when the writer takes the list while a `submit` waits for room.
    private let room = DispatchSemaphore(value: 0)
    private let closed = Mutex(false)
    private let exited = DispatchSemaphore(value: 0)
    private let engine: Mutex<ReportEngine>
    private let stats = Mutex(Statistics())
    private let running = Mutex(false)
    private let logger: Logger

    /// Starts the writer's thread, which first restores the agents' checkpoints and events from the database and
    /// rewrites what they give (`restore` says how far it is; seconds for a large floor), then takes events. Events
    /// submitted meanwhile wait in the writer's list (bounded by `maxQueuedEvents`), so the server serves the floor
    /// while its reports catch up.
    /// - Throws: database errors of the time-zone roll-up (a migration run only when the zone changed).
    public init(database: ReportDatabase, zone: ReportZone, settings: Settings = Settings(),
                logger: Logger = Logger(label: "teamsview.reports")) throws {
        self.database = database
        self.zone = zone
        self.settings = settings
        self.logger = logger
        try database.rollUp(zone: zone)
        self.engine = Mutex(ReportEngine(grace: settings.grace, lateWindow: settings.lateWindow, store: database))
        let exited = self.exited
        let thread = Thread { [weak self] in
            // The restore at the process's own priority, as when it ran before the port opened: a niced thread on a
            // busy machine would leave the reports incomplete for many times as long.
            let counting = self?.restoreFromDatabase() ?? false
            #if canImport(Glibc)
            _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, settings.niceness)
            #endif
            Self.run(counting: counting) { [weak self] in self }
            exited.signal()
        }
        thread.name = "teamsview.reports"
        thread.start()
    }

    /// Where the writer is with what the database held at start.
    public enum Restore: Sendable, Hashable {
        /// Reading the agents' checkpoints and events: figures of the last hour are being rewritten.
        case restoring
        /// Done: `agents` agents restored in `seconds`.
        case restored(agents: Int, seconds: Double)
        /// The database could not be read: nothing is counted until a restart (the reason is logged).
        case failed(String)
    }

    private let restoreState = Mutex(Restore.restoring)

    /// Where the writer is with what the database held at start.
    public var restore: Restore { restoreState.withLock { $0 } }

    /// Restores the engine from the database on the writer's thread: into an engine of its own, swapped in once
    /// done, so `/status` and the report pages (which read the engine's counters) never wait for it.
    /// - Returns: false when the database could not be read.
    private func restoreFromDatabase() -> Bool {
        let started = Timestamp.monotonicSeconds()
        let restored = ReportEngine(grace: settings.grace, lateWindow: settings.lateWindow, store: database)
        do {
            try database.restore(into: restored)
            restored.advanceAll()
            try database.write(restored.collect(), zone: zone)
            try database.checkpoint()
        } catch {
            restoreState.withLock { $0 = .failed(String(describing: error)) }
            logger.error("reports: restoring from the database failed, nothing is counted until a restart: \(error)")
            return false
        }
        let agents = restored.logs.count
        install(restored)
        let seconds = Timestamp.monotonicSeconds() - started
        restoreState.withLock { $0 = .restored(agents: agents, seconds: seconds) }
        if agents > 0 {
            logger.info("reports: restored \(agents) agents from the database in \(Int((seconds * 1000).rounded())) ms")
        }
        return true
    }

    /// Puts a restored engine in place of the empty one the writer started with.
    private func install(_ restored: ReportEngine) {
        /// The engine, built on the writer's thread and never touched there again once handed over.
        struct Handover: @unchecked Sendable { let engine: ReportEngine }
        let handover = Handover(engine: restored)
        engine.withLock { $0 = handover.engine }
    }

    /// Starts the periodic flush and expiry.
    public func start() {
        running.withLock { $0 = true }
    }

    /// The writer's thread: takes work, feeds the engine, writes every `flushInterval` seconds (once
    /// started, accruing everyone every `accrueInterval`) or as soon as `eventsPerTransaction` events are
    /// waiting; expires hourly. Ends when the writer is gone. With `counting` false (the database could not be
    /// restored), events are taken and dropped (counted in `dropped`): figures written over what the database
    /// holds without its checkpoints would be wrong.
    private static func run(counting: Bool, _ writer: () -> ReportWriter?) {
        var nextFlush = Timestamp.monotonicSeconds()
        var nextAccrue = nextFlush
        var flushes = 0
        var taken = 0
        var sinceTrim = 0
        while let w = writer(), !w.closed.withLock({ $0 }) {
            let wait = max(0, min(1, nextFlush - Timestamp.monotonicSeconds()))
            if w.wake.wait(timeout: .now() + wait) == .success {
                let (work, waiting) = w.pending.withLock { queue -> ([Work], Int) in
                    // Under the same lock as the queue: an event is always queued, taken or counted.
                    defer { queue.work = []; queue.taken += queue.events; queue.events = 0 }
                    return (queue.work, queue.waiting)
                }
                for _ in 0..<waiting { w.room.signal() }
                for item in work {
                    switch item {
                    case .events(let events) where !counting:
                        w.stats.withLock { $0.dropped += UInt64(events.count) }
                        w.pending.withLock { $0.taken -= events.count }
                    case .flush(let done) where !counting:
                        done.signal()
                    case .events(let events):
                        w.engine.withLock { $0.ingest(events) }
                        w.pending.withLock { $0.taken -= events.count }
                        taken += events.count
                        sinceTrim += events.count
                        if taken >= w.settings.eventsPerTransaction {
                            w.flushNow(everyone: false)
                            taken = 0
                        }
                    case .flush(let done):
                        w.flushNow()
                        taken = 0
                        done.signal()
                    }
                }
                // A burst taken and nothing more waiting: what it needed (its batches, the engine's scratch,
                // SQLite's pages) is freed; hand the heap back rather than keep it resident.
                if counting, w.settings.trimAfterEvents > 0, sinceTrim >= w.settings.trimAfterEvents, w.running.withLock({ $0 }),
                   w.pending.withLock({ $0.work.isEmpty }) {
                    w.flushNow()
                    taken = 0
                    sinceTrim = 0
                    w.trim()
                }
            }
            let now = Timestamp.monotonicSeconds()
            guard now >= nextFlush else { continue }
            nextFlush = now + w.settings.flushInterval
            guard counting, w.running.withLock({ $0 }) else { continue }
            let everyone = now >= nextAccrue
            if everyone { nextAccrue = now + w.settings.accrueInterval }
            // Each timed flush moves the agents with a wrong-call-risk episode going on to the wall clock: on a quiet
            // floor the incident appears within a second of its grace, not at the next accrual of everyone.
            w.flushNow(everyone: everyone, episodes: true)
            taken = 0
            if flushes % max(1, Int(3600 / w.settings.flushInterval)) == 0 { w.expireNow() }
            flushes += 1
        }
    }

    /// Hands a batch to the writer: one append under a lock nobody holds for long, unless `maxQueuedEvents`
    /// events already wait; then it waits until the writer takes them (counted in `waits`). After `close()`
    /// the batch is dropped.
    public func submit(_ events: [Event]) {
        guard !events.isEmpty else { return }
        var started: Double?
        while true {
            let queued = pending.withLock { queue -> Bool in
                if queue.events > 0 && queue.events + events.count > settings.maxQueuedEvents {
                    queue.waiting += 1
                    return false
                }
                queue.work.append(.events(events))
                queue.events += events.count
                return true
            }
            if queued { break }
            if started == nil { started = Timestamp.monotonicSeconds() }
            wake.signal()
            _ = room.wait(timeout: .now() + 0.1)
            pending.withLock { $0.waiting -= 1 }
            if closed.withLock({ $0 }) { return }
        }
        if let started {
            let waited = Timestamp.monotonicSeconds() - started
            stats.withLock {
                $0.waits += 1
                $0.waitSeconds += waited
            }
        }
        wake.signal()
    }

    /// Waits for everything submitted so far to be written.
    public func flush() {
        let done = DispatchSemaphore(value: 0)
        pending.withLock { $0.work.append(.flush(done)) }
        wake.signal()
        done.wait()
    }

    /// Stops the timer and writes what is left.
    public func stop() {
        running.withLock { $0 = false }
        flush()
    }

    /// Stops the timer and writes what is left, waiting at most `seconds`: false when the writer had not
    /// caught up by then (it goes on writing; a process that exits meanwhile loses only the transaction under
    /// way, which SQLite rolls back).
    public func stop(within seconds: Double) -> Bool {
        running.withLock { $0 = false }
        let done = DispatchSemaphore(value: 0)
        pending.withLock { $0.work.append(.flush(done)) }
        wake.signal()
        guard done.wait(timeout: .now() + seconds) == .success else { return false }
        // Written: the log file emptied into the database, so the next start opens it at once.
        do {
            try database.checkpoint()
        } catch {
            logger.warning("reports: the database's log was not emptied at the stop: \(error)")
        }
        return true
    }

    /// Writes what is left and ends the writer's thread (waiting for it); nothing is written after.
    public func close() {
        stop()
        closed.withLock { $0 = true }
        wake.signal()
        exited.wait()
    }

    public var statistics: Statistics {
        var s = stats.withLock { $0 }
        (s.queued, s.queuedEvents, s.takenEvents) = pending.withLock { ($0.work.count, $0.events, $0.taken) }
        let c = engine.withLock { $0.counters }
        s.counted = c.counted
        s.duplicates = c.duplicates
        s.tooLate = c.tooLate
        s.replays = c.replays
        s.future = c.future
        s.failures += c.storeFailures
        return s
    }

    /// Spans still going on for `worker` (not yet closed), as of the newest event.
    public func openSpans(of worker: String) -> [TimelineSpan] {
        engine.withLock { $0.openSpans(of: worker) }
    }

    /// The newest event time seen (microseconds), `nil` before any.
    public var horizon: Int64? {
        let h = engine.withLock { $0.horizon }
        return h == .min ? nil : h
    }

    /// Writes what the engine has; `everyone`: after accruing every agent up to the newest event, not only
    /// those with new events.
    /// `episodes`: also move the agents with a wrong-call-risk episode going on to the wall clock (as `everyone` does).
    private func flushNow(everyone: Bool = true, episodes: Bool = false) {
        let batch = engine.withLock { engine -> WriteBatch in
            if everyone || episodes { engine.advanceEpisodes(now: Timestamp.now().microseconds) }
            engine.advanceAll(everyone: everyone)
            return engine.collect()
        }
        guard !batch.isEmpty else { return }
        do {
            try database.write(batch, zone: zone)
            stats.withLock { $0.flushes += 1 }
        } catch {
            stats.withLock { $0.failures += 1 }
            logger.error("writing reports failed: \(error)")
        }
    }

    /// Hands free heap at the top of glibc's arenas (and whole free pages inside them) back to the system.
    private func trim() {
        ProcessHeap.trim()
        stats.withLock { $0.trims += 1 }
    }

    private func expireNow() {
        guard let horizon else { return }
        let cutoff = horizon / 1_000_000 - Int64(settings.retentionDays) * 86_400
        do { try database.expire(before: cutoff) } catch { logger.error("expiring reports failed: \(error)") }
    }
}
