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

    /// The event time a line carries (payload timestamp, a conference callback's RFC 2822 time, directly or
    /// inside an Event Streams CloudEvent, or a native line's `at`).
    static func eventTime(_ line: String) throws -> Timestamp {
        let parsed = try JSONSerialization.jsonObject(with: Data(line.utf8))
        let object = try #require(parsed as? [String: Any])
        if let stamp = object["Timestamp"] as? String { return try #require(RFC2822.parse(stamp)) }
        if let stamp = object["at"] as? String { return try #require(RFC3339.parse(stamp)) }
        let data = try #require(object["data"] as? [String: Any])
        if let request = data["request"] as? [String: Any], let parameters = request["parameters"] as? [String: Any] {
            let stamp = try #require(parameters["Timestamp"] as? String)
            return try #require(RFC2822.parse(stamp))
        }
        let payload = try #require(data["payload"] as? [String: Any])
        let stamp = try #require(payload["timestamp"] as? String)
        return try #require(RFC3339.parse(stamp))
    }

    static func apply(_ events: [Event]) -> Registry {
        var registry = Registry()
        for e in events { _ = registry.apply(e) }
        return registry
    }

    /// Workers by id, without their registry versions: a change held for its call and applied with the call's
    /// start bumps the version once, the same change applied on its own a second time; what is shown is the same.
    static func sortedWorkers(_ r: Registry) -> [WorkerState] {
        r.workers.map(\.value).sorted { $0.id < $1.id }.map { var w = $0; w.version = 0; return w }
    }

    /// The registry after the whole seed, and a moment just after its last event.
    static func endOfSeed() throws -> (registry: Registry, now: Timestamp) {
        let r = T.run(try seedLines(), window: 2)
        let registry = apply(r.events)
        return (registry, try #require(registry.lastEventAt).adding(seconds: 10))
    }

    static func worker(_ registry: Registry, _ name: String) throws -> WorkerState {
        try #require(registry.workers.values.first { $0.name == name })
    }

    @Test func seedDecodesWithoutRejects() throws {
        let r = T.run(try Self.seedLines(), window: 2)
        #expect(r.rejects.isEmpty, "\(r.rejects.prefix(3))")
        #expect(r.decoder.statistics.parkedConference == 0)
        #expect(r.decoder.statistics.duplicates == 0)
        let registry = Self.apply(r.events)
        #expect(registry.workers.count == 10)
        #expect(Set(registry.workers.map(\.value.team)) == ["Billing", "Tech Support", "Sales"])
        #expect(registry.pendingCount == 0 && registry.pendingDropped == 0)
        // Every chat ended; the calls in progress are the scripted end of the hour.
        #expect(registry.workers.allSatisfy { $0.value.tasks.isEmpty })
        let calls = Dictionary(uniqueKeysWithValues: registry.workers.values.map { ($0.name, $0.calls.count) })
        #expect(calls == ["Ada Okafor": 2, "Bruno Silva": 1, "Chen Wei": 2, "Erin Walsh": 1, "Hana Sato": 1,
                          "Gus Lindqvist": 1, "Ben Carter": 0, "Chloé Martin": 0, "Dev Patel": 0, "Farah Haddad": 0])
    }

    @Test func stackedWarmTransferIsLiveViaTransferWithTheFirstCallHeldAndMuted() throws {
        let (registry, now) = try Self.endOfSeed()
        let ada = try Self.worker(registry, "Ada Okafor")
        try #require(ada.calls.count == 2)
        #expect(ada.calls[0].phase == .held && ada.calls[0].muted == true && ada.calls[0].via == .queue)
        #expect(ada.calls[1].phase == .live && ada.calls[1].via == .transfer && ada.calls[1].queue == "Tech Support")
        #expect(ada.callFlags(at: now) == [[], []])
        // Same task: the transferor holds it too, in wrap-up, not on hold.
        let bruno = try Self.worker(registry, "Bruno Silva")
        #expect(bruno.calls.first?.id == ada.calls[1].id)
        #expect(bruno.calls.first?.phase == .wrapup && bruno.calls.first?.holdSince == nil)
    }

    @Test func queueTransferToABusyAgentIsAMisroute() throws {
        let (registry, now) = try Self.endOfSeed()
        let chen = try Self.worker(registry, "Chen Wei")
        try #require(chen.calls.count == 2)
        #expect(chen.calls[0].phase == .held && chen.calls[0].muted == true)
        #expect(chen.calls[1].via == .queue && chen.calls[1].queue == "Tech Support")
        #expect(chen.callFlags(at: now)[1].contains(.misroute))
        // The transferor's part ended.
        let gus = try Self.worker(registry, "Gus Lindqvist")
        #expect(gus.calls.map(\.phase) == [.offered])
    }

    @Test func aHeldCallWithNoMuteSourceIsMuteUnknownAndNotFlagged() throws {
        let (registry, now) = try Self.endOfSeed()
        let erin = try Self.worker(registry, "Erin Walsh")
        #expect(erin.calls.first?.phase == .held && erin.calls.first?.muted == nil)
        #expect(erin.callFlags(at: now) == [[]])
        #expect(erin.missedOffers(since: T.at(0)) == 1)
    }

    @Test func unmutingOnAHeldCallIsFlaggedAfterTheGrace() throws {
        let (registry, now) = try Self.endOfSeed()
        let hana = try Self.worker(registry, "Hana Sato")
        let call = try #require(hana.calls.first)
        #expect(call.phase == .held && call.muted == false)
        let start = try #require(hana.wrongCallRiskStart(of: call))
        #expect(hana.callFlags(at: start.adding(seconds: 2)) == [[]])
        #expect(hana.callFlags(at: now) == [.wrongCallRisk])
    }

    @Test func aDeletedTaskIsGone() throws {
        let (registry, _) = try Self.endOfSeed()
        let ben = try Self.worker(registry, "Ben Carter")
        #expect(ben.calls.isEmpty)
        #expect(ben.missedOffers(since: T.at(0)) == 1)
    }

    @Test func shuffledBatchedAndRepeatedDeliveryConvergesToInOrder() throws {
        let lines = try Self.seedLines()
        let times = try lines.map(Self.eventTime)
        let window = 2.0
        let reference = T.run(lines, window: window)
        let expectedRegistry = Self.apply(reference.events)
        let native = lines.filter { $0.hasPrefix("{\"type\":\"call.") }.count
        #expect(native >= 8)

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
            // Native (plugin) lines are not de-duplicated by the decoder: the registry sees their repeats as no change.
            let twilioRepeats = deliveries.count - lines.count
            #expect(shuffled.decoder.statistics.duplicates <= twilioRepeats, "seed \(seed)")
            #expect(shuffled.decoder.statistics.late == 0, "seed \(seed)")
            let registry = Self.apply(shuffled.events)
            #expect(Self.sortedWorkers(registry) == Self.sortedWorkers(expectedRegistry), "seed \(seed)")
            #expect(registry.pendingCount == 0, "seed \(seed)")
        }
    }

    @Test func withoutAWindowShufflingCanLoseState() throws {
        // The window is what makes convergence hold: the same shuffle mapped on arrival differs.
        let lines = try Self.seedLines()
        let times = try lines.map(Self.eventTime)
        var rng = SplitMix64(seed: 7)
        let keys = times.map { $0.microseconds + Int64.random(in: 0..<2_000_000, using: &rng) }
        let order = lines.indices.sorted { (keys[$0], $0) < (keys[$1], $1) }
        let inOrder = Self.apply(T.run(lines, window: 0).events)
        let shuffled = Self.apply(T.run(order.map { lines[$0] }, window: 0).events)
        #expect(Self.sortedWorkers(shuffled) != Self.sortedWorkers(inOrder))
    }

    @Test func eventsAheadOfTheClockAreTakenWhenTheyArrivedAndCounted() {
        // Arrival at T+0; a reservation stamped a minute ahead, its hold 61 s ahead: both within the skew limit.
        var limits = NativeLimits()
        limits.arrival = T.at(0)
        let r = T.run([T.cloudEvent("reservation.accepted", at: 60), T.conference("participant-hold", at: 61),
                       #"{"type":"activity","at":"2026-11-25T09:00:30Z","worker":"W1","activity":"Break"}"#,
                       #"{"type":"activity","at":"2026-11-25T08:59:30Z","worker":"W2","activity":"Break"}"#],
                      limits: limits)
        #expect(r.rejects.isEmpty)
        #expect(!r.events.isEmpty)
        #expect(r.events.allSatisfy { $0.at <= T.at(0) }, "\(r.events.map(\.at))")
        #expect(r.events.contains { $0.at == T.at(-30) }, "an event on time keeps its time")
        #expect(r.decoder.statistics.aheadOfClock == 3)
        var registry = Registry()
        for e in r.events { _ = registry.apply(e) }
        #expect(registry.workers[T.workerSid]?.calls.first?.phase == .held, "the hold still follows its call")
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

    @Test func aRecordFromTheFarFutureIsRejectedAndDoesNotStopTheReordering() {
        var decoder = TwilioDecoder(configuration: .init(reorderWindow: 2))
        var events: [Event] = []
        let years = 50.0 * 365 * 86_400
        let reject = decoder.decode(T.cloudEvent("worker.activity.update", at: years, payload: ["worker_activity_name": "Z"]), into: &events)
        #expect(reject?.reason.contains("ahead of this server's clock") == true)
        #expect(events.isEmpty && decoder.pendingRecords == 0)
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
