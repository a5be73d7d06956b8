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

    static func task(_ text: String, field: String) throws(IngestReject) -> TaskAttributes {
        let root = try object(text, field: field)
        var result = TaskAttributes()
        result.callSid = root["call_sid"]?.string
        result.workerCallSid = root["worker_call_sid"]?.string
        result.from = root["from"]?.string ?? root["caller"]?.string
        result.to = root["to"]?.string ?? root["called"]?.string
        result.direction = root["direction"]?.string
        if let conference = root["conference"] {
            result.conferenceSid = conference["sid"]?.string
            result.customerCallSid = conference["participants"]?["customer"]?.string
            result.workerParticipantCallSid = conference["participants"]?["worker"]?.string
        }
        result.transferred = root["transferTargetType"].map { !$0.isNull } ?? false
            || root["transferInfo"].map { !$0.isNull } ?? false
        result.transferredToQueue = root["transferTargetType"]?.string?.lowercased() == "queue"
        return result
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
