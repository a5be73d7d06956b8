import Synchronization
import TeamsDomain

/// Replays the write-ahead log into fresh sessions of a pipeline: every body, chunk and let-go of held
/// events happens again in the logged order, so the registry (through the pipeline's sink) and each
/// session's decoder memory (Twilio correlation, reorder buffer, partial lines, file positions) come
/// back to where they were when the log was last synced.
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
    }

    private let sessions: Mutex<[String: IngestSession]>
    public let figures: Figures

    /// Reads the whole log into sessions of `pipeline`; call before the log's writer starts.
    public init(_ journal: WriteAheadLog, pipeline: IngestPipeline) {
        let started = Timestamp.monotonicSeconds()
        let eventsBefore = pipeline.statistics.snapshot().eventsApplied
        var sessions: [String: IngestSession] = [:]
        let recovery = journal.replay { record in
            var session = sessions.removeValue(forKey: record.source)
                ?? pipeline.makeSession(source: record.source, journaled: false)
            Self.apply(record, to: &session)
            sessions[record.source] = session
        }
        self.sessions = Mutex(sessions)
        var figures = Figures()
        figures.records = recovery.records
        figures.bytes = recovery.bytes
        figures.tornBytes = recovery.tornBytes
        figures.tornReason = recovery.tornReason
        figures.events = pipeline.statistics.snapshot().eventsApplied - eventsBefore
        figures.seconds = Timestamp.monotonicSeconds() - started
        self.figures = figures
    }

    /// Does again what `record` says the session did.
    static func apply(_ record: JournalRecord, to session: inout IngestSession) {
        session.permit = record.flags & JournalRecord.restricted != 0 ? NativeLinePermit() : nil
        defer { session.permit = nil }
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
