import Foundation
import Testing
import TeamsDomain
@testable import TeamsIngest

/// A floor saved mid-flight (multi-call, hold, mute, a change held for a call not started yet, Twilio
/// records waiting in the reorder window and the correlation they build) comes back identical, and goes on
/// exactly as the original would.
@Suite("Floor snapshots")
struct FloorSnapshotTests {
    typealias T = TwilioTest

    static func native(_ type: String, _ seconds: Double, _ fields: String) -> String {
        #"{"type":"\#(type)","at":"\#(T.time(seconds))",\#(fields)}"#
    }

    /// Native lines (applied at once) and Twilio lines (held in a 30-second reorder window).
    static let lines: [String] = [
        native("worker", 0, #""worker":"WK01","name":"Ada Okafor","team":"Billing","capacity":{"voice":2}"#),
        native("call.start", 1, #""worker":"WK01","call":"CA01","from":"+15551230001","queue":"Billing""#),
        native("call.start", 2, #""worker":"WK01","call":"CA02","via":"direct""#),
        native("call.hold", 3, #""worker":"WK01","call":"CA01""#),
        native("call.mute", 4, #""worker":"WK01","call":"CA02""#),
        // A plugin's mute before its call starts: held by the registry for the call.
        native("call.mute", 5, #""worker":"WK01","call":"CA09""#),
        T.cloudEvent("worker.activity.update", at: 6, payload: ["worker_activity_name": "Available"]),
        T.cloudEvent("reservation.created", at: 7),
        T.cloudEvent("reservation.accepted", at: 8),
    ]

    /// A pipeline with a Twilio decoder (30 s window) applying to `store`.
    static func pipeline(_ store: RegistryStore, journal: WriteAheadLog? = nil) -> IngestPipeline {
        IngestPipeline(logger: quietLogger, decoder: { TwilioDecoder(configuration: .init(reorderWindow: 30)) },
                       journal: journal) { store.apply($0) }
    }

    @Test("a snapshot restores the same registry, statistics and decoder memory, and the floor goes on the same")
    func roundTrip() throws {
        let original = RegistryStore()
        let live = Self.pipeline(original)
        let slot = live.slot(for: live.makeSession(source: "POST /ingest"))
        let body = Array(Self.lines.joined(separator: "\n").utf8)
        slot.run { s in body.withUnsafeBufferPointer { s.feed(body: $0) } }
        #expect(slot.run { $0.holdsEvents })
        let (registry, counters) = original.capture()
        #expect(registry.pendingCount == 1)
        #expect(registry[worker: "WK01"]?.calls.count == 2)

        let taken = live.whileNoOperationRuns { sessions in
            FloorSnapshot(takenAt: Timestamp.now(), log: .init(generation: 0, offset: WriteAheadLog.headerLength),
                          registry: registry, counters: counters, statistics: live.statistics.snapshot(),
                          sessions: sessions)
        }
        let bytes = try taken.encoded()
        let loaded = try FloorSnapshot.decode(bytes, path: "state.snapshot")

        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = try WriteAheadLog(directory: dir.path)
        let restored = RegistryStore()
        let again = Self.pipeline(restored, journal: log)
        let replay = JournalReplay(log, pipeline: again, snapshot: loaded, store: restored,
                                   start: try JournalReplay.start(of: log, after: nil, snapshotPath: "none"))
        #expect(replay.figures.fromSnapshot && replay.figures.records == 0)
        Self.expectSameFloor(original, restored)
        #expect(again.statistics.snapshot() == live.statistics.snapshot())

        var resumed = try #require(replay.take("POST /ingest"))
        #expect(resumed.holdsEvents)
        #expect(resumed.lineNumber == Self.lines.count)
        // Both let the held Twilio records go: the same events, so the same floor, with the Twilio call on it.
        slot.run { $0.finish() }
        resumed.journal = nil
        resumed.finish()
        Self.expectSameFloor(original, restored)
        #expect(restored.snapshot()[worker: T.workerSid]?.calls.map(\.id) == [T.taskSid])
        #expect(again.statistics.snapshot().twilio == live.statistics.snapshot().twilio)
    }

    static func expectSameFloor(_ a: RegistryStore, _ b: RegistryStore) {
        let (x, xc) = a.capture()
        let (y, yc) = b.capture()
        #expect(x.workers == y.workers)
        #expect(x.version == y.version && x.lastEventAt == y.lastEventAt)
        #expect(x.removedWorkers == y.removedWorkers)
        #expect(x.pendingCount == y.pendingCount && x.pendingHeld == y.pendingHeld)
        #expect(xc == yc)
    }

    @Test("snapshots taken while two sources post: the last one plus the log after it make the same floor, no event twice or lost")
    func consistentCut() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = try WriteAheadLog(directory: dir.path, sync: false)
        log.start()
        let store = RegistryStore()
        let live = IngestPipeline(logger: quietLogger, journal: log) { store.apply($0) }
        let sources = ["a", "b"].map { SharedIngestSession(pipeline: live, source: $0) }
        let snapshots = FloorSnapshotter(directory: dir.path, store: store, pipeline: live, journal: log,
                                         logger: quietLogger)
        let posts = 600
        let threads = sources.enumerated().map { n, session in
            Thread {
                for i in 0..<posts {
                    let line = Self.native("activity", Double(i) / 100,
                                           #""worker":"\#(n)-\#(i % 20)","activity":"Step \#(i)""#)
                    _ = session.ingest(body: Array((line + "\n").utf8))
                }
            }
        }
        threads.forEach { $0.start() }
        var taken = 0
        while threads.contains(where: { !$0.isFinished }) || taken < 3 {
            #expect(snapshots.snapshot() == nil)
            taken += 1
        }
        #expect(snapshots.figures.snapshots == taken)
        let (floor, counters) = store.capture()
        let statistics = live.statistics.snapshot()
        log.stop()

        let saved = try #require(try FloorSnapshot.load(directory: dir.path))
        let reopened = try WriteAheadLog(directory: dir.path, newGeneration: saved.snapshot.log.generation + 1)
        let restored = RegistryStore()
        let again = IngestPipeline(logger: quietLogger, journal: reopened) { restored.apply($0) }
        let start = try JournalReplay.start(of: reopened, after: saved.snapshot, snapshotPath: "state.snapshot")
        _ = JournalReplay(reopened, pipeline: again, snapshot: saved.snapshot, store: restored, start: start)
        let (back, backCounters) = restored.capture()
        #expect(back.workers.mapValues(\.activity) == floor.workers.mapValues(\.activity))
        #expect(backCounters.events == counters.events && counters.events == UInt64(2 * posts))
        #expect(again.statistics.snapshot().linesRead == statistics.linesRead)
    }

    @Test("a damaged or unknown snapshot is refused with what to do")
    func refusesDamage() throws {
        let snapshot = FloorSnapshot(takenAt: Timestamp(microseconds: 1), log: .init(generation: 0, offset: 16),
                                     registry: Registry(), counters: .init(), statistics: IngestStatistics().snapshot(),
                                     sessions: [])
        var bytes = try snapshot.encoded()
        #expect(throws: Never.self) { _ = try FloorSnapshot.decode(bytes, path: "s") }
        bytes[bytes.count - 2] ^= 0x20
        #expect(throws: FloorSnapshot.FileError.self) { _ = try FloorSnapshot.decode(bytes, path: "s") }
        bytes[8] = 9
        do {
            _ = try FloorSnapshot.decode(bytes, path: "/data/state.snapshot")
            Issue.record("an unknown version was read")
        } catch {
            #expect(String(describing: error).contains("/data/state.snapshot has format version 9"))
        }
    }

    /// The floor of ``lines`` taken as a snapshot (a held call change, calls, Twilio memory).
    static func takenFloor() -> FloorSnapshot {
        let store = RegistryStore()
        let live = Self.pipeline(store)
        let slot = live.slot(for: live.makeSession(source: "POST /ingest"))
        let body = Array(Self.lines.joined(separator: "\n").utf8)
        slot.run { s in body.withUnsafeBufferPointer { s.feed(body: $0) } }
        let (registry, counters) = store.capture()
        return live.whileNoOperationRuns { sessions in
            FloorSnapshot(takenAt: Timestamp(microseconds: 1_700_000_000_000_000),
                          log: .init(generation: 3, offset: WriteAheadLog.headerLength),
                          registry: registry, counters: counters, statistics: live.statistics.snapshot(),
                          sessions: sessions)
        }
    }

    @Test("a snapshot in format version 1 (JSON, written by older builds) is still read, the same as version 2")
    func readsVersionOne() throws {
        let taken = Self.takenFloor()
        let json = try taken.encoded(version: FloorSnapshot.jsonFormatVersion)
        let compact = try taken.encoded()
        #expect(json[8] == 1 && compact[8] == 2)
        #expect(json[24] == UInt8(ascii: "{"))
        let a = try FloorSnapshot.decode(json, path: "old")
        let b = try FloorSnapshot.decode(compact, path: "new")
        for s in [a, b] {
            #expect(s.registry.workers == taken.registry.workers)
            #expect(s.registry.pendingCount == 1 && s.registry.version == taken.registry.version)
            #expect(s.counters == taken.counters && s.statistics == taken.statistics)
            #expect(s.log == taken.log && s.takenAt == taken.takenAt)
            #expect(s.sessions.count == taken.sessions.count)
        }
        // What was read from JSON, saved again in the compact form, reads back the same.
        #expect(try FloorSnapshot.decode(a.encoded(), path: "again").registry.workers == taken.registry.workers)
    }

    @Test("a compact payload cut short or with a bad tag throws, never traps")
    func compactDamage() throws {
        let payload = Array(try Self.takenFloor().encoded().dropFirst(24))
        #expect(throws: Never.self) { _ = try CompactDecoder.decode(FloorSnapshot.self, from: payload) }
        for cut in stride(from: 0, to: payload.count, by: max(1, payload.count / 97)) {
            #expect(throws: (any Error).self) { _ = try CompactDecoder.decode(FloorSnapshot.self, from: Array(payload[..<cut])) }
        }
        var bad = payload
        bad[0] = 200
        #expect(throws: (any Error).self) { _ = try CompactDecoder.decode(FloorSnapshot.self, from: bad) }
    }

    /// `value` in the compact form with its hand-written fast paths and through `Codable` alone.
    static func compactForms<T: Encodable>(_ value: T) throws -> (fast: [UInt8], slow: [UInt8]) {
        var fast: [UInt8] = []
        var slow: [UInt8] = []
        try CompactEncoder.encode(value, appendingTo: &fast)
        try CompactEncoder.encode(value, appendingTo: &slow, fastPaths: false)
        return (fast, slow)
    }

    @Test("the registry's workers are written by their hand-written compact form byte for byte as through Codable, and read back")
    func compactWorkersMatchCodable() throws {
        // A busy floor from the demo seed, then one worker through every shape a saved worker's fields take.
        var registry = Registry()
        var decoder = NativeDecoder()
        decoder.arrival = Timestamp(microseconds: 1_796_000_000_000_000)
        let seed = try String(contentsOf: T.repoRoot().appendingPathComponent("seeds/demo.ndjson"), encoding: .utf8)
        for line in seed.split(separator: "\n") {
            if case .success(let event?) = decoder.decode(String(line)) { _ = registry.apply(event) }
        }
        #expect(registry.workers.count >= 40)
        let t = { (s: Int64) in Timestamp(microseconds: 1_764_000_000_000_000 + s * 1_000_000) }
        let w = "WK-every-shape"
        let events: [Event] = [
            Event(at: t(0), .worker(w, WorkerProfile(name: "Zoë \"Q\" Ng", team: "Sales", skills: ["sales", "日本語"],
                                                   capacity: ["voice": 3, "chat": 2]))),
            Event(at: t(1), .activity(w, name: "Available", available: true)),
            Event(at: t(2), .channelAvailability(w, channel: "chat", available: false)),
            Event(at: t(3), .callOffer(w, CallStart(call: "CA-offered", from: "+15550001", queue: "Sales"))),
            Event(at: t(4), .call(w, "CA-offered", .miss)),
            Event(at: t(5), .callStart(w, CallStart(call: "CA-held", from: nil, queue: nil, direction: .outbound, via: .outbound))),
            Event(at: t(6), .call(w, "CA-held", .mute)),
            Event(at: t(7), .call(w, "CA-held", .hold)),
            Event(at: t(8), .callStart(w, CallStart(call: "CA-live", from: "+15550002", queue: "Sales", via: .transfer))),
            Event(at: t(9), .call(w, "CA-live", .unmute)),
            Event(at: t(10), .callStart(w, CallStart(call: "CA-wrap", via: .direct))),
            Event(at: t(11), .call(w, "CA-wrap", .wrapup)),
            Event(at: t(12), .callOffer(w, CallStart(call: "CA-ringing"))),
            Event(at: t(13), .callStart(w, CallStart(call: "CA-done"))),
            Event(at: t(14), .call(w, "CA-done", .end)),
            Event(at: t(15), .taskStart(w, TaskStart(task: "WT-chat", channel: "chat", from: "web", queue: nil))),
            Event(at: t(16), .taskStart(w, TaskStart(task: "WT-ended", channel: "sms"))),
            Event(at: t(17), .taskEnd(w, "WT-ended")),
            Event(at: t(18), .capacity(w, channel: "sms", total: 1)),
        ]
        for event in events { _ = registry.apply(event) }
        let worker = try #require(registry[worker: w])
        #expect(worker.calls.count == 4 && worker.tasks.count == 1 && worker.missedOffers(since: .distantPast) == 1)
        let (fast, slow) = try Self.compactForms(registry)
        #expect(fast.count > 10_000)
        #expect(fast == slow)
        let read = try CompactDecoder.decode(Registry.self, from: fast)
        #expect(read.workers == registry.workers)
        #expect(read[worker: w] == worker)
    }

    @Test("the Twilio decoder's memory is written by its hand-written compact form byte for byte as through Codable, and read back")
    func compactFastPathsMatchCodable() throws {
        var decoder = TwilioDecoder(configuration: .init(reorderWindow: 30, memory: 2_000))
        var events: [Event] = []
        let seed = try String(contentsOf: T.repoRoot().appendingPathComponent("seeds/twilio-busy-hour.ndjson"), encoding: .utf8)
        let lines = seed.split(separator: "\n").map(String.init) + TwilioBenchmark.lines(count: 3_000, workers: 50)
            + Self.lines + [FlexTrafficTests.transferInitiated(at: 9, type: "WORKER", from: T.workerSid)]
        for line in lines { _ = decoder.decode(line, into: &events) }
        let memory = try #require(decoder.memory)
        let mapper = try #require(memory.twilio?.mapper)
        let (fast, slow) = try Self.compactForms(memory)
        #expect(fast.count > 100_000)
        #expect(fast == slow)
        // Every kind of entry the hand-written forms cover is in there.
        var mapperBytes: [UInt8] = []
        try CompactEncoder.encode(mapper, appendingTo: &mapperBytes)
        for word in ["holders", "reservation", "startedAt", "endedAt", "accepted", "wrapup", "ended", "customer",
                     "worker", "profile", "activity", "voice", "transfer"] {
            #expect(mapperBytes.firstRange(of: Array(word.utf8)) != nil, "no \(word) in the mapper's memory")
        }
        // Read back, it is the same memory (plain dictionaries inside may list their entries in another order).
        let read = try CompactDecoder.decode(DecoderMemory.self, from: fast)
        let (again, againSlow) = try Self.compactForms(read)
        #expect(again.count == fast.count)
        #expect(again == againSlow)
    }

    @Test("the compact form keeps optionals, nested containers, big and negative numbers and text")
    func compactValues() throws {
        struct Inner: Codable, Equatable { var a: [Int64?]; var b: [String: Double] }
        enum Kind: Codable, Equatable { case one(Inner), two(x: UInt64, y: String), none }
        struct Outer: Codable, Equatable {
            var kinds: [Kind]
            var maybe: Int?
            var text: String
            var flags: Set<Bool>
            var byNumber: [Int: String]
        }
        let value = Outer(kinds: [.one(Inner(a: [nil, .min, .max, -1, 0], b: ["π": 3.14, "": -0.0])),
                                  .two(x: .max, y: "Ünïcødé 🙂"), .none],
                          maybe: nil, text: "", flags: [true, false], byNumber: [7: "seven", -2: "minus two"])
        var bytes: [UInt8] = []
        try CompactEncoder.encode(value, appendingTo: &bytes)
        #expect(try CompactDecoder.decode(Outer.self, from: bytes) == value)
        #expect(throws: (any Error).self) { _ = try CompactDecoder.decode(Inner.self, from: bytes) }
    }
}
