import ArgumentParser
import Foundation
import Synchronization
import Logging
import MicroHTTP
import Simulation
import TeamsDomain
import TeamsIngest
import TeamsReports
import TeamsWeb

/// Prints the figures the project tracks: ingest events/s, page render time, HTTP requests/s
/// against a plain C libmicrohttpd server, memory per agent. Build with `-c release`.
@main
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "teamsview-bench",
        abstract: "Measure teamsview: ingest, render, HTTP, memory (run a release build).")

    @Option(help: "Sections to run, comma-separated: ingest,serve,cloudevents,post,served,served-memory,http,memory,fanout,reports,restart (default all but served-memory, which served includes).")
    var only = "ingest,serve,cloudevents,post,served,http,memory,fanout,reports,restart"

    @Option(help: "Simulated hours of the 2,000-agent centre for the reports figures.")
    var reportHours = 8.0

    @Option(help: "Native events of the ingest and serve sections (the post section's live stream posts the serve section's file).")
    var events = 1_000_000

    @Option(help: "Repetitions; the median is printed.")
    var runs = 3

    @Option(help: "Seconds per wrk run.")
    var wrkSeconds = 5

    @Option(help: "wrk connections.")
    var connections = 50

    @Option(help: "SSE clients of the fanout section.")
    var clients = 1000

    @Option(help: "The teamsview binary the sections that run a server start (serve, cloudevents, post, served, fanout, restart; default: the one next to this benchmark), to measure another build with the same load.")
    var serverBinary: String?

    @Option(help: "Agents on the floor of the served, fanout and restart sections (each with a shift of 16 ended calls and two calls now).")
    var agents = 20_000

    @Option(help: "CPU cores (taskset -c) for the teamsview server process of the serve, cloudevents and post sections.")
    var serverCores = "1"

    @Option(help: "CPU cores (taskset -c) for load generators and pollers (wrk, Python, this process's polling).")
    var clientCores = "0"

    @Option(name: .customLong("root"), help: ArgumentHelp("Repository root (Templates/, Public/, Benchmarks/); default: the current directory.", valueName: "path"))
    var rootOption: String?

    /// `--root`, else the current directory.
    var root: String { rootOption ?? FileManager.default.currentDirectoryPath }

    func run() async throws {

        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .warning
            return handler
        }
        let sections = Set(only.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) })
        #if DEBUG
        say("warning: debug build; figures are meaningless. Use: swift run -c release teamsview-bench")
        #endif
        say("teamsview-bench on \(ProcessInfo.processInfo.activeProcessorCount) cores, \(runs == 1 ? "one run (no spread: use --runs 3 or more)" : "median of \(runs) runs")")
        // Memory first: sections before it would leave freed heap behind that blurs the resident-set delta.
        if sections.contains("memory") { try memory() }
        if sections.contains("ingest") { ingest() }
        if sections.contains("serve") { try serveFile() }
        if sections.contains("cloudevents") || sections.contains("twilio") { try cloudEvents() }
        if sections.contains("post") { try post() }
        if sections.contains("served") { try served() } else if sections.contains("served-memory") { try servedMemory() }
        if sections.contains("http") { try await http() }
        if sections.contains("fanout") { try fanOut() }
        if sections.contains("reports") { try await reports() }
        if sections.contains("restart") { try restart() }
        let missed = targetsMissed.withLock { $0 }
        say(missed.isEmpty ? "\n== targets: every figure above with a target met it"
                           : "\n== targets not met (\(missed.count)): " + missed.joined(separator: "; "))
    }

    // MARK: ingest

    /// In-process figures of the shipped decoder (the one `serve` uses: it detects native and Twilio formats).
    func ingest() {
        say("\n== ingest: native NDJSON through the shipped decoder, in process, one thread, \(events) events")
        let lines = ContactCentreSimulator.benchmarkLines(agents: 5_000, events: events)
        var buffer: [UInt8] = []
        buffer.reserveCapacity(lines.count * 160)
        for line in lines { buffer.append(contentsOf: line.utf8); buffer.append(0x0A) }
        say("  input: \(lines.count) lines, \(buffer.count / lines.count) bytes/line average")

        let decodeOnly = median(runs) {
            let pipeline = IngestPipeline(decoder: { TwilioDecoder() }) { _ in }
            return timed { _ = buffer.withUnsafeBufferPointer { pipeline.ingest(buffer: $0, source: "bench") } }
        }
        let full = median(runs) {
            let store = RegistryStore()
            let pipeline = IngestPipeline(decoder: { TwilioDecoder() }) { store.apply($0) }
            return timed { _ = buffer.withUnsafeBufferPointer { pipeline.ingest(buffer: $0, source: "bench") } }
        }
        say("  decode only:            \(rate(lines.count, full: decodeOnly)) events/s")
        say("  decode + registry apply: \(rate(lines.count, full: full)) events/s   (the served figure is in `serve`)")
    }

    // MARK: memory

    func memory() throws {
        say("\n== memory: resident set per agent (registry, 2 calls each)")
        let agents = 100_000
        let events = Self.multiCallEvents(agents: agents)
        let before = residentBytes()
        let store = RegistryStore()
        for chunk in stride(from: 0, to: events.count, by: 10_000) {
            store.apply(events[chunk..<min(events.count, chunk + 10_000)])
        }
        let after = residentBytes()
        let perAgent = (after - before) / agents
        say("  \(agents) agents: \(perAgent) bytes/agent   (target < 2048: \(verdict(perAgent < 2048, "registry memory per agent")))")
        withExtendedLifetime(store) {}
        try reportsMemory()
    }

    /// The reports' share, in process: `agents` agents' events (two calls each) through a `ReportWriter` on a
    /// fresh database until written; the resident set after the heap is trimmed, and SQLite's own allocations.
    func reportsMemory() throws {
        let events = Self.multiCallEvents(agents: agents)
        let directory = NSTemporaryDirectory() + "teamsview-bench-memory-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        ProcessHeap.trim()
        let sqliteBefore = ReportDatabase.sqliteMemoryBytes, before = residentBytes()
        let writer = try ReportWriter(database: ReportDatabase(directory: directory), zone: ReportZone(identifier: "UTC")!)
        writer.start()
        for chunk in stride(from: 0, to: events.count, by: 1_000) {
            writer.submit(Array(events[chunk..<min(events.count, chunk + 1_000)]))
        }
        writer.flush()
        let peak = residentBytes()
        ProcessHeap.trim()
        let sqlite = ReportDatabase.sqliteMemoryBytes - sqliteBefore, after = residentBytes()
        say("  reports, \(grouped(agents)) agents: \((after - before) / agents) bytes/agent resident after malloc_trim "
            + "(\((peak - before) / agents) before), of which SQLite's allocations \(sqlite / agents) (page caches, statements)")
        writer.close()
    }

    // MARK: helpers shared by sections

    static let start = RFC3339.parse("2026-11-25T09:00:00Z")!

    /// A registry's worth of events: every agent on two calls, the first held and muted.
    static func multiCallEvents(agents: Int) -> [Event] {
        let teams = ["Billing", "Tech Support", "Sales", "Retention"]
        var events: [Event] = []
        events.reserveCapacity(agents * 7)
        let t0 = start
        for i in 0..<agents {
            let id = Sid.worker(i)
            events.append(Event(at: t0, .worker(id, WorkerProfile(name: "Agent \(i) Example", team: teams[i % 4],
                                                                   skills: ["billing", "spanish"], capacity: ["voice": 2, "chat": 2]))))
            events.append(Event(at: t0, .activity(id, name: "Available", available: true)))
            let a = "CA\(id.dropFirst(2))A", b = "CA\(id.dropFirst(2))B"
            events.append(Event(at: t0.adding(seconds: 10), .callStart(id, CallStart(call: a, from: "+1555\(1_000_000 + i)", queue: teams[i % 4]))))
            events.append(Event(at: t0.adding(seconds: 100), .callStart(id, CallStart(call: b, from: "+1555\(2_000_000 + i)", queue: teams[i % 4], via: .transfer))))
            events.append(Event(at: t0.adding(seconds: 101), .call(id, a, .hold)))
            events.append(Event(at: t0.adding(seconds: 101), .call(id, a, .mute)))
        }
        return events
    }

    func makeApp(store: RegistryStore) async throws -> TeamsApp {
        try await TeamsApp(store: store, statistics: IngestStatistics(), assets: .init(root: root),
                           settings: ViewSettings(), clock: WallClock { Self.start.adding(seconds: 600) })
    }
}

func timed(_ body: () -> Void) -> Double {
    let t0 = WallClock.monotonicSeconds()
    body()
    return WallClock.monotonicSeconds() - t0
}

/// CPU seconds this thread used running `body` (on a shared machine, wall time also counts the time
/// other processes held the core).
func threadCPU(_ body: () -> Void) -> Double {
    func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
    let t0 = now()
    body()
    return now() - t0
}

/// The figures below their targets so far, named as printed, for the closing list.
let targetsMissed = Mutex<[String]>([])

/// `met` or `NOT MET`, for a figure's target; a missed one (`figure`) is named again at the end of the run.
func verdict(_ met: Bool, _ figure: String) -> String {
    if !met { targetsMissed.withLock { $0.append(figure) } }
    return met ? "met" : "NOT MET"
}

func median(_ runs: Int, _ sample: () -> Double) -> Double {
    let xs = (0..<max(1, runs)).map { _ in sample() }.sorted()
    return xs[xs.count / 2]
}

func rate(_ count: Int, full seconds: Double) -> String {
    grouped(Int(Double(count) / seconds))
}

func grouped(_ v: Int) -> String {
    let s = String(v)
    var out = ""
    for (i, ch) in s.reversed().enumerated() {
        if i > 0 && i % 3 == 0 { out.append(",") }
        out.append(ch)
    }
    return String(out.reversed())
}

func ms(_ seconds: Double) -> String { String(format: "%.1f", seconds * 1000) }

func residentBytes() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let fields = text.split(separator: " ")
    return (fields.count > 1 ? Int(fields[1]) ?? 0 : 0) * Int(sysconf(Int32(_SC_PAGESIZE)))
}

/// Prints a line at once, even through a pipe, so figures appear as they are measured.
func say(_ line: String) {
    print(line)
    fflush(nil)
}
