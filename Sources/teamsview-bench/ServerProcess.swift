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
    /// The reports database of this run (a fresh temporary directory, removed on `stop`), nil with `--no-reports`.
    private let dataDir: String?

    /// - Parameters:
    ///   - binary: the `teamsview` executable.
    ///   - arguments: after `serve --port P --log-level warning`.
    ///   - cores: a `taskset -c` list (e.g. `"1"`), or nil to leave placement to the kernel.
    init(binary: String, arguments: [String], cores: String?) throws {
        port = ServedProcess.freePort()
        dataDir = arguments.contains("--no-reports") ? nil : ServedProcess.scratchDataDir(port: port)
        var argv = ["serve", "--host", "127.0.0.1", "--port", String(port), "--log-level", "warning"] + arguments
            + (dataDir.map { ["--data-dir", $0] } ?? [])
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
    func cpuSeconds() -> Double {
        guard let text = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return 0 }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // After the command name: state is field 3, utime 14 and stime 15 (1-based, proc(5)).
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        if let dataDir { try? FileManager.default.removeItem(atPath: dataDir) }
    }

    deinit { stop() }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
