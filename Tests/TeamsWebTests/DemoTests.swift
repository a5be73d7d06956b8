import Foundation
import Testing

@Suite("The teamsview executable")
struct DemoTests {
    static var binary: String {
        ProcessInfo.processInfo.environment["TEAMSVIEW_BIN"] ?? TestServer.repoRoot + "/.build/debug/teamsview"
    }

    /// Starts `teamsview serve ARGS --port 0` and returns the process and the port it logged.
    static func start(_ arguments: [String], environment: [String: String] = [:]) throws -> (Process, Int) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["serve", "--port", "0", "--in-memory"] + arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        process.currentDirectoryURL = URL(fileURLWithPath: TestServer.repoRoot)
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        var log = ""
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            let chunk = errors.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            log += String(decoding: chunk, as: UTF8.self)
            if let range = log.range(of: #"serving http://127\.0\.0\.1:(\d+)/"#, options: .regularExpression) {
                let port = Int(log[range].split(separator: ":").last!.dropLast())!
                return (process, port)
            }
        }
        process.terminate()
        throw TestFailure("server did not report its port; log:\n\(log)")
    }

    struct TestFailure: Error, CustomStringConvertible {
        let description: String
        init(_ d: String) { description = d }
    }

    @Test("--demo starts a live simulated centre: agents, calls and a growing registry")
    func demo() async throws {
        guard FileManager.default.isExecutableFile(atPath: Self.binary) else {
            Issue.record("build the executable first: \(Self.binary)")
            return
        }
        let (process, port) = try Self.start(["--demo"])
        defer { stopServer(process) }
        let client = HTTPClient(port: port)
        var workers: [[String: Any]] = []
        var calls: [[String: Any]] = []
        // The feed replays ten simulated minutes first: wait until it has put calls on the board.
        for _ in 0..<100 {
            workers = (try? client.get("/api/workers").json()["workers"] as? [[String: Any]]) ?? []
            calls = workers.flatMap { $0["calls"] as? [[String: Any]] ?? [] }
            if workers.count >= 40 && !calls.isEmpty { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(workers.count == 40)
        #expect(!calls.isEmpty, "ten simulated minutes of history put calls on the board")
        let version1 = try client.get("/api/summary").json()["version"] as? Int ?? 0
        // A simulated centre changes every few seconds; a loaded machine may take longer to show it.
        var version2 = version1
        for _ in 0..<30 where version2 <= version1 {
            try await Task.sleep(for: .milliseconds(500))
            version2 = try client.get("/api/summary").json()["version"] as? Int ?? 0
        }
        #expect(version2 > version1, "the simulation keeps going live")
        let page = try client.get("/")
        #expect(page.status == 200)
        #expect(page.text.contains("class=\"card card--"))
        #expect(try client.get("/api/status").json()["linesRejected"] as? Int == 0)
    }

    @Test("a stream of garbage lines on standard input leaves the server serving and counting them")
    func garbageOnStdin() async throws {
        guard FileManager.default.isExecutableFile(atPath: Self.binary) else {
            Issue.record("build the executable first: \(Self.binary)")
            return
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        // The seed is a recorded day: replayed with no limit on its events' age.
        process.arguments = ["serve", "--port", "0", "--in-memory", "--events", "-", "--max-event-age", "0"]
        process.currentDirectoryURL = URL(fileURLWithPath: TestServer.repoRoot)
        let input = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardError = errors
        try process.run()
        defer { stopServer(process) }
        var log = ""
        var port = 0
        while port == 0 {
            let chunk = errors.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            log += String(decoding: chunk, as: UTF8.self)
            if let r = log.range(of: #"127\.0\.0\.1:(\d+)/"#, options: .regularExpression) {
                port = Int(log[r].split(separator: ":").last!.dropLast())!
            }
        }
        #expect(port > 0)
        var garbage = Data()
        for i in 0..<500 {
            garbage.append(contentsOf: (0..<64).map { (b: Int) -> UInt8 in let v = UInt8(truncatingIfNeeded: b &* 31 &+ i); return v == 0x0A ? 0x0B : v })
            garbage.append(0x0A)
        }
        garbage.append(try Data(contentsOf: URL(fileURLWithPath: TestServer.repoRoot + "/seeds/multicall.ndjson")))
        input.fileHandleForWriting.write(garbage)
        let client = HTTPClient(port: port)
        var status: [String: Any] = [:]
        for _ in 0..<50 {
            status = (try? client.get("/api/status").json()) ?? [:]
            if (status["linesRead"] as? Int ?? 0) >= 509 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(status["linesRejected"] as? Int == 500)
        #expect(try client.get("/api/workers/WK01").status == 200)
        #expect(try client.get("/healthz").status == 200)
    }
}
