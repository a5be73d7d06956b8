import Foundation
import Synchronization
import Logging
import Simulation
import TeamsDomain
import TeamsIngest
import TeamsWeb

/// Feeds the built-in simulated contact centre through the real ingest pipeline, in real time.
///
/// It starts ten simulated minutes in the past so the first page already shows calls, holds, timers in
/// progress and a few incidents, then steps with the wall clock, staging one of the states the view exists
/// for about every 20 s.
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

    /// Seconds of history played at start-up, as fast as the pipeline takes them.
    static let history = 600.0

    /// What the history holds beyond ordinary traffic, at seconds from its beginning: a few incidents
    /// (two misroutes, a wrong-call risk) and a hold still past its alert threshold when the page opens.
    /// The history itself is calm (no other misroute, no slow client): a supervisor opening the demo
    /// finds a believable floor, not a wall of incidents from the ten minutes before.
    static let historyEpisodes: [(at: Double, episode: ShowcaseEpisode)] = [
        (120, .misroute), (300, .unmutedOnHeldCall), (405, .longHold), (480, .misroute),
    ]

    private func run() {
        let now = clock.now()
        let live = ContactCentreSimulator.Configuration(agents: agents, seed: seed, rate: rate, showcaseInterval: 20)
        var calm = live
        calm.misrouteShare = 0
        calm.slowHoldShare = 0
        calm.slowMuteShare = 0
        calm.showcaseInterval = nil
        let start = now.adding(seconds: -Self.history)
        var sim = ContactCentreSimulator(calm, start: start)
        feed(sim.initialLines())
        // The history in one-second steps; an episode whose moment has come is staged as soon as an agent fits.
        var pending = Self.historyEpisodes[...]
        var t = start
        while t < now {
            t = t.adding(seconds: 1)
            feed(sim.step(to: t))
            if let next = pending.first, start.adding(seconds: next.at) <= t, let lines = sim.stage(next.episode) {
                feed(lines)
                pending.removeFirst()
            }
        }
        sim.configuration = live
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
