import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A `teamsview serve` started as a separate process on a free loopback port (the ingest figures' server;
/// the served section's ``ServedProcess`` holds a floor and live clients), optionally pinned to CPU cores with `taskset`, so the figures measure what ships: the release binary, its decoder, its registry
/// and its HTTP layer, with the load generator in another process.
final class ServerProcess {
    let port: Int
    private let process = Process()
    /// A data directory of its own (write-ahead log, reports), removed by ``stop()``; nil when the
    /// arguments name one or keep everything in memory.
    private let dataDirectory: String?

    /// - Parameters:
    ///   - binary: the `teamsview` executable.
    ///   - arguments: after `serve --port P --log-level warning`; without `--data-dir` or `--in-memory`, the
    ///     server gets a fresh data directory, so no run replays another's log.
    ///   - cores: a `taskset -c` list (e.g. `"1"`), or nil to leave placement to the kernel.
    init(binary: String, arguments: [String], cores: String?) throws {
        port = ServedProcess.freePort()
        // The bench replays generated traffic of a fixed day: no limit on event age.
        var argv = ["serve", "--host", "127.0.0.1", "--port", String(port), "--log-level", "warning", "--max-event-age", "0"]
            + arguments
        if arguments.contains("--data-dir") || arguments.contains("--in-memory") {
            dataDirectory = nil
        } else {
            let directory = NSTemporaryDirectory() + "teamsview-bench-data-\(port)-\(UInt32.random(in: 0...UInt32.max))"
            dataDirectory = directory
            argv += ["--data-dir", directory]
        }
        if let cores, let taskset = which("taskset") {
            process.executableURL = URL(fileURLWithPath: taskset)
            argv = ["-c", cores, binary] + argv
        } else {
            process.executableURL = URL(fileURLWithPath: binary)
        }
        process.arguments = argv
        process.standardOutput = FileHandle.nullDevice
        try process.run()
    }

    /// Waits until `/healthz` answers (at most `timeout` seconds).
    func waitUntilReady(timeout: Double = 20) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let reply = try? RawHTTP(port: port).get("/healthz"), !reply.isEmpty { return }
            usleep(5_000)
        }
        throw BenchError("teamsview serve did not answer /healthz on port \(port) within \(timeout) s")
    }

    /// `/api/status` as a dictionary.
    func status() throws -> [String: Any] {
        let body = try RawHTTP(port: port).get("/api/status")
        guard let object = try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
            throw BenchError("/api/status is not a JSON object")
        }
        return object
    }

    /// CPU seconds (user + system) the server process has used so far, from `/proc/PID/stat`: unlike wall
    /// time, it does not grow when other processes take the core, so events per CPU-second stay comparable
    /// on a busy machine.
    func cpuSeconds() -> Double { processCPUSeconds(pid: process.processIdentifier) }

    /// SIGTERM, then SIGKILL if the server has not exited within `grace` seconds. A server that read a
    /// million events with reports on drains its reports writer on SIGTERM, which takes minutes on a busy
    /// machine; the figures are taken by then, so the bench does not wait for it.
    func stop(grace: Double = 10) {
        if process.isRunning {
            kill(process.processIdentifier, SIGTERM)
            let deadline = Date().addingTimeInterval(grace)
            while process.isRunning, Date() < deadline { usleep(20_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }
        if let dataDirectory { try? FileManager.default.removeItem(atPath: dataDirectory) }
    }

    deinit { stop() }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
