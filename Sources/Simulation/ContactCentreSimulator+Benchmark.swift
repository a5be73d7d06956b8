import TeamsDomain

extension ContactCentreSimulator {
    /// A large realistic native stream for benchmarks: profiles and activities of `agents` agents,
    /// then simulated traffic until `events` lines in all (fewer only if `events` is smaller than
    /// the initial lines). The traffic rate is raised so the stream is dense, not mostly idle agents.
    public static func benchmarkLines(agents: Int, events: Int, seed: UInt64 = 1,
                                      start: Timestamp = Timestamp(microseconds: 1_795_597_200_000_000)) -> [String] {
        var simulator = ContactCentreSimulator(
            Configuration(agents: agents, seed: seed, rate: 3, heartbeatInterval: 5), start: start)
        var lines = simulator.initialLines()
        lines.reserveCapacity(max(events, lines.count))
        var time = start
        while lines.count < events {
            time = time.adding(seconds: 1)
            lines.append(contentsOf: simulator.step(to: time))
        }
        if lines.count > events { lines.removeLast(lines.count - events) }
        return lines
    }
}
