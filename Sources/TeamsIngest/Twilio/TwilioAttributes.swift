#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reading Twilio's attribute strings (`worker_attributes`, `task_attributes`: JSON inside a string).
///
/// The string must hold a JSON object, or the event is rejected: a producer sending something else
/// is broken and should hear about it. Inside the object teamsview is lenient: attributes are the
/// customer's free-form data, so a member of an unexpected type is skipped rather than fatal.
enum TwilioAttributes {
    static func worker(_ text: String, field: String) throws(IngestReject) -> WorkerAttributes {
        let root = try object(text, field: field)
        var result = WorkerAttributes()
        result.fullName = root["full_name"]?.string
        result.team = root["team"]?.string ?? root["team_name"]?.string
        if let skills = root["routing"]?["skills"]?.array {
            result.skills = skills.compactMap(\.string)
        }
        return result
    }

    /// Task attributes, read with a reusable tape: they are parsed on the ingest hot path (every
    /// accepted reservation), where building a DOM per event would cost more than the event's own parse.
    static func task(_ text: String, field: String, tape: inout JSONTape, interner: inout StringInterner) throws(IngestReject) -> TaskAttributes {
        var text = text
        // `withUTF8` rethrows untyped errors, so the typed one travels out in a Result.
        let result = text.withUTF8 { (bytes) -> Result<TaskAttributes, IngestReject> in
            do throws(JSONError) {
                try tape.parse(bytes)
            } catch {
                return .failure(IngestReject(.schema, "field \"\(field)\" is not JSON: \(error)"))
            }
            return tape.withRoot(bytes) { (root) -> Result<TaskAttributes, IngestReject> in
                guard root.kind == .object else {
                    return .failure(IngestReject(.schema, "field \"\(field)\" must hold a JSON object (found \(root.kind))"))
                }
                var result = TaskAttributes()
                var caller: String?
                var called: String?
                // Sids are shared with other events' (the mapper's dictionaries then compare by identity).
                func sid(_ n: JSONNode) -> String? {
                    guard let raw = n.rawStringBytes, !n.hasEscapes else { return n.string }
                    return interner.intern(raw)
                }
                for (key, value) in root.members {
                    if key.is("call_sid") { result.callSid = sid(value) }
                    else if key.is("worker_call_sid") { result.workerCallSid = sid(value) }
                    else if key.is("from") { result.from = value.string }
                    else if key.is("caller") { caller = value.string }
                    else if key.is("to") { result.to = value.string }
                    else if key.is("called") { called = value.string }
                    else if key.is("direction") { result.direction = value.string }
                    else if key.is("transferTargetType") {
                        result.transferred = !value.isNull
                        result.transferredToQueue = value.string?.lowercased() == "queue"
                    } else if key.is("transferInfo") { result.transferred = result.transferred || !value.isNull }
                    else if key.is("conference"), value.kind == .object {
                        result.conferenceSid = value["sid"].flatMap(sid)
                        if let participants = value["participants"] {
                            result.customerCallSid = participants["customer"].flatMap(sid)
                            result.workerParticipantCallSid = participants["worker"].flatMap(sid)
                        }
                    }
                }
                if result.from == nil { result.from = caller }
                if result.to == nil { result.to = called }
                return .success(result)
            }
        }
        return try result.get()
    }

    private static func object(_ text: String, field: String) throws(IngestReject) -> JSONValue {
        let value: JSONValue
        do throws(JSONError) {
            value = try JSONValue.parse(text, maxDepth: 16)
        } catch {
            throw IngestReject(.schema, "field \"\(field)\" is not JSON: \(error)")
        }
        guard value.kind == .object else {
            throw IngestReject(.schema, "field \"\(field)\" must hold a JSON object (found \(value.kind))")
        }
        return value
    }
}

/// What reading Twilio events keeps between events: shared strings, parsed attributes, a scratch tape.
struct TwilioReadState {
    var interner: StringInterner
    var workers: WorkerAttributeCache
    var tasks: ParsedValueCache<TaskAttributes>
    /// Native lines' skill lists and capacity maps, by their bytes.
    var profileValues = ProfileValues()
    /// A second tape for attribute strings, read while the decoder's tape still holds the line.
    var tape = JSONTape(maxDepth: 16)

    /// The shared strings and the task cache hold no more than the decoder remembers (`memory`), up to their
    /// own bounds (16,384 strings, 2,048 cached attribute strings).
    init(memory: Int) {
        workers = WorkerAttributeCache(capacity: memory)
        interner = StringInterner(limit: min(1 << 14, memory))
        tasks = ParsedValueCache(slots: min(2048, memory))
    }

    /// `task_attributes` of a CloudEvent: parsed once per distinct attribute string, as every event of
    /// a task repeats the same one (`task.created`, `reservation.created`, `reservation.accepted`...).
    mutating func taskAttributes(_ node: JSONNode, field: String) throws(IngestReject) -> TaskAttributes {
        guard let raw = node.rawStringBytes else {
            throw IngestReject(.schema, "field \"\(field)\" must be a string holding JSON (found \(node.kind))")
        }
        return try tasks.value(of: raw) { () throws(IngestReject) in
            try TwilioAttributes.task(node.string!, field: field, tape: &tape, interner: &interner)
        }
    }

    /// `TaskAttributes` of a classic callback (already decoded text).
    mutating func taskAttributes(text: String, field: String) throws(IngestReject) -> TaskAttributes {
        try TwilioAttributes.task(text, field: field, tape: &tape, interner: &interner)
    }
}
