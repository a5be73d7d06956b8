#if canImport(Glibc)
import Glibc
#endif
import Foundation
import TeamsWeb

/// Live fan-out measured from outside: `teamsview serve` as its own process with a floor of `agents` agents
/// (two calls each) read from a followed file, and `clients` Server-Sent Events clients on
/// `/live?page=1&per=200` (the stream `/` opens), held by this process and read by one thread with epoll(7)
/// (poll(2) would walk every client's socket at each wake-up: the bench would time itself, not the server).
///
/// - Latency: `rounds` times, one event (`call.hold` of the live call of an agent on the first page, another
///   agent each round) is POSTed to `/ingest` or appended to the followed file, in turn; for each client, the
///   time from sending it until that client's `rows` message holding the agent's row has arrived. p50 / p99
///   over all clients of the rounds of each source, in milliseconds.
/// - Idle CPU: the server process's CPU time (user + system, from `/proc`) over `idleSeconds` while every
///   client sits connected and no event arrives, as a percentage of one core; beside it the same before any
///   client connected.
struct FanOutFigures {
    var post: (p50: Double, p99: Double)
    var file: (p50: Double, p99: Double)
    var idleCPU: Double
    var idleCPUWithoutClients: Double
    /// Seconds from the first connect until every client had its `reset`.
    var connectSeconds: Double
}

func measureFanOut(binary: String, root: String, clients: Int, agents: Int, rounds: Int = 20,
                   idleSeconds: Double = 10) throws -> FanOutFigures {
    raiseFileLimit(to: UInt64(clients + 256))
    let dir = NSTemporaryDirectory() + "teamsview-bench-fanout-\(getpid())"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let floor = dir + "/floor.ndjson"
    try Data(Bench.floorFile(agents: agents).utf8).write(to: URL(fileURLWithPath: floor))
    let server = try ServedProcess(binary: binary, events: floor, root: root, extra: [
        "--follow", "--max-connections-per-address", "0", "--max-connections", String(clients + 256),
        "--max-live-clients", String(clients + 16),
    ])
    defer { server.stop() }
    try server.waitForWorkers(agents)
    // The agents of the first page, whose rows every client shows.
    let list = try server.client.get("/api/workers?page=1&per=200")
    guard let json = try JSONSerialization.jsonObject(with: Data(list)) as? [String: Any],
          let workers = json["workers"] as? [[String: Any]] else { throw FanOutError.noWorkers }
    let ids = workers.compactMap { $0["id"] as? String }
    guard ids.count >= rounds else { throw FanOutError.noWorkers }

    server.settle()
    let idleWithout = server.cpuShare(seconds: idleSeconds)

    let fleet = try SSEFleet(port: server.port, count: clients, path: "/live?page=1&per=200", expecting: "event: reset")
    defer { fleet.close() }
    _ = try explained(server, "connecting") { try fleet.waitForExpected(timeout: 120) }
    let connectSeconds = WallClock.monotonicSeconds() - fleet.started
    // Whatever the connections set off (resets rendered, buffers filled) is over before the idle figure.
    fleet.idle(seconds: 2)
    let before = server.cpuSeconds()
    let wallStart = WallClock.monotonicSeconds()
    fleet.idle(seconds: idleSeconds)
    let idleCPU = (server.cpuSeconds() - before) / (WallClock.monotonicSeconds() - wallStart) * 100

    let follow = try FileHandle(forWritingTo: URL(fileURLWithPath: floor))
    defer { try? follow.close() }
    follow.seekToEndOfFile()
    var byPost: [Double] = [], byFile: [Double] = []
    for round in 0..<rounds {
        // Spaced beyond the coalescing window, so each event is flushed on arrival.
        fleet.idle(seconds: 0.3)
        let id = ids[round]
        let line = #"{"type":"call.hold","at":"\#(RFC3339Text.now(offset: 0))","worker":"\#(id)","call":"CA\#(id.dropFirst(2))B"}"# + "\n"
        fleet.expect(marker: #""id":"w-\#(id)""#)
        let start = WallClock.monotonicSeconds()
        // The POST's answer is read after the clients: a client does not wait for the poster.
        let posted = round % 2 == 0 ? try server.client.startPost("/ingest", body: line) : nil
        if posted == nil { follow.write(Data(line.utf8)) }
        let arrivals = try explained(server, "round \(round + 1)") { try fleet.waitForExpected(timeout: 30) }
        if let posted { _ = try server.client.finish(posted) }
        let ms = arrivals.map { ($0 - start) * 1000 }
        if round % 2 == 0 { byPost += ms } else { byFile += ms }
    }
    return FanOutFigures(post: (percentile(byPost, 0.50), percentile(byPost, 0.99)),
                         file: (percentile(byFile, 0.50), percentile(byFile, 0.99)),
                         idleCPU: idleCPU, idleCPUWithoutClients: idleWithout, connectSeconds: connectSeconds)
}

/// `body`, saying on failure what the server counted of its streams.
private func explained<T>(_ server: ServedProcess, _ stage: String, _ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch {
        let metrics = String(decoding: (try? server.client.get("/metrics")) ?? [], as: UTF8.self)
        say("  fanout failed while \(stage): \(error); the server's counters:")
        for line in metrics.split(separator: "\n") where !line.hasPrefix("#") && (line.contains("live") || line.contains("stream")) {
            say("    " + line)
        }
        throw error
    }
}

/// The `p` quantile (0...1) of `values`, nearest rank; NaN when empty.
func percentile(_ values: [Double], _ p: Double) -> Double {
    let sorted = values.sorted()
    return sorted.isEmpty ? .nan : sorted[min(sorted.count - 1, max(0, Int((Double(sorted.count) * p).rounded(.up)) - 1))]
}

enum FanOutError: Error {
    case connect, noWorkers, timeout(missing: Int)
}

/// CPU seconds (user + system) process `pid` has used so far, from `/proc/PID/stat`.
func processCPUSeconds(pid: Int32) -> Double {
    guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let close = text.lastIndex(of: ")") else { return 0 }
    let fields = text[text.index(after: close)...].split(separator: " ")
    // After the command name: state is field 3, utime 14 and stime 15 (1-based, proc(5)).
    guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
    return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
}

private func raiseFileLimit(to wanted: UInt64) {
    var limit = rlimit()
    guard getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < rlim_t(wanted) else { return }
    limit.rlim_cur = min(limit.rlim_max, max(rlim_t(wanted), limit.rlim_cur))
    _ = setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
}

/// Many SSE clients read by one thread with epoll(7): a wake-up costs the sockets that have something, not
/// all of them. Reads everything that arrives and keeps only what the search for the expected marker needs
/// (the last bytes of each client), so a thousand clients' resets do not pile up here.
private final class SSEFleet {
    private var fds: [Int32] = []
    private let epoll: Epoll
    private var needle: [UInt8] = []
    /// Each client's last `needle.count - 1` bytes, so a marker split across reads is found.
    private var carry: [[UInt8]]
    private var arrivals: [Double]
    private var remaining = 0
    private var chunk = [UInt8](repeating: 0, count: 1 << 16)
    /// Monotonic seconds of the first connect.
    let started: Double

    /// Connects `count` clients to `path`, reading what arrives between connects as browsers would, and
    /// noting when each receives `marker`.
    init(port: Int, count: Int, path: String, expecting marker: String) throws {
        carry = Array(repeating: [], count: count)
        arrivals = Array(repeating: 0, count: count)
        started = WallClock.monotonicSeconds()
        needle = Array(marker.utf8)
        remaining = count
        guard let opened = Epoll() else { throw FanOutError.connect }
        epoll = opened
        let request = Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n".utf8)
        for i in 0..<count {
            guard let fd = try? RawHTTP.connect(port) else { close(); throw FanOutError.connect }
            _ = request.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            fds.append(fd)
            guard epoll.add(fd, token: UInt64(fds.count - 1)) else { close(); throw FanOutError.connect }
            if i % 20 == 19 { _ = poll(timeoutMs: 0) }
        }
    }

    func close() {
        for fd in fds { Glibc.close(fd) }
        fds = []
    }

    /// Reads for `seconds`, discarding what arrives (heartbeats, feed events).
    func idle(seconds: Double) {
        let deadline = WallClock.monotonicSeconds() + seconds
        while true {
            let left = deadline - WallClock.monotonicSeconds()
            if left <= 0 { return }
            _ = poll(timeoutMs: Int32(left * 1000) + 1)
        }
    }

    /// From now on, notes when each client receives `marker`.
    func expect(marker: String) {
        needle = Array(marker.utf8)
        for i in carry.indices { carry[i].removeAll(keepingCapacity: true) }
        for i in arrivals.indices { arrivals[i] = 0 }
        remaining = arrivals.count
    }

    /// Reads until every client has received the expected marker; each one's arrival (monotonic seconds).
    func waitForExpected(timeout: Double) throws -> [Double] {
        let deadline = WallClock.monotonicSeconds() + timeout
        while remaining > 0 {
            let left = deadline - WallClock.monotonicSeconds()
            guard left > 0 else { throw FanOutError.timeout(missing: remaining) }
            _ = poll(timeoutMs: Int32(min(left, 1) * 1000) + 1)
        }
        return arrivals
    }

    /// One wait: reads every ready socket dry, looking for the marker in what arrives. A client's
    /// arrival is the time its read returned, taken before the search, and the search is `memchr`
    /// with no copy of what was read: the reader must not add its own cost to the last clients' figures.
    private func poll(timeoutMs: Int32) -> Int {
        epoll.wait(timeoutMs: timeoutMs) { token in
            let i = Int(token)
            while true {
                let got = chunk.withUnsafeMutableBytes { read(fds[i], $0.baseAddress, $0.count) }
                if got <= 0 { break }
                guard !needle.isEmpty, arrivals[i] == 0 else { continue }
                let readAt = WallClock.monotonicSeconds()
                if found(in: got, after: carry[i]) {
                    arrivals[i] = readAt
                    remaining -= 1
                } else {
                    let keep = needle.count - 1
                    carry[i] = got >= keep ? Array(chunk[(got - keep)..<got]) : Array((carry[i] + chunk[0..<got]).suffix(keep))
                }
            }
        }
    }

    /// Whether the needle is in the first `count` bytes of `chunk`, or across the end of `before`
    /// (the client's previous bytes) and the start of the chunk.
    private func found(in count: Int, after before: [UInt8]) -> Bool {
        func search(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
            needle.withUnsafeBufferPointer { ByteSearch.firstOffset(of: $0, in: bytes, from: 0, pivot: 0) != nil }
        }
        let inChunk = chunk.withUnsafeBufferPointer { search(UnsafeBufferPointer(rebasing: $0[0..<count])) }
        guard !inChunk, !before.isEmpty else { return inChunk }
        return (before + chunk[0..<min(count, needle.count - 1)]).withUnsafeBufferPointer { search($0) }
    }
}
