import JSONOutput

/// Builds one native NDJSON line in the key order of the design document, through the project's one
/// ``JSONWriter`` (strings escaped per RFC 8259; `<`, `>` and `&` left as they are).
struct JSONLine {
    private var writer = JSONWriter(capacity: 192, escapingMarkup: false)

    init(type: String, at: String) {
        writer.beginObject()
        writer.field("type", type)
        writer.field("at", at)
    }

    mutating func field(_ key: String, _ value: String) {
        writer.field(key, value)
    }

    /// A string the simulator made itself (ids, event vocabulary).
    mutating func token(_ key: String, _ value: String) {
        writer.field(key, value)
    }

    mutating func field(_ key: String, _ value: Bool) {
        writer.field(key, value)
    }

    mutating func field(_ key: String, _ values: [String]) {
        writer.key(key)
        writer.beginArray()
        for value in values { writer.string(value) }
        writer.endArray()
    }

    /// An object of integers, keys in the given order.
    mutating func field(_ key: String, _ pairs: [(String, Int)]) {
        writer.key(key)
        writer.beginObject()
        for (name, value) in pairs { writer.field(name, value) }
        writer.endObject()
    }

    func finished() -> String {
        var done = writer
        done.endObject()
        return done.text
    }

    /// `value` as a JSON string literal.
    static func quoted(_ value: String) -> String {
        var writer = JSONWriter(capacity: value.utf8.count + 2, escapingMarkup: false)
        writer.string(value)
        return writer.text
    }
}
