import Foundation
import Testing
import TeamsDomain
@testable import TeamsIngest

@Suite("Write-ahead log")
struct WriteAheadLogTests {
    func records(_ log: WriteAheadLog) -> ([JournalRecord], WriteAheadLog.Recovery) {
        var found: [JournalRecord] = []
        let recovery = log.replay { found.append($0) }
        return (found, recovery)
    }

    @Test("records come back in order with their source, flags, file position and payload")
    func roundTrip() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = try WriteAheadLog(directory: dir.path)
        log.start()
        let payload = Array("{\"type\":\"heartbeat\"}\n".utf8)
        let position = FilePosition(device: 7, inode: 42, offset: 4096)
        _ = payload.withUnsafeBufferPointer { p in
            log.append(.body, source: "POST /ingest", at: Timestamp(microseconds: 1), flags: JournalRecord.restricted, payload: p)
        }
        let last = payload.withUnsafeBufferPointer { p in
            log.append(.chunk, source: "/var/log/events.ndjson", at: Timestamp(microseconds: 2), position: position, payload: p)
        }
        log.append(.tick, source: "POST /ingest", at: Timestamp(microseconds: 3))
        #expect(log.waitUntilDurable(last) == nil)
        log.stop()

        let (found, recovery) = records(try WriteAheadLog(directory: dir.path))
        #expect(recovery.tornBytes == 0)
        #expect(found.map(\.operation) == [.body, .chunk, .tick])
        #expect(found[0] == JournalRecord(.body, source: "POST /ingest", at: Timestamp(microseconds: 1),
                                          flags: JournalRecord.restricted, payload: payload))
        #expect(found[1].position == position && found[1].payload == payload)
        #expect(found[2].payload.isEmpty && found[2].position == nil)
    }

    @Test("records appended without a sync are written but not synced on their own; the next durable record syncs them")
    func unsyncedRecords() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = try WriteAheadLog(directory: dir.path)
        log.start()
        let payload = Array("{\"type\":\"heartbeat\"}\n".utf8)
        var last: UInt64 = 0
        for i in 0..<5 {
            let position = FilePosition(device: 7, inode: 42, offset: (i + 1) * payload.count)
            last = payload.withUnsafeBufferPointer { p in
                log.append(.chunk, source: "events.ndjson", at: Timestamp(microseconds: Int64(i)), position: position,
                           payload: p, sync: false)
            }
        }
        #expect(log.waitUntilDurable(last) == nil)
        #expect(log.currentFigures.syncs == 0)
        #expect(log.currentFigures.fileBytes > WriteAheadLog.headerLength + 5 * payload.count)
        #expect(log.waitUntilDurable(log.append(.finish, source: "events.ndjson", at: Timestamp(microseconds: 5))) == nil)
        #expect(log.currentFigures.syncs == 1)
        log.stop()

        let (found, recovery) = records(try WriteAheadLog(directory: dir.path))
        #expect(recovery.tornBytes == 0)
        #expect(found.map(\.operation) == [.chunk, .chunk, .chunk, .chunk, .chunk, .finish])
        #expect(found[4].position?.offset == 5 * payload.count && found[4].payload == payload)
    }

    @Test("a torn or damaged tail is cut and everything before it kept; appends go on after it")
    func tornTail() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var log = try WriteAheadLog(directory: dir.path)
        log.start()
        for i in 0..<3 {
            let sequence = log.append(.finish, source: "s\(i)", at: Timestamp(microseconds: Int64(i)))
            #expect(log.waitUntilDurable(sequence) == nil)
        }
        log.stop()
        let path = dir.appendingPathComponent("ingest.wal").path
        let whole = try Data(contentsOf: URL(fileURLWithPath: path))

        // A record announced longer than what follows (the crash came mid-write).
        var torn = whole
        torn.append(contentsOf: [0x40, 0, 0, 0, 1, 2, 3, 4, 9, 9])
        try torn.write(to: URL(fileURLWithPath: path))
        log = try WriteAheadLog(directory: dir.path)
        var (found, recovery) = records(log)
        #expect(found.map(\.source) == ["s0", "s1", "s2"])
        #expect(recovery.tornBytes == 10)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == whole)

        // A flipped byte in the last record: its checksum fails, it goes, the two before stay.
        var damaged = whole
        damaged[damaged.count - 1] ^= 0xFF
        try damaged.write(to: URL(fileURLWithPath: path))
        log = try WriteAheadLog(directory: dir.path)
        (found, recovery) = records(log)
        #expect(found.map(\.source) == ["s0", "s1"])
        #expect(recovery.tornReason == "checksum mismatch")
        log.start()
        #expect(log.waitUntilDurable(log.append(.finish, source: "s3", at: Timestamp(microseconds: 3))) == nil)
        log.stop()
        (found, _) = records(try WriteAheadLog(directory: dir.path))
        #expect(found.map(\.source) == ["s0", "s1", "s3"])
    }

    @Test("a cut lands after the records before it; compaction keeps those after it, under the next generation")
    func cutAndCompaction() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        func append(_ log: WriteAheadLog, _ n: Int64) -> UInt64 {
            log.append(.tick, source: "s", at: Timestamp(microseconds: n))
        }
        var log = try WriteAheadLog(directory: dir.path)
        log.start()
        _ = append(log, 1)
        _ = append(log, 2)
        let ticket = log.markCut()
        #expect(log.waitUntilDurable(append(log, 3)) == nil)
        let cut = try #require(log.position(ofCut: ticket))
        #expect(cut.generation == 0 && cut.offset > WriteAheadLog.headerLength)
        log.stop()

        // A crash before compaction: the old log, read from the cut, holds only what came after it.
        log = try WriteAheadLog(directory: dir.path)
        var found: [JournalRecord] = []
        _ = log.replay(from: cut.offset) { found.append($0) }
        #expect(found.map(\.at.microseconds) == [3])
        log.start()
        #expect(log.compact(from: cut) == nil)
        #expect(log.generation == 1)
        #expect(log.waitUntilDurable(append(log, 4)) == nil)
        // A cut of an older generation is not in this log: refused, the log left as it is.
        #expect(log.compact(from: cut) != nil)
        log.stop()

        log = try WriteAheadLog(directory: dir.path)
        #expect(log.generation == 1)
        let (after, recovery) = records(log)
        #expect(after.map(\.at.microseconds) == [3, 4] && recovery.tornBytes == 0)
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("ingest.wal.tmp").path))
    }

    @Test("a log of another format version is refused, naming both versions")
    func unknownVersion() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var header = Array("TEAMSWAL".utf8) + [3, 0, 0, 0, 0, 0, 0, 0]
        try Data(header).write(to: dir.appendingPathComponent("ingest.wal"))
        #expect(throws: WriteAheadLog.OpenError.self) { _ = try WriteAheadLog(directory: dir.path) }
        do {
            _ = try WriteAheadLog(directory: dir.path)
        } catch {
            #expect("\(error)".contains("format version 3") && "\(error)".contains("reads versions 1 and 2"))
        }
        header[0] = UInt8(ascii: "X")
        try Data(header).write(to: dir.appendingPathComponent("ingest.wal"))
        #expect(throws: WriteAheadLog.OpenError.self) { _ = try WriteAheadLog(directory: dir.path) }
    }

    @Test("a replay brings back a session: a line split across chunks, then the rest after the restart")
    func replayResumesASession() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let first = try WriteAheadLog(directory: dir.path)
        first.start()
        let before = EventCollector()
        let live = IngestPipeline(logger: quietLogger, journal: first, sink: before.sink)
        var session = live.makeSession(source: "-")
        let text = Array((heartbeatLine(1) + "\n" + heartbeatLine(2)).utf8)
        let cut = text.count - 10  // the second line is still incomplete when the "crash" comes
        Array(text[..<cut]).withUnsafeBufferPointer { chunk in
            #expect(first.waitUntilDurable(session.record(.chunk, payload: chunk)!) == nil)
            session.feed(chunk)
        }
        first.stop()
        #expect(heartbeatNumbers(before) == [1])

        let second = try WriteAheadLog(directory: dir.path)
        let after = EventCollector()
        let restarted = IngestPipeline(logger: quietLogger, journal: second, sink: after.sink)
        let replay = JournalReplay(second, pipeline: restarted)
        second.start()
        #expect(replay.figures.records == 1 && replay.figures.events == 1)
        #expect(heartbeatNumbers(after) == [1])
        var resumed = try #require(replay.take("-"))
        #expect(resumed.journal != nil)
        Array(text[cut...] + Array("\n".utf8)).withUnsafeBufferPointer { resumed.feed($0) }
        #expect(heartbeatNumbers(after) == [1, 2])
        #expect(replay.take("-") == nil)
        second.stop()
    }

    @Test("a replay judges each line against the clock it came at: rejected stays rejected, accepted stays accepted",
          arguments: [false, true])
    func replayKeepsTheArrivalClock(twilio: Bool) throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let now = Timestamp.now()
        let arrived = now.adding(seconds: -200)
        // At its arrival: 3,590 s old (inside the hour's --max-event-age), now 3,790 s. And 400 s ahead
        // then (past the 300 s --max-clock-skew), only 200 s ahead now.
        let old = #"{"type":"worker","at":"\#(RFC3339.format(arrived.adding(seconds: -3590)))","worker":"OLD","name":"Old"}"#
        let ahead = #"{"type":"worker","at":"\#(RFC3339.format(arrived.adding(seconds: 400)))","worker":"AHEAD","name":"Ahead"}"#
        let log = try WriteAheadLog(directory: dir.path)
        log.start()
        Array((old + "\n" + ahead + "\n").utf8).withUnsafeBufferPointer { body in
            #expect(log.waitUntilDurable(log.append(.body, source: "POST /ingest", at: arrived, payload: body)) == nil)
        }
        log.stop()

        let limits = NativeLimits(maxClockSkew: 300, maxEventAge: 3600)
        let reopened = try WriteAheadLog(directory: dir.path)
        let after = EventCollector()
        let decoder: @Sendable () -> any LineDecoder = {
            twilio ? TwilioDecoder(configuration: TwilioDecoder.Configuration(limits: limits)) : NativeDecoder(limits: limits)
        }
        let restarted = IngestPipeline(logger: quietLogger, decoder: decoder, journal: reopened, sink: after.sink)
        let replay = JournalReplay(reopened, pipeline: restarted)
        reopened.start()
        defer { reopened.stop() }
        #expect(replay.figures.records == 1)
        let workers = after.events.compactMap { event -> String? in
            if case .worker(let id, _) = event.kind { return id }
            return nil
        }
        #expect(workers == ["OLD"])
    }
}
