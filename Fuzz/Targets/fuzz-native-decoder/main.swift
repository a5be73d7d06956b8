// The native v1 line decoder. Beyond "does not crash": an accepted line yields an event whose ids are
// non-empty and whose text fits the limits; a rejection has a short reason and is an `encoding` rejection
// exactly when the line is not UTF-8; decoding is repeatable with the reused tape; and the Twilio decoder,
// which reads native lines from its own parse, yields the same event.
import FuzzCheck
import TeamsDomain
import TeamsIngest

let limits = NativeLimits(maxClockSkew: 86_400)
nonisolated(unsafe) var native = NativeDecoder(limits: limits)
nonisolated(unsafe) var twilio = TwilioDecoder(configuration: .init(reorderWindow: 0, memory: 16, limits: limits))

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNativeDecoder(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let line = fuzzInput(data, size)
    let first = native.decode(line: line)
    let second = native.decode(line: line)
    // Reasons may differ: a far-future time is reported with its distance from the clock, which moves.
    invariant(first.map { $0 } == second.map { $0 } || (try? first.get()) == nil && (try? second.get()) == nil,
              "decoding the same line twice differs")
    if case .failure(let a) = first, case .failure(let b) = second {
        invariant(a.category == b.category, "decoding the same line twice: \(a.category) then \(b.category)")
    }
    let utf8 = String(validating: line, as: UTF8.self) != nil
    switch first {
    case .failure(let reject):
        invariant(!reject.reason.isEmpty, "empty rejection reason")
        invariant(reject.reason.utf8.count <= 400, "rejection reason of \(reject.reason.utf8.count) bytes")
        invariant((reject.category == .encoding) == !utf8, "category \(reject.category) for a line that is UTF-8: \(utf8)")
    case .success(nil):
        invariant(line.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }, "nil event for a non-blank line")
    case .success(let event?):
        invariant(utf8, "accepted a line that is not UTF-8")
        check(event)
        // A line that also names a Twilio format's marker is read as that format by the Twilio decoder.
        let keys = (try? JSONValue.parse(Array(line)))?.object?.keys ?? []
        guard !keys.contains(where: { ["specversion", "EventType", "StatusCallbackEvent"].contains($0) }) else { return 0 }
        var events: [Event] = []
        if let reject = twilio.decode(line: line, into: &events) {
            invariant(false, "native decoder accepts, Twilio decoder rejects: \(reject)")
        }
        invariant(events == [event], "Twilio decoder read \(events), native \(event)")
    }
    return 0
}

func check(_ event: Event) {
    func id(_ s: String, _ what: String) {
        invariant(!s.isEmpty, "empty \(what)")
        invariant(s.utf8.count <= limits.maxIDBytes, "\(what) of \(s.utf8.count) bytes")
    }
    func text(_ s: String?, _ what: String) {
        if let s { invariant(s.utf8.count <= limits.maxTextBytes, "\(what) of \(s.utf8.count) bytes") }
    }
    if case .heartbeat = event.kind {
        invariant(event.worker == nil, "heartbeat with a worker")
        return
    }
    guard let worker = event.worker else { return invariant(false, "event without a worker: \(event)") }
    id(worker, "worker id")
    switch event.kind {
    case .worker(_, let p):
        text(p.name, "name")
        text(p.team, "team")
        invariant((p.skills?.count ?? 0) <= limits.maxSkills, "too many skills")
        p.skills?.forEach { text($0, "skill") }
        invariant((p.capacity?.count ?? 0) <= limits.maxChannels, "too many channels")
        for (channel, total) in p.capacity ?? [:] {
            invariant(!channel.isEmpty, "empty channel")
            invariant(total >= 0 && total <= limits.maxCapacity, "capacity \(total)")
        }
    case .activity(_, let name, _):
        invariant(!name.isEmpty, "empty activity")
        text(name, "activity")
    case .callStart(_, let s), .callOffer(_, let s):
        id(s.call, "call id")
        text(s.from, "caller")
        text(s.queue, "queue")
    case .call(_, let call, _):
        id(call, "call id")
    case .taskStart(_, let s):
        id(s.task, "task id")
        invariant(!s.channel.isEmpty, "empty channel")
    case .taskEnd(_, let task):
        id(task, "task id")
    case .capacity, .channelAvailability, .workerRemove, .heartbeat:
        break
    }
}
