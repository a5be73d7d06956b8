import Foundation
import TeamsDomain
import TeamsIngest

/// Builders and runners shared by the Twilio tests.
enum TwilioTest {
    static let workerSid = "WK00000000000000000000000000000001"
    static let otherWorkerSid = "WK00000000000000000000000000000002"
    static let taskSid = "WT00000000000000000000000000000001"
    static let conferenceSid = "CF00000000000000000000000000000001"
    static let customerCall = "CA00000000000000000000000000000001"
    static let workerCall = "CA00000000000000000000000000000002"

    static let workerAttributes = #"{"full_name":"Ada Okafor","team_name":"Billing","routing":{"skills":["billing","spanish"]}}"#

    static func voiceAttributes(direction: String = "inbound", extra: [String: Any] = [:]) -> String {
        var a: [String: Any] = [
            "call_sid": customerCall, "from": "+15551230001", "to": "+15559990000", "direction": direction,
            "conference": ["sid": conferenceSid, "participants": ["customer": customerCall, "worker": workerCall]],
        ]
        for (k, v) in extra { a[k] = v }
        return json(a)
    }

    static func json(_ value: Any) -> String {
        let data = try! JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }

    static func time(_ seconds: Double) -> String {
        RFC3339.format(at(seconds))
    }

    /// 2026-11-25T09:00:00Z plus `seconds`.
    static func at(_ seconds: Double) -> Timestamp {
        RFC3339.parse("2026-11-25T09:00:00Z")!.adding(seconds: seconds)
    }

    nonisolated(unsafe) static var nextID = 0

    /// An Event Streams CloudEvent line for a TaskRouter event; `payload` adds or overrides fields
    /// (`NSNull()` removes one).
    static func cloudEvent(_ type: String, at seconds: Double, id: String? = nil, payload: [String: Any] = [:]) -> String {
        json(cloudEventObject(type, at: seconds, id: id, payload: payload))
    }

    static func cloudEventObject(_ type: String, at seconds: Double, id: String? = nil, payload: [String: Any] = [:]) -> [String: Any] {
        var p: [String: Any] = [
            "eventtype": type, "timestamp": time(seconds), "account_sid": "AC1", "workspace_sid": "WS1",
            "worker_sid": workerSid, "worker_name": "ada", "worker_attributes": workerAttributes,
        ]
        if type.hasPrefix("reservation.") || type.hasPrefix("task.") {
            p["task_sid"] = taskSid
            p["task_attributes"] = voiceAttributes()
            p["task_channel_unique_name"] = "voice"
            p["task_queue_name"] = "Billing"
            p["reservation_sid"] = "WR00000000000000000000000000000001"
        }
        if type.hasPrefix("task.") { p["worker_sid"] = nil; p["worker_name"] = nil; p["worker_attributes"] = nil }
        for (k, v) in payload {
            if v is NSNull { p[k] = nil } else { p[k] = v }
        }
        let eventID = id ?? {
            nextID += 1
            return String(format: "EZ%032d", nextID)
        }()
        return [
            "specversion": "1.0", "type": "com.twilio.taskrouter." + type, "source": "/v1/Workspaces/WS1",
            "id": eventID, "time": time(seconds), "datacontenttype": "application/json",
            "data": ["sid": "EV1", "timestamp": time(seconds), "payload": p] as [String: Any],
        ]
    }

    /// A conference status callback as a JSON object line.
    static func conference(_ event: String, at seconds: Double, call: String = customerCall, label: String? = "customer",
                           sequence: Int = 1, conference: String = conferenceSid) -> String {
        json(conferenceObject(event, at: seconds, call: call, label: label, sequence: sequence, conference: conference))
    }

    static func conferenceObject(_ event: String, at seconds: Double, call: String = customerCall, label: String? = "customer",
                                 sequence: Int = 1, conference: String = conferenceSid) -> [String: String] {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        var o: [String: String] = [
            "ConferenceSid": conference, "StatusCallbackEvent": event, "CallSid": call,
            "Timestamp": f.string(from: Date(timeIntervalSince1970: at(seconds).seconds)),
            "SequenceNumber": String(sequence), "AccountSid": "AC1",
            "Hold": event == "participant-hold" ? "true" : "false", "Muted": event == "participant-mute" ? "true" : "false",
        ]
        if let label { o["ParticipantLabel"] = label }
        return o
    }

    /// Decodes lines with a fresh decoder, flushing at the end; fails the caller's expectation on rejects
    /// only through the returned list.
    static func run(_ lines: [String], window: Double = 0,
                    limits: NativeLimits = NativeLimits()) -> (events: [Event], rejects: [IngestReject], decoder: TwilioDecoder) {
        var decoder = TwilioDecoder(configuration: .init(reorderWindow: window, limits: limits))
        var events: [Event] = []
        var rejects: [IngestReject] = []
        for line in lines {
            if let r = decoder.decode(line, into: &events) { rejects.append(r) }
        }
        decoder.flush(into: &events)
        return (events, rejects, decoder)
    }

    /// The events of `lines` without worker profiles (most mapping tests are about the rest).
    static func runKinds(_ lines: [String], window: Double = 0) -> [Event.Kind] {
        let r = run(lines, window: window)
        return r.events.map(\.kind).filter { if case .worker = $0 { return false } else { return true } }
    }

    /// The repository root, found from this file's path.
    static func repoRoot(_ file: String = #filePath) -> URL {
        URL(fileURLWithPath: file).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// The recorded Twilio payloads in the repository's `Tests/Fixtures`.
    static func fixturesDirectory() -> URL {
        repoRoot().appendingPathComponent("Tests/Fixtures")
    }
}

/// A small deterministic random generator (SplitMix64), so property tests can print a failing seed.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
