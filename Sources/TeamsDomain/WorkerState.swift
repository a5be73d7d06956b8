/// One call an agent holds, as the events so far describe it.
public struct CallState: Sendable, Hashable, Identifiable {
    public enum Phase: String, Sendable, Hashable {
        /// Offered to the agent and ringing (a pending reservation): no capacity, no flags.
        case offered
        case live, held, wrapup
    }

    public var id: CallID {
        didSet { idFingerprint = EndedWork.fingerprint(of: id) }
    }
    /// `EndedWork.fingerprint(of: id)`: finding a call by id compares integers before strings, so the
    /// worker's other calls' ids (cold memory) are rarely read.
    private(set) var idFingerprint: UInt32
    public var phase: Phase
    /// Whether the agent's leg is muted on this call: `nil` until a mute source (a `call.mute`/`call.unmute`,
    /// a conference `participant-mute`/`-unmute` of the agent's leg, the Flex plugin) has reported it.
    /// Flex multi-call mutes inside the agent's browser only, so silence is not "unmuted".
    public var muted: Bool?
    public var from: String?
    public var queue: String?
    public var direction: CallDirection
    public var via: CallVia
    public var startedAt: Timestamp
    /// When the call was offered (ringing), if it was: the offer's timer runs from here while `phase == .offered`.
    public var offeredAt: Timestamp?
    /// When the call went on hold; set while `phase == .held`.
    public var holdSince: Timestamp?
    /// When the call last became live (started or resumed); drives the wrong-call-risk overlap.
    public var liveSince: Timestamp?
    /// When wrap-up began; set while `phase == .wrapup`.
    public var wrapupSince: Timestamp?
    /// When `muted` last changed (or the call started).
    public var muteChangedAt: Timestamp
    /// A queue call that reached an agent who already had a call.
    public var misroute: Bool
    /// The time of the latest event applied to this call; older events never roll it back.
    public var updatedAt: Timestamp
    /// The time of the latest start, hold, resume or wrap-up seen, including ones that changed nothing:
    /// a hold older than a resume the registry already saw must not put the call back on hold.
    public internal(set) var phaseEventAt: Timestamp
    /// The time of the latest mute or unmute seen, including ones that changed nothing
    /// (`muteChangedAt` only moves when `muted` flips, because wrong-call risk is timed from it).
    public internal(set) var muteEventAt: Timestamp

    public init(id: CallID, phase: Phase = .live, muted: Bool? = nil, from: String? = nil, queue: String? = nil,
                direction: CallDirection = .inbound, via: CallVia = .queue, startedAt: Timestamp,
                holdSince: Timestamp? = nil, liveSince: Timestamp? = nil, wrapupSince: Timestamp? = nil,
                muteChangedAt: Timestamp? = nil, misroute: Bool = false, updatedAt: Timestamp? = nil) {
        self.id = id
        self.idFingerprint = EndedWork.fingerprint(of: id)
        self.phase = phase
        self.muted = muted
        self.from = from
        self.queue = queue
        self.direction = direction
        self.via = via
        self.startedAt = startedAt
        self.holdSince = holdSince
        self.liveSince = liveSince ?? (phase == .live ? startedAt : nil)
        self.offeredAt = phase == .offered ? startedAt : nil
        self.wrapupSince = wrapupSince
        self.muteChangedAt = muteChangedAt ?? startedAt
        self.misroute = misroute
        self.updatedAt = updatedAt ?? startedAt
        self.phaseEventAt = updatedAt ?? startedAt
        // Unknown mute: the first report applies whatever its time (a browser clock a little behind
        // Twilio's must not lose the plugin's first mute).
        self.muteEventAt = muted == nil ? .distantPast : (muteChangedAt ?? startedAt)
    }
}

/// A non-voice task (chat, SMS, email...) an agent is working on.
public struct TaskState: Sendable, Hashable, Identifiable {
    public var id: TaskID {
        didSet { idFingerprint = EndedWork.fingerprint(of: id) }
    }
    /// `EndedWork.fingerprint(of: id)`, as for calls.
    private(set) var idFingerprint: UInt32
    public var channel: String
    public var from: String?
    public var queue: String?
    public var startedAt: Timestamp

    public init(id: TaskID, channel: String, from: String? = nil, queue: String? = nil, startedAt: Timestamp) {
        self.id = id
        self.idFingerprint = EndedWork.fingerprint(of: id)
        self.channel = channel
        self.from = from
        self.queue = queue
        self.startedAt = startedAt
    }
}

/// Flags derived from a call at a given moment.
public struct CallFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// A queue call that reached an agent who was already on a call.
    public static let misroute = CallFlags(rawValue: 1 << 0)
    /// The agent may be heard on the wrong call: two calls live at once, or unmuted on a held call,
    /// for longer than the grace period.
    public static let wrongCallRisk = CallFlags(rawValue: 1 << 1)
}

/// Everything the registry knows about one worker.
public struct WorkerState: Sendable, Hashable, Identifiable {
    public var id: WorkerID
    public var name: String
    public var team: String
    public var skills: [String]
    public var activity: String
    /// Whether the activity makes the worker available for new tasks, when the producer said so.
    public var available: Bool?
    public var activitySince: Timestamp
    /// Total capacity per channel.
    public var capacity: [String: Int]
    /// Channels switched off for this worker (`worker.channel.availability.update`), each with the time of its
    /// latest on/off event, so a late one does not flip it back.
    public internal(set) var channelsOff: Set<String> = []
    public internal(set) var channelAvailabilityAt: [String: Timestamp] = [:]
    /// Calls in the order they started.
    public var calls: [CallState]
    /// Non-voice tasks in the order they started.
    public var tasks: [TaskState]
    /// When offers were missed (rejected or timed out), oldest first, at most ``missedOfferMemory``:
    /// views count those since local midnight (``missedOffers(since:)``).
    public internal(set) var missedOfferTimes: [Timestamp] = []
    /// How many missed offers a worker remembers; more than an agent misses in a day.
    public static let missedOfferMemory = 512
    /// True while only events other than `worker` named this worker.
    public var isPlaceholder: Bool
    /// The registry version at which this worker last changed; views cache rows by it.
    public var version: UInt64
    /// Time of the latest profile (`worker`) event applied.
    public var profileAt: Timestamp
    /// Time of the latest activity event applied.
    public var activityAt: Timestamp
    /// Time of the latest capacity setting applied, per channel: Twilio reports channels separately
    /// and unordered, so one channel's news must not make another's look late.
    public internal(set) var capacityAt: [String: Timestamp]
    /// Time of the latest event applied to this worker; a `worker.remove` older than it is late.
    public internal(set) var updatedAt: Timestamp
    /// The most recently ended calls and tasks (at most `Registry.endedMemory`), so a late or
    /// repeated `call.start`/`task.start` cannot bring them back.
    public internal(set) var ended: [EndedWork]
    /// A Bloom filter of the fingerprints in `ended` (see ``EndedWork/Filter``), a function of
    /// `ended`: a `call.start` of a call that never ended (nearly all) then skips the cold tombstone array.
    var endedFilter: EndedWork.Filter = .init()

    public init(id: WorkerID, name: String? = nil, team: String? = nil, skills: [String] = [],
                activity: String = "Unknown", available: Bool? = nil, activitySince: Timestamp,
                capacity: [String: Int] = [:], calls: [CallState] = [], tasks: [TaskState] = [],
                isPlaceholder: Bool = true, version: UInt64 = 0) {
        self.id = id
        self.name = name ?? id
        self.team = team ?? ""
        self.skills = skills
        self.activity = activity
        self.available = available
        self.activitySince = activitySince
        self.capacity = capacity
        self.calls = calls
        self.tasks = tasks
        self.isPlaceholder = isPlaceholder
        self.version = version
        self.profileAt = .distantPast
        self.activityAt = .distantPast
        self.capacityAt = [:]
        self.updatedAt = .distantPast
        self.ended = []
    }
}
