#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// What ships, measured from outside: `teamsview serve` as its own process, fed by a file of
/// `agents` agents on two calls each (the first held and muted), pages fetched over loopback
/// HTTP, resident memory read from `/proc/<pid>/status`, live clients held open by this process.
extension Bench {
    func served() throws {
        let binary = serverBinary ?? URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path + "/teamsview"
        say("\n== served: \(binary) serve, \(grouped(agents)) agents (a shift of 16 ended calls each, 2 calls now) from a file, loopback HTTP, median of \(runs) runs")
        let dir = NSTemporaryDirectory() + "teamsview-bench-served-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let empty = dir + "/empty.ndjson", full = dir + "/floor.ndjson"
        try Data().write(to: URL(fileURLWithPath: empty))
        try Data(Self.floorFile(agents: agents).utf8).write(to: URL(fileURLWithPath: full))

        let memory = try servedMemory(binary: binary, empty: empty, full: full)
        var change: [Double] = [], coldPage: [Double] = [], oneID: [Double] = [], oneIDFirst: [Double] = [], first: [Double] = []
        var sorted: [Double] = [], sortedCold: [Double] = [], sortedQuiet: [Double] = []
        var pageKB = 0
        for run in 0..<runs {
            let server = try ServedProcess(binary: binary, events: full, root: root)
            defer { server.stop() }
            try server.waitForWorkers(agents)
            let c = server.client
            // First render of a new view: a search for "Agent 1N" matches 1,111 agents (1N, 1N0-1N9, 1N00-1N99,
            // 1N000-1N999) and shows the first 200; no two of these views share an agent, so every row is new.
            for i in 0..<3 {
                first.append(try c.timedGet("/?q=Agent%20\(11 + (run * 3 + i) % 9)&per=200"))
            }
            // First render of a new floor-wide order: every agent sorted, its first 200 rows. Each run asks for
            // orders the runs before did not (13 sorts and groupings besides the Teams View's own). First with no
            // board of the floor kept (the moment the read ends), then before any page once the server keeps it, then as a supervisor picks one: from the
            // Teams View, whose board is kept, so the new order is made from it.
            var orders: [String] = ["hold-time", "call-time", "time", "calls", "activity", "name"].flatMap { sort in
                ["none", "team"].compactMap { group in sort == "name" && group == "team" ? nil : "/?sort=\(sort)&group=\(group)&per=200" }
            }
            orders += ["/?attention=1&group=none&per=200", "/?attention=1&group=team&per=200"]
            sortedCold.append(try c.timedGet(orders[run * 4 % orders.count]))
            // The server keeps the Teams View's board once the feed is quiet (a flush within a second or two of the
            // read's end): a new order a few seconds after the start, before any page, is made from it.
            Thread.sleep(forTimeInterval: 3)
            sortedQuiet.append(try c.timedGet(orders[(run * 4 + 1) % orders.count]))
            _ = try c.get("/?per=200")
            for i in 2...3 { sorted.append(try c.timedGet(orders[(run * 4 + i) % orders.count])) }
            // One agent by id: the first request renders a new view, later ones reuse it. Ten different
            // ids a run, each asked for the first time (one request is too few on a shared machine).
            var firsts: [Double] = []
            for j in 0..<10 { firsts.append(try c.timedGet("/?q=" + Sid.worker(agents / 3 + run * 10 + j))) }
            oneIDFirst.append(firsts.sorted()[firsts.count / 2])
            let id = Sid.worker(agents / 2 + run)
            var repeated: [Double] = []
            for _ in 0..<20 { repeated.append(try c.timedGet("/?q=\(id)")) }
            oneID.append(repeated.sorted()[repeated.count / 2])
            // Any page of 200 rows right after a change (a POSTed event somewhere on the floor): pages seen
            // once before (their rows rendered), and the first view of a page (every row rendered).
            var afterChange: [Double] = []
            let pages = max(1, min(10, agents / 200))
            var cold: [Double] = []
            for p in 1...pages { cold.append(try c.timedGet("/?page=\(p)&per=200")) }
            coldPage.append(cold.sorted()[cold.count / 2])
            for k in 0..<20 {
                let page = 1 + (k * 3) % pages
                let worker = Sid.worker(((page - 1) * 200 + (k * 37) % 200) * 4 % agents)
                let kind = k % 2 == 0 ? "call.resume" : "call.hold"
                let at = RFC3339Text.now(offset: 0)
                _ = try c.post("/ingest", body: #"{"type":"\#(kind)","at":"\#(at)","worker":"\#(worker)","call":"CA\#(worker.dropFirst(2))A"}"# + "\n")
                afterChange.append(try c.timedGet("/?page=\(page)&per=200"))
            }
            change.append(afterChange.sorted()[afterChange.count / 2])
            pageKB = try c.get("/?page=2&per=200").count / 1024

            say("  run \(run + 1): page after change \(ms(change.last!)) ms, /?q=id \(ms(oneID.last!)) ms")
        }
        func med(_ v: [Double]) -> Double { v.sorted()[v.count / 2] }
        func spread(_ v: [Double]) -> String { "runs " + v.map { ms($0) }.joined(separator: "/") + " ms" }
        for m in memory { m.report() }
        say("  any page of 200 rows after a change: \(ms(med(change))) ms (\(pageKB) KiB)   (target < 5 ms: \(verdict(med(change) < 0.005, "page after a change")); \(spread(change)))")
        say("  first view of a page of 200 rows:  \(ms(med(coldPage))) ms   (rows rendered; \(spread(coldPage)))")
        say("  /?q=<one id>, view kept:          \(ms(med(oneID))) ms   (target < 2 ms: \(verdict(med(oneID) < 0.002, "/?q=<one id>, view kept")); \(spread(oneID)))")
        say("  /?q=<one id>, first request:      \(ms(med(oneIDFirst))) ms   (target < 2 ms: \(verdict(med(oneIDFirst) < 0.002, "/?q=<one id>, first request")); a new view, median of 10 ids a run; \(spread(oneIDFirst)))")
        say("  first render of a new view:        \(ms(med(first))) ms   (target < 20 ms: \(verdict(med(first) < 0.02, "first render of a new view (search)")); a search matching 1,111 agents, its first 200 rows)")
        say("  first render of a new floor-wide order, picked on the Teams View: \(ms(med(sorted))) ms   (target < 20 ms: \(verdict(med(sorted) < 0.02, "first render of a new view (floor-wide sort, from the page)")); all \(grouped(agents)) agents sorted, its first 200 rows; \(spread(sorted)))")
        say("  the same 3 s after the start, before any page: \(ms(med(sortedQuiet))) ms   (target < 20 ms: \(verdict(med(sortedQuiet) < 0.02, "first render of a new view (floor-wide sort, after the start)")); the Teams View's board kept by the server once the read ended; \(spread(sortedQuiet)))")
        say("  the same the moment the read ends: \(ms(med(sortedCold))) ms   (no target: every worker read, the floor's board not kept yet; \(spread(sortedCold)))")
        try servedHTTP(binary: binary, events: full)
    }

    /// Resident memory per agent of the default configuration (reports on) and of `--no-reports`.
    func servedMemory() throws {
        let binary = serverBinary ?? URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path + "/teamsview"
        say("\n== served memory: \(binary) serve, \(grouped(agents)) agents (a shift of 16 ended calls each, 2 calls now) from a file, median of \(runs) runs")
        let dir = NSTemporaryDirectory() + "teamsview-bench-served-memory-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let empty = dir + "/empty.ndjson", full = dir + "/floor.ndjson"
        try Data().write(to: URL(fileURLWithPath: empty))
        try Data(Self.floorFile(agents: agents).utf8).write(to: URL(fileURLWithPath: full))
        for m in try servedMemory(binary: binary, empty: empty, full: full) { m.report() }
    }

    /// What one configuration's runs measured: bytes per agent, and the parts of the process's resident set.
    struct MemoryFigures {
        var label: String
        var perAgent: [Double] = [], pagesOnly: [Double] = [], anonymous: [Double] = [], file: [Double] = []
        /// Growth of the heap the server holds (`teamsview_heap_in_use_bytes`), per agent: the resident size
        /// without what the allocator keeps of freed memory, so it moves far less from run to run.
        var heap: [Double] = []
        /// Seconds from the start until the server went quiet: the file read and, with reports on, reported.
        var settled: [Double] = []

        func report() {
            func med(_ v: [Double]) -> Int { Int(v.sorted()[v.count / 2]) }
            func runs(_ v: [Double]) -> String { v.map { String(Int($0)) }.joined(separator: "/") }
            say("  resident memory per agent, \(label): \(med(perAgent)) B   (target < 2048: \(verdict(med(perAgent) < 2048, "resident memory per agent, \(label)")); runs \(runs(perAgent)))")
            say("    before the live clients: \(med(pagesOnly)) B/agent; anonymous \(med(anonymous)) B/agent, "
                + "file-backed \(med(file)) B/agent (smaps_rollup, with the clients; runs \(runs(anonymous)) and \(runs(file)))")
            if !heap.isEmpty { say("    heap in use: \(med(heap)) B/agent (teamsview_heap_in_use_bytes, with the clients; runs \(runs(heap)))") }
            let seconds = settled.sorted()[settled.count / 2]
            say("    the floor's file read\(label.contains("reports on") ? " and reported" : "") in \(String(format: "%.1f", seconds)) s "
                + "(start to a quiet server; runs \(settled.map { String(format: "%.1f", $0) }.joined(separator: "/")))")
        }
    }

    /// For the default configuration and for `--no-reports`, `runs` times: an empty server that has served its
    /// pages once, then a server of `full` once its reports have caught up, with `/`, `/kiosk`, 20 filtered views
    /// served and 200 live clients connected; the growth of the resident set over the empty server, per agent.
    func servedMemory(binary: String, empty: String, full: String) throws -> [MemoryFigures] {
        var results: [MemoryFigures] = []
        for (label, extra) in [("default (reports on)", [String]()), ("--no-reports", ["--no-reports"])] {
            var figures = MemoryFigures(label: label)
            for _ in 0..<runs {
                // An empty server that has served its pages once: the base the growth is measured from.
                let base = try ServedProcess(binary: binary, events: empty, root: root, extra: extra)
                for path in ["/", "/kiosk", "/api/workers", "/?team=Sales"] { _ = try base.client.get(path) }
                base.settle(timeout: 10)
                let baseRSS = base.residentBytes(), baseParts = base.residentParts(), baseHeap = base.heapInUse()
                base.stop()

                let started = Date()
                let server = try ServedProcess(binary: binary, events: full, root: root, extra: extra)
                defer { server.stop() }
                try server.waitForWorkers(agents)
                // The reports' writer is niced and catches up after ingest: measure once it has.
                server.settle(timeout: 180)
                // Less the second of quiet that `settle` observes.
                figures.settled.append(Date().timeIntervalSince(started) - 1)
                let c = server.client
                _ = try c.get("/")
                _ = try c.get("/kiosk")
                for f in Self.memoryFilters { _ = try c.get("/?" + f) }
                let viewsRSS = server.residentBytes()
                let live = try LiveClients(port: server.port, count: 200, path: "/live?page=1&per=200")
                live.drain(seconds: 2)
                let rss = server.residentBytes(), parts = server.residentParts(), heap = server.heapInUse()
                live.close()
                figures.pagesOnly.append(Double(viewsRSS - baseRSS) / Double(agents))
                figures.perAgent.append(Double(rss - baseRSS) / Double(agents))
                figures.anonymous.append(Double(parts.anonymous - baseParts.anonymous) / Double(agents))
                figures.file.append(Double(parts.file - baseParts.file) / Double(agents))
                if let heap, let baseHeap { figures.heap.append(Double(heap - baseHeap) / Double(agents)) }
                say("  \(label), run \(figures.perAgent.count): \(Int(figures.perAgent.last!)) B/agent "
                    + "(empty server \(baseRSS / 1024) KiB, floor \(rss / 1024) KiB)")
            }
            results.append(figures)
        }
        return results
    }

    /// The 20 filtered views of the memory figure.
    static let memoryFilters = ["team=Sales", "team=Billing", "team=Retention", "team=Tech%20Support", "multi=1", "flagged=1",
                                "sort=hold", "sort=time", "sort=calls", "sort=activity", "activity=Available", "skill=spanish",
                                "q=Agent%201", "q=Agent%2022", "q=Example", "team=Sales&sort=hold", "team=Billing&multi=1",
                                "team=Retention&flagged=1", "q=WK0", "team=Sales&team=Billing"]

    /// `/` (first page, cached) requests/s under wrk beside the plain C libmicrohttpd server with the same bytes.
    func servedHTTP(binary: String, events: String) throws {
        guard let wrk = which("wrk") else { say("  / cached requests/s: skipped (wrk not installed)"); return }
        let server = try ServedProcess(binary: binary, events: events, root: root)
        defer { server.stop() }
        try server.waitForWorkers(agents)
        let page = try server.client.get("/")
        let pageFile = NSTemporaryDirectory() + "teamsview-bench-served-page.html"
        try Data(page).write(to: URL(fileURLWithPath: pageFile))
        let baselineBinary = NSTemporaryDirectory() + "teamsview-c-baseline"
        let flags = try String(decoding: shell("/usr/bin/env", ["pkg-config", "--cflags", "--libs", "libmicrohttpd"]), as: UTF8.self)
        _ = try shell("/usr/bin/env", ["cc", "-O2", "-o", baselineBinary, root + "/Benchmarks/c-baseline.c"]
                      + flags.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init))
        let baseline = Process()
        baseline.executableURL = URL(fileURLWithPath: baselineBinary)
        baseline.arguments = [pageFile, "2"]
        let out = Pipe()
        baseline.standardOutput = out
        try baseline.run()
        defer { kill(baseline.processIdentifier, SIGKILL); baseline.waitUntilExit() }
        let portLine = String(decoding: out.fileHandleForReading.availableData, as: UTF8.self)
        guard let cPort = Int(portLine.trimmingCharacters(in: .whitespacesAndNewlines)) else { say("  C baseline did not start"); return }
        var s: [Double] = [], cr: [Double] = []
        for _ in 0..<runs {
            s.append(try wrkRate(wrk, port: server.port))
            cr.append(try wrkRate(wrk, port: cPort))
        }
        let sm = s.sorted()[runs / 2], cm = cr.sorted()[runs / 2]
        say("  / cached (\(page.count / 1024) KiB): \(grouped(Int(sm))) req/s vs C libmicrohttpd \(grouped(Int(cm))) req/s = \(String(format: "%.2f", sm / cm))×   (target ≥ 0.9×: \(verdict(sm >= 0.9 * cm, "/ cached against the C server")); runs \(s.map { grouped(Int($0)) }.joined(separator: "/")) vs \(cr.map { grouped(Int($0)) }.joined(separator: "/")))")
    }

    /// Native NDJSON: `agents` agents in four teams, each on two calls, the first held and muted.
    /// The served floor: `agents` agents, each in a team, with a shift behind them (16 calls taken and ended over
    /// the last three hours, as many as a worker remembers ended ones: `Registry.endedMemory`) and two calls now,
    /// the first held and muted. Lines in time order across the floor.
    static func floorFile(agents: Int) -> String {
        let teams = ["Billing", "Tech Support", "Sales", "Retention"]
        let start = RFC3339Text.now(offset: -11_400)
        let t1 = RFC3339Text.now(offset: -600), t2 = RFC3339Text.now(offset: -300)
        var out = ""
        out.reserveCapacity(agents * 3_600)
        for i in 0..<agents {
            let id = Sid.worker(i), team = teams[i % 4]
            out += #"{"type":"worker","at":"\#(start)","worker":"\#(id)","name":"Agent \#(i) Example","team":"\#(team)","skills":["billing","spanish"],"capacity":{"voice":2,"chat":2}}"# + "\n"
            out += #"{"type":"activity","at":"\#(start)","worker":"\#(id)","activity":"Available","available":true}"# + "\n"
        }
        // The shift: call k of every agent starts at -3 h + k × 10 min and ends 8 minutes later.
        for k in 0..<16 {
            for (offset, ends) in [(-10_800 + Double(k) * 600, false), (-10_800 + Double(k) * 600 + 480, true)] {
                let at = RFC3339Text.now(offset: offset)
                for i in 0..<agents {
                    let id = Sid.worker(i), call = Sid.shiftCall(i, k)
                    out += ends
                        ? #"{"type":"call.end","at":"\#(at)","worker":"\#(id)","call":"\#(call)"}"# + "\n"
                        : #"{"type":"call.start","at":"\#(at)","worker":"\#(id)","call":"\#(call)","from":"+1555\#(3_000_000 + i)","queue":"\#(teams[i % 4])","direction":"inbound","via":"queue"}"# + "\n"
                }
            }
        }
        for i in 0..<agents {
            let id = Sid.worker(i), team = teams[i % 4]
            out += #"{"type":"call.start","at":"\#(t1)","worker":"\#(id)","call":"CA\#(id.dropFirst(2))A","from":"+1555\#(1_000_000 + i)","queue":"\#(team)","direction":"inbound","via":"queue"}"# + "\n"
        }
        for i in 0..<agents {
            let id = Sid.worker(i), team = teams[i % 4]
            out += #"{"type":"call.start","at":"\#(t2)","worker":"\#(id)","call":"CA\#(id.dropFirst(2))B","from":"+1555\#(2_000_000 + i)","queue":"\#(team)","direction":"inbound","via":"transfer"}"# + "\n"
            out += #"{"type":"call.hold","at":"\#(t2)","worker":"\#(id)","call":"CA\#(id.dropFirst(2))A"}"# + "\n"
            out += #"{"type":"call.mute","at":"\#(t2)","worker":"\#(id)","call":"CA\#(id.dropFirst(2))A"}"# + "\n"
        }
        return out
    }
}

/// The ids of the bench's floors, shaped as TaskRouter's: two letters and 32 hex digits (34 bytes, too long for a
/// `String` to hold inline, as on a real floor). Agent `i`'s calls are `CA` + its worker id's digits + `A` or `B`.
enum Sid {
    static func worker(_ i: Int) -> String { "WK" + digits(i) }

    /// The 32 hex digits of agent `i`'s ids.
    static func digits(_ i: Int) -> String {
        var h = UInt64(i) &+ 0x9E37_79B9_7F4A_7C15
        var out = ""
        for _ in 0..<2 {
            h = (h ^ (h >> 30)) &* 0xBF58_476D_1CE4_E5B9
            h = (h ^ (h >> 27)) &* 0x94D0_49BB_1331_11EB
            h ^= h >> 31
            let part = String(h, radix: 16)
            out += String(repeating: "0", count: 16 - part.count) + part
        }
        return out
    }

    /// A call of agent `i` during its shift: the 30 first digits and `k` in two.
    static func shiftCall(_ i: Int, _ k: Int) -> String {
        let n = String(k, radix: 16)
        return "CA" + digits(i).prefix(30) + (n.count < 2 ? "0" + n : n)
    }
}

enum RFC3339Text {
    /// Now plus `offset` seconds, as `2026-11-25T09:00:00Z`.
    static func now(offset: Double) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: Date().addingTimeInterval(offset))
    }
}

/// `teamsview serve --events FILE` on a free loopback port.
final class ServedProcess {
    let process = Process()
    let port: Int
    var client: RawHTTP { RawHTTP(port: port) }

    /// The reports database of this run (a fresh temporary directory, removed on `stop`).
    let dataDir: String

    /// A fresh directory for one server's reports database, so no run reads another's.
    static func scratchDataDir(port: Int) -> String {
        NSTemporaryDirectory() + "teamsview-bench-data-\(getpid())-\(port)"
    }

    /// `extra` goes after the usual arguments (a later option overrides an earlier one). `events` nil: no event file
    /// (a restart from `dataDir`, the data directory of an earlier server).
    init(binary: String, events: String?, root: String, extra: [String] = [], dataDir: String? = nil) throws {
        port = Self.freePort()
        self.dataDir = dataDir ?? Self.scratchDataDir(port: port)
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["serve", "--port", String(port), "--assets", root, "--log-level", "warning",
                             "--max-live-clients", "4000", "--data-dir", self.dataDir, "--max-event-age", "0"]
            + (events.map { ["--events", $0] } ?? []) + extra
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            if let reply = try? RawHTTP(port: port).get("/healthz"), !reply.isEmpty { return }
            usleep(50_000)
        }
        throw RawHTTP.Failure.timeout
    }

    /// Waits until the registry holds `count` workers and the file is read: the lines read stopped growing
    /// (the floor's workers come first, their shift after).
    func waitForWorkers(_ count: Int) throws {
        let deadline = Date().addingTimeInterval(180)
        var lines = -1
        while Date() < deadline {
            let status = try client.get("/api/status")
            if let json = try? JSONSerialization.jsonObject(with: Data(status)) as? [String: Any],
               (json["workers"] as? Int ?? 0) >= count {
                let read = json["linesRead"] as? Int ?? 0
                if read == lines { return }
                lines = read
                usleep(300_000)
                continue
            }
            usleep(100_000)
        }
        throw RawHTTP.Failure.timeout
    }

    /// Anonymous (heap, stacks) and file-backed (binary, libraries, mapped files) resident bytes, from
    /// `/proc/<pid>/smaps_rollup`.
    func residentParts() -> (anonymous: Int, file: Int) {
        guard let text = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/smaps_rollup", encoding: .utf8) else { return (0, 0) }
        func field(_ name: String) -> Int {
            guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") }) else { return 0 }
            return (Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? 0) * 1024
        }
        let rss = field("Rss"), anonymous = field("Anonymous")
        return (anonymous, rss - anonymous)
    }

    /// `VmRSS` of the server process, in bytes.
    func residentBytes() -> Int {
        usleep(300_000)
        guard let text = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kb = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") else { return 0 }
        return kb * 1024
    }

    /// `teamsview_heap_in_use_bytes` from the server's `/metrics`; nil when it is not there.
    func heapInUse() -> Int? {
        guard let reply = try? client.get("/metrics") else { return nil }
        let text = String(decoding: reply, as: UTF8.self)
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("teamsview_heap_in_use_bytes ") }),
              let value = Double(line.split(separator: " ").last ?? "") else { return nil }
        return Int(value)
    }

    /// CPU seconds (user + system) the server has used so far.
    func cpuSeconds() -> Double { processCPUSeconds(pid: process.processIdentifier) }

    /// The server's CPU time over the next `seconds`, in percent of one core.
    func cpuShare(seconds: Double) -> Double {
        let cpu = cpuSeconds(), start = DispatchTime.now().uptimeNanoseconds
        usleep(UInt32(seconds * 1e6))
        return (cpuSeconds() - cpu) / (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9) * 100
    }

    /// Waits (at most `timeout` seconds) until the server is quiet: under 2 % of a core over one second,
    /// as once the reports have caught up with what it read.
    func settle(timeout: Double = 120) {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline, cpuShare(seconds: 1) >= 2 {}
    }

    /// SIGTERM, then waits for the exit; the data directory is removed unless `keepingData`.
    func stop(keepingData: Bool = false) {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        if !keepingData { try? FileManager.default.removeItem(atPath: dataDir) }
    }

    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        return Int(UInt16(bigEndian: addr.sin_port))
    }
}

/// A blocking HTTP/1.1 client over one loopback connection per request (bodies by Content-Length or chunked).
struct RawHTTP {
    enum Failure: Error { case connect, closed, timeout }
    let port: Int

    func get(_ path: String) throws -> [UInt8] { try send("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n") }

    func post(_ path: String, body: String) throws -> [UInt8] {
        try finish(startPost(path, body: body))
    }

    /// Sends a POST and returns at once with its connection, for `finish(_:)` to read the answer later:
    /// whoever waits on something else meanwhile (the fan-out's clients) is not held up by the answer.
    func startPost(_ path: String, body: String) throws -> Int32 {
        try start("POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-ndjson\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n" + body)
    }

    /// Seconds from sending the request to the last byte of the response.
    func timedGet(_ path: String) throws -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        _ = try get(path)
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    private func send(_ request: String) throws -> [UInt8] {
        try finish(start(request))
    }

    private func start(_ request: String) throws -> Int32 {
        let fd = try RawHTTP.connect(port)
        let bytes = Array(request.utf8)
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        return fd
    }

    /// The body of the answer on `fd` (a connection `start` opened), read to its end; closes `fd`.
    func finish(_ fd: Int32) throws -> [UInt8] {
        defer { close(fd) }
        var all: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            all += buffer[0..<n]
        }
        guard let split = all.firstRange(of: Array("\r\n\r\n".utf8)) else { throw Failure.closed }
        let head = String(decoding: all[..<split.lowerBound], as: UTF8.self).lowercased()
        var body = Array(all[split.upperBound...])
        if head.contains("transfer-encoding: chunked") {
            var out: [UInt8] = []
            var i = 0
            while let lineEnd = body[i...].firstRange(of: Array("\r\n".utf8)),
                  let size = Int(String(decoding: body[i..<lineEnd.lowerBound], as: UTF8.self), radix: 16), size > 0 {
                out += body[lineEnd.upperBound..<min(body.count, lineEnd.upperBound + size)]
                i = lineEnd.upperBound + size + 2
                if i >= body.count { break }
            }
            body = out
        }
        return body
    }

    static func connect(_ port: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let ok = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard ok == 0 else { close(fd); throw Failure.connect }
        return fd
    }
}

/// `count` open `/live` streams, read and discarded.
final class LiveClients {
    var fds: [Int32] = []

    init(port: Int, count: Int, path: String) throws {
        for _ in 0..<count {
            let fd = try RawHTTP.connect(port)
            let request = Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n".utf8)
            _ = request.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            fds.append(fd)
            // Read what arrives, as a browser does, before the next one connects.
            drain(seconds: 0.02)
        }
    }

    /// Reads whatever arrives for `seconds`.
    func drain(seconds: Double) {
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            var polls = fds.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            guard poll(&polls, nfds_t(polls.count), 100) > 0 else { continue }
            for p in polls where p.revents != 0 {
                _ = buffer.withUnsafeMutableBytes { read(p.fd, $0.baseAddress, $0.count) }
            }
        }
    }

    func close() {
        for fd in fds { Glibc.close(fd) }
        fds = []
    }
}
