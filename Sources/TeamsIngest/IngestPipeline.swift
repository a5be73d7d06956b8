import Logging
import Synchronization
import TeamsDomain

/// Lines in, event batches out: reads lines, decodes them, hands events to a sink in batches, counts
/// everything in ``statistics`` and logs rejections (rate-limited).
///
/// The pipeline itself is shared and thread-safe; each reading thread feeds its own ``IngestSession``
/// (made with ``makeSession(source:)``), which owns the mutable decoding state.
public final class IngestPipeline: Sendable {
    /// Receives decoded events in input order, from the reading thread. Batches end at ``batchSize``
    /// events or at the end of a read chunk, whichever comes first.
    public typealias Sink = @Sendable ([Event]) -> Void

    public let statistics: IngestStatistics
    public let maxLineLength: Int
    public let batchSize: Int
    /// Where rejections (rate-limited) and source events (opened, rotated, finished) are logged.
    public let logger: Logger
    /// Where batches go; says which events a registry cap refused (none for a plain ``Sink``).
    let deliver: @Sendable ([Event]) -> [ChangeSet.Refusal]
    /// Where live sessions journal what they do (see ``WriteAheadLog``); `nil` keeps nothing.
    public let journal: WriteAheadLog?
    let makeDecoder: @Sendable () -> any LineDecoder
    let rejectLog: RejectLogLimiter
    /// Held shared by each journaled operation of a session, exclusively by a snapshot (see ``JournalGate``).
    public let gate = JournalGate()
    private let slots = Mutex<[String: SessionSlot]>([:])

    /// - Parameters:
    ///   - maxLineLength: longer lines are rejected as `too_long` (default 64 KiB).
    ///   - batchSize: most events per sink call.
    ///   - decoder: makes one decoder per session (the native format by default).
    ///   - sink: where the events go (normally the registry's single writer).
    public convenience init(statistics: IngestStatistics = IngestStatistics(),
                            maxLineLength: Int = 65_536,
                            batchSize: Int = 1024,
                            logger: Logger = Logger(label: "teamsview.ingest"),
                            decoder: @escaping @Sendable () -> any LineDecoder = { NativeDecoder() },
                            journal: WriteAheadLog? = nil,
                            sink: @escaping Sink) {
        self.init(statistics: statistics, maxLineLength: maxLineLength, batchSize: batchSize, logger: logger,
                  decoder: decoder, journal: journal, deliver: { sink($0); return [] })
    }

    /// A pipeline applying its batches to `store`, then handing them to `then` (reports...). Events the
    /// store refuses at a registry cap (`--max-workers`, `--max-calls-per-worker`) are rejections of the
    /// lines they came from: counted under ``IngestReject/Category/registryCap``, and listed in a POST's answer.
    public convenience init(statistics: IngestStatistics = IngestStatistics(),
                            maxLineLength: Int = 65_536,
                            batchSize: Int = 1024,
                            logger: Logger = Logger(label: "teamsview.ingest"),
                            decoder: @escaping @Sendable () -> any LineDecoder = { NativeDecoder() },
                            journal: WriteAheadLog? = nil,
                            store: RegistryStore,
                            then: @escaping Sink = { _ in }) {
        self.init(statistics: statistics, maxLineLength: maxLineLength, batchSize: batchSize, logger: logger,
                  decoder: decoder, journal: journal, deliver: { events in
                      let refusals = store.apply(events).refusals
                      then(events)
                      return refusals
                  })
    }

    private init(statistics: IngestStatistics, maxLineLength: Int, batchSize: Int, logger: Logger,
                 decoder: @escaping @Sendable () -> any LineDecoder, journal: WriteAheadLog?,
                 deliver: @escaping @Sendable ([Event]) -> [ChangeSet.Refusal]) {
        precondition(batchSize > 0, "batchSize must be positive")
        self.statistics = statistics
        self.maxLineLength = maxLineLength
        self.batchSize = batchSize
        self.makeDecoder = decoder
        self.logger = logger
        self.rejectLog = RejectLogLimiter(logger: logger)
        self.deliver = deliver
        self.journal = journal
    }

    /// Decoding state for one source; use it from one thread at a time. It journals to ``journal``
    /// unless `journaled` is false (replays, one-shot bodies).
    public func makeSession(source: String, journaled: Bool = true) -> IngestSession {
        var session = IngestSession(pipeline: self, source: source)
        if journaled { session.journal = journal }
        return session
    }

    /// Gives `session` a long-lived home that saved floors read (see ``SessionSlot``); it replaces an
    /// earlier slot of the same source.
    public func slot(for session: sending IngestSession) -> SessionSlot {
        let slot = SessionSlot(session, gate: gate)
        slots.withLock { $0[slot.source] = slot }
        return slot
    }

    /// Runs `body` with the gate held exclusively (no session operation under way), giving it the memory
    /// of every slot's session: the snapshot's consistent cut.
    public func whileNoOperationRuns<T>(_ body: ([SessionMemory]) throws -> T) rethrows -> T {
        try gate.exclusive {
            let all = slots.withLock { Array($0.values) }
            return try body(all.map { $0.memoryWhileExclusive() }.sorted { $0.source < $1.source })
        }
    }

    /// A fresh session of `source` (not journaled) that goes on from a saved memory.
    public func makeSession(restoring memory: SessionMemory) -> IngestSession {
        var session = makeSession(source: memory.source, journaled: false)
        session.restore(memory)
        return session
    }

    /// Ingests a whole request body: NDJSON lines, or a JSON array whose elements are events.
    ///
    /// Events go to the sink as for any source. The result lists at most `maxErrors` rejections.
    public func ingest(body: [UInt8], source: String, maxErrors: Int = 100) -> IngestResult {
        body.withUnsafeBufferPointer { ingest(buffer: $0, source: source, maxErrors: maxErrors) }
    }

    /// Ingests an in-memory buffer: NDJSON lines, or a JSON array whose elements are events.
    /// Also the fast path for benchmarks: one session, no copies of the buffer.
    public func ingest(buffer: UnsafeBufferPointer<UInt8>, source: String, maxErrors: Int = 100) -> IngestResult {
        var session = makeSession(source: source, journaled: false)
        session.collectErrors(limit: maxErrors)
        session.feed(body: buffer)
        session.finish()
        return session.result
    }
}

/// What a whole-body ingest did.
public struct IngestResult: Sendable, Hashable {
    /// One rejected line (or array element).
    public struct LineError: Sendable, Hashable {
        /// 1-based line number (element number for an array body).
        public var line: Int
        public var reason: String
        public var category: IngestReject.Category
    }

    /// Lines that decoded into events.
    public var accepted = 0
    public var rejected = 0
    /// Blank lines skipped.
    public var skipped = 0
    /// Events handed to the sink.
    public var events = 0
    /// The first rejections (bounded); `rejected` has the full count.
    public var errors: [LineError] = []
}
