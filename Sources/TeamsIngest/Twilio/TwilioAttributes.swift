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
    static func task(_ text: String, field: String, tape: inout JSONTape) throws(IngestReject) -> TaskAttributes {
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
                for (key, value) in root.members {
                    if key.is("call_sid") { result.callSid = value.string }
                    else if key.is("worker_call_sid") { result.workerCallSid = value.string }
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
                        result.conferenceSid = value["sid"]?.string
                        if let participants = value["participants"] {
                            result.customerCallSid = participants["customer"]?.string
                            result.workerParticipantCallSid = participants["worker"]?.string
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
