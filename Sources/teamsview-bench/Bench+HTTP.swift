import Foundation
import MicroHTTP
import TeamsDomain
import TeamsIngest
import TeamsWeb

extension Bench {
    /// Requests/s of `/` (1,000 agents) under wrk, beside a plain C libmicrohttpd server sending the same bytes.
    func http() async throws {
        say("\n== http: GET / with 1,000 agents, wrk -t2 -c\(connections) -d\(wrkSeconds)s, loopback, same machine")
        guard let wrk = which("wrk") else { say("  skipped: wrk not installed (apt-get install wrk)"); return }
        let store = RegistryStore()
        store.apply(Self.multiCallEvents(agents: 1_000))
        let app = try await TeamsApp(store: store, statistics: IngestStatistics(), assets: .init(root: root),
                                     settings: ViewSettings())
        let server = HTTPServer(configuration: .init(host: "127.0.0.1", port: 0, threads: 2), router: app.routes())
        try server.start()
        defer { server.stop() }

        let page = try shell("/usr/bin/env", ["curl", "-s", "http://127.0.0.1:\(server.port)/"])
        let pageFile = NSTemporaryDirectory() + "teamsview-bench-page.html"
        try page.write(to: URL(fileURLWithPath: pageFile))
        let baselineBinary = NSTemporaryDirectory() + "teamsview-c-baseline"
        let flags = try String(decoding: shell("/usr/bin/env", ["pkg-config", "--cflags", "--libs", "libmicrohttpd"]), as: UTF8.self)
        let linkFlags: [String] = flags.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)
        let ccArguments: [String] = ["cc", "-O2", "-o", baselineBinary, root + "/Benchmarks/c-baseline.c"] + linkFlags
        _ = try shell("/usr/bin/env", ccArguments)
        let baseline = Process()
        baseline.executableURL = URL(fileURLWithPath: baselineBinary)
        baseline.arguments = [pageFile, "2"]
        let out = Pipe()
        baseline.standardOutput = out
        try baseline.run()
        defer {
            kill(baseline.processIdentifier, SIGKILL)
            baseline.waitUntilExit()
        }
        let portLine = String(decoding: out.fileHandleForReading.availableData, as: UTF8.self)
        guard let cPort = Int(portLine.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            say("  C baseline did not start"); return
        }
        say("  page: \(page.count / 1024) KiB")
        var swiftRates: [Double] = [], cRates: [Double] = []
        for _ in 0..<runs {
            swiftRates.append(try wrkRate(wrk, port: server.port))
            cRates.append(try wrkRate(wrk, port: cPort))
        }
        let s = swiftRates.sorted()[runs / 2], c = cRates.sorted()[runs / 2]
        say("  teamsview /:        \(grouped(Int(s))) req/s  (runs: \(swiftRates.map { grouped(Int($0)) }.joined(separator: ", ")))")
        say("  C libmicrohttpd:    \(grouped(Int(c))) req/s  (runs: \(cRates.map { grouped(Int($0)) }.joined(separator: ", ")))")
        say("  ratio:              \(Int((s / c * 100).rounded()))% of the C server   (target ≥ 90%: \(verdict(s >= 0.9 * c, "/ against the C server")))")
    }

    func wrkRate(_ wrk: String, port: Int) throws -> Double {
        let text = String(decoding: try shell(wrk, ["-t2", "-c\(connections)", "-d\(wrkSeconds)s", "http://127.0.0.1:\(port)/"]),
                          as: UTF8.self)
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("Requests/sec:") }),
              let value = Double(line.split(separator: " ").last ?? "") else { return 0 }
        return value
    }
}

@discardableResult
func shell(_ executable: String, _ arguments: [String]) throws -> Data {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: executable)
    p.arguments = arguments
    let out = Pipe()
    p.standardOutput = out
    try p.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return data
}

func which(_ tool: String) -> String? {
    for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") {
        let path = "\(dir)/\(tool)"
        if FileManager.default.isExecutableFile(atPath: path) { return path }
    }
    return nil
}
