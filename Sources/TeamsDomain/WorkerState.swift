/// One call an agent holds, as the events so far describe it.
public struct CallState: Sendable, Hashable, Identifiable, Codable {
    public enum Phase: String, Sendable, Hashable, Codable {
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
    public var direction: CallDirection
    public var via: CallVia
    /// A queue call that reached an agent who already had a call.
    public var misroute: Bool
    public var from: String?
    public var queue: String?
    public var startedAt: Timestamp
    /// When `muted` last changed (or the call started).
    public var muteChangedAt: Timestamp
    /// The time of the latest event applied to this call; older events never roll it back.
    public var updatedAt: Timestamp
    /// The time of the latest start, hold, resume or wrap-up seen, including ones that changed nothing:
    /// a hold older than a resume the registry already saw must not put the call back on hold.
    public internal(set) var phaseEventAt: Timestamp
    /// The time of the latest mute or unmute seen, including ones that changed nothing
    /// (`muteChangedAt` only moves when `muted` flips, because wrong-call risk is timed from it).
    public internal(set) var muteEventAt: Timestamp
    /// When the call was offered (ringing), if it was: the offer's timer runs from here while `phase == .offered`.
    @PackedTime public var offeredAt: Timestamp?
    /// When the call went on hold; set while `phase == .held`.
    @PackedTime public var holdSince: Timestamp?
    /// When the call last became live (started or resumed) or, resumed from a hold the agent was unmuted on,
    /// when that began (its caller has heard the agent since); drives the wrong-call-risk overlap.
    @PackedTime public var liveSince: Timestamp?
    /// When wrap-up began; set while `phase == .wrapup`.
    @PackedTime public var wrapupSince: Timestamp?
    /// Set by ``Registry/markOverdueEnds(at:)`` once the server's clock passed the moment this call's end became
    /// overdue (``endIsOverdue(at:)``): the flags read the clock, the orders of the views read this, so a call
    /// whose end was never received stops sorting as a live or held call. Not saved in snapshots: the first pass
    /// after a restart sets it again. Read it through ``isEndOverdue``.
    public internal(set) var endOverdue = false

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
public struct TaskState: Sendable, Hashable, Identifiable, Codable {
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
///
/// A copy-on-write value: copying one (a snapshot, a lookup in the registry's tree) costs one
/// reference count, not one per field; the first change to a shared copy copies the fields.
public struct WorkerState: Sendable, Hashable, Identifiable, Codable {
    /// The fields, shared by copies until one of them changes.
    package struct Fields: Sendable, Hashable, Codable {
        package var id: WorkerID
        package var name: String
        package var team: String
        package var skills: [String]
        package var activity: String
        package var available: Bool?
        package var activitySince: Timestamp
        package var capacity: ChannelMap<Int>
        package var channelsOff: Set<String> = []
        package var channelAvailabilityAt: ChannelMap<Timestamp> = [:]
        package var calls: [CallState]
        package var tasks: [TaskState]
        package var missedOfferTimes: [Timestamp] = []
        package var isPlaceholder: Bool
        package var version: UInt64
        package var profileAt: Timestamp
        package var activityAt: Timestamp
        package var capacityAt: ChannelMap<Timestamp>
        package var updatedAt: Timestamp
        package var ended: [EndedWork]
        package var endedFilter: EndedWork.Filter = .init()

        init(id: WorkerID, activitySince: Timestamp) {
            self.id = id
            self.name = id
            self.team = ""
            self.skills = []
            self.activity = "Unknown"
            self.activitySince = activitySince
            self.capacity = [:]
            self.calls = []
            self.tasks = []
            self.isPlaceholder = true
            self.version = 0
            self.profileAt = .distantPast
            self.activityAt = .distantPast
            self.capacityAt = [:]
            self.updatedAt = .distantPast
            self.ended = []
        }
    }

    /// Mutated only while uniquely referenced (`makeUnique`), so sharing it across threads is safe.
    ///
    /// `fields` skips the runtime's exclusivity checks: every access to a class's stored property otherwise
    /// records itself in a per-thread access set (`swift_beginAccess`), about 2% of a new board's first render and
    /// of applying events. The only writer is the worker's owner, through a unique reference.
    final class Storage: @unchecked Sendable {
        @exclusivity(unchecked) var fields: Fields
        init(_ fields: Fields) { self.fields = fields }
    }

    private var storage: Storage

    /// The fields as a saved floor writes them (a binary encoder's hand-written form; see `encode(to:)`).
    package var savedFields: Fields { storage.fields }

    @inline(__always)
    private mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&storage) { storage = Storage(storage.fields) }
    }

    /// How many missed offers a worker remembers; more than an agent misses in a day.
    public static let missedOfferMemory = 512

    public var id: WorkerID {
        get { storage.fields.id }
        _modify { makeUnique(); yield &storage.fields.id }
    }
    public var name: String {
        get { storage.fields.name }
        _modify { makeUnique(); yield &storage.fields.name }
    }
    public var team: String {
        get { storage.fields.team }
        _modify { makeUnique(); yield &storage.fields.team }
    }
    public var skills: [String] {
        get { storage.fields.skills }
        _modify { makeUnique(); yield &storage.fields.skills }
    }
    public var activity: String {
        get { storage.fields.activity }
        _modify { makeUnique(); yield &storage.fields.activity }
    }
    /// Whether the activity makes the worker available for new tasks, when the producer said so.
    public var available: Bool? {
        get { storage.fields.available }
        _modify { makeUnique(); yield &storage.fields.available }
    }
    public var activitySince: Timestamp {
        get { storage.fields.activitySince }
        _modify { makeUnique(); yield &storage.fields.activitySince }
    }
    /// Total capacity per channel.
    public var capacity: ChannelMap<Int> {
        get { storage.fields.capacity }
        _modify { makeUnique(); yield &storage.fields.capacity }
    }
    /// Channels switched off for this worker (`worker.channel.availability.update`), each with the time of its
    /// latest on/off event, so a late one does not flip it back.
    public internal(set) var channelsOff: Set<String> {
        get { storage.fields.channelsOff }
        _modify { makeUnique(); yield &storage.fields.channelsOff }
    }
    public internal(set) var channelAvailabilityAt: ChannelMap<Timestamp> {
        get { storage.fields.channelAvailabilityAt }
        _modify { makeUnique(); yield &storage.fields.channelAvailabilityAt }
    }
    /// Calls in the order they started.
    public var calls: [CallState] {
        get { storage.fields.calls }
        _modify { makeUnique(); yield &storage.fields.calls }
    }
    /// Non-voice tasks in the order they started.
    public var tasks: [TaskState] {
        get { storage.fields.tasks }
        _modify { makeUnique(); yield &storage.fields.tasks }
    }
    /// When offers were missed (rejected or timed out), oldest first, at most ``missedOfferMemory``:
    /// views count those since local midnight (``missedOffers(since:)``).
    public internal(set) var missedOfferTimes: [Timestamp] {
        get { storage.fields.missedOfferTimes }
        _modify { makeUnique(); yield &storage.fields.missedOfferTimes }
    }
    /// True while only events other than `worker` named this worker.
    public var isPlaceholder: Bool {
        get { storage.fields.isPlaceholder }
        _modify { makeUnique(); yield &storage.fields.isPlaceholder }
    }
    /// The registry version at which this worker last changed; views cache rows by it.
    public var version: UInt64 {
        get { storage.fields.version }
        _modify { makeUnique(); yield &storage.fields.version }
    }
    /// Time of the latest profile (`worker`) event applied.
    public var profileAt: Timestamp {
        get { storage.fields.profileAt }
        _modify { makeUnique(); yield &storage.fields.profileAt }
    }
    /// Time of the latest activity event applied.
    public var activityAt: Timestamp {
        get { storage.fields.activityAt }
        _modify { makeUnique(); yield &storage.fields.activityAt }
    }
    /// Time of the latest capacity setting applied, per channel: Twilio reports channels separately
    /// and unordered, so one channel's news must not make another's look late.
    public internal(set) var capacityAt: ChannelMap<Timestamp> {
        get { storage.fields.capacityAt }
        _modify { makeUnique(); yield &storage.fields.capacityAt }
    }
    /// Time of the latest event applied to this worker; a `worker.remove` older than it is late.
    public internal(set) var updatedAt: Timestamp {
        get { storage.fields.updatedAt }
        _modify { makeUnique(); yield &storage.fields.updatedAt }
    }
    /// The most recently ended calls and tasks (at most `Registry.endedMemory`), so a late or
    /// repeated `call.start`/`task.start` cannot bring them back.
    public internal(set) var ended: [EndedWork] {
        get { storage.fields.ended }
        _modify { makeUnique(); yield &storage.fields.ended }
    }
    /// A Bloom filter of the fingerprints in `ended` (see ``EndedWork/Filter``), a function of
    /// `ended`: a `call.start` of a call that never ended (nearly all) then skips the cold tombstone array.
    var endedFilter: EndedWork.Filter {
        get { storage.fields.endedFilter }
        _modify { makeUnique(); yield &storage.fields.endedFilter }
    }

    public init(id: WorkerID, name: String? = nil, team: String? = nil, skills: [String] = [],
                activity: String = "Unknown", available: Bool? = nil, activitySince: Timestamp,
                capacity: ChannelMap<Int> = [:], calls: [CallState] = [], tasks: [TaskState] = [],
                isPlaceholder: Bool = true, version: UInt64 = 0) {
        var fields = Fields(id: id, activitySince: activitySince)
        fields.name = Self.name(name, id: id)
        fields.team = team ?? ""
        fields.skills = skills
        fields.activity = activity
        fields.available = available
        fields.activitySince = activitySince
        fields.capacity = capacity
        fields.calls = calls
        fields.tasks = tasks
        fields.isPlaceholder = isPlaceholder
        fields.version = version
        fields.profileAt = .distantPast
        fields.activityAt = .distantPast
        fields.capacityAt = [:]
        fields.updatedAt = .distantPast
        fields.ended = []
        storage = Storage(fields)
    }

    public static func == (lhs: WorkerState, rhs: WorkerState) -> Bool {
        lhs.storage === rhs.storage || lhs.storage.fields == rhs.storage.fields
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(storage.fields)
    }

    /// Encoded as its fields (a saved floor, see `FloorSnapshot`).
    public init(from decoder: any Decoder) throws {
        storage = Storage(try Fields(from: decoder))
    }

    public func encode(to encoder: any Encoder) throws {
        try storage.fields.encode(to: encoder)
    }
}

// A saved floor holds every worker and call: they are encoded as arrays of their fields, in the order
// declared above (no field names repeated for each of tens of thousands), which keeps snapshots smaller and
// faster to write and read. Changing a field means changing these and the snapshot's format version.

extension WorkerState.Fields {
    package init(from decoder: any Decoder) throws {
        var c = try decoder.unkeyedContainer()
        id = try c.decode(WorkerID.self)
        name = try c.decode(String.self)
        team = try c.decode(String.self)
        skills = try c.decode([String].self)
        activity = try c.decode(String.self)
        available = try c.decodeOptional(Bool.self)
        activitySince = try c.decode(Timestamp.self)
        capacity = try c.decode(ChannelMap<Int>.self)
        channelsOff = try c.decode(Set<String>.self)
        channelAvailabilityAt = try c.decode(ChannelMap<Timestamp>.self)
        calls = try c.decode([CallState].self)
        tasks = try c.decode([TaskState].self)
        missedOfferTimes = try c.decode([Timestamp].self)
        isPlaceholder = try c.decode(Bool.self)
        version = try c.decode(UInt64.self)
        profileAt = try c.decode(Timestamp.self)
        activityAt = try c.decode(Timestamp.self)
        capacityAt = try c.decode(ChannelMap<Timestamp>.self)
        updatedAt = try c.decode(Timestamp.self)
        ended = try c.decode([EndedWork].self)
        endedFilter = try c.decode(EndedWork.Filter.self)
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.unkeyedContainer()
        try c.encode(id)
        try c.encode(name)
        try c.encode(team)
        try c.encode(skills)
        try c.encode(activity)
        try c.encodeOptional(available)
        try c.encode(activitySince)
        try c.encode(capacity)
        try c.encode(channelsOff)
        try c.encode(channelAvailabilityAt)
        try c.encode(calls)
        try c.encode(tasks)
        try c.encode(missedOfferTimes)
        try c.encode(isPlaceholder)
        try c.encode(version)
        try c.encode(profileAt)
        try c.encode(activityAt)
        try c.encode(capacityAt)
        try c.encode(updatedAt)
        try c.encode(ended)
        try c.encode(endedFilter)
    }
}

extension CallState {
    public init(from decoder: any Decoder) throws {
        var c = try decoder.unkeyedContainer()
        id = try c.decode(CallID.self)
        idFingerprint = EndedWork.fingerprint(of: id)
        phase = try c.decode(Phase.self)
        muted = try c.decodeOptional(Bool.self)
        from = try c.decodeOptional(String.self)
        queue = try c.decodeOptional(String.self)
        direction = try c.decode(CallDirection.self)
        via = try c.decode(CallVia.self)
        startedAt = try c.decode(Timestamp.self)
        offeredAt = try c.decodeOptional(Timestamp.self)
        holdSince = try c.decodeOptional(Timestamp.self)
        liveSince = try c.decodeOptional(Timestamp.self)
        wrapupSince = try c.decodeOptional(Timestamp.self)
        muteChangedAt = try c.decode(Timestamp.self)
        misroute = try c.decode(Bool.self)
        updatedAt = try c.decode(Timestamp.self)
        phaseEventAt = try c.decode(Timestamp.self)
        muteEventAt = try c.decode(Timestamp.self)
        endOverdue = false
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.unkeyedContainer()
        try c.encode(id)
        try c.encode(phase)
        try c.encodeOptional(muted)
        try c.encodeOptional(from)
        try c.encodeOptional(queue)
        try c.encode(direction)
        try c.encode(via)
        try c.encode(startedAt)
        try c.encodeOptional(offeredAt)
        try c.encodeOptional(holdSince)
        try c.encodeOptional(liveSince)
        try c.encodeOptional(wrapupSince)
        try c.encode(muteChangedAt)
        try c.encode(misroute)
        try c.encode(updatedAt)
        try c.encode(phaseEventAt)
        try c.encode(muteEventAt)
    }
}

extension UnkeyedEncodingContainer {
    /// `value`, or null.
    mutating func encodeOptional<T: Encodable>(_ value: T?) throws {
        if let value { try encode(value) } else { try encodeNil() }
    }
}

extension UnkeyedDecodingContainer {
    /// A value or null.
    mutating func decodeOptional<T: Decodable>(_ type: T.Type) throws -> T? {
        try decodeNil() ? nil : try decode(type)
    }
}
