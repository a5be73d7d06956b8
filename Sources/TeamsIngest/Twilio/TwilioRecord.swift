import TeamsDomain

/// One Twilio event, read and validated but not yet mapped to domain events.
///
/// Mapping needs correlation state (which worker holds a task, which task a conference belongs to)
/// that depends on the order events are mapped in; keeping records until they are sorted by time
/// makes that state, and so the output, the same whatever order Twilio delivered them in.
///
/// Records are classes: they pass through staging, the de-duplication check, the reorder heap and the
/// mapper, and copying a reference is far cheaper than copying two dozen optional strings each time.
enum TwilioRecord: Codable {
    case taskRouter(TaskRouterRecord)
    case conference(ConferenceRecord)

    var at: Timestamp {
        switch self {
        case .taskRouter(let r): return r.at
        case .conference(let r): return r.at
        }
    }
}

/// A TaskRouter event type (without the `com.twilio.taskrouter.` prefix), read once from the input's
/// bytes so that staging and mapping switch on it instead of comparing strings.
enum TaskRouterType: Equatable, Codable {
    case workerCreated, workerDeleted, workerAttributesUpdate, workerActivityUpdate
    case workerCapacityUpdate, workerChannelAvailabilityUpdate
    case reservationCreated, reservationAccepted, reservationWrapup, reservationCompleted, reservationCanceled
    case taskCreated, taskUpdated, taskWrapup, taskCompleted, taskCanceled
    /// Any other type (`reservation.rejected`, `task.transfer-initiated`, future types...).
    case other(String)

    static let known: [TaskRouterType] = [
        .workerCreated, .workerDeleted, .workerAttributesUpdate, .workerActivityUpdate,
        .workerCapacityUpdate, .workerChannelAvailabilityUpdate,
        .reservationCreated, .reservationAccepted, .reservationWrapup, .reservationCompleted, .reservationCanceled,
        .taskCreated, .taskUpdated, .taskWrapup, .taskCompleted, .taskCanceled,
    ]

    /// Index of a known type in ``known``; `nil` for ``other(_:)``.
    var index: Int? {
        switch self {
        case .workerCreated: return 0
        case .workerDeleted: return 1
        case .workerAttributesUpdate: return 2
        case .workerActivityUpdate: return 3
        case .workerCapacityUpdate: return 4
        case .workerChannelAvailabilityUpdate: return 5
        case .reservationCreated: return 6
        case .reservationAccepted: return 7
        case .reservationWrapup: return 8
        case .reservationCompleted: return 9
        case .reservationCanceled: return 10
        case .taskCreated: return 11
        case .taskUpdated: return 12
        case .taskWrapup: return 13
        case .taskCompleted: return 14
        case .taskCanceled: return 15
        case .other: return nil
        }
    }

    /// The type's name as Twilio spells it, e.g. `reservation.accepted` (no allocation for known types).
    var name: String {
        switch self {
        case .workerCreated: return "worker.created"
        case .workerDeleted: return "worker.deleted"
        case .workerAttributesUpdate: return "worker.attributes.update"
        case .workerActivityUpdate: return "worker.activity.update"
        case .workerCapacityUpdate: return "worker.capacity.update"
        case .workerChannelAvailabilityUpdate: return "worker.channel.availability.update"
        case .reservationCreated: return "reservation.created"
        case .reservationAccepted: return "reservation.accepted"
        case .reservationWrapup: return "reservation.wrapup"
        case .reservationCompleted: return "reservation.completed"
        case .reservationCanceled: return "reservation.canceled"
        case .taskCreated: return "task.created"
        case .taskUpdated: return "task.updated"
        case .taskWrapup: return "task.wrapup"
        case .taskCompleted: return "task.completed"
        case .taskCanceled: return "task.canceled"
        case .other(let name): return name
        }
    }

    /// Encoded as its name (`reservation.accepted`).
    init(from decoder: any Decoder) throws {
        self.init(try decoder.singleValueContainer().decode(String.self))
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(name)
    }

    init(_ name: String) {
        var name = name
        self = name.withUTF8 { Self.known(bytes: $0) } ?? .other(name)
    }

    /// The type the bytes spell; `.other` with the decoded string when not a known type.
    init(bytes: UnsafeBufferPointer<UInt8>) {
        self = Self.known(bytes: bytes) ?? .other(String(decoding: bytes, as: UTF8.self))
    }

    /// A known type from its name's bytes, comparing against the literals of that length only.
    static func known(bytes b: UnsafeBufferPointer<UInt8>) -> TaskRouterType? {
        guard let p = b.baseAddress else { return nil }
        let n = b.count
        switch n {
        case 11:
            if bytesEqual(p, n, "task.wrapup") { return .taskWrapup }
        case 12:
            if bytesEqual(p, n, "task.created") { return .taskCreated }
            if bytesEqual(p, n, "task.updated") { return .taskUpdated }
        case 13:
            if bytesEqual(p, n, "task.canceled") { return .taskCanceled }
        case 14:
            if bytesEqual(p, n, "worker.created") { return .workerCreated }
            if bytesEqual(p, n, "worker.deleted") { return .workerDeleted }
            if bytesEqual(p, n, "task.completed") { return .taskCompleted }
        case 18:
            if bytesEqual(p, n, "reservation.wrapup") { return .reservationWrapup }
        case 19:
            if bytesEqual(p, n, "reservation.created") { return .reservationCreated }
        case 20:
            if bytesEqual(p, n, "reservation.accepted") { return .reservationAccepted }
            if bytesEqual(p, n, "reservation.canceled") { return .reservationCanceled }
        case 21:
            if bytesEqual(p, n, "reservation.completed") { return .reservationCompleted }
        case 22:
            if bytesEqual(p, n, "worker.activity.update") { return .workerActivityUpdate }
            if bytesEqual(p, n, "worker.capacity.update") { return .workerCapacityUpdate }
        case 24:
            if bytesEqual(p, n, "worker.attributes.update") { return .workerAttributesUpdate }
        case 34:
            if bytesEqual(p, n, "worker.channel.availability.update") { return .workerChannelAvailabilityUpdate }
        default:
            break
        }
        return nil
    }

    var isReservation: Bool {
        switch self {
        case .reservationCreated, .reservationAccepted, .reservationWrapup, .reservationCompleted, .reservationCanceled: return true
        case .other(let name): return name.hasPrefix("reservation.")
        default: return false
        }
    }

    var isWorker: Bool {
        switch self {
        case .workerCreated, .workerDeleted, .workerAttributesUpdate, .workerActivityUpdate,
             .workerCapacityUpdate, .workerChannelAvailabilityUpdate: return true
        case .other(let name): return name.hasPrefix("worker.")
        default: return false
        }
    }

    var isTask: Bool {
        switch self {
        case .taskCreated, .taskUpdated, .taskWrapup, .taskCompleted, .taskCanceled: return true
        case .other(let name): return name.hasPrefix("task.")
        default: return false
        }
    }

    /// Whether mapping reads `task_attributes` for this event type (others skip parsing them).
    var readsTaskAttributes: Bool {
        switch self {
        case .reservationAccepted, .reservationCreated, .taskCreated, .taskUpdated: return true
        default: return false
        }
    }
}

/// A TaskRouter event from Event Streams (snake_case payload) or a classic callback (PascalCase).
final class TaskRouterRecord: Codable {
    /// The event type without prefix, e.g. `reservation.accepted`.
    var type: TaskRouterType
    var at: Timestamp
    /// Unique per delivery source: the CloudEvent `id`, or a key derived from a classic callback.
    /// Orders events with equal timestamps, so sorting is a total, delivery-independent order.
    var key: String
    var workerSid: String?
    var workerName: String?
    var worker: WorkerAttributes?
    /// `worker_activity_name` (worker-scoped events), or `activity_name` on `activity.*` events.
    var activityName: String?
    /// `activity_available` on `activity.created` / `activity.updated`.
    var activityAvailable: Bool?
    var channelCapacity: Int?
    /// `worker_channel_available` (0/1 or a boolean) on channel events.
    var channelAvailable: Bool?
    /// `task_channel_sid`, for events that name the channel by sid only.
    var taskChannelSid: String?
    var taskSid: String?
    var task: TaskAttributes?
    var taskChannel: String?
    var taskQueue: String?
    var reservationSid: String?
    /// `transfer_type` (`QUEUE` or `WORKER`), `transfer_mode` (`WARM`/`COLD`), `transfer_status`,
    /// `transfer_initiating_worker_sid`, `transfer_initiating_reservation_sid`, `task_transfer_sid`:
    /// on `task.transfer-*` events, and on reservation events when Twilio puts them there.
    var transfer: TransferFields?

    init(type: TaskRouterType, at: Timestamp, key: String) {
        self.type = type
        self.at = at
        self.key = key
    }

    /// A copy to change: records held in the reorder window are shared with saved floors, so they never change.
    func copy() -> TaskRouterRecord {
        let c = TaskRouterRecord(type: type, at: at, key: key)
        c.workerSid = workerSid
        c.workerName = workerName
        c.worker = worker
        c.activityName = activityName
        c.activityAvailable = activityAvailable
        c.channelCapacity = channelCapacity
        c.channelAvailable = channelAvailable
        c.taskChannelSid = taskChannelSid
        c.taskSid = taskSid
        c.task = task
        c.taskChannel = taskChannel
        c.taskQueue = taskQueue
        c.reservationSid = reservationSid
        c.transfer = transfer
        return c
    }
}

/// The `transfer_*` fields of a TaskRouter event (names as in Event Streams' TaskRouter payload).
struct TransferFields: Sendable, Hashable, Codable {
    var sid: String?
    var type: String?
    var mode: String?
    var status: String?
    var initiatingWorker: String?
    var initiatingReservation: String?

    var isEmpty: Bool { self == TransferFields() }
    var toQueue: Bool { type?.uppercased() == "QUEUE" }
}

/// A Voice conference status callback (participant hold, mute, join, leave...).
final class ConferenceRecord: Codable {
    /// `StatusCallbackEvent`, e.g. `participant-hold`.
    let event: String
    var at: Timestamp
    let conferenceSid: String
    let callSid: String?
    let label: String?
    /// `FriendlyName`: Flex names a task's conference after the task sid.
    let friendlyName: String?
    /// `SequenceNumber`: orders callbacks of one conference within the second `Timestamp` resolves to.
    let sequence: Int64
    let key: String

    init(event: String, at: Timestamp, conferenceSid: String, callSid: String?, label: String?, friendlyName: String? = nil,
         sequence: Int64, key: String) {
        self.friendlyName = friendlyName
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
struct WorkerAttributes: Sendable, Hashable, Codable {
    var fullName: String?
    var team: String?
    var skills: [String]?
}

/// What teamsview reads from a task's attributes JSON.
struct TaskAttributes: Sendable, Hashable, Codable {
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
