#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization
import TeamsDomain

/// One long-lived ingest session that many request handlers feed in turn (`POST /ingest`).
///
/// Twilio's feeds need memory across requests (de-duplication, task → worker maps, the reorder
/// buffer), so every POST goes through the same decoder; a lock makes them take turns, and a
/// ticker lets held-back events go when no request comes. The session lives in a ``SessionSlot``, so
/// saved floors keep it.
public final class SharedIngestSession: Sendable {
    private let slot: SessionSlot
    /// Requests (and the ticker) take turns on the session.
    private let turn = Mutex(())
    private let stopped = Mutex(false)
    private let ticker = Mutex<IngestThread?>(nil)

    /// What one body did: totals and the rejections (index within the body, from 0).
    public struct BodyResult: Sendable, Hashable {
        public var accepted: Int
        public var rejected: Int
        public var events: Int
        /// Blank lines skipped.
        public var skipped = 0
        /// The first rejections (at most the session's `maxErrors`), by index; `rejected` counts them all.
        public var errors: [(index: Int, reason: String)]
        /// Why the body could not be written to the write-ahead log (answer 503: it may be sent again,
        /// duplicates are dropped); `nil` when it is on disk or no log is kept.
        public var notWritten: String?

        public static func == (a: BodyResult, b: BodyResult) -> Bool {
            a.accepted == b.accepted && a.rejected == b.rejected && a.events == b.events
                && a.errors.map(\.index) == b.errors.map(\.index) && a.errors.map(\.reason) == b.errors.map(\.reason)
        }

        public func hash(into hasher: inout Hasher) {
            hasher.combine(accepted)
            hasher.combine(rejected)
        }
    }

    private let journal: WriteAheadLog?
    private let maxErrors: Int

    public init(pipeline: IngestPipeline, source: String, maxErrors: Int = 100) {
        var s = pipeline.makeSession(source: source)
        s.collectErrors(limit: maxErrors)
        s.numbersRequests = true
        slot = pipeline.slot(for: s)
        journal = pipeline.journal
        self.maxErrors = maxErrors
    }

    /// Goes on from a session replayed from the write-ahead log (decoder memory, held events).
    public func resume(_ replayed: sending IngestSession) {
        let limit = maxErrors
        let handOver = Mutex<IngestSession?>(replayed)
        turn.withLock { _ in
            slot.run { s in
                guard let replayed = handOver.withLock({ $0.take() }) else { return }
                s = replayed
                s.collectErrors(limit: limit)
                s.numbersRequests = true
            }
        }
    }

    /// Ingests NDJSON lines or a JSON array of events; when `restricted`, only the lines a
    /// ``NativeLinePermit`` lets through (the others are rejected with their reason and counted).
    ///
    /// With a write-ahead log, the body is appended before it is applied and this returns once it is on
    /// disk (requests arriving together share one sync); ``BodyResult/notWritten`` says when it could not be.
    public func ingest(body: [UInt8], restricted: Bool = false) -> BodyResult {
        journaled(.body, body, restricted: restricted)!
    }

    /// Ingests a form-encoded webhook body (a Twilio callback); nil when the decoder takes no forms.
    /// When `restricted`, the form is refused (a restricted credential sends native lines only).
    public func ingest(formBody: [UInt8], restricted: Bool = false) -> BodyResult? {
        journaled(.form, formBody, restricted: restricted)
    }

    /// Appends `payload` (a body or a form) to the log, feeds it, then waits for the disk. While the log
    /// is failing (a full disk), the payload is applied only once it is on disk. Appending and feeding are
    /// one operation of the session's slot, so a snapshot sees both or neither. `nil`: a form the decoder
    /// does not read.
    private func journaled(_ operation: JournalRecord.Operation, _ payload: [UInt8], restricted: Bool) -> BodyResult? {
        let journal = self.journal
        let (result, sequence) = turn.withLock { _ -> (BodyResult?, UInt64?) in
            slot.run { s -> (BodyResult?, UInt64?) in
                let failing = journal?.isFailing ?? false
                s.permit = restricted ? NativeLinePermit() : nil
                let sequence = payload.withUnsafeBufferPointer { s.record(operation, payload: $0) }
                s.permit = nil
                if failing, let journal, let sequence, let why = journal.waitUntilDurable(sequence) {
                    return (BodyResult(accepted: 0, rejected: 0, events: 0, errors: [], notWritten: why), nil)
                }
                return (Self.feed(operation, payload, restricted: restricted, into: &s), failing ? nil : sequence)
            }
        }
        guard var result else { return nil }
        if let journal, let sequence, let why = journal.waitUntilDurable(sequence) {
            result.notWritten = why
        }
        return result
    }

    private static func feed(_ operation: JournalRecord.Operation, _ payload: [UInt8], restricted: Bool,
                             into s: inout IngestSession) -> BodyResult? {
        s.permit = restricted ? NativeLinePermit() : nil
        defer { s.permit = nil }
        let first = s.lineNumber
        if operation == .form {
            guard s.feed(formBody: payload) else { return nil }
        } else {
            payload.withUnsafeBufferPointer { s.feed(body: $0) }
        }
        return result(s.takeResult(), firstLine: first)
    }

    /// Lets due held-back events go; call a few times a second.
    public func tick() {
        turn.withLock { _ in slot.run { $0.tick() } }
    }

    /// Starts a thread that ticks every `interval` until `stop()`.
    public func startTicking(every interval: Duration = .milliseconds(250)) {
        let thread = IngestThread(name: "ingest tick") { [self] in
            while !stopped.withLock({ $0 }) {
                tick()
                let c = interval.components
                var ts = timespec(tv_sec: Int(c.seconds), tv_nsec: Int(c.attoseconds / 1_000_000_000))
                nanosleep(&ts, nil)
            }
        }
        ticker.withLock { $0 = thread }
    }

    /// Stops ticking and lets every held event go.
    public func stop() {
        stopped.withLock { $0 = true }
        ticker.withLock { $0 }?.join()
        turn.withLock { _ in slot.run { $0.finish() } }
    }

    static func result(_ r: IngestResult, firstLine: Int) -> BodyResult {
        // A refusal at a registry cap is known when its batch is applied, after later lines' rejections.
        let errors = r.errors.enumerated().sorted { ($0.element.line, $0.offset) < ($1.element.line, $1.offset) }
        return BodyResult(accepted: r.accepted, rejected: r.rejected, events: r.events, skipped: r.skipped,
                          errors: errors.map { (index: $0.element.line - firstLine - 1, reason: $0.element.reason) })
    }
}
