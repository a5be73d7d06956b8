/// An owned JSON value (a small DOM), for decoders that prefer convenience over the zero-copy ``JSONNode``.
///
/// Objects keep their members in document order as an array, which is faster than a dictionary for the
/// handful of keys events carry and keeps duplicate keys visible; lookups answer the last duplicate.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    /// A number, kept as its source text so integers beyond `Double` precision survive.
    case number(JSONNumber)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// Parses one JSON document (strict; see ``JSONTape``).
    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int = 32) throws(JSONError) -> JSONValue {
        var tape = JSONTape(maxDepth: maxDepth)
        try tape.parse(bytes)
        return tape.withRoot(bytes) { JSONValue($0) }
    }

    /// Parses one JSON document held in a byte array.
    public static func parse(_ bytes: [UInt8], maxDepth: Int = 32) throws(JSONError) -> JSONValue {
        let result = bytes.withUnsafeBufferPointer { (b) -> Result<JSONValue, JSONError> in
            do throws(JSONError) { return .success(try parse(b, maxDepth: maxDepth)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    /// Parses one JSON document held in a string (for instance a Twilio attributes field).
    public static func parse(_ text: String, maxDepth: Int = 32) throws(JSONError) -> JSONValue {
        try parse(Array(text.utf8), maxDepth: maxDepth)
    }

    /// Copies a tape node into an owned value.
    public init(_ node: JSONNode) {
        switch node.kind {
        case .null: self = .null
        case .bool: self = .bool(node.bool ?? false)
        case .number: self = .number(JSONNumber(text: node.numberText ?? "0"))
        case .string: self = .string(node.string ?? "")
        case .array: self = .array(node.elements.map { JSONValue($0) })
        case .object:
            self = .object(JSONObject(node.members.map { JSONObject.Member(key: $0.key.string ?? "", value: JSONValue($0.value)) }))
        }
    }

    public var kind: JSONKind {
        switch self {
        case .null: return .null
        case .bool: return .bool
        case .number: return .number
        case .string: return .string
        case .array: return .array
        case .object: return .object
        }
    }

    public var string: String? { if case .string(let s) = self { return s } else { return nil } }
    public var bool: Bool? { if case .bool(let b) = self { return b } else { return nil } }
    public var int64: Int64? { if case .number(let n) = self { return n.int64 } else { return nil } }
    public var double: Double? { if case .number(let n) = self { return n.double } else { return nil } }
    public var array: [JSONValue]? { if case .array(let a) = self { return a } else { return nil } }
    public var object: JSONObject? { if case .object(let o) = self { return o } else { return nil } }
    public var isNull: Bool { self == .null }

    /// The member `key` of an object (last duplicate wins), `nil` otherwise.
    public subscript(key: String) -> JSONValue? { object?[key] }
}

/// A JSON number as written in the document.
public struct JSONNumber: Sendable, Hashable, CustomStringConvertible {
    /// The source text, e.g. `-12.5e3`.
    public var text: String

    public init(text: String) { self.text = text }

    /// The value as an integer, when written without fraction or exponent and within range.
    public var int64: Int64? { Int64(text) }
    /// The value as a `Double` (may round).
    public var double: Double { Double(text) ?? .nan }
    public var description: String { text }
}

/// A JSON object: members in document order.
public struct JSONObject: Sendable, Hashable {
    public struct Member: Sendable, Hashable {
        public var key: String
        public var value: JSONValue
        public init(key: String, value: JSONValue) {
            self.key = key
            self.value = value
        }
    }

    public var members: [Member]

    public init(_ members: [Member]) { self.members = members }

    /// The value of the last member named `key`.
    public subscript(key: String) -> JSONValue? {
        members.last(where: { $0.key == key })?.value
    }

    public var keys: [String] { members.map(\.key) }
}
