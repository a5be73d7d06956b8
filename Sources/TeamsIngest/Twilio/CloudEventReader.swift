#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TeamsDomain

/// Reads one Event Streams CloudEvent (TaskRouter product) from a parsed JSON object.
///
/// Envelope: `specversion`, `type` (`com.twilio.taskrouter.<eventtype>`), `id` (required: it is the
/// de-duplication key), `time`, `data.payload`. The payload's `timestamp` is the event time (RFC 3339,
/// or epoch milliseconds as a number); the envelope's `time` stands in when it is absent.
struct CloudEventReader {
    static let taskRouterPrefix = "com.twilio.taskrouter."

    let limits: NativeLimits

    /// What one CloudEvent is to teamsview.
    enum Outcome {
        case record(TaskRouterRecord)
        /// A CloudEvent of another product (`com.twilio.voice...`): counted, not an error.
        case otherProduct(type: String)
        /// A conference participant status callback delivered through Event Streams.
        case conference(ConferenceRecord)
    }

    /// Event Streams types of conference participant callbacks (`Voice.WebhookEvent` schema); both spellings
    /// are in use. The callback's form fields sit in `data.request.parameters`.
    static let conferenceTypes: Set<String> = [
        "com.twilio.voice.status-callback.conference.participant.updated",
        "com.twilio.voice.status-callback.conference-participant.updated",
    ]

    /// The conference callback inside an Event Streams voice CloudEvent, or `.otherProduct`.
    func other(_ type: String, data: JSONNode?) throws(IngestReject) -> Outcome {
        guard Self.conferenceTypes.contains(type) else { return .otherProduct(type: type) }
        guard let data, data.kind == .object else { throw IngestReject(.schema, "CloudEvent missing object \"data\"") }
        guard let parameters = data["request"]?["parameters"], parameters.kind == .object else {
            throw IngestReject(.schema, "conference CloudEvent missing object \"data.request.parameters\"")
        }
        return .conference(try ConferenceReader.read(TwilioFields(object: parameters, limits: limits)))
    }

    func read(_ event: JSONNode, state: inout TwilioReadState) throws(IngestReject) -> Outcome {
        guard event.kind == .object else { throw IngestReject(.schema, "CloudEvent is not a JSON object (found \(event.kind))") }
        var typeNode: JSONNode?
        var idNode: JSONNode?
        var timeNode: JSONNode?
        var dataNode: JSONNode?
        for (key, value) in event.members {
            if key.is("type") { typeNode = value }
            else if key.is("id") { idNode = value }
            else if key.is("time") { timeNode = value }
            else if key.is("data") { dataNode = value }
        }
        guard let typeNode else { throw IngestReject(.schema, "CloudEvent missing field \"type\"") }
        guard let typeRaw = typeNode.rawStringBytes else { throw mistyped("type", typeNode, "a string") }
        guard typeRaw.count <= limits.maxTextBytes else {
            throw IngestReject(.schema, "field \"type\" is longer than \(limits.maxTextBytes) bytes")
        }
        let prefix = Self.taskRouterPrefix.utf8.count
        let eventType: TaskRouterType
        if !typeNode.hasEscapes {
            // The common case, read from the bytes: a known type builds no string at all.
            guard typeRaw.count > prefix, typeRaw.starts(with: Self.taskRouterPrefix.utf8) else {
                return try other(typeNode.string!, data: dataNode)
            }
            eventType = TaskRouterType(bytes: UnsafeBufferPointer(rebasing: typeRaw[prefix...]))
        } else {
            let type = typeNode.string!
            guard type.hasPrefix(Self.taskRouterPrefix), type.utf8.count > prefix else { return try other(type, data: dataNode) }
            eventType = TaskRouterType(String(type.dropFirst(Self.taskRouterPrefix.count)))
        }
        guard let idNode else { throw IngestReject(.schema, "CloudEvent missing field \"id\"") }
        let id = try text("id", idNode, max: limits.maxIDBytes)
        guard !id.isEmpty else { throw IngestReject(.schema, "CloudEvent field \"id\" must not be empty") }
        guard let dataNode else { throw IngestReject(.schema, "CloudEvent missing field \"data\"") }
        guard dataNode.kind == .object else { throw mistyped("data", dataNode, "an object") }
        guard let payload = dataNode["payload"] else { throw IngestReject(.schema, "CloudEvent missing field \"data.payload\"") }
        guard payload.kind == .object else { throw mistyped("data.payload", payload, "an object") }

        let envelopeTime: Timestamp? = try timeNode.flatMap { (n) throws(IngestReject) -> Timestamp? in
            n.isNull ? nil : try timestamp("time", n)
        }
        let record = TaskRouterRecord(type: eventType, at: envelopeTime ?? Timestamp(microseconds: 0), key: id)
        var haveTime = envelopeTime != nil
        var workerAttributes: JSONNode?
        var taskAttributes: JSONNode?
        for (key, value) in payload.members where !value.isNull {
            guard let raw = key.rawStringBytes, !key.hasEscapes, let base = raw.baseAddress else { continue }
            let n = raw.count
            switch n {
            case 9:
                if bytesEqual(base, n, "eventtype") {
                    // The envelope type is authoritative; the payload's must agree when present.
                    guard let t = value.rawStringBytes else { throw mistyped("eventtype", value, "a string") }
                    let name = record.type.name
                    guard value.hasEscapes ? value.string == name : t.elementsEqual(name.utf8) else {
                        throw IngestReject(.schema, "payload eventtype \"\(value.string!.prefix(64))\" disagrees with type \"\(name.prefix(64))\"")
                    }
                } else if bytesEqual(base, n, "timestamp") {
                    record.at = try timestamp("timestamp", value)
                    haveTime = true
                }
            case 8:
                if bytesEqual(base, n, "task_sid") { record.taskSid = try sid("task_sid", value, &state.interner) }
            case 10:
                if bytesEqual(base, n, "worker_sid") { record.workerSid = try sid("worker_sid", value, &state.interner) }
            case 11:
                if bytesEqual(base, n, "worker_name") { record.workerName = try name("worker_name", value, &state.interner) }
            case 15:
                if bytesEqual(base, n, "task_attributes") { taskAttributes = value }
                else if bytesEqual(base, n, "task_queue_name") { record.taskQueue = try name("task_queue_name", value, &state.interner) }
                else if bytesEqual(base, n, "reservation_sid") { record.reservationSid = try sid("reservation_sid", value, &state.interner) }
            case 17:
                if bytesEqual(base, n, "worker_attributes") { workerAttributes = value }
            case 20:
                if bytesEqual(base, n, "worker_activity_name") {
                    record.activityName = try name("worker_activity_name", value, &state.interner)
                }
            case 23:
                if bytesEqual(base, n, "worker_channel_capacity") {
                    record.channelCapacity = try capacity("worker_channel_capacity", value)
                }
            case 24:
                if bytesEqual(base, n, "task_channel_unique_name") {
                    record.taskChannel = try name("task_channel_unique_name", value, &state.interner)
                } else if bytesEqual(base, n, "worker_channel_available") {
                    record.channelAvailable = try availability("worker_channel_available", value)
                }
            case 16:
                if bytesEqual(base, n, "task_channel_sid") { record.taskChannelSid = try sid("task_channel_sid", value, &state.interner) }
            case 13:
                if bytesEqual(base, n, "activity_name") { record.activityName = try name("activity_name", value, &state.interner) }
            case 18:
                if bytesEqual(base, n, "activity_available") { record.activityAvailable = try flag("activity_available", value) }
            default:
                break
            }
            if n > 9, raw[0] == UInt8(ascii: "t"), Self.isPresent(value),
               bytesEqual(base, 9, "transfer_") || (n == 17 && bytesEqual(base, n, "task_transfer_sid")) {
                try readTransfer(key: raw, value, into: record, &state.interner)
            }
        }
        guard haveTime else { throw IngestReject(.schema, "CloudEvent has neither data.payload.timestamp nor time") }
        if let workerAttributes {
            record.worker = try state.workers.attributes(of: record.workerSid, workerAttributes, field: "worker_attributes")
        }
        if let taskAttributes {
            guard taskAttributes.kind == .string else {
                throw mistyped("task_attributes", taskAttributes, "a string holding JSON")
            }
            if record.type.readsTaskAttributes {
                record.task = try state.taskAttributes(taskAttributes, field: "task_attributes")
            }
        }
        return .record(record)
    }

    /// One of the transfer fields (rare: only on transfer events and some reservation events).
    func readTransfer(key raw: UnsafeBufferPointer<UInt8>, _ value: JSONNode, into record: TaskRouterRecord,
                      _ interner: inout StringInterner) throws(IngestReject) {
        let key = String(decoding: raw, as: UTF8.self)
        var t = record.transfer ?? TransferFields()
        switch key {
        case "task_transfer_sid": t.sid = try sid(key, value, &interner)
        case "transfer_type": t.type = try name(key, value, &interner)
        case "transfer_mode": t.mode = try name(key, value, &interner)
        case "transfer_status": t.status = try name(key, value, &interner)
        case "transfer_initiating_worker_sid": t.initiatingWorker = try sid(key, value, &interner)
        case "transfer_initiating_reservation_sid": t.initiatingReservation = try sid(key, value, &interner)
        default: return
        }
        record.transfer = t
    }

    /// A `transfer_*` value that says something: not null, not an empty string.
    static func isPresent(_ n: JSONNode) -> Bool {
        switch n.kind {
        case .null: return false
        case .string: return (n.stringByteCount ?? 0) > 0
        case .bool: return n.bool == true
        default: return true
        }
    }

    // MARK: Typed fields

    func mistyped(_ field: String, _ n: JSONNode, _ expected: String) -> IngestReject {
        IngestReject(.schema, "field \"\(field)\" must be \(expected) (found \(n.kind))")
    }

    func text(_ field: String, _ n: JSONNode, max: Int) throws(IngestReject) -> String {
        guard let size = n.stringByteCount else { throw mistyped(field, n, "a string") }
        guard size <= max else { throw IngestReject(.schema, "field \"\(field)\" is longer than \(max) bytes") }
        return n.string!
    }

    /// A sid, shared with earlier events naming the same one.
    func sid(_ field: String, _ n: JSONNode, _ interner: inout StringInterner) throws(IngestReject) -> String {
        let s = try name(field, n, &interner, max: limits.maxIDBytes)
        guard !s.isEmpty else { throw IngestReject(.schema, "field \"\(field)\" must not be empty") }
        return s
    }

    /// A text field whose few distinct values repeat (names, queues, channels): shared, not rebuilt.
    func name(_ field: String, _ n: JSONNode, _ interner: inout StringInterner, max: Int? = nil) throws(IngestReject) -> String {
        let max = max ?? limits.maxTextBytes
        guard let raw = n.rawStringBytes, !n.hasEscapes else { return try text(field, n, max: max) }
        guard raw.count <= max else { throw IngestReject(.schema, "field \"\(field)\" is longer than \(max) bytes") }
        return interner.intern(raw)
    }

    func timestamp(_ field: String, _ n: JSONNode) throws(IngestReject) -> Timestamp {
        if n.kind == .number {
            guard let v = n.int64, v >= 0 else { throw IngestReject(.schema, "field \"\(field)\" must be epoch milliseconds") }
            return Timestamp.epoch(v)
        }
        guard n.kind == .string, let raw = n.rawStringBytes else { throw mistyped(field, n, "an RFC 3339 timestamp") }
        let t: Timestamp?
        if n.hasEscapes { t = RFC3339.parse(n.string!) } else { t = RFC3339.parse(raw) }
        guard let t else { throw IngestReject(.schema, "field \"\(field)\" is not an RFC 3339 timestamp") }
        return t
    }

    func capacity(_ field: String, _ n: JSONNode) throws(IngestReject) -> Int {
        let v: Int64?
        switch n.kind {
        case .number: v = n.int64
        case .string: v = n.string.flatMap { Int64($0) }
        default: throw mistyped(field, n, "an integer")
        }
        guard let v, v >= 0, v <= limits.maxCapacity else {
            throw IngestReject(.schema, "field \"\(field)\" must be an integer 0...\(limits.maxCapacity)")
        }
        return Int(v)
    }

    /// A channel availability: a boolean, or 0 / 1 as Event Streams' schema types it.
    func availability(_ field: String, _ n: JSONNode) throws(IngestReject) -> Bool {
        if n.kind == .number, let v = n.int64, v == 0 || v == 1 { return v == 1 }
        return try flag(field, n)
    }

    func flag(_ field: String, _ n: JSONNode) throws(IngestReject) -> Bool {
        if let b = n.bool { return b }
        if n.stringEquals("true") { return true }
        if n.stringEquals("false") { return false }
        throw mistyped(field, n, "true or false")
    }
}

extension JSONNode {
    /// Whether this object key is `literal` (escaped keys compared after decoding).
    @inline(__always)
    func `is`(_ literal: StaticString) -> Bool { stringEquals(literal) }
}

/// Parsed worker attributes by worker, so the same attribute string is parsed once, not per event:
/// every TaskRouter event repeats the worker's attributes.
struct WorkerAttributeCache {
    private var entries: BoundedMap<SidKey, (raw: [UInt8], parsed: WorkerAttributes)>

    init(capacity: Int) { entries = BoundedMap(capacity: capacity) }

    mutating func attributes(of worker: String?, _ node: JSONNode, field: String) throws(IngestReject) -> WorkerAttributes {
        guard let raw = node.rawStringBytes else {
            throw IngestReject(.schema, "field \"\(field)\" must be a string holding JSON (found \(node.kind))")
        }
        let key = worker.map(SidKey.init)
        if let key, let cached = entries[key], Self.same(cached.raw, raw) { return cached.parsed }
        let parsed = try TwilioAttributes.worker(node.string!, field: field)
        if let key { entries[key] = (Array(raw), parsed) }
        return parsed
    }

    private static func same(_ a: [UInt8], _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        guard let q = b.baseAddress else { return true }
        return a.withUnsafeBufferPointer { memcmp($0.baseAddress!, q, b.count) == 0 }
    }

    /// The same for attributes already decoded to a string (classic callbacks).
    mutating func attributes(of worker: String?, text: String, field: String) throws(IngestReject) -> WorkerAttributes {
        // Decoded text and escaped JSON bytes are different spellings: keep them under different keys.
        let key = worker.map { SidKey("\u{0}" + $0) }
        let raw = Array(text.utf8)
        if let key, let cached = entries[key], cached.raw == raw { return cached.parsed }
        let parsed = try TwilioAttributes.worker(text, field: field)
        if let key { entries[key] = (raw, parsed) }
        return parsed
    }
}
