import Foundation
import Synchronization
import Logging
import Simulation
import TeamsDomain
import TeamsIngest
import TeamsWeb

/// Feeds the built-in simulated contact centre through the real ingest pipeline, in real time.
///
/// It starts ten simulated minutes in the past so the first page already shows calls, holds and
/// timers in progress, then steps with the wall clock.
final class DemoFeed: Sendable {
    let pipeline: IngestPipeline
    let agents: Int
    let seed: UInt64
    let rate: Double
    let clock: WallClock
    let stopped = StopFlag()

    init(pipeline: IngestPipeline, agents: Int, seed: UInt64, rate: Double, clock: WallClock) {
        self.pipeline = pipeline
        self.agents = agents
        self.seed = seed
        self.rate = rate
        self.clock = clock
    }

    func start() {
        let thread = Thread { [self] in run() }
        thread.name = "demo-feed"
        thread.start()
    }

    func stop() { stopped.set() }

    private func run() {
        let now = clock.now()
        var sim = ContactCentreSimulator(.init(agents: agents, seed: seed, rate: rate, showcaseInterval: 20),
                                         start: now.adding(seconds: -600))
        feed(sim.initialLines())
        // Warm up: ten minutes of history in one-second steps, as fast as the pipeline takes them.
        var t = now.adding(seconds: -600)
        while t < now {
            t = t.adding(seconds: 1)
            feed(sim.step(to: t))
        }
        while !stopped.isSet {
            Thread.sleep(forTimeInterval: 0.25)
            feed(sim.step(to: clock.now()))
        }
    }

    private func feed(_ lines: [String]) {
        guard !lines.isEmpty else { return }
        var body: [UInt8] = []
        for line in lines {
            body.append(contentsOf: line.utf8)
            body.append(0x0A)
        }
        _ = pipeline.ingest(body: body, source: "demo")
    }
}

/// A set-once flag readable from any thread.
final class StopFlag: Sendable {
    private let value = Mutex(false)
    func set() { value.withLock { $0 = true } }
    var isSet: Bool { value.withLock { $0 } }
}
