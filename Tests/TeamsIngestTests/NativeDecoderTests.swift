import Testing
import TeamsDomain
@testable import TeamsIngest

@Suite("Native decoder")
struct NativeDecoderTests {
    let at = #""at":"2026-11-25T09:00:05Z""#
    let t = ts("2026-11-25T09:00:05Z")

    func event(_ json: String) throws -> Event? {
        try decodeNative(json).get()
    }

    @Test("worker: name, team, skills, capacity")
    func worker() throws {
        let e = try event(#"{"type":"worker","at":"2026-11-25T09:00:00Z","worker":"WK01","name":"Ada Okafor","team":"Billing","skills":["billing","spanish"],"capacity":{"voice":2,"chat":2}}"#)
        #expect(e == Event(at: ts("2026-11-25T09:00:00Z"), .worker("WK01", WorkerProfile(
            name: "Ada Okafor", team: "Billing", skills: ["billing", "spanish"], capacity: ["voice": 2, "chat": 2]))))
    }

    @Test("worker: absent or null fields stay nil")
    func workerPartial() throws {
        let e = try event(#"{"type":"worker",\#(at),"worker":"WK01","team":null}"#)
        #expect(e == Event(at: t, .worker("WK01", WorkerProfile())))
    }

    @Test("activity with and without available")
    func activity() throws {
        #expect(try event(#"{"type":"activity",\#(at),"worker":"WK01","activity":"Available","available":true}"#)
            == Event(at: t, .activity("WK01", name: "Available", available: true)))
        #expect(try event(#"{"type":"activity",\#(at),"worker":"WK01","activity":"Break"}"#)
            == Event(at: t, .activity("WK01", name: "Break", available: nil)))
    }

    @Test("call.start with every field")
    func callStart() throws {
        let e = try event(#"{"type":"call.start",\#(at),"worker":"WK01","call":"CA01","from":"+15551230001","queue":"Billing","direction":"outbound","via":"transfer"}"#)
        #expect(e == Event(at: t, .callStart("WK01", CallStart(call: "CA01", from: "+15551230001", queue: "Billing",
                                                               direction: .outbound, via: .transfer))))
    }

    @Test("call.start defaults: inbound via queue")
    func callStartDefaults() throws {
        let e = try event(#"{"type":"call.start",\#(at),"worker":"WK01","call":"CA01"}"#)
        #expect(e == Event(at: t, .callStart("WK01", CallStart(call: "CA01", direction: .inbound, via: .queue))))
    }

    @Test("call changes", arguments: CallChange.allCases)
    func callChange(_ change: CallChange) throws {
        let e = try event(#"{"type":"call.\#(change.rawValue)",\#(at),"worker":"WK01","call":"CA01"}"#)
        #expect(e == Event(at: t, .call("WK01", "CA01", change)))
    }

    @Test("task.start and task.end")
    func tasks() throws {
        #expect(try event(#"{"type":"task.start",\#(at),"worker":"WK01","task":"CH07","channel":"chat","from":"web visitor","queue":"Chat"}"#)
            == Event(at: t, .taskStart("WK01", TaskStart(task: "CH07", channel: "chat", from: "web visitor", queue: "Chat"))))
        #expect(try event(#"{"type":"task.end",\#(at),"worker":"WK01","task":"CH07"}"#)
            == Event(at: t, .taskEnd("WK01", "CH07")))
    }

    @Test("worker.remove and heartbeat")
    func removeAndHeartbeat() throws {
        #expect(try event(#"{"type":"worker.remove",\#(at),"worker":"WK01"}"#) == Event(at: t, .workerRemove("WK01")))
        #expect(try event(#"{"type":"heartbeat",\#(at)}"#) == Event(at: t, .heartbeat))
    }

    @Test("unknown fields are ignored, key order does not matter, escapes decode")
    func tolerance() throws {
        let e = try event(#" {"call":"CA\u00301","extra":{"deep":[1,{"x":null}]},"worker":"WK01",\#(at),"type":"call.hold","v":2} "#)
        #expect(e == Event(at: t, .call("WK01", "CA01", .hold)))
        let escapedKey = try event(#"{"\u0074ype":"heartbeat",\#(at)}"#)
        #expect(escapedKey == Event(at: t, .heartbeat))
    }

    @Test("fractional seconds and offsets in at")
    func timestamps() throws {
        let e = try event(#"{"type":"heartbeat","at":"2026-11-25T10:00:05.250+01:00"}"#)
        #expect(e?.at == Timestamp(microseconds: t.microseconds + 250_000))
    }

    @Test("blank lines are skipped, not rejected", arguments: ["", " ", "\t \r"])
    func blank(_ line: String) throws {
        #expect(try decodeNative(line).get() == nil)
    }

    @Test("rejections are specific", arguments: [
        (#"{"type":"call.hold","at":"2026-11-25T09:00:05Z","call":"CA01"}"#, IngestReject(.schema, #"missing field "worker""#)),
        (#"{"type":"heartbeat"}"#, IngestReject(.schema, #"missing field "at""#)),
        (#"{"at":"2026-11-25T09:00:05Z"}"#, IngestReject(.schema, #"missing field "type""#)),
        (#"{"type":7,"at":"2026-11-25T09:00:05Z"}"#, IngestReject(.schema, #"field "type" must be a string (found a number)"#)),
        (#"{"type":"call.explode","at":"2026-11-25T09:00:05Z"}"#, IngestReject(.unknownType, #"unknown type "call.explode""#)),
        (#"{"type":"Heartbeat","at":"2026-11-25T09:00:05Z"}"#, IngestReject(.unknownType, #"unknown type "Heartbeat""#)),
        (#"{"type":"heartbeat","at":"2026-11-25"}"#, IngestReject(.schema, #"field "at" is not an RFC 3339 timestamp: "2026-11-25""#)),
        (#"{"type":"heartbeat","at":null}"#, IngestReject(.schema, #"field "at" must be an RFC 3339 timestamp string (found null)"#)),
        (#"{"type":"activity","at":"2026-11-25T09:00:05Z","worker":"W"}"#, IngestReject(.schema, #"missing field "activity""#)),
        (#"{"type":"worker","at":"2026-11-25T09:00:05Z","worker":"W","skills":[1]}"#, IngestReject(.schema, #"field "skills" must be an array of strings (found a number in it)"#)),
        (#"{"type":"worker","at":"2026-11-25T09:00:05Z","worker":"W","capacity":[2]}"#, IngestReject(.schema, #"field "capacity" must be an object of channel: integer 0...100 (found an array)"#)),
        (#"{"type":"worker","at":"2026-11-25T09:00:05Z","worker":"W","capacity":{"voice":1.5}}"#, IngestReject(.schema, #"field "capacity" must be an object of channel: integer 0...100 (channel "voice" is 1.5)"#)),
        (#"{"type":"worker","at":"2026-11-25T09:00:05Z","worker":"W","name":["x"]}"#, IngestReject(.schema, #"field "name" must be a string (found an array)"#)),
        (#"{"type":"call.start","at":"2026-11-25T09:00:05Z","worker":"W","call":"C","via":5}"#, IngestReject(.schema, #"field "via" must be one of queue, transfer, outbound, direct (found a number)"#)),
        (#"{"type":"task.end","at":"2026-11-25T09:00:05Z","worker":"W"}"#, IngestReject(.schema, #"missing field "task""#)),
        (#"{"type":"call.end","at":"2026-11-25T09:00:05Z","worker":"W","call":"C","call":"D"}"#, IngestReject(.schema, #"duplicate field "call""#)),
        ("[]", IngestReject(.schema, "not a JSON object (found an array)")),
        ("true", IngestReject(.schema, "not a JSON object (found a boolean)")),
        (#"{"type":"heartbeat","at":"2026-11-25T09:00:05Z"}}"#, IngestReject(.json, "not JSON: unexpected byte 0x7D at 48 after the value")),
        (#"{"type":"heartbeat","at":"2026-11-25T09:00:05Z""#, IngestReject(.json, "not JSON: unexpected end of input at 47")),
    ] as [(String, IngestReject)])
    func rejections(_ line: String, _ expected: IngestReject) {
        #expect(decodeNative(line).failure == expected)
    }

    @Test("bounds keep hostile input small")
    func bounds() {
        let longID = String(repeating: "x", count: 257)
        #expect(decodeNative(#"{"type":"worker.remove",\#(at),"worker":"\#(longID)"}"#).failure
            == IngestReject(.schema, #"field "worker" is longer than 256 bytes"#))
        let okID = String(repeating: "x", count: 256)
        #expect(decodeNative(#"{"type":"worker.remove",\#(at),"worker":"\#(okID)"}"#).success != nil)
        let skills = (0..<65).map { "\"s\($0)\"" }.joined(separator: ",")
        #expect(decodeNative(#"{"type":"worker",\#(at),"worker":"W","skills":[\#(skills)]}"#).failure
            == IngestReject(.schema, #"field "skills" has more than 64 items"#))
        #expect(decodeNative(#"{"type":"worker",\#(at),"worker":"W","capacity":{"voice":101}}"#).failure?.category == .schema)
    }

    @Test("invalid UTF-8 anywhere is an encoding rejection")
    func encoding() {
        let inString: [UInt8] = Array(#"{"type":"heartbeat","at":"2026-11-25T09:00:05Z","x":""#.utf8) + [0xFF] + Array("\"}".utf8)
        #expect(decodeNative(inString).failure == IngestReject(.encoding, "not UTF-8: invalid byte 0xFF at 53"))
        let outside: [UInt8] = [0x7B, 0xC3, 0x28, 0x7D]
        #expect(decodeNative(outside).failure == IngestReject(.encoding, "not UTF-8: invalid byte 0xC3 at 1"))
        let latin1: [UInt8] = [0xE9, 0x74, 0xE9]
        #expect(decodeNative(latin1).failure?.category == .encoding)
    }

    @Test("one decoder keeps working after rejections")
    func reuse() throws {
        var decoder = NativeDecoder()
        let lines = ["{", #"{"type":"heartbeat",\#(at)}"#, "[[[", #"{"type":"x",\#(at)}"#, #"{"type":"heartbeat",\#(at)}"#]
        let results = lines.map { line in
            var l = line
            return l.withUTF8 { decoder.decode(line: $0) }
        }
        #expect(results.map { $0.success != nil } == [false, true, false, false, true])
        #expect(try results[4].get() == Event(at: t, .heartbeat))
    }

    @Test("ids shared by one decoder stay right: escaped, repeated, more than it keeps, empty")
    func sharedIDs() throws {
        var decoder = NativeDecoder()
        func worker(_ id: String) throws -> WorkerID? {
            guard case .workerRemove(let w)? = try decoder.decode(#"{"type":"worker.remove",\#(at),"worker":"\#(id)"}"#).get()?.kind
            else { return nil }
            return w
        }
        let sid = "WKb25325363455ba7048386bee97bcfbd9"
        #expect(try worker(sid) == sid)
        #expect(try worker(#"WKb25325363455ba7048386bee97bcfbd\u0039"#) == sid)
        #expect(try worker(sid) == sid)
        for i in 0..<10_000 {
            let id = "WK\(i)-0123456789abcdef0123456789"
            #expect(try worker(id) == id)
        }
        #expect(try worker(sid) == sid)
        #expect(decoder.decode(#"{"type":"worker.remove",\#(at),"worker":""}"#).failure
            == IngestReject(.schema, #"field "worker" must not be empty"#))
        guard case .call(let w, let c, .hold)? = try decoder.decode(#"{"type":"call.hold",\#(at),"worker":"\#(sid)","call":"CA00000000000000000000000000000001"}"#).get()?.kind
        else { Issue.record("not a call.hold"); return }
        #expect(w == sid && c == "CA00000000000000000000000000000001")
    }
}
