import Foundation

extension Bench {
    /// Live-update fan-out: time from an event (POSTed, or appended to a followed file) to its message at
    /// every SSE client, and the server's CPU while they sit idle. See ``measureFanOut``.
    func fanOut() throws {
        let binary = serverBinary ?? URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path + "/teamsview"
        say("\n== fanout: \(binary) serve, \(grouped(agents)) agents × 2 calls from a followed file, \(clients) SSE clients on /live?page=1&per=200 in this process, median of \(runs) runs")
        var runsDone: [FanOutFigures] = []
        for _ in 0..<runs {
            let r = try measureFanOut(binary: binary, root: root, clients: clients, agents: agents)
            runsDone.append(r)
            say("  run: POST p50 \(ms(r.post.p50 / 1000)) p99 \(ms(r.post.p99 / 1000)) ms, file p50 \(ms(r.file.p50 / 1000)) p99 \(ms(r.file.p99 / 1000)) ms, idle CPU \(pct(r.idleCPU)) % (\(pct(r.idleCPUWithoutClients)) % without clients), all connected in \(ms(r.connectSeconds)) ms")
        }
        func med(_ f: (FanOutFigures) -> Double) -> Double { runsDone.map(f).sorted()[runsDone.count / 2] }
        say("  POST → all clients: p50 \(ms(med { $0.post.p50 } / 1000)) ms, p99 \(ms(med { $0.post.p99 } / 1000)) ms   (target p99 < 50 ms: \(verdict(med { $0.post.p99 } < 50, "POST → all clients p99")))")
        say("  file line → all clients: p50 \(ms(med { $0.file.p50 } / 1000)) ms, p99 \(ms(med { $0.file.p99 } / 1000)) ms   (target p99 < 50 ms: \(verdict(med { $0.file.p99 } < 50, "file line → all clients p99")))")
        say("  idle CPU with \(clients) clients connected: \(pct(med { $0.idleCPU })) % of one core   (target < 1 %: \(verdict(med { $0.idleCPU } < 1, "idle CPU with clients")); without clients \(pct(med { $0.idleCPUWithoutClients })) %)")
    }

    private func pct(_ v: Double) -> String { String(format: "%.2f", v) }
}
