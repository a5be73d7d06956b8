import Foundation
import Testing
import TeamsDomain
@testable import TeamsIngest

/// The shared fixtures, batches, forms, de-duplication and bad input.
@Suite struct TwilioInputTests {
    typealias T = TwilioTest

    static let alice = "WK77777777777777777777777777777777"
    static let aliceTask = "WT33333333333333333333333333333333"

    func fixture(_ name: String) throws -> Data {
        try Data(contentsOf: T.fixturesDirectory().appendingPathComponent(name))
    }

    static let fixtureEvents: [Event.Kind] = [
        .worker(alice, WorkerProfile(name: "Alice Moreau", team: "Billing", skills: ["billing", "french"])),
        // Availability by activity name: "Available" is the configured default.
        .activity(alice, name: "Available", available: true),
        .capacity(alice, channel: "voice", total: 2),
        .callStart(alice, CallStart(call: aliceTask, from: "+33123456789", queue: "Billing", direction: .inbound, via: .queue)),
    ]

    @Test func eventStreamsFixtureLinesDecode() throws {
        let data = try fixture("eventstreams.ndjson")
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
        let r = T.run(lines)
        #expect(r.rejects.isEmpty)
        #expect(r.events.map(\.kind) == Self.fixtureEvents)
        #expect(r.events.first?.at == RFC3339.parse("2025-03-04T15:20:00Z"))
    }

    @Test func eventStreamsBatchFixtureDecodesAsOneLine() throws {
        let data = try fixture("eventstreams-batch.json")
        // The fixture is pretty-printed; a webhook body is one JSON value whatever its whitespace.
        let r = T.run([String(decoding: data, as: UTF8.self)])
        #expect(r.rejects.isEmpty)
        #expect(r.events.map(\.kind) == Self.fixtureEvents)
    }

    @Test func classicCallbackFixtureDecodes() throws {
        let data = try fixture("classic-callback.json")
        let r = T.run([String(decoding: data, as: UTF8.self)])
        #expect(r.rejects.isEmpty)
        let at = Timestamp(microseconds: 1_741_101_902_117_000)
        #expect(r.events == [
            Event(at: at, .worker(Self.alice, WorkerProfile(name: "Alice Moreau", team: "Billing", skills: ["billing", "french"]))),
            Event(at: at, .activity(Self.alice, name: "Break", available: false)),
        ])
    }

    @Test(arguments: ["conference-hold.json", "conference-hold.form"])
    func conferenceFixtureHoldsTheFixtureCall(name: String) throws {
        let stream = try fixture("eventstreams.ndjson")
        let hold = try fixture(name)
        var decoder = TwilioDecoder(configuration: .init(reorderWindow: 0))
        var events: [Event] = []
        for line in String(decoding: stream, as: UTF8.self).split(separator: "\n") {
            #expect(decoder.decode(String(line), into: &events) == nil)
        }
        events.removeAll()
        let reject = name.hasSuffix(".form")
            ? decoder.decode(formBody: Array(hold), into: &events)
            : decoder.decode(String(decoding: hold, as: UTF8.self), into: &events)
        #expect(reject == nil)
        // 15:24:03 is after the 15:22:10.481 acceptance: the hold keeps its own time.
        #expect(events == [Event(at: RFC2822.parse("Tue, 04 Mar 2025 15:24:03 +0000")!, .call(Self.alice, Self.aliceTask, .hold))])
    }

    @Test func formFixtureParses() throws {
        let body = try fixture("conference-hold.form")
        let form = try FormDecoding.parse(Array(body))
        #expect(form["Timestamp"] == "Tue, 04 Mar 2025 15:24:03 +0000")
        #expect(form["StatusCallbackEvent"] == "participant-hold")
        #expect(form["ParticipantLabel"] == "customer")
        #expect(form.count == 13)
    }

    @Test func formDecodingHandlesPlusPercentAndEmptyPairs() throws {
        let form = try FormDecoding.parse(Array("a=1+2%2B3&&b=&c&d=%C3%A9".utf8))
        #expect(form == ["a": "1 2+3", "b": "", "c": "", "d": "é"])
        #expect(try FormDecoding.parse([]) == [:])
    }

    @Test(arguments: ["a=%4", "a=%zz", "a=1&a=2", "=x", "a=%FF"])
    func malformedFormsAreRejected(body: String) {
        #expect(throws: IngestReject.self) { try FormDecoding.parse(Array(body.utf8)) }
    }

    @Test func classicFormCallbackDecodes() {
        var decoder = TwilioDecoder(configuration: .init(reorderWindow: 0))
        var events: [Event] = []
        let body = "EventType=worker.activity.update&Timestamp=1741101902&WorkerSid=WK1&WorkerName=bob&WorkerActivityName=Offline"
        #expect(decoder.decode(formBody: Array(body.utf8), into: &events) == nil)
        #expect(events.map(\.kind) == [.worker("WK1", WorkerProfile(name: "bob")), .activity("WK1", name: "Offline", available: false)])
        #expect(decoder.decode(form: ["Foo": "bar"], into: &events)?.category == .schema)
    }

    @Test func batchArrayYieldsEveryElement() {
        let batch = "[" + [T.cloudEvent("reservation.accepted", at: 0), T.cloudEvent("reservation.wrapup", at: 5),
                           T.conference("participant-hold", at: 3)].joined(separator: ",") + "]"
        // With a window the batch comes out in time order; without, in delivery order, where the hold
        // arrives after the wrap-up and so holds nothing.
        #expect(T.runKinds([batch]).last == .call(T.workerSid, T.taskSid, .wrapup))
        let kinds = T.runKinds([batch], window: 2)
        #expect(kinds == [.callStart(T.workerSid, CallStart(call: T.taskSid, from: "+15551230001", queue: "Billing")),
                          .call(T.workerSid, T.taskSid, .hold), .call(T.workerSid, T.taskSid, .wrapup)])
    }

    @Test func batchWithOneBadElementIsRejectedWholeAndRemembersNothing() {
        var decoder = TwilioDecoder(configuration: .init(reorderWindow: 0))
        var events: [Event] = []
        let good = T.cloudEvent("reservation.accepted", at: 0, id: "EZgood")
        let reject = decoder.decode("[" + good + ",{\"specversion\":\"1.0\",\"type\":\"com.twilio.taskrouter.x\"}]", into: &events)
        #expect(reject?.reason.hasPrefix("batch element 1: ") == true)
        #expect(events.isEmpty)
        // The good element was not remembered as seen: a corrected redelivery is not a duplicate.
        #expect(decoder.decode(good, into: &events) == nil)
        #expect(!events.isEmpty)
        #expect(decoder.statistics.duplicates == 0)
    }

    @Test func repeatedDeliveriesAreDroppedById() {
        let line = T.cloudEvent("reservation.accepted", at: 0)
        let r = T.run([line, line, "[" + line + "]"])
        #expect(r.events.count == T.run([line]).events.count)
        #expect(r.decoder.statistics.duplicates == 2)
    }

    @Test func repeatedClassicAndConferenceCallbacksAreDropped() {
        let classic = #"{"EventType":"worker.activity.update","TimestampMs":"1741101902117","WorkerSid":"WK1","WorkerActivityName":"Break"}"#
        let hold = T.conference("participant-hold", at: 3)
        let r = T.run([classic, classic, hold, hold])
        #expect(r.decoder.statistics.duplicates == 2)
        #expect(r.events.count == 1)
        #expect(r.decoder.statistics.parkedConference == 1)
    }

    @Test func deduplicationMemoryIsBounded() {
        var decoder = TwilioDecoder(configuration: .init(reorderWindow: 0, memory: 2))
        var events: [Event] = []
        let lines = (0..<3).map { T.cloudEvent("worker.activity.update", at: Double($0), id: "EZ\($0)", payload: ["worker_activity_name": "A\($0)"]) }
        for l in lines { _ = decoder.decode(l, into: &events) }
        _ = decoder.decode(lines[0], into: &events)  // forgotten: decoded again
        _ = decoder.decode(lines[2], into: &events)  // remembered: dropped
        #expect(decoder.statistics.duplicates == 1)
    }

    // MARK: Bad input

    static let badLines: [(String, IngestReject.Category, String)] = [
        (TwilioTest.cloudEvent("worker.created", at: 0, payload: ["worker_attributes": 5]), .schema, "worker_attributes"),
        (TwilioTest.cloudEvent("worker.created", at: 0, payload: ["worker_attributes": "{nope"]), .schema, "is not JSON"),
        (TwilioTest.cloudEvent("worker.created", at: 0, payload: ["worker_attributes": "[1]"]), .schema, "JSON object"),
        (TwilioTest.cloudEvent("reservation.accepted", at: 0, payload: ["task_attributes": ["a": 1]]), .schema, "task_attributes"),
        (TwilioTest.cloudEvent("reservation.accepted", at: 0, payload: ["task_attributes": "nope"]), .schema, "is not JSON"),
        (TwilioTest.cloudEvent("reservation.accepted", at: 0, payload: ["worker_sid": NSNull()]), .schema, "without a worker sid"),
        (TwilioTest.cloudEvent("task.completed", at: 0, payload: ["task_sid": NSNull()]), .schema, "without a task sid"),
        (TwilioTest.cloudEvent("reservation.accepted", at: 0, payload: ["task_sid": ""]), .schema, "must not be empty"),
        (TwilioTest.cloudEvent("reservation.accepted", at: 0, payload: ["worker_sid": 12]), .schema, "worker_sid"),
        (TwilioTest.cloudEvent("worker.capacity.update", at: 0, payload: ["worker_channel_capacity": -1]), .schema, "worker_channel_capacity"),
        (TwilioTest.cloudEvent("worker.created", at: 0, payload: ["timestamp": "yesterday"]), .schema, "RFC 3339"),
        (TwilioTest.cloudEvent("worker.created", at: 0, payload: ["eventtype": "worker.deleted"]), .schema, "disagrees"),
        (#"{"specversion":"1.0","type":"com.twilio.taskrouter.worker.created","time":"2026-11-25T09:00:00Z","data":{"payload":{}}}"#, .schema, "\"id\""),
        (#"{"specversion":"1.0","type":"com.twilio.taskrouter.worker.created","id":"EZ1","data":{"payload":{"worker_sid":"WK1"}}}"#, .schema, "timestamp"),
        (#"{"specversion":"1.0","type":"com.twilio.taskrouter.worker.created","id":"EZ1","time":"2026-11-25T09:00:00Z","data":[]}"#, .schema, "\"data\""),
        (#"{"specversion":"1.0","type":7}"#, .schema, "\"type\""),
        (#"{"EventType":"worker.created","WorkerSid":"WK1"}"#, .schema, "Timestamp"),
        (#"{"EventType":"worker.created","Timestamp":"soon","WorkerSid":"WK1"}"#, .schema, "Timestamp"),
        (#"{"EventType":"worker.created","Timestamp":"1741101902","WorkerSid":"WK1","WorkerAttributes":{"team":"x"}}"#, .schema, "WorkerAttributes"),
        (#"{"StatusCallbackEvent":"participant-hold","ConferenceSid":"CF1","CallSid":"CA1","Timestamp":"Tue, 04 Mar 2025 25:24:03 +0000"}"#, .schema, "RFC 2822"),
        (#"{"StatusCallbackEvent":"participant-hold","ConferenceSid":"CF1","Timestamp":"Tue, 04 Mar 2025 15:24:03 +0000"}"#, .schema, "CallSid"),
        (#"{"StatusCallbackEvent":"participant-hold","CallSid":"CA1","Timestamp":"Tue, 04 Mar 2025 15:24:03 +0000"}"#, .schema, "ConferenceSid"),
        (#"{"hello":"world"}"#, .schema, "not an event"),
        ("[1]", .schema, "batch element 0"),
        ("42", .schema, "not a JSON object"),
        (#"{"specversion":"1.0""#, .json, "not JSON"),
    ]

    @Test(arguments: 0..<badLines.count)
    func badInputIsRejectedWithAReason(index: Int) {
        let (line, category, fragment) = Self.badLines[index]
        var decoder = TwilioDecoder(configuration: .init(reorderWindow: 0))
        var events: [Event] = []
        let reject = decoder.decode(line, into: &events)
        #expect(reject?.category == category, "\(line)")
        #expect(reject?.reason.contains(fragment) == true, "\(reject?.reason ?? "accepted") should mention \(fragment)")
        #expect(events.isEmpty)
    }

    @Test func binaryGarbageIsAnEncodingReject() {
        var decoder = TwilioDecoder()
        var events: [Event] = []
        let bytes: [UInt8] = [0x7B, 0x22, 0xFF, 0xFE, 0x22, 0x7D]
        let reject = bytes.withUnsafeBufferPointer { decoder.decode(line: $0, into: &events) }
        #expect(reject?.category == .encoding)
    }

    @Test func rfc2822Parsing() {
        let t = RFC2822.parse("Tue, 04 Mar 2025 15:24:03 +0000")
        #expect(t == RFC3339.parse("2025-03-04T15:24:03Z"))
        #expect(RFC2822.parse("4 Mar 2025 17:24:03 +0200") == t)
        #expect(RFC2822.parse("Tue, 04 Mar 2025 15:24 GMT") == RFC3339.parse("2025-03-04T15:24:00Z"))
        for bad in ["", "Tue, 04 Mar 2025", "Tux, 04 Mar 2025 15:24:03 +0000", "Tue, 31 Feb 2025 15:24:03 +0000",
                    "Tue, 04 Mar 2025 15:24:03 +000", "Tue, 04 Mxr 2025 15:24:03 +0000", "Tue, 04 Mar 2025 15:61:03 +0000",
                    "2025-03-04T15:24:03Z"] {
            #expect(RFC2822.parse(bad) == nil, "\(bad)")
        }
    }

    @Test func boundedMapForgetsOldestKeys() {
        var map = BoundedMap<Int, Int>(capacity: 3)
        for i in 0..<5 { map[i] = i }
        #expect(map.count == 3)
        #expect(map[0] == nil && map[1] == nil && map[4] == 4)
        map[4] = 40
        #expect(map.count == 3 && map[2] == 2)
    }

    @Test func boundedMapKeepsAKeyInsertedAgainAfterItsRemoval() {
        var map = BoundedMap<Int, Int>(capacity: 3)
        map[1] = 1
        map[2] = 2
        map[1] = nil  // removed...
        map[3] = 3
        map[1] = 10   // ...and inserted again: now the newest
        map[4] = 4    // over capacity: the oldest live key (2) goes, not the new 1
        #expect(map[1] == 10)
        #expect(map[2] == nil)
        #expect(map[3] == 3 && map[4] == 4)
    }
}
