import HTTPTypes
import Synchronization
import Testing
@testable import MicroHTTP
#if canImport(Glibc)
import Glibc
#endif

/// Hands the streams the server opened to the test.
final class StreamCollector: Sendable {
    private let streams = Mutex<[StreamingBody]>([])
    let closed = Atomic<Int>(0)

    var all: [StreamingBody] { streams.withLock { $0 } }

    func router(maxPendingBytes: Int = 1 << 20) -> Router {
        var router = Router()
        router.get("/events") { [self] _ in
            let body = StreamingBody(maxPendingBytes: maxPendingBytes)
            body.onClose { self.closed.add(1, ordering: .relaxed) }
            body.write("hello\n")
            streams.withLock { $0.append(body) }
            var fields = HTTPFields()
            fields[.contentType] = "text/event-stream"
            fields[.cacheControl] = "no-store"
            return Response(status: .ok, headerFields: fields, body: .stream(body))
        }
        router.get("/plain") { _ in text("plain") }
        return router
    }
}

@Suite struct StreamingTests {
    @Test func clientReceivesWritesIncrementally() throws {
        let collector = StreamCollector()
        try withServer(collector.router()) { server in
            let client = try RawClient(port: server.port)
            try client.send("GET /events HTTP/1.1\r\nHost: x\r\n\r\n")
            let head = try client.readHead()
            #expect(head.status == 200)
            #expect(head.headers["transfer-encoding"] == "chunked")
            #expect(head.headers["content-type"] == "text/event-stream")
            #expect(head.headers["content-length"] == nil)
            #expect(try client.readChunk() == Array("hello\n".utf8))
            #expect(server.activeStreams == 1)
            let stream = try #require(collector.all.first)
            for index in 0..<3 {
                // Each write arrives on its own after the connection was suspended idle.
                usleep(20_000)
                #expect(stream.write("event \(index)\n"))
                #expect(try client.readChunk() == Array("event \(index)\n".utf8))
            }
            stream.close()
            #expect(try client.readChunk() == nil)
            #expect(stream.isClosed)
            #expect(!stream.write("late"))
            #expect(eventually { collector.closed.load(ordering: .relaxed) == 1 && server.activeStreams == 0 })
            // The stream ended cleanly, so the connection serves the next request.
            try client.send("GET /plain HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try client.readResponse().text == "plain")
        }
    }

    /// Parts written at once arrive whole and in order, in chunks of at most `streamReadLimit` (16 KiB),
    /// and one array written to two streams reaches both intact.
    @Test func partsSharedByStreamsArriveWholeAndInOrder() throws {
        let collector = StreamCollector()
        try withServer(collector.router()) { server in
            let clients = try (0..<2).map { _ in try RawClient(port: server.port) }
            for client in clients {
                try client.send("GET /events HTTP/1.1\r\nHost: x\r\n\r\n")
                #expect(try client.readHead().status == 200)
                #expect(try client.readChunk() == Array("hello\n".utf8))
            }
            #expect(eventually { collector.all.count == 2 })
            let big = (0..<40_000).map { UInt8(truncatingIfNeeded: $0 % 251) }
            let parts: [[UInt8]] = [Array("a".utf8), [], big, Array("tail\n".utf8)]
            for stream in collector.all { #expect(stream.write(parts)) }
            let expected = parts.flatMap { $0 }
            for client in clients {
                var got: [UInt8] = []
                var largest = 0
                while got.count < expected.count, let chunk = try client.readChunk() {
                    got += chunk
                    largest = max(largest, chunk.count)
                }
                #expect(got == expected)
                // No read fills more of the connection's pool than `streamReadLimit` (it would stay resident).
                #expect(largest == streamReadLimit)
            }
            for stream in collector.all { #expect(stream.pendingBytes == 0) }
        }
    }

    /// Writes queued on several streams at once (`StreamWrites`) reach each of them once sent,
    /// parts in order; a closed stream refuses its write; a batch dropped unsent still wakes its
    /// streams.
    @Test func batchedWritesReachEveryStreamOnceSent() throws {
        let collector = StreamCollector()
        try withServer(collector.router()) { server in
            let clients = try (0..<3).map { _ in try RawClient(port: server.port) }
            for client in clients {
                try client.send("GET /events HTTP/1.1\r\nHost: x\r\n\r\n")
                #expect(try client.readHead().status == 200)
                #expect(try client.readChunk() == Array("hello\n".utf8))
            }
            #expect(eventually { collector.all.count == 3 })
            let streams = collector.all
            // Idle: each connection is suspended, waiting for a write.
            usleep(20_000)
            let message = Array("event: rows\n".utf8)
            var writes = StreamWrites()
            for (i, stream) in streams.enumerated() {
                let accepted = writes.write([message, Array("\(i)\n\n".utf8)], to: stream)
                #expect(accepted)
            }
            writes.send()
            for (i, client) in clients.enumerated() {
                var got: [UInt8] = []
                let expected = message + Array("\(i)\n\n".utf8)
                while got.count < expected.count, let chunk = try client.readChunk() { got += chunk }
                #expect(got == expected)
            }
            streams[2].close()
            #expect(try clients[2].readChunk() == nil)
            usleep(20_000)
            do {
                var unsent = StreamWrites()
                let accepted = streams.map { unsent.write([Array("late\n".utf8)], to: $0) }
                #expect(accepted == [true, true, false])
            }
            for client in clients.prefix(2) { #expect(try client.readChunk() == Array("late\n".utf8)) }
        }
    }

    @Test func onCloseFiresWhenTheClientDisconnects() throws {
        let collector = StreamCollector()
        try withServer(collector.router()) { server in
            let client = try RawClient(port: server.port)
            try client.send("GET /events HTTP/1.1\r\nHost: x\r\n\r\n")
            _ = try client.readHead()
            #expect(try client.readChunk() == Array("hello\n".utf8))
            let stream = try #require(collector.all.first)
            client.close()
            // Nothing is written: the probe of suspended streams notices the departure.
            #expect(eventually(timeout: .seconds(5)) { collector.closed.load(ordering: .relaxed) == 1 })
            #expect(stream.isClosed)
            #expect(eventually { server.activeStreams == 0 })
            #expect(server.statistics.departedStreams == 1)
        }
    }

    @Test func stopWithOpenStreamsEndsThemAndReturns() throws {
        let collector = StreamCollector()
        let server = HTTPServer(configuration: .init(host: "127.0.0.1", port: 0), router: collector.router())
        try server.start()
        var clients: [RawClient] = []
        for _ in 0..<5 {
            let client = try RawClient(port: server.port)
            try client.send("GET /events HTTP/1.1\r\nHost: x\r\n\r\n")
            _ = try client.readHead()
            _ = try client.readChunk()
            clients.append(client)
        }
        #expect(server.activeStreams == 5)
        #expect(server.statistics.activeStreams == 5)
        let started = ContinuousClock.now
        server.stop()
        #expect(ContinuousClock.now - started < .seconds(2))
        #expect(server.activeStreams == 0)
        #expect(collector.closed.load(ordering: .relaxed) == 5)
        #expect(collector.all.allSatisfy { $0.isClosed })
        for client in clients {
            // Either the terminating chunk or the connection closing: never a hang.
            let ended = (try? client.readChunk()) == nil
            #expect(ended)
        }
        server.stop()
        // Started again, it streams again (the stopping state does not linger).
        try server.start()
        defer { server.stop() }
        let again = try RawClient(port: server.port)
        try again.send("GET /events HTTP/1.1\r\nHost: x\r\n\r\n")
        _ = try again.readHead()
        #expect(try again.readChunk() == Array("hello\n".utf8))
        try #require(collector.all.count == 6)
        #expect(collector.all[5].write("more"))
        #expect(try again.readChunk() == Array("more".utf8))
    }

    @Test func overflowingAStalledClientClosesTheStream() throws {
        let collector = StreamCollector()
        try withServer(collector.router(maxPendingBytes: 64 * 1024)) { server in
            let client = try RawClient(port: server.port)
            try client.send("GET /events HTTP/1.1\r\nHost: x\r\n\r\n")
            _ = try client.readHead()
            let stream = try #require(eventually { !collector.all.isEmpty } ? collector.all.first : nil)
            // The client reads nothing more: socket buffers fill, then the pending cap trips.
            let block = [UInt8](repeating: 0x78, count: 16 * 1024)
            var accepted = 0
            while stream.write(block), accepted < 10_000 { accepted += 1 }
            #expect(accepted < 10_000)
            #expect(stream.isClosed)
            #expect(stream.pendingBytes == 0)
            withExtendedLifetime(client) {}
        }
    }

    @Test func theCapOnAllStreamsClosesTheStreamThatPassesIt() throws {
        let collector = StreamCollector()
        var configuration = HTTPServer.Configuration(host: "127.0.0.1", port: 0)
        configuration.maxQueuedStreamBytes = 256 * 1024
        let server = HTTPServer(configuration: configuration, router: collector.router(maxPendingBytes: 1 << 30))
        try server.start()
        defer { server.stop() }
        let stalled = try RawClient(port: server.port)
        try stalled.send("GET /events HTTP/1.1\r\nHost: x\r\n\r\n")
        _ = try stalled.readHead()
        let reader = try RawClient(port: server.port)
        try reader.send("GET /events HTTP/1.1\r\nHost: x\r\n\r\n")
        _ = try reader.readHead()
        #expect(try reader.readChunk() == Array("hello\n".utf8))
        try #require(eventually { collector.all.count == 2 })
        let stream = collector.all[0]
        // Far below its own cap, the stalled stream's queue reaches the cap of all streams.
        let block = [UInt8](repeating: 0x78, count: 16 * 1024)
        var accepted = 0
        while stream.write(block), accepted < 100_000 { accepted += 1 }
        #expect(accepted < 100_000)
        #expect(stream.isClosed)
        #expect(server.statistics.totalStreamOverflows == 1)
        #expect(server.statistics.streamOverflows == 0)
        // Its bytes went back to the budget: the other stream still flows.
        #expect(eventually { server.statistics.queuedStreamBytes == 0 })
        #expect(collector.all[1].write("still here"))
        #expect(try reader.readChunk() == Array("still here".utf8))
        withExtendedLifetime(stalled) {}
    }

    @Test func headOfAStreamRouteEndsTheStream() throws {
        let collector = StreamCollector()
        try withServer(collector.router()) { server in
            let client = try RawClient(port: server.port)
            let head = try client.request("HEAD", "/events")
            #expect(head.status == 200)
            #expect(head.headers["content-type"] == "text/event-stream")
            #expect(eventually { collector.closed.load(ordering: .relaxed) == 1 && server.activeStreams == 0 })
            try client.send("GET /plain HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try client.readResponse().text == "plain")
        }
    }

    @Test func unservedBodyFiresOnCloseAtClose() {
        let body = StreamingBody()
        let fired = Atomic<Int>(0)
        body.onClose { fired.add(1, ordering: .relaxed) }
        #expect(body.write("x"))
        #expect(body.pendingBytes == 1)
        body.close()
        body.close()
        #expect(fired.load(ordering: .relaxed) == 1)
        // Registered after the end: runs at once.
        body.onClose { fired.add(1, ordering: .relaxed) }
        #expect(fired.load(ordering: .relaxed) == 2)
    }

    @Test func idleStreamsCostNoCPU() throws {
        let collector = StreamCollector()
        let server = HTTPServer(configuration: .init(host: "127.0.0.1", port: 0), router: collector.router())
        // Other tests run servers in parallel: measure only the threads this start created.
        let before = Set(threadIDs())
        try server.start()
        defer { server.stop() }
        // Each daemon thread names itself once running, so wait for the names to appear.
        var daemonThreads: [String] = []
        _ = eventually {
            daemonThreads = threadIDs().filter { !before.contains($0) && threadName($0).hasPrefix("MHD") }
            return daemonThreads.count >= server.configuration.threads
        }
        #expect(daemonThreads.count >= server.configuration.threads, "\(threadIDs().map(threadName))")
        var clients: [RawClient] = []
        for _ in 0..<20 {
            let client = try RawClient(port: server.port)
            try client.send("GET /events HTTP/1.1\r\nHost: x\r\n\r\n")
            _ = try client.readHead()
            _ = try client.readChunk()
            clients.append(client)
        }
        #expect(server.activeStreams == 20)
        let start = cpuTicks(daemonThreads)
        usleep(500_000)
        let used = cpuTicks(daemonThreads) - start
        // A busy loop would burn ~50 ticks per daemon thread in 0.5 s; allow scheduler noise.
        #expect(used <= 3, "daemon threads used \(used) ticks while idle")
        // Still live: a write reaches a client promptly.
        collector.all.first?.write("ping\n")
        #expect(try clients[0].readChunk() == Array("ping\n".utf8))
    }
}

func threadIDs() -> [String] {
    var ids: [String] = []
    guard let directory = opendir("/proc/self/task") else { return [] }
    defer { closedir(directory) }
    while let entry = readdir(directory) {
        let tid = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        if tid.first?.isNumber == true { ids.append(tid) }
    }
    return ids
}

func threadName(_ tid: String) -> String {
    readSmallFile("/proc/self/task/\(tid)/comm")
}

/// User+system clock ticks used so far by the given threads of this process.
func cpuTicks(_ threads: [String]) -> Int {
    var total = 0
    for tid in threads {
        let stat = readSmallFile("/proc/self/task/\(tid)/stat")
        // After the parenthesised name: state is field 3, utime 14, stime 15.
        guard let close = stat.lastIndex(of: ")") else { continue }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        if fields.count > 12, let user = Int(fields[11]), let system = Int(fields[12]) { total += user + system }
    }
    return total
}

private func readSmallFile(_ path: String) -> String {
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { return "" }
    defer { close(fd) }
    var buffer = [UInt8](repeating: 0, count: 1024)
    let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
    return count > 0 ? String(decoding: buffer[..<count], as: UTF8.self) : ""
}
