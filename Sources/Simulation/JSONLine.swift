/// Builds one native NDJSON line by appending, which is several times faster than encoding a
/// dictionary and keeps the key order of the design document.
struct JSONLine {
    private(set) var text: String

    init(type: String, at: String) {
        text = ""
        text.reserveCapacity(192)
        text += "{\"type\":\""
        text += type
        text += "\",\"at\":\""
        text += at
        text += "\""
    }

    mutating func field(_ key: String, _ value: String) {
        text += ",\""
        text += key
        text += "\":"
        JSONLine.appendQuoted(value, to: &text)
    }

    /// A string the simulator made itself (ids, event vocabulary) that needs no escaping.
    mutating func token(_ key: String, _ value: String) {
        assert(!value.utf8.contains { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C })
        text += ",\""
        text += key
        text += "\":\""
        text += value
        text += "\""
    }

    mutating func field(_ key: String, _ value: Bool) {
        text += ",\""
        text += key
        text += value ? "\":true" : "\":false"
    }

    mutating func field(_ key: String, _ values: [String]) {
        text += ",\""
        text += key
        text += "\":["
        for (i, value) in values.enumerated() {
            if i > 0 { text += "," }
            JSONLine.appendQuoted(value, to: &text)
        }
        text += "]"
    }

    /// An object of integers, keys in the given order.
    mutating func field(_ key: String, _ pairs: [(String, Int)]) {
        text += ",\""
        text += key
        text += "\":{"
        for (i, (name, value)) in pairs.enumerated() {
            if i > 0 { text += "," }
            JSONLine.appendQuoted(name, to: &text)
            text += ":"
            text += String(value)
        }
        text += "}"
    }

    func finished() -> String { text + "}" }

    /// Appends `value` as a JSON string literal (RFC 8259: quote, backslash and controls escaped).
    static func appendQuoted(_ value: String, to out: inout String) {
        out += "\""
        if !value.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) {
            out += value
        } else {
            for scalar in value.unicodeScalars {
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\r": out += "\\r"
                case "\t": out += "\\t"
                case let c where c.value < 0x20:
                    let hex = String(c.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                default:
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }

    /// `value` as a JSON string literal.
    static func quoted(_ value: String) -> String {
        var out = ""
        appendQuoted(value, to: &out)
        return out
    }
}
