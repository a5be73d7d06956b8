import Foundation
import MicroHTTP
import Simulation
import TeamsDomain
import TeamsIngest
import TeamsWeb

extension Bench {
    /// Twilio Event Streams CloudEvents (TaskRouter, ~1.6 KB each) through the Twilio decoder, one thread.
    func twilio() {
        let count = 200_000
        say("\n== twilio: Event Streams CloudEvents, one thread, \(count) events")
        let lines = TwilioBenchmark.lines(count: count)
        say("  input: \(lines.reduce(0) { $0 + $1.utf8.count } / lines.count) bytes/event average")
        let seconds = median(runs) { timed { _ = TwilioBenchmark.decode(lines) } }
        say("  decode (with dedupe and reorder buffer): \(rate(count, full: seconds)) events/s   (target ≥ 300,000)")
    }

    /// Live-update fan-out: time from an event line to its message at every SSE client.
    func fanOut() async throws {
        say("\n== fanout: \(clients) SSE clients on loopback, one event line per round")
        let r = try await measureFanOut(clients: clients)
        say("  event → all clients: p50 \(String(format: "%.1f", r.p50)) ms, p99 \(String(format: "%.1f", r.p99)) ms   (target p99 < 100 ms)")
        say("  idle CPU with \(clients) clients connected: \(String(format: "%.2f", r.idleCPU)) % of one core")
    }

    /// `POST /ingest` throughput with 1,000-event NDJSON batches, driven by wrk.
    func post() async throws {
        say("\n== post: POST /ingest, 1,000-event NDJSON batches, wrk -t2 -c8 -d\(wrkSeconds)s")
        guard let wrk = which("wrk") else { say("  skipped: wrk not installed"); return }
        let store = RegistryStore()
        let statistics = IngestStatistics()
        let pipeline = IngestPipeline(statistics: statistics, decoder: { TwilioDecoder() }) { store.apply($0) }
        let session = SharedIngestSession(pipeline: pipeline, source: "bench")
        let app = try await TeamsApp(store: store, statistics: statistics, assets: .init(root: root), settings: ViewSettings(),
                                     ingest: IngestEndpoint(session: session, token: nil))
        let server = HTTPServer(configuration: .init(host: "127.0.0.1", port: 0, threads: 2), router: app.routes())
        try server.start()
        defer { server.stop() }
        let lines = ContactCentreSimulator.benchmarkLines(agents: 2_000, events: 1_000)
        let bodyFile = NSTemporaryDirectory() + "teamsview-bench-body.ndjson"
        try (lines.joined(separator: "\n") + "\n").write(toFile: bodyFile, atomically: true, encoding: .utf8)
        let script = NSTemporaryDirectory() + "teamsview-bench-post.lua"
        try """
            local f = io.open("\(bodyFile)", "rb")
            wrk.method = "POST"
            wrk.body = f:read("*a")
            wrk.headers["Content-Type"] = "application/x-ndjson"
            f:close()
            """.write(toFile: script, atomically: true, encoding: .utf8)
        var rates: [Double] = []
        for _ in 0..<runs {
            let text = String(decoding: try shell(wrk, ["-t2", "-c8", "-d\(wrkSeconds)s", "-s", script,
                                                        "http://127.0.0.1:\(server.port)/ingest"]), as: UTF8.self)
            let line = text.split(separator: "\n").first { $0.hasPrefix("Requests/sec:") }
            rates.append(line.flatMap { Double($0.split(separator: " ").last ?? "") } ?? 0)
        }
        let median = rates.sorted()[rates.count / 2]
        say("  \(grouped(Int(median))) batches/s = \(grouped(Int(median * 1000))) events/s  (runs: \(rates.map { grouped(Int($0)) }.joined(separator: ", ")) batches/s)")
        say("  events applied in total: \(grouped(statistics.snapshot().eventsApplied))")
    }
}
