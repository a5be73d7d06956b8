import Foundation
import Testing
import TeamsDomain
@testable import TeamsIngest

/// The time heartbeat `n` is dated `n` seconds after (times before 2000 are rejected as an unset clock).
let heartbeatBase: Int64 = 1_764_000_000

/// A heartbeat line whose time encodes `n`, so tests can see which lines arrived, in which order.
func heartbeatLine(_ n: Int) -> String {
    #"{"type":"heartbeat","at":"\#(RFC3339.format(Timestamp(microseconds: (heartbeatBase + Int64(n)) * 1_000_000)))"}"#
}

/// The `n`s of the heartbeats a collector received.
func heartbeatNumbers(_ collector: EventCollector) -> [Int] {
    collector.events.map { Int($0.at.microseconds / 1_000_000 - heartbeatBase) }
}

/// Polls `condition` until it holds or `timeout` passes.
func eventually(timeout: Duration = .seconds(5), _ condition: () -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if condition() { return true }
        try await Task.sleep(for: .milliseconds(20))
    }
    return condition()
}

func append(_ text: String, to url: URL) throws {
    if !FileManager.default.fileExists(atPath: url.path) {
        _ = FileManager.default.createFile(atPath: url.path, contents: nil)
    }
    let handle = try FileHandle(forWritingTo: url)
    defer { try? handle.close() }
    try handle.seekToEnd()
    try handle.write(contentsOf: Data(text.utf8))
}

/// Remembers how a source ended.
final class EndRecorder: Sendable {
    private let lock = NSLock()
    nonisolated(unsafe) private var ends: [SourceEnd] = []
    var all: [SourceEnd] { lock.withLock { ends } }
    var callback: @Sendable (SourceEnd) -> Void { { [self] end in lock.withLock { ends.append(end) } } }
}

@Suite("File and stdin sources", .serialized)
struct SourceTests {
    @Test("a file not followed is read to the end, unterminated last line included, then reported")
    func readOnce() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("events.ndjson")
        try append("\(heartbeatLine(1))\n\nnot json\n\(heartbeatLine(2))", to: file)

        let collector = EventCollector()
        let ends = EndRecorder()
        let pipeline = IngestPipeline(logger: quietLogger, sink: collector.sink)
        let source = FileSource(path: file.path, follow: false, pipeline: pipeline, onEnd: ends.callback)
        source.start()
        source.wait()
        #expect(heartbeatNumbers(collector) == [1, 2])
        #expect(ends.all == [SourceEnd(source: file.path, reason: .endOfInput, lines: 4)])
        #expect(pipeline.statistics.snapshot().linesRejected == 1)
    }

    @Test("a big file is read completely across many chunks")
    func bigFile() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("big.ndjson")
        let text = (1...20_000).map { heartbeatLine($0) + "\n" }.joined()
        try Data(text.utf8).write(to: file)
        let collector = EventCollector()
        let pipeline = IngestPipeline(logger: quietLogger, sink: collector.sink)
        let source = FileSource(path: file.path, follow: false, pipeline: pipeline)
        source.start()
        source.wait()
        #expect(heartbeatNumbers(collector) == Array(1...20_000))
        #expect(collector.batches.allSatisfy { $0.count <= 1024 })
    }

    @Test("a missing file not followed fails with the reason")
    func missingFile() throws {
        let ends = EndRecorder()
        let pipeline = IngestPipeline(logger: quietLogger, sink: { _ in })
        let source = FileSource(path: "/nonexistent/events.ndjson", follow: false, pipeline: pipeline, onEnd: ends.callback)
        source.start()
        source.wait()
        #expect(ends.all == [SourceEnd(source: "/nonexistent/events.ndjson",
                                       reason: .failed("cannot open /nonexistent/events.ndjson: No such file or directory"),
                                       lines: 0)])
    }

    @Test("following: waits for the file, sees appends, holds partial lines, survives truncation and rotation")
    func follow() async throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("live.ndjson")
        let collector = EventCollector()
        let ends = EndRecorder()
        let pipeline = IngestPipeline(logger: quietLogger, sink: collector.sink)
        let source = FileSource(path: file.path, follow: true, pipeline: pipeline, pollInterval: .milliseconds(30),
                                onEnd: ends.callback)
        source.start()
        defer { source.stop() }

        // Not there yet.
        try await Task.sleep(for: .milliseconds(100))
        try append("\(heartbeatLine(1))\n", to: file)
        #expect(try await eventually { heartbeatNumbers(collector) == [1] })

        // Appends, with a line split across two writes.
        try append("\(heartbeatLine(2))\n{\"type\":\"heart", to: file)
        #expect(try await eventually { heartbeatNumbers(collector) == [1, 2] })
        try await Task.sleep(for: .milliseconds(100))
        #expect(pipeline.statistics.snapshot().linesRejected == 0, "a partial line must wait, not be rejected")
        try append("beat\",\"at\":\"\(RFC3339.format(Timestamp(microseconds: (heartbeatBase + 3) * 1_000_000)))\"}\n", to: file)
        #expect(try await eventually { heartbeatNumbers(collector) == [1, 2, 3] })

        // Truncation (copytruncate-style): the new content is read from the start.
        let truncated = try FileHandle(forWritingTo: file)
        try truncated.truncate(atOffset: 0)
        try truncated.close()
        try await Task.sleep(for: .milliseconds(100))
        try append("\(heartbeatLine(4))\n", to: file)
        #expect(try await eventually { heartbeatNumbers(collector) == [1, 2, 3, 4] })

        // Rotation: rename, a late write to the old file, then a new file at the path.
        let rotated = dir.appendingPathComponent("live.ndjson.1")
        try FileManager.default.moveItem(at: file, to: rotated)
        try append("\(heartbeatLine(5))\n\(heartbeatLine(6))", to: rotated)
        try append("\(heartbeatLine(7))\n", to: file)
        #expect(try await eventually { heartbeatNumbers(collector) == [1, 2, 3, 4, 5, 6, 7] })
        try append("\(heartbeatLine(8))\n", to: file)
        #expect(try await eventually { heartbeatNumbers(collector) == [1, 2, 3, 4, 5, 6, 7, 8] })

        let start = ContinuousClock.now
        source.stop()
        #expect(ContinuousClock.now - start < .seconds(1))
        #expect(ends.all == [SourceEnd(source: file.path, reason: .stopped, lines: 8)])
        #expect(pipeline.statistics.snapshot().linesRejected == 0)
    }

    @Test("following: truncation is logged as truncation and rotation as rotation, neither as a restart")
    func followLogsWhatHappened() async throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("live.ndjson")
        let collector = EventCollector()
        let capture = LogCapture()
        let pipeline = IngestPipeline(logger: capture.logger, sink: collector.sink)
        let source = FileSource(path: file.path, follow: true, pipeline: pipeline, pollInterval: .milliseconds(30))
        try append("\(heartbeatLine(1))\n", to: file)
        source.start()
        defer { source.stop() }
        #expect(try await eventually { heartbeatNumbers(collector) == [1] })

        let truncated = try FileHandle(forWritingTo: file)
        try truncated.truncate(atOffset: 0)
        try truncated.close()
        #expect(try await eventually { capture.messages.contains { $0.contains("was truncated") } })
        try append("\(heartbeatLine(2))\n", to: file)
        #expect(try await eventually { heartbeatNumbers(collector) == [1, 2] })

        try FileManager.default.moveItem(at: file, to: dir.appendingPathComponent("live.ndjson.1"))
        try append("\(heartbeatLine(3))\n", to: file)
        #expect(try await eventually { heartbeatNumbers(collector) == [1, 2, 3] })
        source.stop()

        let messages = capture.messages
        #expect(messages.filter { $0.contains("was rotated") }.count == 1, "\(messages)")
        #expect(!messages.contains { $0.contains("restart") }, "no restart happened: \(messages)")
    }

    #if os(Linux)
    @Test("following on Linux: appearance, appends and rotation wake the reader, not the poll")
    func followWakesOnChange() async throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("live.ndjson")
        let collector = EventCollector()
        let pipeline = IngestPipeline(logger: quietLogger, sink: collector.sink)
        // A poll interval no test waits out: every line below can only arrive through a change notification.
        let source = FileSource(path: file.path, follow: true, pipeline: pipeline, pollInterval: .seconds(3600))
        source.start()
        defer { source.stop() }
        try await Task.sleep(for: .milliseconds(100))

        try append("\(heartbeatLine(1))\n", to: file)
        #expect(try await eventually(timeout: .seconds(30)) { heartbeatNumbers(collector) == [1] })
        try append("\(heartbeatLine(2))\n", to: file)
        #expect(try await eventually(timeout: .seconds(30)) { heartbeatNumbers(collector) == [1, 2] })

        // Rotation by rename: the new file's first line arrives without a poll.
        try FileManager.default.moveItem(at: file, to: dir.appendingPathComponent("live.ndjson.1"))
        try append("\(heartbeatLine(3))\n", to: file)
        #expect(try await eventually(timeout: .seconds(30)) { heartbeatNumbers(collector) == [1, 2, 3] })
        try append("\(heartbeatLine(4))\n", to: file)
        #expect(try await eventually(timeout: .seconds(30)) { heartbeatNumbers(collector) == [1, 2, 3, 4] })

        let start = ContinuousClock.now
        source.stop()
        #expect(ContinuousClock.now - start < .seconds(1), "a stop is noticed while waiting for changes")
    }
    #endif

    @Test("standard input: reads a pipe to its end")
    func stdinPipe() async throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]) }
        let collector = EventCollector()
        let ends = EndRecorder()
        let pipeline = IngestPipeline(logger: quietLogger, sink: collector.sink)
        let source = StandardInputSource(pipeline: pipeline, fileDescriptor: fds[0], onEnd: ends.callback)
        source.start()
        let write: (String) -> Void = { text in
            _ = text.utf8CString.withUnsafeBufferPointer { Foundation.write(fds[1], $0.baseAddress, $0.count - 1) }
        }
        let third = heartbeatLine(3)
        write("\(heartbeatLine(1))\n\(heartbeatLine(2))\n\(third.prefix(10))")
        #expect(try await eventually { heartbeatNumbers(collector) == [1, 2] })
        write("\(third.dropFirst(10))\n")
        write(heartbeatLine(4))
        close(fds[1])
        source.wait()
        #expect(heartbeatNumbers(collector) == [1, 2, 3, 4], "the unterminated last line counts at end of input")
        #expect(ends.all == [SourceEnd(source: "-", reason: .endOfInput, lines: 4)])
    }

    @Test("standard input: stop() ends a silent pipe promptly")
    func stdinStop() throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]); close(fds[1]) }
        let ends = EndRecorder()
        let source = StandardInputSource(pipeline: IngestPipeline(logger: quietLogger, sink: { _ in }),
                                         fileDescriptor: fds[0], onEnd: ends.callback)
        source.start()
        let start = ContinuousClock.now
        source.stop()
        #expect(ContinuousClock.now - start < .seconds(1))
        #expect(ends.all.map(\.reason) == [.stopped])
    }

    @Test("the shared read loop feeds every byte and reports end of input")
    func descriptorReader() throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]) }
        let text = heartbeatLine(1) + "\n" + heartbeatLine(2) + "\n"
        _ = text.utf8CString.withUnsafeBufferPointer { Foundation.write(fds[1], $0.baseAddress, $0.count - 1) }
        close(fds[1])
        let collector = EventCollector()
        let pipeline = IngestPipeline(logger: quietLogger, sink: collector.sink)
        let slot = pipeline.slot(for: pipeline.makeSession(source: "pipe"))
        var reader = DescriptorReader(chunkSize: 7)  // tiny chunks: every line spans several reads
        #expect(reader.drain(fds[0], into: slot, stop: StopSignal()) == .endOfInput)
        #expect(reader.bytesRead == text.utf8.count)
        #expect(heartbeatNumbers(collector) == [1, 2])
        let stopped = StopSignal()
        stopped.set()
        #expect(reader.drain(fds[0], into: slot, stop: stopped) == .stopped)
    }
}
