import ArgumentParser
import Foundation
import Simulation
import TeamsDomain

/// `teamsview simulate`: prints the simulated contact centre as native NDJSON.
struct Simulate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print a simulated contact centre's event stream as native NDJSON (to pipe or save).")

    @Option(help: "Number of agents.")
    var agents = 40

    @Option(help: "Call arrival rate multiplier (1 = a normal busy hour).")
    var rate = 1.0

    @Option(help: "Simulated seconds to print.")
    var seconds = 600.0

    @Option(help: "Random seed: the same seed prints the same stream.")
    var seed: UInt64 = 1

    @Option(help: "Simulated start time, RFC 3339 (default: now).")
    var start: String?

    @Flag(help: "Pace output in real time instead of printing at once (for `| teamsview serve --events -`).")
    var realtime = false

    func validate() throws {
        guard agents > 0, agents <= 1_000_000 else { throw ValidationError("--agents must be 1...1000000") }
        guard rate > 0, rate.isFinite else { throw ValidationError("--rate must be positive") }
        guard seconds >= 0, seconds.isFinite else { throw ValidationError("--seconds must be zero or more") }
        if let start, RFC3339.parse(start) == nil { throw ValidationError("--start must be an RFC 3339 timestamp") }
    }

    func run() throws {
        let begin = start.flatMap(RFC3339.parse) ?? Timestamp(seconds: Date().timeIntervalSince1970)
        var sim = ContactCentreSimulator(.init(agents: agents, seed: seed, rate: rate), start: begin)
        let out = FileHandle.standardOutput
        func emit(_ lines: [String]) {
            guard !lines.isEmpty else { return }
            out.write((lines.joined(separator: "\n") + "\n").data(using: .utf8)!)
        }
        emit(sim.initialLines())
        let step = 1.0
        var t = 0.0
        while t < seconds {
            t = min(seconds, t + step)
            if realtime { Thread.sleep(forTimeInterval: step) }
            emit(sim.step(to: begin.adding(seconds: t)))
        }
    }
}
