import Dispatch
import Logging
import Synchronization
import TeamsDomain

/// Reports' single writer: takes event batches from ingest without blocking it, turns them into
/// figures on its own serial queue, and writes them in one transaction per flush.
///
/// `submit` only enqueues (the ingest hot path pays one closure per batch); figures are written every
/// `flushInterval` seconds, old ones expired hourly after `retentionDays`.
public final class ReportWriter: Sendable {
    public struct Settings: Sendable {
        /// Seconds a wrong-call-risk condition lasts before it is an incident (the view's grace).
        public var grace: Double
        /// Days figures, timelines and incidents are kept.
        public var retentionDays: Int
        /// Seconds between writes.
        public var flushInterval: Double
        /// Seconds an event may be late and still correct figures already written.
        public var lateWindow: Double

        public init(grace: Double = 3, retentionDays: Int = 90, flushInterval: Double = 1, lateWindow: Double = 3600) {
            self.grace = grace
            self.retentionDays = retentionDays
            self.flushInterval = flushInterval
            self.lateWindow = lateWindow
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
        /// Writes that failed (logged; the figures of that flush are written again only if they change again).
        public var failures: UInt64 = 0
        /// Batches waiting for the writer.
        public var queued: Int = 0
    }

    public let database: ReportDatabase
    public let zone: ReportZone
    public let settings: Settings
    private let queue = DispatchQueue(label: "teamsview.reports")
    private let engine: Mutex<ReportEngine>
    private let stats = Mutex(Statistics())
    private let running = Mutex(false)
    private let logger: Logger

    /// Opens the database, restores the agents' checkpoints and events, rewrites what they give.
    /// - Throws: database errors.
    public init(database: ReportDatabase, zone: ReportZone, settings: Settings = Settings(),
                logger: Logger = Logger(label: "teamsview.reports")) throws {
        self.database = database
        self.zone = zone
        self.settings = settings
        self.logger = logger
        let engine = ReportEngine(grace: settings.grace, lateWindow: settings.lateWindow)
        try database.restore(into: engine)
        engine.advanceAll()
        try database.write(engine.collect())
        self.engine = Mutex(engine)
    }

    /// Starts the periodic flush and expiry.
    public func start() {
        running.withLock { $0 = true }
        tick(1)
    }

    /// Flushes every `flushInterval` seconds on the writer's queue; expires hourly (and at the first tick).
    private func tick(_ n: Int) {
        queue.asyncAfter(deadline: .now() + settings.flushInterval) { [self] in
            guard running.withLock({ $0 }) else { return }
            flushNow()
            if n % max(1, Int(3600 / settings.flushInterval)) == 1 { expireNow() }
            tick(n + 1)
        }
    }

    /// Hands a batch to the writer; returns at once.
    public func submit(_ events: [Event]) {
        stats.withLock { $0.queued += 1 }
        queue.async { [self] in
            engine.withLock { $0.ingest(events) }
            stats.withLock { $0.queued -= 1 }
        }
    }

    /// Waits for everything submitted so far to be written.
    public func flush() {
        queue.sync { flushNow() }
    }

    /// Stops the timer and writes what is left.
    public func stop() {
        running.withLock { $0 = false }
        flush()
    }

    public var statistics: Statistics {
        var s = stats.withLock { $0 }
        let c = engine.withLock { $0.counters }
        s.counted = c.counted
        s.duplicates = c.duplicates
        s.tooLate = c.tooLate
        s.replays = c.replays
        s.future = c.future
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

    private func flushNow() {
        let batch = engine.withLock { engine -> WriteBatch in
            engine.advanceAll()
            return engine.collect()
        }
        guard !batch.isEmpty else { return }
        do {
            try database.write(batch)
            stats.withLock { $0.flushes += 1 }
        } catch {
            stats.withLock { $0.failures += 1 }
            logger.error("writing reports failed: \(error)")
        }
    }

    private func expireNow() {
        guard let horizon else { return }
        let cutoff = horizon / 1_000_000 - Int64(settings.retentionDays) * 86_400
        do { try database.expire(before: cutoff) } catch { logger.error("expiring reports failed: \(error)") }
    }
}
