import Testing
@testable import TeamsIngest

@Suite("JSON parser")
struct JSONParserTests {
    @Test("accepts every kind of value")
    func validDocuments() throws {
        let value = try parseJSON(#" { "a" : [1, -2.5e3, true, false, null, "x", {}, []] , "b": {"c": "d"} } "#).get()
        let a = try #require(value["a"]?.array)
        #expect(a.count == 8)
        #expect(a[0].int64 == 1)
        #expect(a[1].double == -2500)
        #expect(a[2] == .bool(true))
        #expect(a[3] == .bool(false))
        #expect(a[4] == .null)
        #expect(a[5] == .string("x"))
        #expect(a[6] == .object(JSONObject([])))
        #expect(a[7] == .array([]))
        #expect(value["b"]?["c"]?.string == "d")
    }

    @Test("top-level scalars are documents too", arguments: ["0", "-0", "1.5", "\"s\"", "true", "null", "[]", "{}"])
    func scalars(_ text: String) {
        #expect(parseJSON(text).success != nil)
    }

    @Test("decodes every escape, \\u escapes and surrogate pairs")
    func escapes() throws {
        let value = try parseJSON(#""q\" b\\ s\/ \b\f\n\r\t é\u00e9 \u20AC \ud83d\ude00 \u0000""#).get()
        #expect(value.string == "q\" b\\ s/ \u{8}\u{C}\n\r\t é\u{e9} € 😀 \u{0}")
    }

    @Test("raw multi-byte UTF-8 passes through")
    func utf8() throws {
        #expect(try parseJSON("\"Zoë 東京 😀\"").get().string == "Zoë 東京 😀")
    }

    @Test("numbers follow the JSON grammar")
    func numbers() throws {
        #expect(try parseJSON("9223372036854775807").get().int64 == .max)
        #expect(try parseJSON("-9223372036854775808").get().int64 == .min)
        #expect(try parseJSON("1E+2").get().double == 100)
        #expect(try parseJSON("0.5e-1").get().double == 0.05)
        for bad in ["01", "1.", ".5", "-", "+1", "1e", "1e+", "0x10", "NaN", "Infinity", "--1"] {
            #expect(parseJSON(bad).failure != nil, "\(bad) should be rejected")
        }
    }

    @Test("tape integers: overflow and fractions are not integers")
    func tapeIntegers() throws {
        var tape = JSONTape()
        let bytes: [UInt8] = Array("[9223372036854775808, 1.0, 42]".utf8)
        try bytes.withUnsafeBufferPointer { buf in
            try tape.parse(buf)
            tape.withRoot(buf) { root in
                let items = Array(root.elements)
                #expect(items[0].int64 == nil)
                #expect(items[1].int64 == nil)
                #expect(items[1].double == 1.0)
                #expect(items[2].int64 == 42)
            }
        }
    }

    @Test("rejects malformed documents with the offset", arguments: [
        ("", JSONError(.empty, at: 0)),
        ("   ", JSONError(.empty, at: 3)),
        ("{", JSONError(.unexpectedEnd, at: 1)),
        ("{\"a\":1", JSONError(.unexpectedEnd, at: 6)),
        ("{\"a\" 1}", JSONError(.unexpectedByte(0x31), at: 5)),
        ("{a:1}", JSONError(.unexpectedByte(0x61), at: 1)),
        ("{\"a\":1,}", JSONError(.unexpectedByte(0x7D), at: 7)),
        ("[1,]", JSONError(.unexpectedByte(0x5D), at: 3)),
        ("[1 2]", JSONError(.unexpectedByte(0x32), at: 3)),
        ("{} {}", JSONError(.trailingData(0x7B), at: 3)),
        ("nul", JSONError(.unexpectedEnd, at: 3)),
        ("tru e", JSONError(.unexpectedByte(0x20), at: 3)),
        ("\"abc", JSONError(.unexpectedEnd, at: 4)),
        ("\"a\\qb\"", JSONError(.invalidEscape(0x71), at: 2)),
        ("\"\\u12G4\"", JSONError(.invalidUnicodeEscape, at: 5)),
        ("\"\\ud800\"", JSONError(.unpairedSurrogate(0xD800), at: 1)),
        ("\"\\ud800\\u0041\"", JSONError(.unpairedSurrogate(0xD800), at: 1)),
        ("\"\\udc00\"", JSONError(.unpairedSurrogate(0xDC00), at: 1)),
        ("\"a\tb\"", JSONError(.controlCharacter(0x09), at: 2)),
        ("\"a\nb\"", JSONError(.controlCharacter(0x0A), at: 2)),
        ("'a'", JSONError(.unexpectedByte(0x27), at: 0)),
    ] as [(String, JSONError)])
    func invalidDocuments(_ text: String, _ expected: JSONError) {
        #expect(parseJSON(text).failure == expected)
    }

    @Test("rejects invalid UTF-8 inside strings", arguments: [
        ([0x22, 0xFF, 0x22], JSONError(.invalidUTF8(0xFF), at: 1)),
        ([0x22, 0xC3, 0x28, 0x22], JSONError(.invalidUTF8(0xC3), at: 1)),
        ([0x22, 0xC0, 0xAF, 0x22], JSONError(.invalidUTF8(0xC0), at: 1)),          // overlong '/'
        ([0x22, 0xE0, 0x80, 0xAF, 0x22], JSONError(.invalidUTF8(0xE0), at: 1)),    // overlong
        ([0x22, 0xED, 0xA0, 0x80, 0x22], JSONError(.invalidUTF8(0xED), at: 1)),    // UTF-8 encoded surrogate
        ([0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], JSONError(.invalidUTF8(0xF4), at: 1)), // above U+10FFFF
        ([0x22, 0x80, 0x22], JSONError(.invalidUTF8(0x80), at: 1)),                // lone continuation
        ([0x22, 0xE2, 0x82], JSONError(.unexpectedEnd, at: 3)),                    // truncated sequence
    ] as [([UInt8], JSONError)])
    func invalidUTF8(_ bytes: [UInt8], _ expected: JSONError) {
        let error = parseJSON(bytes).failure
        #expect(error == expected)
    }

    @Test("the byte that ends a plain run is found wherever it falls in an eight-byte word")
    func specialByteAtEveryOffset() throws {
        // The scanner reads eight bytes at a time and jumps to the first that needs a look: each kind of such
        // byte, after 0 to 19 plain ones (every offset in a word, and the byte-by-byte tail), with more after it.
        for run in 0..<20 {
            let plain = String(repeating: "a", count: run)
            let tail = String(repeating: "z", count: run % 3 * 5)
            // The closing quote, with a word's worth of input after it (a value that follows).
            let closed = try parseJSON("[\"\(plain)\", \"\(tail)bbbbbbbb\"]").get()
            #expect(closed.array?.first?.string == plain)
            #expect(closed.array?.last?.string == tail + "bbbbbbbb")
            // An escape, then more plain bytes and more escapes, decoded whole.
            let escaped = try parseJSON("\"\(plain)\\\"\(tail)\\n\(plain)\\u00e9\\\\\(tail)\"").get()
            #expect(escaped.string == plain + "\"" + tail + "\n" + plain + "é\\" + tail)
            // Multi-byte UTF-8, then plain bytes up to the end.
            #expect(try parseJSON("\"\(plain)é東\(tail)😀\"").get().string == plain + "é東" + tail + "😀")
            // A raw control character is refused at its own offset (1: the opening quote).
            #expect(parseJSON("\"\(plain)\t\(tail)\"").failure == JSONError(.controlCharacter(0x09), at: 1 + run))
            #expect(parseJSON(Array("\"\(plain)".utf8) + [0x00] + Array("\(tail)\"".utf8)).failure
                    == JSONError(.controlCharacter(0x00), at: 1 + run))
            // A string never closed.
            #expect(parseJSON("\"\(plain)\(tail)").failure == JSONError(.unexpectedEnd, at: 1 + run + tail.utf8.count))
        }
    }

    @Test("binary garbage and NUL bytes are rejected, never crash")
    func binaryGarbage() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let bytes = (0..<Int.random(in: 1...64, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            // Random bytes are almost never JSON; what matters is a clean answer either way.
            _ = parseJSON(bytes)
        }
        #expect(parseJSON([0x00]).failure == JSONError(.unexpectedByte(0x00), at: 0))
        #expect(parseJSON([0x7B, 0x7D, 0x00]).failure == JSONError(.trailingData(0x00), at: 2))
    }

    @Test("nesting is limited to 32 levels")
    func depth() {
        let ok = String(repeating: "[", count: 32) + String(repeating: "]", count: 32)
        #expect(parseJSON(ok).success != nil)
        let deep = String(repeating: "[", count: 33) + String(repeating: "]", count: 33)
        #expect(parseJSON(deep).failure == JSONError(.tooDeep(limit: 32), at: 32))
        let mixed = String(repeating: "{\"a\":", count: 40) + "1" + String(repeating: "}", count: 40)
        #expect(parseJSON(mixed).failure?.kind == .tooDeep(limit: 32))
        // Far beyond the limit must not recurse into a stack overflow.
        let huge = String(repeating: "[", count: 100_000)
        #expect(parseJSON(huge).failure?.kind == .tooDeep(limit: 32))
    }

    @Test("duplicate keys are kept in order; lookups answer the last")
    func duplicates() throws {
        let value = try parseJSON(#"{"a":1,"a":2}"#).get()
        #expect(value.object?.keys == ["a", "a"])
        #expect(value["a"]?.int64 == 2)
    }

    @Test("strings holding JSON can be parsed again (Twilio attributes)")
    func nestedJSONString() throws {
        let outer = try parseJSON(#"{"worker_attributes":"{\"team_name\": \"Billing\", \"routing\": {\"skills\": [\"billing\"]}}"}"#).get()
        let inner = try JSONValue.parse(try #require(outer["worker_attributes"]?.string))
        #expect(inner["team_name"]?.string == "Billing")
        #expect(inner["routing"]?["skills"]?.array == [.string("billing")])
    }

    @Test("node helpers: escaped keys match, raw bytes stay zero-copy")
    func nodeHelpers() throws {
        var tape = JSONTape()
        let bytes: [UInt8] = Array(#"{"\u0061b":"x\ny","cd":"plain","n":[1,2,3]}"#.utf8)
        try bytes.withUnsafeBufferPointer { buf in
            try tape.parse(buf)
            tape.withRoot(buf) { root in
                #expect(root["ab"]?.string == "x\ny")
                #expect(root["ab"]?.hasEscapes == true)
                #expect(root["cd"]?.stringEquals("plain") == true)
                #expect(root["cd"]?.stringEquals("plai") == false)
                #expect(root["cd"]?.rawStringBytes.map { Array($0) } == Array("plain".utf8))
                #expect(root["n"]?[2]?.int64 == 3)
                #expect(root["n"]?[3] == nil)
                #expect(root["zz"] == nil)
            }
        }
    }

    @Test("error descriptions are specific")
    func descriptions() {
        #expect(JSONError(.unexpectedByte(0x7B), at: 17).description == "unexpected byte 0x7B at 17")
        #expect(JSONError(.invalidEscape(0x71), at: 3).description == "invalid escape \\q at 3")
        #expect(JSONError(.unpairedSurrogate(0xD83D), at: 3).description == "unpaired surrogate \\uD83D at 3")
        #expect(JSONError(.tooDeep(limit: 32), at: 40).description == "nesting deeper than 32 at 40")
    }
}
