import TeamsDomain

/// Decodes the native event format, version 1 (see the project README), one line at a time.
///
/// Strict about what it uses and silent about the rest: unknown fields are ignored, but every field an
/// event type reads must have the right JSON type and fit ``NativeLimits``; `type` and `at` are required
/// on every event and `worker` on every event but `heartbeat`. Optional fields given as `null` count as absent.
/// A field the event reads appearing twice is rejected rather than guessed at.
///
/// Keeps a reusable ``JSONTape`` and a ``StringInterner`` of worker, call and task ids (each id an event
/// names is one shared `String`, not a new allocation per event): give each reading thread its own decoder.
public struct NativeDecoder: LineDecoder {
    public var limits: NativeLimits
    var tape = JSONTape()
    /// Ids seen lately; bounded (it starts over when full), so memory stays flat.
    var interner = StringInterner(limit: 1 << 13)
    /// Skill lists and capacity maps seen lately, by their bytes.
    var profileValues = ProfileValues()

    public var arrival: Timestamp? {
        get { limits.arrival }
        set { limits.arrival = newValue }
    }

    public init(limits: NativeLimits = NativeLimits()) {
        self.limits = limits
    }

    /// Decodes one line: the event, `nil` for a blank line (skipped, not an error), or why it was rejected.
    public mutating func decode(line: UnsafeBufferPointer<UInt8>) -> Result<Event?, IngestReject> {
        if LineBytes.isBlank(line) { return .success(nil) }
        do throws(IngestReject) {
            return .success(try decodeEvent(line))
        } catch {
            return .failure(error)
        }
    }

    /// Decodes one line held in a string (tests, tools).
    public mutating func decode(_ line: String) -> Result<Event?, IngestReject> {
        var line = line
        return line.withUTF8 { decode(line: $0) }
    }

    public mutating func decode(line: UnsafeBufferPointer<UInt8>, into events: inout [Event]) -> IngestReject? {
        do throws(IngestReject) {
            events.append(try decodeEvent(line))
            return nil
        } catch {
            return error
        }
    }

    mutating func decodeEvent(_ line: UnsafeBufferPointer<UInt8>) throws(IngestReject) -> Event {
        do throws(JSONError) {
            try tape.parse(line)
        } catch {
            throw Self.reject(error, line)
        }
        let limits = self.limits
        let tape = self.tape
        return try tape.withRoot(line) { (root) throws(IngestReject) -> Event in
            var reader = NativeEventReader(root: root, limits: limits)
            return try reader.event(interning: &interner, profileValues: &profileValues)
        }
    }

    /// Classifies a parse failure: bytes that are not UTF-8 anywhere in the line are an encoding problem
    /// (binary garbage), everything else a JSON one.
    static func reject(_ error: JSONError, _ line: UnsafeBufferPointer<UInt8>) -> IngestReject {
        if case .invalidUTF8(let b) = error.kind {
            return IngestReject(.encoding, "not UTF-8: invalid byte \(hex(b)) at \(error.offset)")
        }
        if let bad = LineBytes.firstInvalidUTF8(line) {
            return IngestReject(.encoding, "not UTF-8: invalid byte \(hex(line[bad])) at \(bad)")
        }
        return IngestReject(.json, "not JSON: \(error)")
    }
}

/// Reads one parsed native event object.
struct NativeEventReader {
    let root: JSONNode
    let limits: NativeLimits
    /// Whether the event's time was ahead of the clock and it was taken at the clock's time instead.
    private(set) var aheadOfClock = false
    /// Value node of each known field, by `NativeField.rawValue`; -1 when absent.
    var slots: (Int32, Int32, Int32, Int32, Int32, Int32, Int32, Int32,
                Int32, Int32, Int32, Int32, Int32, Int32, Int32, Int32) =
        (-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1)

    init(root: JSONNode, limits: NativeLimits) {
        self.root = root
        self.limits = limits
    }

    /// The event, its ids built afresh.
    mutating func event() throws(IngestReject) -> Event {
        try event(values: nil) { String(decoding: $0, as: UTF8.self) }
    }

    /// The event, its ids shared through `interner`: an id seen lately is the same `String`, not a new
    /// allocation (Twilio sids are 34 bytes, too long to be stored inline); a profile's skill list and capacity
    /// map seen lately (`profileValues`) are the same storage, not built again.
    mutating func event(interning interner: inout StringInterner, profileValues: inout ProfileValues) throws(IngestReject) -> Event {
        try withUnsafeMutablePointer(to: &profileValues) { (values) throws(IngestReject) -> Event in
            try event(values: values) { interner.intern($0) }
        }
    }

    /// The event, each id without escapes made by `makeID` from its UTF-8 bytes, profile values through `values`
    /// when given.
    private mutating func event(values: UnsafeMutablePointer<ProfileValues>?,
                                id makeID: (UnsafeBufferPointer<UInt8>) -> String) throws(IngestReject) -> Event {
        guard root.kind == .object else {
            throw IngestReject(.schema, "not a JSON object (found \(root.kind))")
        }
        try collectFields()

        guard let typeNode = node(.type) else { throw IngestReject(.schema, "missing field \"type\"") }
        guard let typeBytes = typeNode.rawStringBytes else { throw mistyped(.type, typeNode, "a string") }
        let type = try eventType(typeNode, typeBytes)

        guard let atNode = node(.at) else { throw IngestReject(.schema, "missing field \"at\"") }
        let stamped = try timestamp(atNode)
        let at = try limits.admit(stamped)
        aheadOfClock = at != stamped

        if case .heartbeat = type { return Event(at: at, .heartbeat) }
        let worker = try requiredID(.worker, makeID)

        switch type {
        case .worker:
            let profile = WorkerProfile(name: try optionalString(.name, max: limits.maxTextBytes),
                                        team: try optionalString(.team, max: limits.maxTextBytes),
                                        skills: try skills(values), capacity: try capacity(values))
            return Event(at: at, .worker(worker, profile))
        case .activity:
            let name = try requiredString(.activity, max: limits.maxTextBytes)
            return Event(at: at, .activity(worker, name: name, available: try optionalBool(.available)))
        case .callStart, .callOffer:
            let start = CallStart(call: try requiredID(.call, makeID),
                                  from: try optionalString(.from, max: limits.maxTextBytes),
                                  queue: try optionalString(.queue, max: limits.maxTextBytes),
                                  direction: try choice(.direction, default: CallDirection.inbound),
                                  via: try choice(.via, default: CallVia.queue))
            if case .callOffer = type { return Event(at: at, .callOffer(worker, start)) }
            return Event(at: at, .callStart(worker, start))
        case .call(let change):
            return Event(at: at, .call(worker, try requiredID(.call, makeID), change))
        case .taskStart:
            let start = TaskStart(task: try requiredID(.task, makeID),
                                  channel: try requiredString(.channel, max: limits.maxTextBytes),
                                  from: try optionalString(.from, max: limits.maxTextBytes),
                                  queue: try optionalString(.queue, max: limits.maxTextBytes))
            return Event(at: at, .taskStart(worker, start))
        case .taskEnd:
            return Event(at: at, .taskEnd(worker, try requiredID(.task, makeID)))
        case .workerRemove:
            return Event(at: at, .workerRemove(worker))
        case .heartbeat:
            return Event(at: at, .heartbeat)
        }
    }

    // MARK: Fields

    mutating func collectFields() throws(IngestReject) {
        for (key, value) in root.members {
            let field: NativeField?
            if key.hasEscapes {
                // Rare: an escaped key such as "\u0074ype" still names the field.
                guard var k = key.string else { continue }
                field = k.withUTF8 { NativeField.named($0.baseAddress!, $0.count) }
            } else {
                let raw = key.rawStringBytes!
                field = raw.isEmpty ? nil : NativeField.named(raw.baseAddress!, raw.count)
            }
            guard let field else { continue }
            guard slot(field) < 0 else { throw IngestReject(.schema, "duplicate field \"\(field.key)\"") }
            setSlot(field, Int32(value.index))
        }
    }

    func slot(_ f: NativeField) -> Int32 {
        withUnsafeBytes(of: slots) { $0.load(fromByteOffset: f.rawValue * 4, as: Int32.self) }
    }

    mutating func setSlot(_ f: NativeField, _ v: Int32) {
        withUnsafeMutableBytes(of: &slots) { $0.storeBytes(of: v, toByteOffset: f.rawValue * 4, as: Int32.self) }
    }

    func node(_ f: NativeField) -> JSONNode? {
        let s = slot(f)
        return s < 0 ? nil : JSONNode(tokens: root.tokens, bytes: root.bytes, index: Int(s))
    }

    func mistyped(_ f: NativeField, _ n: JSONNode, _ expected: String) -> IngestReject {
        IngestReject(.schema, "field \"\(f.key)\" must be \(expected) (found \(n.kind))")
    }

    func eventType(_ node: JSONNode, _ raw: UnsafeBufferPointer<UInt8>) throws(IngestReject) -> NativeType {
        if !node.hasEscapes, !raw.isEmpty, let t = NativeType.named(raw.baseAddress!, raw.count) { return t }
        if node.hasEscapes, var s = node.string,
           let t = s.withUTF8({ $0.isEmpty ? nil : NativeType.named($0.baseAddress!, $0.count) }) {
            return t
        }
        throw IngestReject(.unknownType, "unknown type \(quoted(node))")
    }

    func timestamp(_ node: JSONNode) throws(IngestReject) -> Timestamp {
        guard let raw = node.rawStringBytes else { throw mistyped(.at, node, "an RFC 3339 timestamp string") }
        let t: Timestamp?
        if node.hasEscapes {
            var s = node.string ?? ""
            t = s.withUTF8 { RFC3339.parse($0) }
        } else {
            t = RFC3339.parse(raw)
        }
        guard let t else { throw IngestReject(.schema, "field \"at\" is not an RFC 3339 timestamp: \(quoted(node))") }
        return t
    }

    func requiredString(_ f: NativeField, max: Int) throws(IngestReject) -> String {
        guard let n = node(f) else { throw IngestReject(.schema, "missing field \"\(f.key)\"") }
        let s = try string(f, n, max: max)
        guard !s.isEmpty else { throw IngestReject(.schema, "field \"\(f.key)\" must not be empty") }
        return s
    }

    /// A required id (worker, call, task): as ``requiredString(_:max:)`` with ``NativeLimits/maxIDBytes``,
    /// the string made by `makeID` when it has no escapes.
    func requiredID(_ f: NativeField, _ makeID: (UnsafeBufferPointer<UInt8>) -> String) throws(IngestReject) -> String {
        guard let n = node(f), let raw = n.rawStringBytes, !n.hasEscapes else {
            return try requiredString(f, max: limits.maxIDBytes)
        }
        guard raw.count <= limits.maxIDBytes else {
            throw IngestReject(.schema, "field \"\(f.key)\" is longer than \(limits.maxIDBytes) bytes")
        }
        guard !raw.isEmpty else { throw IngestReject(.schema, "field \"\(f.key)\" must not be empty") }
        return makeID(raw)
    }

    func optionalString(_ f: NativeField, max: Int) throws(IngestReject) -> String? {
        guard let n = node(f), !n.isNull else { return nil }
        return try string(f, n, max: max)
    }

    func string(_ f: NativeField, _ n: JSONNode, max: Int) throws(IngestReject) -> String {
        guard let size = n.stringByteCount else { throw mistyped(f, n, "a string") }
        guard size <= max else { throw IngestReject(.schema, "field \"\(f.key)\" is longer than \(max) bytes") }
        return n.string!
    }

    func optionalBool(_ f: NativeField) throws(IngestReject) -> Bool? {
        guard let n = node(f), !n.isNull else { return nil }
        guard let b = n.bool else { throw mistyped(f, n, "true or false") }
        return b
    }

    func choice<C: RawRepresentable & CaseIterable>(_ f: NativeField, default value: C) throws(IngestReject) -> C
    where C.RawValue == String {
        guard let n = node(f), !n.isNull else { return value }
        if let s = n.string, let c = C(rawValue: s) { return c }
        let options = C.allCases.map(\.rawValue).joined(separator: ", ")
        if n.kind != .string { throw mistyped(f, n, "one of \(options)") }
        throw IngestReject(.schema, "field \"\(f.key)\" must be one of \(options) (found \(quoted(n)))")
    }

    func skills(_ values: UnsafeMutablePointer<ProfileValues>?) throws(IngestReject) -> [String]? {
        guard let n = node(.skills), !n.isNull else { return nil }
        guard n.kind == .array else { throw mistyped(.skills, n, "an array of strings") }
        guard let values, let raw = n.rawValueBytes else { return try skills(n) }
        return try values.pointee.skills.value(of: raw) { () throws(IngestReject) in try skills(n) }
    }

    private func skills(_ n: JSONNode) throws(IngestReject) -> [String] {
        guard n.count <= limits.maxSkills else {
            throw IngestReject(.schema, "field \"skills\" has more than \(limits.maxSkills) items")
        }
        var result: [String] = []
        result.reserveCapacity(n.count)
        for item in n.elements {
            guard let size = item.stringByteCount else {
                throw IngestReject(.schema, "field \"skills\" must be an array of strings (found \(item.kind) in it)")
            }
            guard size <= limits.maxTextBytes else {
                throw IngestReject(.schema, "field \"skills\" has an item longer than \(limits.maxTextBytes) bytes")
            }
            result.append(item.string!)
        }
        return result
    }

    func capacity(_ values: UnsafeMutablePointer<ProfileValues>?) throws(IngestReject) -> [String: Int]? {
        guard let n = node(.capacity), !n.isNull else { return nil }
        guard n.kind == .object else { throw mistyped(.capacity, n, Self.capacityShape(limits)) }
        guard let values, let raw = n.rawValueBytes else { return try capacity(n) }
        return try values.pointee.capacity.value(of: raw) { () throws(IngestReject) in try capacity(n) }
    }

    private static func capacityShape(_ limits: NativeLimits) -> String {
        "an object of channel: integer 0...\(limits.maxCapacity)"
    }

    private func capacity(_ n: JSONNode) throws(IngestReject) -> [String: Int] {
        let expected = Self.capacityShape(limits)
        guard n.count <= limits.maxChannels else {
            throw IngestReject(.schema, "field \"capacity\" has more than \(limits.maxChannels) channels")
        }
        var result = [String: Int](minimumCapacity: n.count)
        for (key, value) in n.members {
            guard let channel = key.string, !channel.isEmpty, channel.utf8.count <= limits.maxTextBytes else {
                throw IngestReject(.schema, "field \"capacity\" has an empty or overlong channel name")
            }
            guard let v = value.int64, v >= 0, v <= limits.maxCapacity else {
                throw IngestReject(.schema, "field \"capacity\" must be \(expected) (channel \(quoted(key)) is \(preview(value)))")
            }
            result[channel] = Int(v)
        }
        return result
    }

    // MARK: Reason text

    /// A string value quoted for a reason, shortened so reasons stay one readable line.
    func quoted(_ n: JSONNode) -> String {
        guard let s = n.string else { return "\(n.kind)" }
        var copy = s
        let text = copy.withUTF8 { LineBytes.preview($0, limit: 64) }
        return "\"" + text + "\""
    }

    func preview(_ n: JSONNode) -> String {
        switch n.kind {
        case .string: return quoted(n)
        case .number: return n.numberText.map { String($0.prefix(32)) } ?? "a number"
        default: return "\(n.kind)"
        }
    }
}
