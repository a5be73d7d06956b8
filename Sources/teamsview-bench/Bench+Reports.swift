import Foundation
import MicroHTTP
import Simulation
import TeamsDomain
import TeamsIngest
import TeamsReports
import TeamsWeb

extension Bench {
    /// A simulated shift of a 2,000-agent centre: ingest with reports off and on, `/report` and
    /// `/report/agent/{id}` server time, database bytes per agent-day.
    func reports() async throws {
        let agents = 2_000
        let start = Timestamp(microseconds: 1_795_597_200_000_000)  // 2026-11-25T09:00:00Z
        var simulator = ContactCentreSimulator(.init(agents: agents, seed: 7, rate: 1, heartbeatInterval: 5), start: start)
        var lines = simulator.initialLines()
        var time = start
        let end = start.adding(seconds: reportHours * 3600)
        while time < end {
            time = time.adding(seconds: 1)
            lines.append(contentsOf: simulator.step(to: time))
        }
        var buffer: [UInt8] = []
        buffer.reserveCapacity(lines.count * 160)
        for line in lines { buffer.append(contentsOf: line.utf8); buffer.append(0x0A) }
        say("\n== reports: \(agents) agents, \(fmt(reportHours)) simulated hours, \(lines.count) events")
        lines = []

        var offCPU: [Double] = []
        let off = median(runs) {
            let store = RegistryStore()
            let pipeline = IngestPipeline { store.apply($0) }
            var wall = 0.0
            offCPU.append(threadCPU { wall = timed { _ = buffer.withUnsafeBufferPointer { pipeline.ingest(buffer: $0, source: "bench") } } })
            return wall
        }
        let count = buffer.count { $0 == 0x0A }
        var drained: [Double] = []
        var directory = ""
        var samples: [Double] = []
        var onCPU: [Double] = []
        for _ in 0..<max(1, runs) {
            if !directory.isEmpty { try? FileManager.default.removeItem(atPath: directory) }
            directory = NSTemporaryDirectory() + "teamsview-bench-reports-\(UUID().uuidString)"
            let writer = try ReportWriter(database: ReportDatabase(directory: directory), zone: ReportZone(identifier: "UTC")!)
            writer.start()
            let store = RegistryStore()
            let pipeline = IngestPipeline { events in
                store.apply(events)
                writer.submit(events)
            }
            let t0 = WallClock.monotonicSeconds()
            var wall = 0.0
            onCPU.append(threadCPU { wall = timed { _ = buffer.withUnsafeBufferPointer { pipeline.ingest(buffer: $0, source: "bench") } } })
            samples.append(wall)
            writer.stop()
            drained.append(WallClock.monotonicSeconds() - t0)
            // Its thread ends here, so nothing of this run is freed during the next one.
            writer.close()
        }
        let on = samples.sorted()[samples.count / 2]
        say("  ingest, reports off:       \(rate(count, full: off)) events/s")
        say("  ingest, reports on:        \(rate(count, full: on)) events/s   (\(fmt((on / off - 1) * 100)) % slower; target ≤ 10 %: \(verdict(on <= off * 1.1, "ingest with reports on")))")
        let cpuOff = offCPU.sorted()[offCPU.count / 2], cpuOn = onCPU.sorted()[onCPU.count / 2]
        say("  ingest thread CPU, off/on: \(rate(count, full: cpuOff)) / \(rate(count, full: cpuOn)) events per CPU-second"
            + "   (\(fmt((cpuOn / cpuOff - 1) * 100)) % more CPU with reports; runs off \(offCPU.map { ms($0) }.joined(separator: "/")) ms,"
            + " on \(onCPU.map { ms($0) }.joined(separator: "/")) ms; wall on \(samples.map { ms($0) }.joined(separator: "/")) ms)")
        drained.sort()
        say("  until every figure is written: \(fmt(drained[drained.count / 2])) s (\(rate(count, full: drained[drained.count / 2])) events/s)")

        let writer = try ReportWriter(database: ReportDatabase(directory: directory), zone: ReportZone(identifier: "UTC")!)
        let bytes = try writer.database.sizeBytes()
        let perAgent = Double(bytes) / Double(agents)
        say("  database: \(bytes / 1024) KiB, \(Int(perAgent)) bytes per agent for \(fmt(reportHours)) h"
            + (reportHours < 24 ? ", ~\(Int(perAgent * 24 / reportHours)) bytes per agent-day at this rate (extrapolated)" : " (a full day)"))
        let store = RegistryStore()
        let app = try await TeamsApp(store: store, statistics: IngestStatistics(), assets: .init(root: root),
                                     settings: ViewSettings(), clock: WallClock { start.adding(seconds: 3600) }, reports: writer)
        let web = app.reports!
        let day = "2026-11-25"
        for by in ["agent", "team"] {
            var size = 0
            var cpu: [Double] = []
            let page = median(max(runs, 5)) {
                var wall = 0.0
                cpu.append(threadCPU { wall = timed {
                    size = web.reportPage(Request(method: .get, path: "/report", query: [("from", day), ("to", day), ("by", by)])).bodySize
                } })
                return wall
            }
            say("  /report by \(by): \(ms(page)) ms wall, \(ms(cpu.sorted()[cpu.count / 2])) ms CPU, \(size / 1024) KiB   (target < 100 ms: \(verdict(page < 0.1, "/report by \(by)")))")
        }
        var apiCPU: [Double] = []
        let api = median(max(runs, 5)) {
            var wall = 0.0
            apiCPU.append(threadCPU { wall = timed { _ = web.reportAPI(Request(method: .get, path: "/api/report", query: [("from", day), ("to", day)])) } })
            return wall
        }
        say("  /api/report: \(ms(api)) ms wall, \(ms(apiCPU.sorted()[apiCPU.count / 2])) ms CPU   (target < 100 ms: \(verdict(api < 0.1, "/api/report")))")
        var agentRequest = Request(method: .get, path: "/report/agent/WK0001", query: [("date", day)])
        let worker = try writer.database.report(ReportZone(identifier: "UTC")!.range(from: .init(day)!, to: .init(day)!),
                                                by: .agent, intervals: false).first?.key ?? "WK0001"
        agentRequest.parameters["id"] = worker
        var agentCPU: [Double] = []
        let agent = median(max(runs, 5)) {
            var wall = 0.0
            agentCPU.append(threadCPU { wall = timed { _ = web.agentPage(agentRequest) } })
            return wall
        }
        say("  /report/agent/{id}: \(ms(agent)) ms wall, \(ms(agentCPU.sorted()[agentCPU.count / 2])) ms CPU   (target < 20 ms: \(verdict(agent < 0.02, "/report/agent/{id}")))")
        try? FileManager.default.removeItem(atPath: directory)
    }
}

func fmt(_ v: Double) -> String { String(format: "%.1f", v) }

extension Response {
    var bodySize: Int {
        if case .bytes(let b) = body { return b.count }
        return 0
    }
}
