import TeamsDomain

/// Decodes what Twilio producers send, plus the native format, detected per line or per form body:
///
/// - an Event Streams CloudEvent (`specversion`, `type` `com.twilio.taskrouter.*`, `id`, `data.payload`);
/// - a JSON array of CloudEvents on one line (an Event Streams webhook sink's batch);
/// - a classic TaskRouter event callback as a JSON object (`EventType`, PascalCase string fields);
/// - a Voice conference status callback as a JSON object (`StatusCallbackEvent`);
/// - a native v1 event (a `type` that is not `com.twilio...`), read by ``NativeEventReader`` from the same
///   parse that detected the format (one parse per line, whatever the format).
///
/// Delivery: Twilio delivers at least once and unordered. Repeats are dropped by CloudEvent `id`
/// (classic and conference callbacks by type, resource and time), remembering the last
/// ``Configuration/memory`` deliveries. Records are then held for ``Configuration/reorderWindow`` of
/// event time and mapped in time order, so any delivery order within the window yields exactly the events
/// in-order delivery would (see ``ReorderBuffer``). Events therefore come out up to the window later
/// than their line: call ``tick(now:into:)`` a few times a second so quiet periods release them, and
/// ``flush(into:)`` at end of input. Native events are never held: the registry orders those itself.
///
/// A line is all or nothing: a batch with one bad element is rejected whole, with the element's index.
/// Recognised events that change nothing (most TaskRouter types) are counted in ``statistics``, not rejected.
///
/// Not thread-safe and stateful by design: one decoder per input stream, as for every ``LineDecoder``.
public struct TwilioDecoder: LineDecoder {
    /// Tuning of a ``TwilioDecoder``.
    public struct Configuration: Sendable, Hashable {
        /// Seconds of event time records wait so late ones can be sorted in; 0 maps on arrival.
        public var reorderWindow: Double
        /// Entries kept by each correlation map and by the de-duplication memory.
        public var memory: Int
        /// Bounds on ids and text, shared with the native format.
        public var limits: NativeLimits

        /// Activity names that make a worker available, until `activity.created`/`activity.updated`
        /// events (`activity_available`) say otherwise (`--available-activities`).
        public var availableActivities: Set<String>

        public init(reorderWindow: Double = 2, memory: Int = 100_000, limits: NativeLimits = NativeLimits(),
                    availableActivities: Set<String> = ["Available"]) {
            self.availableActivities = availableActivities
            self.reorderWindow = reorderWindow
            self.memory = memory
            self.limits = limits
        }
    }

    public private(set) var configuration: Configuration

    public var arrival: Timestamp? {
        get { configuration.limits.arrival }
        set { configuration.limits.arrival = newValue }
    }
    var tape = JSONTape()
    /// Shared strings, attribute caches and the attribute tape.
    var reading: TwilioReadState
    /// Hashes of recently seen delivery keys: 8 bytes each instead of a string, and a 64-bit collision
    /// among 100k keys (which would drop one event) is about as likely as a cosmic-ray bit flip.
    var seen: BoundedSet<Int>
    var buffer: ReorderBuffer
    var mapper: TwilioMapper
    var duplicates = 0
    // Scratch space reused across lines.
    var staged: [Staged] = []
    var released: [TwilioRecord] = []

    /// One element of a line, decoded but not yet committed (a bad later element must undo nothing).
    enum Staged {
        case record(TwilioRecord, dedupeKey: Int)
        case native(Event)
        case ignored(String)
    }

    public init(configuration: Configuration = Configuration()) {
        precondition(configuration.reorderWindow >= 0 && configuration.reorderWindow.isFinite, "reorder window must be >= 0")
        self.configuration = configuration
        seen = BoundedSet(capacity: configuration.memory)
        reading = TwilioReadState(memory: configuration.memory)
        buffer = ReorderBuffer(window: Int64((configuration.reorderWindow * 1_000_000).rounded()))
        mapper = TwilioMapper(capacity: configuration.memory, availableActivities: configuration.availableActivities)
    }

    /// What the decoder remembers across lines: deliveries seen (with the hash seed they were hashed with),
    /// the reorder window's records, the mapper's correlation. Scratch space and caches are not kept.
    struct Memory: Codable {
        var seed: UInt64
        var seen: BoundedSet<Int>
        var buffer: ReorderBuffer
        var mapper: TwilioMapper
        var duplicates: Int
    }

    public var memory: DecoderMemory? {
        DecoderMemory(twilio: Memory(seed: StringInterner.seed, seen: seen, buffer: buffer, mapper: mapper,
                                     duplicates: duplicates))
    }

    public mutating func restore(_ memory: DecoderMemory) {
        guard let m = memory.twilio else { return }
        if m.seed != StringInterner.seed { StringInterner.adoptSeed(m.seed) }
        seen = m.seen
        buffer = m.buffer
        mapper = m.mapper
        duplicates = m.duplicates
    }

    /// Counters of what was ignored, repeated, late or unmatched.
    public var statistics: TwilioStatistics {
        var s = mapper.statistics
        s.duplicates = duplicates
        s.late = buffer.late
        return s
    }

    public var formatStatistics: TwilioStatistics { statistics }

    public var decodesForms: Bool { true }

    public var heldEvents: Int { buffer.pending }

    /// Records waiting in the reorder window.
    public var pendingRecords: Int { buffer.pending }

    // MARK: Entry points

    public mutating func decode(line: UnsafeBufferPointer<UInt8>, into events: inout [Event]) -> IngestReject? {
        staged.removeAll(keepingCapacity: true)
        do throws(JSONError) {
            try tape.parse(line)
        } catch {
            return NativeDecoder.reject(error, line)
        }
        do throws(IngestReject) {
            // A native object, the common line, went straight to `events`: nothing to commit.
            if try stage(line, into: &events) { return nil }
        } catch {
            return error
        }
        commit(into: &events)
        return nil
    }

    /// Decodes one line held in a string (tests, tools).
    public mutating func decode(_ line: String, into events: inout [Event]) -> IngestReject? {
        var line = line
        return line.withUTF8 { decode(line: $0, into: &events) }
    }

    /// Decodes a webhook's form fields: a classic TaskRouter callback (`EventType`) or a conference
    /// status callback (`StatusCallbackEvent`), as ``FormDecoding/parse(_:)`` returns them.
    public mutating func decode(form: [String: String], into events: inout [Event]) -> IngestReject? {
        staged.removeAll(keepingCapacity: true)
        do throws(IngestReject) {
            try stage(fields: TwilioFields(values: form, limits: configuration.limits))
        } catch {
            return error
        }
        commit(into: &events)
        return nil
    }

    /// Decodes an `application/x-www-form-urlencoded` webhook body.
    public mutating func decode(formBody: [UInt8], into events: inout [Event]) -> IngestReject? {
        do throws(IngestReject) {
            return decode(form: try FormDecoding.parse(formBody), into: &events)
        } catch {
            return error
        }
    }

    /// Releases records the reorder window has passed, judging the producer's clock by the wall clock `now`.
    public mutating func tick(now: Timestamp, into events: inout [Event]) {
        released.removeAll(keepingCapacity: true)
        buffer.tick(now: now, into: &released)
        mapReleased(into: &events)
    }

    /// Releases and maps everything held (end of input, shutdown).
    public mutating func flush(into events: inout [Event]) {
        released.removeAll(keepingCapacity: true)
        buffer.flush(into: &released)
        mapReleased(into: &events)
    }

    // MARK: Staging

    /// Stages the elements of a parsed line; true when the line was one native object, appended to `events`
    /// at once: with one element there is nothing a later one could undo, so it skips staging and its copy.
    private mutating func stage(_ line: UnsafeBufferPointer<UInt8>, into events: inout [Event]) throws(IngestReject) -> Bool {
        let limits = configuration.limits
        return try tape.withRoot(line) { (root) throws(IngestReject) -> Bool in
            switch root.kind {
            case .object:
                let format = Self.format(of: root)
                if format == .native {
                    var reader = NativeEventReader(root: root, limits: limits)
                    events.append(try reader.event(interning: &reading.interner, profileValues: &reading.profileValues))
                    if reader.aheadOfClock { mapper.countAheadOfClock() }
                    return true
                }
                try stage(object: root, format: format, limits: limits)
            case .array:
                var index = 0
                for element in root.elements {
                    do throws(IngestReject) {
                        guard element.kind == .object else {
                            throw IngestReject(.schema, "not a JSON object (found \(element.kind))")
                        }
                        try stage(object: element, format: Self.format(of: element), limits: limits)
                    } catch {
                        throw IngestReject(error.category, "batch element \(index): \(error.reason)")
                    }
                    index += 1
                }
            default:
                throw IngestReject(.schema, "not a JSON object or array (found \(root.kind))")
            }
            return false
        }
    }

    private mutating func stage(object: JSONNode, format: Format, limits: NativeLimits) throws(IngestReject) {
        switch format {
        case .cloudEvent:
            switch try CloudEventReader(limits: limits).read(object, state: &reading) {
            case .record(let r):
                try Self.validate(r)
                r.at = try admit(r.at)
                staged.append(.record(.taskRouter(r), dedupeKey: Self.dedupeHash(r.key)))
            case .otherProduct(let type):
                staged.append(.ignored(type))
            case .conference(let c):
                c.at = try admit(c.at)
                staged.append(.record(.conference(c), dedupeKey: Self.dedupeHash(c.key)))
            }
        case .classic, .conference:
            try stage(fields: TwilioFields(object: object, limits: limits))
        case .native:
            var reader = NativeEventReader(root: object, limits: limits)
            staged.append(.native(try reader.event(interning: &reading.interner, profileValues: &reading.profileValues)))
            if reader.aheadOfClock { mapper.countAheadOfClock() }
        case .unknown:
            throw IngestReject(.schema, "not an event: no \"type\", \"specversion\", \"EventType\" or \"StatusCallbackEvent\"")
        }
    }

    private mutating func stage(fields: TwilioFields) throws(IngestReject) {
        if fields.has("EventType") {
            let r = try ClassicReader.read(fields, state: &reading)
            try Self.validate(r)
            r.at = try admit(r.at)
            staged.append(.record(.taskRouter(r), dedupeKey: Self.dedupeHash(r.key)))
        } else if fields.has("StatusCallbackEvent") {
            let c = try ConferenceReader.read(fields)
            c.at = try admit(c.at)
            staged.append(.record(.conference(c), dedupeKey: Self.dedupeHash(c.key)))
        } else {
            // Only a form gets here (a JSON object is sent here only when it has one of the two): often
            // `curl -d` or a script labelling events a form by default.
            throw IngestReject(.schema, "not a Twilio callback: no \"EventType\" or \"StatusCallbackEvent\" (the body was "
                               + "read as a form, as its Content-Type application/x-www-form-urlencoded says; send events "
                               + "with Content-Type: application/x-ndjson)")
        }
    }

    /// The time an event is taken at (see ``NativeLimits/admit(_:now:)``), counting one ahead of the clock;
    /// rejects one further ahead than the limits allow.
    mutating func admit(_ at: Timestamp) throws(IngestReject) -> Timestamp {
        let taken = try configuration.limits.admit(at)
        if taken != at { mapper.countAheadOfClock() }
        return taken
    }

    /// The sids each TaskRouter event family cannot do without.
    static func validate(_ r: TaskRouterRecord) throws(IngestReject) {
        if r.workerSid == nil, r.type.isReservation || r.type.isWorker {
            throw IngestReject(.schema, "\(r.type.name.prefix(64)) without a worker sid (worker_sid / WorkerSid)")
        }
        if r.taskSid == nil, r.type.isReservation || r.type.isTask {
            throw IngestReject(.schema, "\(r.type.name.prefix(64)) without a task sid (task_sid / TaskSid)")
        }
    }

    /// A delivery key's 64-bit hash, for the de-duplication memory.
    static func dedupeHash(_ key: String) -> Int {
        var key = key
        return key.withUTF8 { Int(truncatingIfNeeded: StringInterner.hash($0)) }
    }

    enum Format { case cloudEvent, classic, conference, native, unknown }

    static func format(of object: JSONNode) -> Format {
        var type: JSONNode?
        for (key, value) in object.members {
            if key.is("specversion") { return .cloudEvent }
            if key.is("EventType") { return .classic }
            if key.is("StatusCallbackEvent") { return .conference }
            if key.is("type") { type = value }
        }
        guard let type else { return .unknown }
        if let raw = type.rawStringBytes, raw.starts(with: "com.twilio".utf8) { return .cloudEvent }
        return .native
    }

    // MARK: Commit

    private mutating func commit(into events: inout [Event]) {
        released.removeAll(keepingCapacity: true)
        for item in staged {
            switch item {
            case .native(let e):
                events.append(e)
            case .ignored(let type):
                mapper.ignore(type)
            case .record(let r, let key):
                guard seen.insert(key) else {
                    duplicates += 1
                    continue
                }
                buffer.push(r, into: &released)
            }
        }
        staged.removeAll(keepingCapacity: true)
        mapReleased(into: &events)
    }

    private mutating func mapReleased(into events: inout [Event]) {
        for r in released { mapper.map(r, into: &events) }
        released.removeAll(keepingCapacity: true)
    }
}
