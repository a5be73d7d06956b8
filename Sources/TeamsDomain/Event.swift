/// A stable worker (agent) identifier, as the producer names it.
public typealias WorkerID = String
/// A stable call identifier (native `call`, Twilio task or call sid).
public typealias CallID = String
/// A stable identifier of a non-voice task (chat, SMS, email...).
public typealias TaskID = String

/// How a call reached the agent.
public enum CallVia: String, Sendable, Hashable, CaseIterable, Codable {
    case queue, transfer, outbound, direct
}

/// The direction of a call as seen from the contact centre.
public enum CallDirection: String, Sendable, Hashable, CaseIterable, Codable {
    case inbound, outbound
}

/// Name, team, skills and capacity of a worker. `nil` fields are left as they were.
public struct WorkerProfile: Sendable, Hashable, Codable {
    public var name: String?
    public var team: String?
    public var skills: [String]?
    /// Total capacity per channel (`"voice"`, `"chat"`, ...). Channels not named are left as they were.
    public var capacity: [String: Int]?

    public init(name: String? = nil, team: String? = nil, skills: [String]? = nil, capacity: [String: Int]? = nil) {
        self.name = name
        self.team = team
        self.skills = skills
        self.capacity = capacity
    }
}

/// What a `call.start` says about the new call.
public struct CallStart: Sendable, Hashable, Codable {
    public var call: CallID
    public var from: String?
    public var queue: String?
    public var direction: CallDirection
    public var via: CallVia

    public init(call: CallID, from: String? = nil, queue: String? = nil,
                direction: CallDirection = .inbound, via: CallVia = .queue) {
        self.call = call
        self.from = from
        self.queue = queue
        self.direction = direction
        self.via = via
    }
}

/// What a `task.start` says about a non-voice task.
public struct TaskStart: Sendable, Hashable, Codable {
    public var task: TaskID
    public var channel: String
    public var from: String?
    public var queue: String?

    public init(task: TaskID, channel: String, from: String? = nil, queue: String? = nil) {
        self.task = task
        self.channel = channel
        self.from = from
        self.queue = queue
    }
}

/// Changes of one call's state after it started (or was offered).
///
/// `miss` ends an offered call the agent did not take (rejected or timed out) and counts it in
/// ``WorkerState/missedOffers``; an offer withdrawn by routing (rescinded, canceled) is an `end`.
public enum CallChange: String, Sendable, Hashable, CaseIterable, Codable {
    case hold, resume, mute, unmute, wrapup, end, miss
}

/// One decoded event, whatever format it arrived in.
///
/// Decoders of every input format (native v1, Twilio Event Streams, classic callbacks,
/// conference callbacks) produce these; the registry consumes nothing else.
public struct Event: Sendable, Hashable, Codable {
    public enum Kind: Sendable, Hashable, Codable {
        /// Creates the worker or updates its profile.
        case worker(WorkerID, WorkerProfile)
        /// The worker's activity changed (`available` when the producer says so).
        case activity(WorkerID, name: String, available: Bool?)
        /// Sets one channel's total capacity, leaving the others.
        case capacity(WorkerID, channel: String, total: Int)
        /// Switches one channel on or off for the worker (Twilio's `worker.channel.availability.update`);
        /// its capacity stays what it was.
        case channelAvailability(WorkerID, channel: String, available: Bool)
        case callStart(WorkerID, CallStart)
        /// A call offered to the worker (ringing): shown, but it takes no capacity and raises no
        /// misroute until a `callStart` of the same call accepts it.
        case callOffer(WorkerID, CallStart)
        case call(WorkerID, CallID, CallChange)
        case taskStart(WorkerID, TaskStart)
        case taskEnd(WorkerID, TaskID)
        case workerRemove(WorkerID)
        /// A sign of life from the producer; changes no worker.
        case heartbeat
    }

    public var at: Timestamp
    public var kind: Kind

    public init(at: Timestamp, _ kind: Kind) {
        self.at = at
        self.kind = kind
    }

    /// The worker the event concerns, if any.
    public var worker: WorkerID? {
        switch kind {
        case .worker(let w, _), .activity(let w, _, _), .capacity(let w, _, _), .channelAvailability(let w, _, _), .callStart(let w, _), .callOffer(let w, _),
             .call(let w, _, _), .taskStart(let w, _), .taskEnd(let w, _), .workerRemove(let w):
            return w
        case .heartbeat:
            return nil
        }
    }
}
