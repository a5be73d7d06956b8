import Foundation
import MicroHTTP
import Simulation
import TeamsDomain
import TeamsIngest
import TeamsWeb

extension Bench {
    /// Live-update fan-out: time from an event line to its message at every SSE client.
    func fanOut() async throws {
        say("\n== fanout: \(clients) SSE clients on loopback, one event line per round")
        let r = try await measureFanOut(clients: clients)
        say("  event → all clients: p50 \(String(format: "%.1f", r.p50)) ms, p99 \(String(format: "%.1f", r.p99)) ms   (target p99 < 100 ms)")
        say("  idle CPU with \(clients) clients connected: \(String(format: "%.2f", r.idleCPU)) % of one core")
    }
}
