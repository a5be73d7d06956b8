import TeamsDomain

/// The string fields of a classic TaskRouter callback or a conference callback, from a form body or a
/// JSON object (where Twilio's form fields arrive as strings, but numbers and booleans are tolerated).
struct TwilioFields {
    var values: [String: String]
    /// Keys whose JSON value was an object or array: reading one is a schema error, ignoring it is not.
    var nested: Set<String> = []
    let limits: NativeLimits

    init(values: [String: String], limits: NativeLimits) {
        self.values = values
        self.limits = limits
    }

    /// Collects the members of a JSON object; the last of a repeated key wins only if the values agree.
    init(object: JSONNode, limits: NativeLimits) throws(IngestReject) {
        self.limits = limits
        values = [:]
        values.reserveCapacity(object.count)
        for (key, value) in object.members {
            guard let name = key.string else { continue }
            let text: String?
            switch value.kind {
            case .string: text = value.string
            case .number: text = value.numberText
            case .bool: text = value.bool! ? "true" : "false"
            case .null: text = nil
            case .array, .object:
                nested.insert(name)
                text = nil
            }
            guard let text else { continue }
            if let old = values.updateValue(text, forKey: name), old != text {
                throw IngestReject(.schema, "duplicate field \"\(name.prefix(64))\"")
            }
        }
    }

    func has(_ name: String) -> Bool { values[name] != nil || nested.contains(name) }

    func optional(_ name: String, max: Int? = nil) throws(IngestReject) -> String? {
        if nested.contains(name) { throw IngestReject(.schema, "field \"\(name)\" must be a string") }
        guard let v = values[name] else { return nil }
        let limit = max ?? limits.maxTextBytes
        guard v.utf8.count <= limit else { throw IngestReject(.schema, "field \"\(name)\" is longer than \(limit) bytes") }
        return v
    }

    /// A sid: optional, but never empty when given.
    func sid(_ name: String) throws(IngestReject) -> String? {
        guard let v = try optional(name, max: limits.maxIDBytes) else { return nil }
        guard !v.isEmpty else { throw IngestReject(.schema, "field \"\(name)\" must not be empty") }
        return v
    }

    func required(_ name: String, max: Int? = nil) throws(IngestReject) -> String {
        guard let v = try optional(name, max: max) else { throw IngestReject(.schema, "missing field \"\(name)\"") }
        guard !v.isEmpty else { throw IngestReject(.schema, "field \"\(name)\" must not be empty") }
        return v
    }

    func integer(_ name: String, range: ClosedRange<Int64>) throws(IngestReject) -> Int64? {
        guard let v = try optional(name) else { return nil }
        guard let n = Int64(v), range.contains(n) else {
            throw IngestReject(.schema, "field \"\(name)\" must be an integer \(range.lowerBound)...\(range.upperBound)")
        }
        return n
    }

    func flag(_ name: String) throws(IngestReject) -> Bool? {
        guard let v = try optional(name) else { return nil }
        switch v.lowercased() {
        case "true": return true
        case "false": return false
        default: throw IngestReject(.schema, "field \"\(name)\" must be true or false")
        }
    }
}

/// Classic TaskRouter event callbacks (PascalCase fields, every value a string).
enum ClassicReader {
    static func read(_ f: TwilioFields, state: inout TwilioReadState) throws(IngestReject) -> TaskRouterRecord {
        let type = try f.required("EventType")
        let at: Timestamp
        if let ms = try f.integer("TimestampMs", range: 0...Int64.max / 1_000) {
            at = Timestamp(microseconds: ms * 1_000)
        } else if let s = try f.integer("Timestamp", range: 0...Int64.max / 1_000_000) {
            // Documented as epoch seconds; a value only milliseconds can be is read as milliseconds.
            at = Timestamp.epoch(s)
        } else {
            throw IngestReject(.schema, "missing field \"Timestamp\" (or \"TimestampMs\")")
        }
        let workerSid = try f.sid("WorkerSid")
        let taskSid = try f.sid("TaskSid")
        let reservationSid = try f.sid("ReservationSid")
        // No id in classic callbacks: the type, the resource and the millisecond name one delivery.
        let resource = try f.sid("ResourceSid") ?? reservationSid ?? taskSid ?? workerSid ?? ""
        let r = TaskRouterRecord(type: TaskRouterType(type), at: at, key: "classic|\(type)|\(resource)|\(at.microseconds)")
        r.workerSid = workerSid
        r.taskSid = taskSid
        r.reservationSid = reservationSid
        r.workerName = try f.optional("WorkerName")
        let activityName = try f.optional("WorkerActivityName")
        if let activityName { r.activityName = activityName } else { r.activityName = try f.optional("ActivityName") }
        r.activityAvailable = try f.flag("ActivityAvailable")
        r.channelCapacity = try f.integer("WorkerChannelCapacity", range: 0...Int64(f.limits.maxCapacity)).map(Int.init)
        r.taskChannel = try f.optional("TaskChannelUniqueName")
        r.taskChannelSid = try f.sid("TaskChannelSid")
        if let v = try f.optional("WorkerChannelAvailable") {
            switch v.lowercased() {
            case "true", "1": r.channelAvailable = true
            case "false", "0": r.channelAvailable = false
            default: throw IngestReject(.schema, "field \"WorkerChannelAvailable\" must be true or false")
            }
        }
        r.taskQueue = try f.optional("TaskQueueName")
        if let text = try f.optional("WorkerAttributes", max: 1 << 16) {
            r.worker = try state.workers.attributes(of: workerSid, text: text, field: "WorkerAttributes")
        }
        if let text = try f.optional("TaskAttributes", max: 1 << 16), r.type.readsTaskAttributes {
            r.task = try state.taskAttributes(text: text, field: "TaskAttributes")
        }
        // PascalCase spellings of Event Streams' transfer fields (not verified on classic callbacks).
        let transfer = TransferFields(sid: try f.sid("TaskTransferSid"), type: try f.optional("TransferType"),
                                      mode: try f.optional("TransferMode"), status: try f.optional("TransferStatus"),
                                      initiatingWorker: try f.sid("TransferInitiatingWorkerSid"),
                                      initiatingReservation: try f.sid("TransferInitiatingReservationSid"))
        if !transfer.isEmpty { r.transfer = transfer }
        return r
    }
}

/// Voice conference status callbacks.
enum ConferenceReader {
    static func read(_ f: TwilioFields) throws(IngestReject) -> ConferenceRecord {
        let event = try f.required("StatusCallbackEvent")
        let conference = try f.required("ConferenceSid", max: f.limits.maxIDBytes)
        let stamp = try f.required("Timestamp")
        guard let at = RFC2822.parse(stamp) else {
            throw IngestReject(.schema, "field \"Timestamp\" is not an RFC 2822 date: \"\(stamp.prefix(64))\"")
        }
        let sequence = try f.integer("SequenceNumber", range: 0...Int64.max) ?? 0
        let call = try f.sid("CallSid")
        let label = try f.optional("ParticipantLabel")
        let friendlyName = try f.optional("FriendlyName", max: f.limits.maxIDBytes)
        if event.hasPrefix("participant-"), call == nil {
            throw IngestReject(.schema, "missing field \"CallSid\" for \(event.prefix(64))")
        }
        return ConferenceRecord(event: event, at: at, conferenceSid: conference, callSid: call, label: label,
                                friendlyName: friendlyName, sequence: sequence, key: "conference|\(conference)|\(call ?? "")|\(event)|\(sequence)|\(at.microseconds)")
    }
}
