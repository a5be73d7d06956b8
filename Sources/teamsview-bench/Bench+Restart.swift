import Foundation

/// A restart of a large floor, as an operator sees it: how long until the port answers, until `/readyz` says ready,
/// and until the reports have restored what their database held.
extension Bench {
    func restart() throws {
        let binary = serverExecutable
        say("\n== restart: \(binary) serve on the data directory of \(grouped(agents)) agents × 2 calls (snapshot and "
            + "reports database), stopped with SIGTERM once caught up, median of \(runs) runs")
        let dir = NSTemporaryDirectory() + "teamsview-bench-restart-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let floor = dir + "/floor.ndjson"
        try Data(Self.floorFile(agents: agents).utf8).write(to: URL(fileURLWithPath: floor))
        let first = try ServedProcess(binary: binary, events: floor, root: root)
        try first.waitForWorkers(agents)
        first.settle(timeout: 120)
        first.stop(keepingData: true)
        defer { try? FileManager.default.removeItem(atPath: first.dataDir) }
        var opened: [Double] = [], ready: [Double] = [], restored: [Double] = []
        for run in 0..<runs {
            let started = Date()
            let server = try ServedProcess(binary: binary, events: nil, root: root, dataDir: first.dataDir)
            opened.append(Date().timeIntervalSince(started))
            let deadline = Date().addingTimeInterval(300)
            var readyAt: Double?, restoredAt: Double?
            while Date() < deadline, readyAt == nil || restoredAt == nil {
                if readyAt == nil, let reply = try? server.client.get("/readyz"),
                   String(decoding: reply, as: UTF8.self).contains("ready\n"), !String(decoding: reply, as: UTF8.self).contains("restoring") {
                    readyAt = Date().timeIntervalSince(started)
                }
                if restoredAt == nil, let metrics = try? server.client.get("/metrics") {
                    let text = String(decoding: metrics, as: UTF8.self)
                    if text.contains("\nteamsview_reports_restoring 0\n") {
                        restoredAt = Date().timeIntervalSince(started)
                    } else if text.contains("teamsview_") && !text.contains("teamsview_reports_restoring") {
                        // A build whose reports restored before its port opened.
                        restoredAt = opened.last!
                    }
                }
                usleep(50_000)
            }
            // Caught up again before the next run's stop, so each run restores the same database.
            server.settle(timeout: 60)
            server.stop(keepingData: true)
            ready.append(readyAt ?? .nan)
            restored.append(restoredAt ?? .nan)
            say("  run \(run + 1): port open \(secs(opened.last!)) s, ready \(secs(ready.last!)) s, reports restored \(secs(restored.last!)) s")
        }
        func med(_ v: [Double]) -> Double { v.sorted()[v.count / 2] }
        func spread(_ v: [Double]) -> String { "runs " + v.map(secs).joined(separator: "/") + " s" }
        say("  port open (process start to /healthz):   \(secs(med(opened))) s   (\(spread(opened)))")
        say("  /readyz ready (the floor restored):      \(secs(med(ready))) s   (\(spread(ready)))")
        say("  reports restored (after the port opened): \(secs(med(restored))) s   (\(spread(restored)); "
            + "until they were restored before the port opened, the port took as long)")
    }

    private func secs(_ v: Double) -> String { v.isNaN ? "—" : String(format: "%.1f", v) }
}
