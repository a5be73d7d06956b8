#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Logging
import MicroHTTP
import TeamsDomain
import TeamsIngest
import TeamsWeb

/// SSE fan-out over loopback: the real app and HTTP server in this process, `clients` real TCP
/// clients on `/live` (read by one epoll thread, so the clients cost nothing while idle either).
///
/// - Latency: `rounds` times, one event line goes into the ingest pipeline (as if just read from
///   a source); for each client, the time until its `rows` message has arrived. p50 / p99 over
///   all clients of all rounds, in milliseconds.
/// - Idle CPU: the process's CPU time (user + system) while every client sits connected and no
///   event arrives, for `idleSeconds`, as a percentage of one core.
func measureFanOut(clients: Int, rounds: Int = 20, idleSeconds: Double = 5, agents: Int = 200) async throws
    -> (p50: Double, p99: Double, idleCPU: Double) {
    raiseFileLimit(to: UInt64(clients * 2 + 256))
    let store = RegistryStore()
    let statistics = IngestStatistics()
    let pipeline = IngestPipeline(statistics: statistics) { _ = store.apply($0) }
    guard let assets = TeamsApp.Assets.locate() else { throw FanOutError.noAssets }
    var quiet = Logger(label: "bench.fanout")
    quiet.logLevel = .error
    let app = try await TeamsApp(store: store, statistics: statistics, assets: assets, settings: ViewSettings(),
                                 live: LiveSettings(maxClients: clients + 16, heartbeat: 3600), logger: quiet)
    let server = HTTPServer(configuration: .init(host: "127.0.0.1", port: 0, threads: 2, connectionLimit: clients + 256),
                            router: app.routes(), logger: quiet)
    try server.start()
    defer {
        app.live.stop()
        server.stop()
    }
    let t0 = Date().addingTimeInterval(-600)
    var seed = ""
    for i in 0..<agents {
        seed += #"{"type":"worker","at":"\#(RFC3339.format(Timestamp(t0)))","worker":"B\#(i)","name":"Agent \#(i)","team":"Team \#(i % 8)","capacity":{"voice":2}}"# + "\n"
    }
    _ = pipeline.ingest(body: Array(seed.utf8), source: "bench")

    let fleet = try SSEFleet(port: server.port, count: clients)
    defer { fleet.close() }
    // Every client has its initial reset.
    try fleet.waitForAll(marker: "event: reset", timeout: 60)

    // Idle CPU with everyone connected.
    let before = processCPUSeconds()
    let wallStart = Date()
    fleet.idle(seconds: idleSeconds)
    let idleCPU = (processCPUSeconds() - before) / Date().timeIntervalSince(wallStart) * 100

    var latencies: [Double] = []
    latencies.reserveCapacity(clients * rounds)
    for round in 0..<rounds {
        // Spaced beyond the coalescing window, so each event is flushed on arrival.
        fleet.idle(seconds: 0.25)
        fleet.resetBuffers()
        let line = #"{"type":"activity","at":"\#(RFC3339.format(Timestamp(Date())))","worker":"B\#(round % agents)","activity":"Busy \#(round)"}"# + "\n"
        let start = WallClock.monotonicSeconds()
        _ = pipeline.ingest(body: Array(line.utf8), source: "bench")
        let arrivals = try fleet.waitForAll(marker: "event: rows", timeout: 30)
        latencies += arrivals.map { ($0 - start) * 1000 }
    }
    latencies.sort()
    func percentile(_ p: Double) -> Double {
        latencies.isEmpty ? .nan : latencies[min(latencies.count - 1, Int((Double(latencies.count) * p).rounded(.up)) - 1)]
    }
    return (percentile(0.50), percentile(0.99), idleCPU)
}

enum FanOutError: Error {
    case noAssets, connect, timeout(missing: Int)
}

private extension Timestamp {
    init(_ date: Date) { self.init(microseconds: Int64(date.timeIntervalSince1970 * 1_000_000)) }
}

private func processCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
        + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
}

private func raiseFileLimit(to wanted: UInt64) {
    var limit = rlimit()
    guard getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < rlim_t(wanted) else { return }
    limit.rlim_cur = min(limit.rlim_max, max(rlim_t(wanted), limit.rlim_cur))
    _ = setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
}

/// Many SSE clients read by one thread with poll(2). Each one's bytes since the last `resetBuffers()` are
/// kept, so "has it received X" is a substring check.
private final class SSEFleet {
    var fds: [Int32] = []
    var pollfds: [pollfd] = []
    var buffers: [[UInt8]]
    var done: [Bool]

    init(port: Int, count: Int) throws {
        buffers = Array(repeating: [], count: count)
        done = Array(repeating: false, count: count)
        for _ in 0..<count {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_port = in_port_t(UInt16(port).bigEndian)
            addr.sin_addr.s_addr = inet_addr("127.0.0.1")
            let ok = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard ok == 0 else { throw FanOutError.connect }
            let request = Array("GET /live HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n".utf8)
            _ = request.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            fds.append(fd)
            pollfds.append(pollfd(fd: fd, events: Int16(POLLIN), revents: 0))
        }
    }

    func close() {
        for fd in fds { Glibc.close(fd) }
    }

    func resetBuffers() {
        for i in buffers.indices { buffers[i].removeAll(keepingCapacity: true) }
        for i in done.indices { done[i] = false }
    }

    /// Reads for `seconds`, keeping what arrives (heartbeats and feed events are possible).
    func idle(seconds: Double) {
        let deadline = WallClock.monotonicSeconds() + seconds
        while true {
            let left = deadline - WallClock.monotonicSeconds()
            if left <= 0 { return }
            _ = poll(timeoutMs: Int32(left * 1000) + 1) { _ in }
        }
    }

    /// Reads until every client's bytes hold `marker`; returns each client's arrival time (monotonic seconds).
    @discardableResult
    func waitForAll(marker: String, timeout: Double) throws -> [Double] {
        let needle = Array(marker.utf8)
        var arrivals = Array(repeating: 0.0, count: fds.count)
        var remaining = 0
        for i in fds.indices {
            if buffers[i].firstRange(of: needle) != nil { arrivals[i] = WallClock.monotonicSeconds(); done[i] = true } else { remaining += 1 }
        }
        let deadline = WallClock.monotonicSeconds() + timeout
        while remaining > 0 {
            let left = deadline - WallClock.monotonicSeconds()
            guard left > 0 else { throw FanOutError.timeout(missing: remaining) }
            _ = poll(timeoutMs: Int32(min(left, 1) * 1000) + 1) { i in
                guard !self.done[i] else { return }
                if self.buffers[i].firstRange(of: needle) != nil {
                    self.done[i] = true
                    arrivals[i] = WallClock.monotonicSeconds()
                    remaining -= 1
                }
            }
        }
        return arrivals
    }

    /// One poll round: reads every ready socket dry and calls `ready` with its index.
    private func poll(timeoutMs: Int32, _ ready: (Int) -> Void) -> Int {
        let n = Glibc.poll(&pollfds, nfds_t(pollfds.count), timeoutMs)
        guard n > 0 else { return 0 }
        var chunk = [UInt8](repeating: 0, count: 65_536)
        for i in pollfds.indices where pollfds[i].revents != 0 {
            pollfds[i].revents = 0
            while true {
                let got = chunk.withUnsafeMutableBytes { read(fds[i], $0.baseAddress, $0.count) }
                if got <= 0 { break }
                buffers[i] += chunk[0..<got]
            }
            ready(i)
        }
        return Int(n)
    }
}
