import Foundation
import Simulation
import TeamsIngest
import TeamsWeb

/// Figures of the shipped path: `teamsview serve` as its own process, fed a file or POSTs, watched over HTTP.
extension Bench {
    /// The `teamsview` executable the process sections start: `--server-binary`, else the one beside this binary.
    var serverExecutable: String {
        if let serverBinary { return serverBinary }
        let me = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        return me.deletingLastPathComponent().appendingPathComponent("teamsview").path
    }

    /// Native NDJSON through `teamsview serve --events FILE` (file → decoder → registry), in a separate
    /// process pinned to core 1; this process polls `/api/status` from core 0 every 10 ms. The rate counts
    /// from the first poll that sees events to the first that sees all of them, so start-up is left out.
    func serveFile() throws {
        say("\n== serve: native NDJSON through `teamsview serve --events FILE`, separate process, \(events) events")
        let lines = ContactCentreSimulator.benchmarkLines(agents: 5_000, events: events)
        let file = try writeLines(lines, name: "teamsview-bench-native.ndjson")
        say("  input: \(file.bytes / lines.count) bytes/line average; server on core \(serverCores), poller on core \(clientCores)")
        let rates = try (0..<runs).map { _ in
            try fileRate(file.path, expected: lines.count, counter: .registryEvents, extra: ["--no-reports"])
        }
        let reporting = try (0..<runs).map { _ in try fileRate(file.path, expected: lines.count, counter: .registryEvents) }
        let unlogged = try (0..<runs).map { _ in
            try fileRate(file.path, expected: lines.count, counter: .registryEvents, extra: ["--no-reports", "--in-memory"])
        }
        let baseline = try orjsonRate(file.path)
        say("  teamsview serve --no-reports: \(summary(rates.map(\.wall))) events/s   (target ≥ 1,500,000: \(verdict(middle(rates.map(\.wall)) >= 1_500_000, "serve --no-reports")))")
        say("  per CPU-second of the server process: \(summary(rates.map(\.cpu))) events/s")
        say("  with reports (the default; a fresh data dir): \(summary(reporting.map(\.wall))) events/s")
        say("    per CPU-second of the server process:       \(summary(reporting.map(\.cpu))) events/s")
        say("  --no-reports --in-memory (no write-ahead log): \(summary(unlogged.map(\.wall))) events/s")
        say("    per CPU-second of the server process:       \(summary(unlogged.map(\.cpu))) events/s")
        say("  baseline, Python orjson.loads per line (parse only, no registry): \(baseline.map { grouped(Int($0)) } ?? "skipped: orjson missing") lines/s")
    }

    /// Event Streams CloudEvents: the shipped decoder in this process (one thread, as an ingest thread runs it),
    /// and the same lines through `teamsview serve --events FILE`.
    func cloudEvents() throws {
        let count = 200_000
        say("\n== cloudevents: Event Streams CloudEvents (TaskRouter), \(count) lines")
        let lines = TwilioBenchmark.lines(count: count)
        let file = try writeLines(lines, name: "teamsview-bench-cloudevents.ndjson")
        say("  input: \(file.bytes / count) bytes/event average")
        var buffer = Array(try Data(contentsOf: URL(fileURLWithPath: file.path)))
        let decode = (0..<runs).map { _ in
            var decoder = TwilioDecoder()
            return Double(count) / timed { _ = buffer.withUnsafeBufferPointer { TwilioBenchmark.decode(buffer: $0, with: &decoder) } }
        }
        buffer = []
        let served = try (0..<runs).map { _ in try fileRate(file.path, expected: count, counter: .linesRead) }
        let baseline = try orjsonRate(file.path)
        say("  decode (dedupe, reorder buffer, mapping), in process: \(summary(decode)) events/s   (target ≥ 300,000: \(verdict(middle(decode) >= 300_000, "CloudEvents decode")))")
        say("  teamsview serve --events FILE (to the registry):      \(summary(served.map(\.wall))) events/s")
        say("  the same per CPU-second of the server process:        \(summary(served.map(\.cpu))) events/s")
        say("  baseline, Python orjson.loads per line (parse only): \(baseline.map { grouped(Int($0)) } ?? "skipped: orjson missing") lines/s")
    }

    /// `POST /ingest` with 1,000-event NDJSON batches: wrk (2 connections per thread) on core 0 against a
    /// `teamsview serve` process on core 1.
    func post() throws {
        say("\n== post: POST /ingest, 1,000-event NDJSON batches, separate processes, server --threads 8 --no-reports")
        say("  roster body (wrk -t1 -d\(wrkSeconds)s, 1 and 8 connections): 1,000 worker profiles, the same each time (a roster sync: after the first, each changes nothing)")
        guard let wrk = which("wrk") else { say("  skipped: wrk not installed (apt-get install wrk)"); return }
        let lines = ContactCentreSimulator.benchmarkLines(agents: 2_000, events: 1_000)
        let body = try writeLines(lines, name: "teamsview-bench-body.ndjson")
        let script = NSTemporaryDirectory() + "teamsview-bench-post.lua"
        try """
            local f = io.open("\(body.path)", "rb")
            wrk.method = "POST"
            wrk.body = f:read("*a")
            wrk.headers["Content-Type"] = "application/x-ndjson"
            f:close()
            """.write(toFile: script, atomically: true, encoding: .utf8)
        // The write-ahead log on (a fresh data directory: every body synced before its 200) and off (--in-memory).
        for (label, extra) in [("log on", [String]()), ("log off", ["--in-memory"])] {
            for clients in [1, 8] {
                let server = try ServerProcess(binary: serverExecutable,
                                               arguments: ["--assets", root, "--no-reports", "--threads", "8"] + extra,
                                               cores: serverCores)
                defer { server.stop() }
                try server.waitUntilReady()
                var rates: [Double] = []
                for _ in 0..<runs {
                    let text = String(decoding: try shell(which("taskset") ?? wrk,
                                                          (which("taskset") != nil ? ["-c", clientCores, wrk] : [])
                                                          + ["-t1", "-c\(clients)", "-d\(wrkSeconds)s", "-s", script,
                                                             "http://127.0.0.1:\(server.port)/ingest"]), as: UTF8.self)
                    let line = text.split(separator: "\n").first { $0.hasPrefix("Requests/sec:") }
                    rates.append((line.flatMap { Double($0.split(separator: " ").last ?? "") } ?? 0) * 1000)
                }
                let status = try? server.status()
                let log = (status?["durability"] as? [String: Any])?["log"] as? [String: Any]
                let syncs = log.map { " · \($0["syncs"] as? Int ?? 0) syncs, mean \(String(format: "%.2f", $0["meanSyncMs"] as? Double ?? 0)) ms" } ?? ""
                say("  roster, \(label), \(clients) client\(clients == 1 ? "" : "s"): \(summary(rates)) events/s   (target ≥ 500,000: \(verdict(middle(rates) >= 500_000, "POST roster, \(label), \(clients) clients")))\(syncs)")
            }
        }
        try postStream()
    }

    /// `POST /ingest` of a live floor's stream: the 1,000,000 native events of the serve section (5,000 agents,
    /// calls, holds, activities), each body the next 1,000 lines, sent once, by 8 Python clients (http.client, one
    /// connection each) on the client core. The rate is events over the time from the first request to the last answer.
    func postStream() throws {
        guard let python = which("python3") else { say("  live stream: skipped, python3 missing"); return }
        let lines = ContactCentreSimulator.benchmarkLines(agents: 5_000, events: events)
        let file = try writeLines(lines, name: "teamsview-bench-native.ndjson")
        let program = """
            import sys, time, threading, http.client
            port, path = int(sys.argv[1]), sys.argv[2]
            lines = [l for l in open(path, "rb").read().split(b"\\n") if l]
            bodies = [b"\\n".join(lines[i:i + 1000]) + b"\\n" for i in range(0, len(lines), 1000)]
            lock, state = threading.Lock(), {"next": 0, "failed": 0}
            def client():
                c = http.client.HTTPConnection("127.0.0.1", port)
                while True:
                    with lock:
                        i = state["next"]
                        if i >= len(bodies): return
                        state["next"] = i + 1
                    c.request("POST", "/ingest", body=bodies[i], headers={"Content-Type": "application/x-ndjson"})
                    r = c.getresponse(); r.read()
                    if r.status != 200:
                        with lock: state["failed"] += 1
            t = time.perf_counter()
            threads = [threading.Thread(target=client) for _ in range(8)]
            for x in threads: x.start()
            for x in threads: x.join()
            print(len(lines) / (time.perf_counter() - t), state["failed"])
            """
        say("  live floor's stream (Python http.client, 8 connections): the serve section's \(grouped(lines.count)) events, each body the next 1,000 lines, sent once")
        for (label, extra) in [("log on", [String]()), ("log off", ["--in-memory"])] {
            var rates: [Double] = []
            for _ in 0..<runs {
                let server = try ServerProcess(binary: serverExecutable,
                                               arguments: ["--assets", root, "--no-reports", "--threads", "8"] + extra,
                                               cores: serverCores)
                defer { server.stop() }
                try server.waitUntilReady()
                let argv = [python, "-c", program, String(server.port), file.path]
                let text = String(decoding: try shell(which("taskset") ?? python,
                                                      which("taskset") != nil ? ["-c", clientCores] + argv : Array(argv.dropFirst())),
                                  as: UTF8.self)
                let fields = text.split(whereSeparator: \.isWhitespace)
                guard fields.count == 2, let rate = Double(fields[0]), fields[1] == "0" else {
                    throw BenchError("the live-stream POST client failed: \(text.prefix(200))")
                }
                rates.append(rate)
            }
            say("  live stream, \(label), 8 clients: \(summary(rates)) events/s   (target ≥ 500,000: \(verdict(middle(rates) >= 500_000, "POST live stream, \(label)")))")
        }
    }

    // MARK: helpers

    enum Counter { case registryEvents, linesRead }

    /// Events (or lines) per wall-clock second and per CPU-second of the server for one `serve --events path` run.
    func fileRate(_ path: String, expected: Int, counter: Counter, extra: [String] = []) throws -> (wall: Double, cpu: Double) {
        let server = try ServerProcess(binary: serverExecutable, arguments: ["--assets", root, "--events", path] + extra,
                                       cores: serverCores)
        defer { server.stop() }
        var first: (t: Double, n: Int, cpu: Double)?
        let deadline = WallClock.monotonicSeconds() + 120
        while WallClock.monotonicSeconds() < deadline {
            let t = WallClock.monotonicSeconds()
            if let status = try? server.status() {
                let n: Int
                switch counter {
                case .registryEvents:
                    n = ((status["eventsChangedRegistry"] as? Int) ?? 0) + ((status["eventsUnchanged"] as? Int) ?? 0)
                case .linesRead:
                    n = (status["linesRead"] as? Int) ?? 0
                }
                if n >= expected {
                    guard let first, t > first.t else { throw BenchError("finished before the first poll saw it; use more events") }
                    let cpu = server.cpuSeconds() - first.cpu
                    return (Double(n - first.n) / (t - first.t), cpu > 0 ? Double(n - first.n) / cpu : 0)
                }
                if n > 0, first == nil { first = (t, n, server.cpuSeconds()) }
            }
            usleep(10_000)
        }
        throw BenchError("\(path) not ingested within 120 s")
    }

    /// Median lines/s of `orjson.loads` over every line of `path`, in a Python subprocess on the client core;
    /// nil when Python or orjson is missing (`pip install orjson`).
    func orjsonRate(_ path: String) throws -> Double? {
        guard let python = which("python3") else { return nil }
        let program = """
            import sys, time
            try:
                import orjson
            except ImportError:
                print("missing"); sys.exit(0)
            lines = [l for l in open(sys.argv[1], "rb").read().split(b"\\n") if l]
            rates = []
            for _ in range(int(sys.argv[2])):
                t = time.perf_counter()
                for l in lines: orjson.loads(l)
                rates.append(len(lines) / (time.perf_counter() - t))
            rates.sort()
            print(rates[len(rates) // 2])
            """
        let argv = [python, "-c", program, path, String(runs)]
        let text = String(decoding: try shell(which("taskset") ?? python,
                                              which("taskset") != nil ? ["-c", clientCores] + argv : Array(argv.dropFirst())),
                          as: UTF8.self)
        return Double(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    func writeLines(_ lines: [String], name: String) throws -> (path: String, bytes: Int) {
        let path = NSTemporaryDirectory() + name
        var data = Data()
        data.reserveCapacity(lines.count * 200)
        for line in lines { data.append(contentsOf: line.utf8); data.append(0x0A) }
        try data.write(to: URL(fileURLWithPath: path))
        return (path, data.count)
    }

    /// "median (min–max, ±spread% of the median, n runs)".
    /// The median of runs' figures.
    func middle(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

    func summary(_ rates: [Double]) -> String {
        let sorted = rates.sorted()
        let median = middle(rates)
        guard sorted.count > 1 else { return grouped(Int(median)) }
        let spread = median > 0 ? (sorted.last! - sorted.first!) / 2 / median * 100 : 0
        return "\(grouped(Int(median)))  (runs \(grouped(Int(sorted.first!)))–\(grouped(Int(sorted.last!))), ±\(String(format: "%.0f", spread))%)"
    }
}
