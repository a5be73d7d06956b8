import Foundation
import Testing
import TeamsDomain
@testable import TeamsIngest

/// At-least-once, unordered delivery: any shuffle within the reorder window plus repeats must give the
/// same events, and so the same registry, as in-order delivery. Uses the committed busy-hour seed.
@Suite struct TwilioDeliveryTests {
    typealias T = TwilioTest

    static func seedLines() throws -> [String] {
        let url = T.repoRoot().appendingPathComponent("seeds/twilio-busy-hour.ndjson")
        return String(decoding: try Data(contentsOf: url), as: UTF8.self).split(separator: "\n").map(String.init)
    }

    /// The event time a line carries (payload timestamp, or the conference callback's RFC 2822 time).
    static func eventTime(_ line: String) throws -> Timestamp {
        let parsed = try JSONSerialization.jsonObject(with: Data(line.utf8))
        let object = try #require(parsed as? [String: Any])
        if let stamp = object["Timestamp"] as? String { return try #require(RFC2822.parse(stamp)) }
        let data = try #require(object["data"] as? [String: Any])
        let payload = try #require(data["payload"] as? [String: Any])
        let stamp = try #require(payload["timestamp"] as? String)
        return try #require(RFC3339.parse(stamp))
    }

    static func apply(_ events: [Event]) -> Registry {
        var registry = Registry()
        for e in events { _ = registry.apply(e) }
        return registry
    }

    static func sortedWorkers(_ r: Registry) -> [WorkerState] {
        r.workers.map(\.value).sorted { $0.id < $1.id }
    }

    @Test func seedDecodesWithoutRejects() throws {
        let r = T.run(try Self.seedLines(), window: 2)
        #expect(r.rejects.isEmpty, "\(r.rejects.prefix(3))")
        #expect(r.decoder.statistics.parkedConference == 0)
        #expect(r.decoder.statistics.duplicates == 0)
        let registry = Self.apply(r.events)
        #expect(registry.workers.count == 10)
        #expect(Set(registry.workers.map(\.value.team)) == ["Billing", "Tech Support", "Sales"])
        // The hour is over: every call and chat ended.
        #expect(registry.workers.allSatisfy { $0.value.calls.isEmpty && $0.value.tasks.isEmpty })
    }

    /// The registry part-way through the hour, from in-order delivery.
    static func registry(at cutoff: Timestamp) throws -> Registry {
        let events = T.run(try seedLines()).events.filter { $0.at <= cutoff }
        return apply(events)
    }

    @Test func stackedTransferShowsTwoCallsFirstHeldAndMuted() throws {
        let registry = try Self.registry(at: T.at(21 * 60))
        let ada = try #require(registry.workers.values.first { $0.name == "Ada Okafor" })
        try #require(ada.calls.count == 2)
        #expect(ada.calls[0].phase == .held && ada.calls[0].muted && ada.calls[0].via == .queue)
        #expect(ada.calls[1].phase == .live && !ada.calls[1].muted && ada.calls[1].via == .transfer)
        #expect(ada.calls[1].queue == "Tech Support")
        #expect(ada.callFlags(at: T.at(21 * 60)).allSatisfy { !$0.contains(.misroute) })
    }

    @Test func queueTransferToBusyAgentIsAMisroute() throws {
        let now = T.at(41 * 60)
        let registry = try Self.registry(at: now)
        let chen = try #require(registry.workers.values.first { $0.name == "Chen Wei" })
        try #require(chen.calls.count == 2)
        #expect(chen.calls[0].phase == .held && chen.calls[0].muted)
        #expect(chen.calls[1].via == .queue)
        #expect(chen.callFlags(at: now)[1].contains(.misroute))
    }

    @Test func shuffledBatchedAndRepeatedDeliveryConvergesToInOrder() throws {
        let lines = try Self.seedLines()
        let times = try lines.map(Self.eventTime)
        let window = 2.0
        let reference = T.run(lines, window: window)
        let expectedRegistry = Self.apply(reference.events)

        for seed in UInt64(1)...12 {
            var rng = SplitMix64(seed: seed)
            // Each delivery is late by less than the window; about one line in five is delivered twice.
            var deliveries: [(key: Int64, order: Int, line: String)] = []
            for (i, line) in lines.enumerated() {
                for copy in 0..<(Int.random(in: 0..<5, using: &rng) == 0 ? 2 : 1) {
                    let delay = Int64.random(in: 0..<Int64(window * 1_000_000), using: &rng)
                    deliveries.append((times[i].microseconds + delay, deliveries.count + copy, line))
                }
            }
            deliveries.sort { ($0.key, $0.order) < ($1.key, $1.order) }
            // A webhook sink batches: group consecutive deliveries into arrays of 1 to 6.
            var batched: [String] = []
            var i = 0
            while i < deliveries.count {
                let n = min(Int.random(in: 1...6, using: &rng), deliveries.count - i)
                batched.append(n == 1 ? deliveries[i].line : "[" + deliveries[i..<(i + n)].map(\.line).joined(separator: ",") + "]")
                i += n
            }
            let shuffled = T.run(batched, window: window)
            #expect(shuffled.rejects.isEmpty, "seed \(seed)")
            #expect(shuffled.decoder.statistics.duplicates == deliveries.count - lines.count, "seed \(seed)")
            #expect(shuffled.decoder.statistics.late == 0, "seed \(seed)")
            #expect(shuffled.events == reference.events, "seed \(seed): events differ from in-order delivery")
            let registry = Self.apply(shuffled.events)
            #expect(Self.sortedWorkers(registry) == Self.sortedWorkers(expectedRegistry), "seed \(seed)")
            #expect(registry.version == expectedRegistry.version, "seed \(seed)")
        }
    }

    @Test func withoutAWindowShufflingCanLoseState() throws {
        // The window is what makes convergence hold: the same shuffle mapped on arrival differs.
        let lines = try Self.seedLines()
        let times = try lines.map(Self.eventTime)
        var rng = SplitMix64(seed: 7)
        let order = lines.indices.sorted {
            (times[$0].microseconds + Int64.random(in: 0..<2_000_000, using: &rng), $0) < (times[$1].microseconds, $1)
        }
        let inOrder = T.run(lines, window: 0).events
        let shuffled = T.run(order.map { lines[$0] }, window: 0).events
        #expect(shuffled != inOrder)
    }

    @Test func holdBeforeStartWithinTheWindowIsApplied() {
        let r = T.run([T.conference("participant-hold", at: 10), T.cloudEvent("reservation.accepted", at: 8)], window: 2)
        var registry = Registry()
        for e in r.events { _ = registry.apply(e) }
        #expect(registry.workers[T.workerSid]?.calls.first?.phase == .held)
    }

    @Test func recordsWaitForTheWindowThenTickReleasesThem() {
        var decoder = TwilioDecoder(configuration: .init(reorderWindow: 2))
        var events: [Event] = []
        #expect(decoder.decode(T.cloudEvent("reservation.accepted", at: 0), into: &events) == nil)
        #expect(events.isEmpty && decoder.pendingRecords == 1)
        decoder.tick(now: T.at(100), into: &events)  // the first tick only notes when the newest event was seen
        #expect(events.isEmpty)
        decoder.tick(now: T.at(101.5), into: &events)
        #expect(events.isEmpty)
        decoder.tick(now: T.at(102.1), into: &events)
        #expect(!events.isEmpty && decoder.pendingRecords == 0)
    }

    @Test func recordsOlderThanWhatWasReleasedPassAtOnceAndCountAsLate() {
        var decoder = TwilioDecoder(configuration: .init(reorderWindow: 1))
        var events: [Event] = []
        _ = decoder.decode(T.cloudEvent("worker.activity.update", at: 0, payload: ["worker_activity_name": "A"]), into: &events)
        _ = decoder.decode(T.cloudEvent("worker.activity.update", at: 5, payload: ["worker_activity_name": "B"]), into: &events)
        let before = events.count
        _ = decoder.decode(T.cloudEvent("worker.activity.update", at: -3, payload: ["worker_activity_name": "C"]), into: &events)
        #expect(events.count > before)
        #expect(decoder.statistics.late == 1)
    }

    @Test func aRecordFromTheFarFutureIsPassedOnAndDoesNotStopTheReordering() {
        var decoder = TwilioDecoder(configuration: .init(reorderWindow: 2))
        var events: [Event] = []
        let years = 50.0 * 365 * 86_400
        _ = decoder.decode(T.cloudEvent("worker.activity.update", at: years, payload: ["worker_activity_name": "Z"]), into: &events)
        #expect(!events.isEmpty, "passed on at once, not held")
        #expect(decoder.pendingRecords == 0)
        // Later, ordinary records are still held and put in order.
        _ = decoder.decode(T.conference("participant-hold", at: 10), into: &events)
        _ = decoder.decode(T.cloudEvent("reservation.accepted", at: 9), into: &events)
        #expect(decoder.pendingRecords == 2)
        decoder.flush(into: &events)
        var registry = Registry()
        for e in events { _ = registry.apply(e) }
        #expect(registry.workers[T.workerSid]?.calls.first?.phase == .held)
    }
}
