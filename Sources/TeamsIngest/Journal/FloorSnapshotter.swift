import Logging
import Synchronization
import TeamsDomain

/// Saves the floor (``FloorSnapshot``) now and then, and drops the log records it makes unnecessary, so
/// the write-ahead log stays short and a restart replays little.
///
/// When: every ``Settings/interval`` seconds when something was ingested since the last snapshot, as soon
/// as the log grows past ``Settings/logBytes``, and once more at ``stop()`` (SIGTERM/SIGINT).
///
/// How (see ``JournalGate`` for why it is consistent):
/// 1. With the pipeline's gate held exclusively (no session is between journaling an operation and applying
///    it): copy the registry and its counters (O(1), persistent), the statistics and every long-lived
///    session's memory (copy-on-write), and mark the cut in the log (``WriteAheadLog/markCut()``).
///    Ingest waits only for these copies.
/// 2. With the gate released: wait until the writer has placed the cut in the file (the records before it
///    written and synced), encode, write `state.snapshot.tmp`, fsync, rename to `state.snapshot`, fsync the
///    directory.
/// 3. Compact the log from the cut (``WriteAheadLog/compact(from:)``). A crash before this replays the
///    old log from the cut; after it, the new log from its start.
public final class FloorSnapshotter: Sendable {
    /// When snapshots are taken.
    public struct Settings: Sendable, Hashable {
        /// Seconds between snapshots (when something changed).
        public var interval: Double
        /// Log length in bytes past which a snapshot is taken at once.
        public var logBytes: Int

        public init(interval: Double = 60, logBytes: Int = 64 << 20) {
            self.interval = interval
            self.logBytes = logBytes
        }
    }

    /// What the snapshots so far did.
    public struct Figures: Sendable, Hashable {
        public var snapshots = 0
        public var failures = 0
        public var lastError: String?
        /// The last snapshot: when (this server's clock), its size, seconds the gate was held (ingest
        /// paused), seconds encoding and writing took, and the log bytes its compaction dropped.
        public var lastAt: Timestamp?
        public var lastBytes = 0
        public var lastPauseSeconds = 0.0
        public var lastWriteSeconds = 0.0
        public var lastDroppedBytes = 0
    }

    public let directory: String
    public let settings: Settings
    private let store: RegistryStore
    private let pipeline: IngestPipeline
    private let journal: WriteAheadLog
    private let logger: Logger
    private let state = Mutex(Figures())
    /// Snapshots run one at a time (the timer's and the final one).
    private let turn = Mutex(())
    /// Log records and registry version at the last snapshot: nothing new, no snapshot.
    private let lastSeen = Mutex<(records: UInt64, version: UInt64)?>(nil)
    private let stopSignal = StopSignal()
    private let thread = Mutex<IngestThread?>(nil)

    public init(directory: String, store: RegistryStore, pipeline: IngestPipeline, journal: WriteAheadLog,
                settings: Settings = Settings(), logger: Logger = Logger(label: "teamsview.snapshot")) {
        self.directory = directory
        self.store = store
        self.pipeline = pipeline
        self.journal = journal
        self.settings = settings
        self.logger = logger
    }

    public var figures: Figures { state.withLock { $0 } }

    /// Starts the timer thread; what the floor holds now (just restored) counts as saved.
    public func start() {
        let now = (journal.currentFigures.records, store.version)
        lastSeen.withLock { $0 = now }
        thread.withLock { t in
            guard t == nil else { return }
            t = IngestThread(name: "floor snapshot") { [self] in run() }
        }
    }

    /// Stops the timer, then takes a last snapshot (call after the sources have stopped, before the log closes).
    /// Stops taking snapshots on the interval, then takes a last one unless `snapshot` is false (the log
    /// since the last snapshot is then replayed at the next start).
    public func stop(snapshot: Bool = true) {
        stopSignal.set()
        thread.withLock { $0 }?.join()
        if snapshot { snapshotIfChanged() }
    }

    private func run() {
        var last = Timestamp.monotonicSeconds()
        while !stopSignal.sleep(.milliseconds(250)) {
            let now = Timestamp.monotonicSeconds()
            let logBytes = journal.currentFigures.fileBytes - WriteAheadLog.headerLength
            if now - last >= settings.interval || logBytes >= settings.logBytes {
                last = now
                snapshotIfChanged()
            }
        }
    }

    /// Takes a snapshot unless nothing was logged or applied since the last one.
    @discardableResult
    public func snapshotIfChanged() -> String? {
        let now = (journal.currentFigures.records, store.version)
        if let seen = lastSeen.withLock({ $0 }), seen == now { return nil }
        return snapshot()
    }

    /// Takes a snapshot now; returns why it failed, or `nil`.
    @discardableResult
    public func snapshot() -> String? {
        turn.withLock { _ in takeSnapshot() }
    }

    private func takeSnapshot() -> String? {
        let started = Timestamp.monotonicSeconds()
        let records = journal.currentFigures.records
        let (taken, ticket) = pipeline.whileNoOperationRuns { sessions -> (FloorSnapshot, UInt64) in
            let (registry, counters) = store.capture()
            let snapshot = FloorSnapshot(takenAt: Timestamp.now(), log: WriteAheadLog.Position(generation: 0, offset: 0),
                                         registry: registry, counters: counters,
                                         statistics: pipeline.statistics.snapshot(), sessions: sessions)
            return (snapshot, journal.markCut())
        }
        let paused = Timestamp.monotonicSeconds() - started
        var snapshot = taken
        guard let position = journal.position(ofCut: ticket) else { return failed("the write-ahead log is closed") }
        snapshot.log = position
        let bytes: [UInt8]
        do {
            bytes = try snapshot.encoded()
            try FloorSnapshot.write(bytes, directory: directory)
        } catch {
            return failed(String(describing: error))
        }
        let written = Timestamp.monotonicSeconds() - started - paused
        lastSeen.withLock { $0 = (records, snapshot.registry.version) }
        let droppedBefore = journal.currentFigures.droppedBytes
        if let why = journal.compact(from: position) {
            logger.warning("snapshot written, but the write-ahead log was not compacted: \(why)")
        }
        let dropped = journal.currentFigures.droppedBytes - droppedBefore
        state.withLock { f in
            f.snapshots += 1
            f.lastAt = snapshot.takenAt
            f.lastBytes = bytes.count
            f.lastPauseSeconds = paused
            f.lastWriteSeconds = written
            f.lastDroppedBytes = dropped
        }
        // Routine snapshots (every interval) at debug; the last one, at stop, at info.
        logger.log(level: stopSignal.isSet ? .info : .debug, "floor snapshot: \(bytes.count) bytes in \((written * 1000).rounded()) ms (ingest paused \((paused * 1000).rounded()) ms); log compacted by \(dropped) bytes")
        return nil
    }

    private func failed(_ why: String) -> String {
        state.withLock { f in
            f.failures += 1
            f.lastError = why
        }
        logger.error("floor snapshot failed: \(why)")
        return why
    }
}
