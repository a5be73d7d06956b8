import Synchronization
import TeamsDomain

/// Replays the write-ahead log into fresh sessions of a pipeline: every body, chunk and let-go of held
/// events happens again in the logged order, so the registry (through the pipeline's sink) and each
/// session's decoder memory (Twilio correlation, reorder buffer, partial lines, file positions) come
/// back to where they were when the log was last synced.
///
/// With a snapshot (``FloorSnapshot``), the registry, counters and statistics are set from it, the sessions
/// start from its memories, and only the records after its place in the log are replayed.
///
/// The live sources then carry on from the replayed sessions: ``take(_:)`` hands each its own.
public final class JournalReplay: Sendable {
    /// What the replay did.
    public struct Figures: Sendable, Hashable {
        public var records = 0
        public var events = 0
        public var bytes = 0
        /// Bytes cut from the end of the log (a record torn by a crash) and why.
        public var tornBytes = 0
        public var tornReason: String?
        public var seconds = 0.0
        /// Whether the floor came from a snapshot first, when that was taken, its size, and the seconds
        /// reading and decoding it took (included in ``seconds``).
        public var fromSnapshot = false
        public var snapshotTakenAt: Timestamp?
        public var snapshotBytes = 0
        public var snapshotSeconds = 0.0
    }

    /// Why the log and the snapshot do not go together.
    public struct Mismatch: Error, CustomStringConvertible {
        public var description: String
    }

    /// Where replay starts in `journal` after `snapshot`: its offset when the log is still the snapshot's
    /// generation, the first record when the log was compacted after it (the next generation).
    /// - Throws: ``Mismatch`` when the log belongs to another snapshot (or none).
    public static func start(of journal: WriteAheadLog, after snapshot: FloorSnapshot?, snapshotPath: String) throws(Mismatch) -> Int {
        let generation = journal.generation
        guard let snapshot else {
            guard generation == 0 else {
                throw Mismatch(description: "the write-ahead log \(journal.path) is generation \(generation), compacted after a snapshot, but \(snapshotPath) is missing: restore the snapshot from a backup, or move the log aside to start with an empty floor")
            }
            return WriteAheadLog.headerLength
        }
        if generation == snapshot.log.generation { return snapshot.log.offset }
        if generation == snapshot.log.generation &+ 1 { return WriteAheadLog.headerLength }
        throw Mismatch(description: "the write-ahead log \(journal.path) is generation \(generation) but the snapshot \(snapshotPath) goes with generation \(snapshot.log.generation) (or the next): they are from different data directories or backups; put back the matching pair, or move both aside to start with an empty floor")
    }

    private let sessions: Mutex<[String: IngestSession]>
    public let figures: Figures

    /// Reads the log into sessions of `pipeline`; call before the log's writer starts. With `snapshot`
    /// (loaded from `snapshotBytes` bytes in `loadSeconds`), `store` gets its registry first, the statistics
    /// its counters, and replay starts at `start` (see ``start(of:after:snapshotPath:)``).
    public init(_ journal: WriteAheadLog, pipeline: IngestPipeline, snapshot: sending FloorSnapshot? = nil,
                store: RegistryStore? = nil, start: Int = WriteAheadLog.headerLength,
                snapshotBytes: Int = 0, loadSeconds: Double = 0) {
        let started = Timestamp.monotonicSeconds()
        var sessions: [String: IngestSession] = [:]
        var figures = Figures()
        if let snapshot {
            store?.restore(snapshot.registry, counters: snapshot.counters)
            pipeline.statistics.restore(snapshot.statistics)
            for memory in snapshot.sessions { sessions[memory.source] = pipeline.makeSession(restoring: memory) }
            figures.fromSnapshot = true
            figures.snapshotTakenAt = snapshot.takenAt
            figures.snapshotBytes = snapshotBytes
            figures.snapshotSeconds = loadSeconds
        }
        let eventsBefore = pipeline.statistics.snapshot().eventsApplied
        let recovery = journal.replay(from: start) { record in
            var session = sessions.removeValue(forKey: record.source)
                ?? pipeline.makeSession(source: record.source, journaled: false)
            Self.apply(record, to: &session)
            sessions[record.source] = session
        }
        self.sessions = Mutex(sessions)
        figures.records = recovery.records
        figures.bytes = recovery.bytes
        figures.tornBytes = recovery.tornBytes
        figures.tornReason = recovery.tornReason
        figures.events = pipeline.statistics.snapshot().eventsApplied - eventsBefore
        figures.seconds = Timestamp.monotonicSeconds() - started + loadSeconds
        self.figures = figures
    }

    /// Does again what `record` says the session did.
    static func apply(_ record: JournalRecord, to session: inout IngestSession) {
        session.permit = record.flags & JournalRecord.restricted != 0 ? NativeLinePermit() : nil
        // Judged against the clock the record came at, not the restart's: a line rejected as too far ahead
        // stays rejected, one accepted stays accepted however long the server was down.
        session.arrival = record.at
        defer {
            session.permit = nil
            session.arrival = nil
        }
        switch record.operation {
        case .body:
            record.payload.withUnsafeBufferPointer { session.feed(body: $0) }
            _ = session.takeResult()
        case .form:
            _ = session.feed(formBody: record.payload)
            _ = session.takeResult()
        case .chunk:
            record.payload.withUnsafeBufferPointer { session.feed($0) }
            _ = session.takeResult()
        case .tick:
            session.tick(now: record.at)
        case .finish:
            session.finish()
        case .discardPartialLine:
            session.discardPartialLine()
        }
        if let position = record.position { session.position = position }
    }

    /// The replayed session of `source`, now journaling to `journal` (the pipeline's), or `nil` when the
    /// log holds nothing of it. Each session is handed out once.
    public func take(_ source: String) -> sending IngestSession? {
        sessions.withLock { all in
            guard var session = all.removeValue(forKey: source) else { return nil }
            session.journal = session.pipeline.journal
            return session
        }
    }

    /// Sources the log knows that no one has taken (e.g. a file no longer on the command line).
    public var untaken: [String] { sessions.withLock { $0.keys.sorted() } }
}
