// The JSON tape parser every decoder reads with. Beyond "does not crash": a successful parse describes the
// input exactly (JSONTape.structuralProblem), implies the whole input is UTF-8, decodes every string and
// number consistently, and survives a round trip through the project's JSON string writer; a failed parse
// points inside the input.
import FuzzCheck
import JSONOutput
import TeamsIngest

nonisolated(unsafe) var tape = JSONTape()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSONTape(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzInput(data, size)
    do throws(JSONError) {
        try tape.parse(bytes)
    } catch {
        invariant(error.offset >= 0 && error.offset <= size, "error offset \(error.offset) outside \(size) bytes")
        invariant(!error.description.isEmpty, "empty error description")
        return 0
    }
    if let problem = tape.structuralProblem(in: bytes) { invariant(false, problem) }
    invariant(String(validating: bytes, as: UTF8.self) != nil, "accepted input that is not UTF-8")
    let value = tape.withRoot(bytes) { root -> JSONValue in
        checkNode(root)
        return JSONValue(root)
    }
    for markup in [false, true] {
        var out: [UInt8] = []
        write(value, escapingMarkup: markup, into: &out)
        let again: JSONValue
        do throws(JSONError) {
            again = try JSONValue.parse(out, maxDepth: tape.maxDepth)
        } catch {
            invariant(false, "rewritten document does not parse: \(error)")
            return 0
        }
        invariant(again == value, "round trip changed the document")
    }
    return 0
}

/// Checks each node's accessors against each other, recursively.
func checkNode(_ node: JSONNode) {
    switch node.kind {
    case .string:
        guard let s = node.string, let raw = node.rawStringBytes else { return invariant(false, "string node without a string") }
        invariant(node.stringByteCount == s.utf8.count, "stringByteCount \(node.stringByteCount ?? -1) != \(s.utf8.count)")
        if !node.hasEscapes { invariant(s.utf8.elementsEqual(raw), "unescaped string differs from its bytes") }
        invariant(s.utf8.count <= raw.count, "decoded string longer than its escaped form")
        var copy = s
        invariant(copy.withUTF8 { node.keyEquals($0) }, "keyEquals(own value) is false")
    case .number:
        guard let text = node.numberText else { return invariant(false, "number node without text") }
        invariant(node.double != nil, "number \(text) does not convert to Double")
        if let i = node.int64 { invariant(Int64(text) == i, "int64 \(i) differs from \(text)") }
        if !text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }), let i = Int64(text) {
            invariant(node.int64 == i, "integer \(text) not read as int64")
        }
    case .array:
        var n = 0
        for element in node.elements {
            checkNode(element)
            n += 1
        }
        invariant(n == node.count, "array yields \(n) elements, count is \(node.count)")
        if n > 0 { invariant(node[n - 1] != nil && node[n] == nil, "array subscript bounds wrong") }
    case .object:
        var n = 0
        for (key, value) in node.members {
            invariant(key.kind == .string, "object key is \(key.kind)")
            checkNode(key)
            checkNode(value)
            if let k = key.string { invariant(node[k] != nil, "member \(k) not found by subscript") }
            n += 1
        }
        invariant(n == node.count, "object yields \(n) members, count is \(node.count)")
    case .bool:
        invariant(node.bool != nil, "bool node without a value")
    case .null:
        invariant(node.isNull, "null node not null")
    }
}

/// Writes an owned value back as JSON (strings through the project's writer, numbers as they were written).
func write(_ value: JSONValue, escapingMarkup: Bool, into out: inout [UInt8]) {
    switch value {
    case .null: out += Array("null".utf8)
    case .bool(let b): out += Array((b ? "true" : "false").utf8)
    case .number(let n): out += Array(n.text.utf8)
    case .string(let s): writeString(s, escapingMarkup, &out)
    case .array(let a):
        out.append(0x5B)
        for (i, e) in a.enumerated() {
            if i > 0 { out.append(0x2C) }
            write(e, escapingMarkup: escapingMarkup, into: &out)
        }
        out.append(0x5D)
    case .object(let o):
        out.append(0x7B)
        for (i, m) in o.members.enumerated() {
            if i > 0 { out.append(0x2C) }
            writeString(m.key, escapingMarkup, &out)
            out.append(0x3A)
            write(m.value, escapingMarkup: escapingMarkup, into: &out)
        }
        out.append(0x7D)
    }
}

func writeString(_ s: String, _ escapingMarkup: Bool, _ out: inout [UInt8]) {
    var s = s
    s.withUTF8 { JSONString.append($0, escapingMarkup: escapingMarkup, into: &out) }
}
