import TeamsDomain

/// One Twilio event, read and validated but not yet mapped to domain events.
///
/// Mapping needs correlation state (which worker holds a task, which task a conference belongs to)
/// that depends on the order events are mapped in; keeping records until they are sorted by time
/// makes that state, and so the output, the same whatever order Twilio delivered them in.
///
/// Records are classes: they pass through staging, the de-duplication check, the reorder heap and the
/// mapper, and copying a reference is far cheaper than copying two dozen optional strings each time.
enum TwilioRecord {
    case taskRouter(TaskRouterRecord)
    case conference(ConferenceRecord)

    var at: Timestamp {
        switch self {
        case .taskRouter(let r): return r.at
        case .conference(let r): return r.at
        }
    }
}

/// A TaskRouter event from Event Streams (snake_case payload) or a classic callback (PascalCase).
final class TaskRouterRecord {
    /// The event type without prefix, e.g. `reservation.accepted`.
    var type: String
    var at: Timestamp
    /// Unique per delivery source: the CloudEvent `id`, or a key derived from a classic callback.
    /// Orders events with equal timestamps, so sorting is a total, delivery-independent order.
    var key: String
    var workerSid: String?
    var workerName: String?
    var worker: WorkerAttributes?
    var activityName: String?
    var activityAvailable: Bool?
    var channelCapacity: Int?
    var taskSid: String?
    var task: TaskAttributes?
    var taskChannel: String?
    var taskQueue: String?
    var reservationSid: String?
    /// A `transfer_*` field said this assignment is a transfer.
    var transferred: Bool = false
    /// `transfer_type` said the transfer went to a queue, not to a worker.
    var transferredToQueue: Bool = false

    init(type: String, at: Timestamp, key: String) {
        self.type = type
        self.at = at
        self.key = key
    }

    /// Whether mapping reads `task_attributes` for this event type (others skip parsing them).
    static func readsTaskAttributes(_ type: String) -> Bool {
        switch type {
        case "reservation.accepted", "reservation.created", "task.created", "task.updated": return true
        default: return false
        }
    }
}

/// A Voice conference status callback (participant hold, mute, join, leave...).
final class ConferenceRecord {
    /// `StatusCallbackEvent`, e.g. `participant-hold`.
    let event: String
    let at: Timestamp
    let conferenceSid: String
    let callSid: String?
    let label: String?
    /// `SequenceNumber`: orders callbacks of one conference within the second `Timestamp` resolves to.
    let sequence: Int64
    let key: String

    init(event: String, at: Timestamp, conferenceSid: String, callSid: String?, label: String?, sequence: Int64, key: String) {
        self.event = event
        self.at = at
        self.conferenceSid = conferenceSid
        self.callSid = callSid
        self.label = label
        self.sequence = sequence
        self.key = key
    }
}

/// What teamsview reads from a worker's attributes JSON.
struct WorkerAttributes: Sendable, Hashable {
    var fullName: String?
    var team: String?
    var skills: [String]?
}

/// What teamsview reads from a task's attributes JSON.
struct TaskAttributes: Sendable, Hashable {
    var callSid: String?
    var workerCallSid: String?
    var from: String?
    var to: String?
    var direction: String?
    var conferenceSid: String?
    var customerCallSid: String?
    var workerParticipantCallSid: String?
    /// Flex marks a transferred task's attributes (`transferTargetType`, `transferInfo`).
    var transferred: Bool = false
    /// `transferTargetType` is `queue`: the task reached its worker through a queue.
    var transferredToQueue: Bool = false

    var isOutbound: Bool { direction?.lowercased().hasPrefix("outbound") ?? false }
}
