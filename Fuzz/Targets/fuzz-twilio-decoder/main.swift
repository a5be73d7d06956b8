// The Twilio decoder (Event Streams CloudEvents and batches, classic TaskRouter callbacks, conference
// callbacks, native lines) through the path a POST /ingest body takes: IngestSession.feed(body:) — byte order
// mark, JSON array bodies, line splitting — then the LineDecoder protocol, with a small correlation memory so
// evictions happen. Beyond "does not crash": every event names a non-empty worker, call and task within the
// id limit; the session's counts add up; nothing stays held after the end of input.
import FuzzCheck
import Logging
import Synchronization
import TeamsDomain
import TeamsIngest

let limits = NativeLimits(maxClockSkew: 86_400)
let received = Mutex<[Event]>([])
let logger = Logger(label: "fuzz", factory: { _ in SwiftLogNoOpLogHandler() })

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTwilioDecoder(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let body = fuzzInput(data, size)
    received.withLock { $0.removeAll() }
    // A pipeline per input: its statistics keep what they saw, which libFuzzer's leak check would chase.
    let pipeline = IngestPipeline(
        maxLineLength: 2048, batchSize: 16, logger: logger,
        decoder: { TwilioDecoder(configuration: .init(reorderWindow: 2, memory: 8, limits: limits)) },
        sink: { batch in received.withLock { $0 += batch } })
    var session = pipeline.makeSession(source: "fuzz")
    session.collectErrors(limit: 4)
    session.feed(body: body)
    session.finish()
    invariant(!session.holdsEvents, "events still held after the end of input")
    let r = session.result
    invariant(r.accepted + r.rejected + r.skipped == session.lineNumber,
              "accepted \(r.accepted) + rejected \(r.rejected) + skipped \(r.skipped) != \(session.lineNumber) lines")
    invariant(r.errors.count == min(r.rejected, 4), "\(r.errors.count) errors kept of \(r.rejected)")
    for e in r.errors {
        invariant(e.line >= 1 && e.line <= session.lineNumber, "error on line \(e.line) of \(session.lineNumber)")
        invariant(!e.reason.isEmpty && e.reason.utf8.count <= 400, "rejection reason of \(e.reason.utf8.count) bytes")
    }
    let events = received.withLock { $0 }
    invariant(events.count == r.events, "sink got \(events.count) events, result says \(r.events)")
    for event in events { check(event) }
    received.withLock { $0.removeAll() }
    return 0
}

func check(_ event: Event) {
    func id(_ s: String, _ what: String) {
        invariant(!s.isEmpty, "empty \(what) in \(event)")
        invariant(s.utf8.count <= limits.maxIDBytes, "\(what) of \(s.utf8.count) bytes")
    }
    if case .heartbeat = event.kind { return }
    guard let worker = event.worker else { return invariant(false, "event without a worker: \(event)") }
    id(worker, "worker id")
    switch event.kind {
    case .callStart(_, let s), .callOffer(_, let s): id(s.call, "call id")
    case .call(_, let call, _): id(call, "call id")
    case .taskStart(_, let s):
        id(s.task, "task id")
        invariant(!s.channel.isEmpty, "empty channel in \(event)")
    case .taskEnd(_, let task): id(task, "task id")
    case .capacity(_, let channel, let total):
        invariant(!channel.isEmpty, "empty channel in \(event)")
        invariant(total >= 0 && total <= limits.maxCapacity, "capacity \(total)")
    case .channelAvailability(_, let channel, _): invariant(!channel.isEmpty, "empty channel in \(event)")
    case .worker, .activity, .workerRemove, .heartbeat: break
    }
}
