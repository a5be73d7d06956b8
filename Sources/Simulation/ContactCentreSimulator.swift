import TeamsDomain

/// A deterministic simulated contact centre that writes native v1 NDJSON event lines.
///
/// Calls arrive from team queues to available agents, are talked, held (the agent's client mutes
/// the held leg) and resumed, wrapped up and ended. Transfers stack a second call on a busy agent,
/// whose client then holds and mutes the first. A small share of queue calls reaches an agent
/// already on a call (the misroute supervisors want to see), and now and then the client is slow
/// to hold or mute (wrong-call risk). Agents also take chats and SMS, go on breaks and lunch, and
/// the feed sends heartbeats.
///
/// Everything comes from one seeded `SplitMix64`: the same configuration and the same sequence
/// of `step(to:)` times give the same lines, byte for byte.
public struct ContactCentreSimulator: Sendable {
    /// What to simulate.
    public struct Configuration: Sendable {
        /// Number of agents.
        public var agents: Int
        /// Team names; each team has a queue of the same name. Agents are spread round-robin.
        public var teams: [String]
        public var seed: UInt64
        /// Multiplies every arrival rate (calls, transfers, chats); 1 is a steady weekday.
        public var rate: Double
        /// Seconds between heartbeats.
        public var heartbeatInterval: Double
        /// Share of queue calls that reach an agent already on a call.
        public var misrouteShare: Double
        /// Share of accepted calls on which the agent's client is slow (past the wrong-call grace) to hold the
        /// call already live.
        public var slowHoldShare: Double
        /// Share of holds after which the client is slow (past the wrong-call grace) to mute the held leg.
        public var slowMuteShare: Double
        /// The longest simulated interval handled as one moment; events within it share its end time.
        public var tick: Double
        /// Mean seconds between staged episodes of the states the view exists for (an agent
        /// unmuting on a held call, muted on a live one, a misroute, a long hold); nil: none.
        public var showcaseInterval: Double?

        public init(agents: Int = 40, teams: [String] = ["Billing", "Tech Support", "Sales", "Retention"],
                    seed: UInt64 = 1, rate: Double = 1, heartbeatInterval: Double = 5,
                    misrouteShare: Double = 0.03, slowHoldShare: Double = 0.03, slowMuteShare: Double = 0.04,
                    tick: Double = 1, showcaseInterval: Double? = nil) {
            self.showcaseInterval = showcaseInterval
            precondition(agents > 0 && !teams.isEmpty && tick > 0)
            self.agents = agents
            self.teams = teams
            self.seed = seed
            self.rate = rate
            self.heartbeatInterval = heartbeatInterval
            self.misrouteShare = misrouteShare
            self.slowHoldShare = slowHoldShare
            self.slowMuteShare = slowMuteShare
            self.tick = tick
        }
    }

    /// What is simulated. Rates, shares and the showcase may change between steps (the demo plays a calm
    /// history, then a lively present); the roster (agents, teams, seed) may not.
    public var configuration: Configuration {
        didSet {
            precondition(configuration.agents == oldValue.agents && configuration.teams == oldValue.teams
                         && configuration.seed == oldValue.seed, "the roster of a running simulation is fixed")
        }
    }
    /// The simulated time reached so far.
    public private(set) var now: Timestamp
    let start: Timestamp

    var rng: SplitMix64
    var agents: [SimulatedAgent]
    /// Per team: agents Available and on no call, who may get a queue call.
    var idle: [AgentPool]
    /// Agents on exactly one live call with voice capacity for another: targets of transfers
    /// (and of misroutes).
    var stackable: AgentPool
    var nextHeartbeat: Timestamp
    var order: UInt64 = 0

    /// Lines emitted in the current `step(to:)`.
    var out: [String] = []
    /// The current moment and its RFC 3339 text, formatted once per tick.
    var moment: Timestamp
    var momentText: String

    /// Builds the roster and initial activities. Call `initialLines()` first, then `step(to:)`.
    public init(_ configuration: Configuration = Configuration(), start: Timestamp) {
        self.configuration = configuration
        self.start = start
        now = start
        moment = start
        momentText = RFC3339.format(start)
        nextHeartbeat = start.adding(seconds: configuration.heartbeatInterval)
        // The roster has its own stream so it depends on the seed and agent count only.
        var roster = SplitMix64(seed: configuration.seed ^ 0x5EED_0F_A6E4_75)
        var named = Set<String>()
        agents = (0..<configuration.agents).map { Self.makeAgent($0, configuration, &roster, named: &named) }
        rng = SplitMix64(seed: configuration.seed)
        idle = configuration.teams.map { _ in AgentPool(capacity: configuration.agents) }
        stackable = AgentPool(capacity: configuration.agents)
        for i in agents.indices {
            refresh(i)
            let first: Double = agents[i].activity == "Available" ? rng.seconds(300...2400) : rng.seconds(60...1200)
            plan(.activity, for: i, in: first)
        }
    }

    /// Worker profiles and current activities, stamped `time` (the start by default).
    public func initialLines(at time: Timestamp? = nil) -> [String] {
        let at = RFC3339.format(time ?? start)
        var lines: [String] = []
        lines.reserveCapacity(agents.count * 2)
        for agent in agents {
            var line = JSONLine(type: "worker", at: at)
            line.token("worker", agent.id)
            line.field("name", agent.name)
            line.field("team", configuration.teams[agent.team])
            line.field("skills", agent.skills)
            line.field("capacity", agent.capacity)
            lines.append(line.finished())
        }
        for agent in agents {
            lines.append(Self.activityLine(agent, at: at))
        }
        return lines
    }

    /// Advances simulated time to `target`, returning the events that happened, in order.
    /// Events carry the time of the tick (at most `configuration.tick` long) they happened in.
    public mutating func step(to target: Timestamp) -> [String] {
        out = []
        let tickMicros = max(1, Int64((configuration.tick * 1_000_000).rounded()))
        while now < target {
            let next = Timestamp(microseconds: min(target.microseconds, now.microseconds + tickMicros))
            let dt = now.seconds(until: next)
            now = next
            moment = next
            momentText = RFC3339.format(next)
            arrivals(dt)
            showcase(dt)
            for i in agents.indices where agents[i].nextDue <= next {
                while let action = agents[i].takeDue(next) {
                    perform(action, agent: i)
                }
            }
            while nextHeartbeat <= next {
                out.append(JSONLine(type: "heartbeat", at: momentText).finished())
                nextHeartbeat = nextHeartbeat.adding(seconds: configuration.heartbeatInterval)
            }
        }
        defer { out = [] }
        return out
    }

    // MARK: Scheduling and pools

    mutating func plan(_ action: SimulatedAgent.Action, for agent: Int, in seconds: Double) {
        order &+= 1
        agents[agent].plan(action, at: moment.adding(seconds: seconds), order: order)
    }

    mutating func refresh(_ i: Int) {
        // Field by field rather than `let agent = agents[i]`: copying an agent retains all its arrays.
        idle[agents[i].team].set(i, agents[i].activity == "Available" && agents[i].calls.isEmpty)
        stackable.set(i, agents[i].voiceCapacity >= 2 && agents[i].calls.count == 1 && agents[i].calls[0].phase == .live)
    }

    // MARK: Identifiers

    mutating func sid(_ prefix: String) -> String { prefix + Self.hex(rng.next()) + Self.hex(rng.next()) }

    static func hex(_ value: UInt64) -> String {
        String(unsafeUninitializedCapacity: 16) { buffer in
            for i in 0..<16 {
                let digit = UInt8((value >> UInt64(60 - 4 * i)) & 0xF)
                buffer[i] = digit < 10 ? 0x30 + digit : 0x57 + digit  // 0-9, a-f
            }
            return 16
        }
    }

    mutating func customerNumber() -> String {
        if rng.chance(0.25) { return "+447700900" + String(rng.int(100..<1000)) }
        return "+1555" + String(rng.int(1_000_000..<10_000_000))
    }

    /// Agent `i`; `named` holds the names given so far: a name is not given twice while the roster has an
    /// unused one (2,500 first and last name pairs), so no two agents of a demo floor read the same.
    static func makeAgent(_ i: Int, _ config: Configuration, _ rng: inout SplitMix64,
                          named: inout Set<String>) -> SimulatedAgent {
        let team = i % config.teams.count
        let teamName = config.teams[team]
        var skills = Roster.teamSkills[teamName].map { Array($0.prefix(1 + rng.int(0..<$0.count))) }
            ?? [teamName.lowercased()]
        if rng.chance(0.45) { skills.append(rng.pick(Roster.languages)) }
        if rng.chance(0.15) { skills.append(rng.pick(Roster.languages)) }
        var seen = Set<String>()
        skills = skills.filter { seen.insert($0).inserted }
        // Most agents have multi-call (voice 2); chat and SMS for some.
        var capacity = [("voice", rng.chance(0.85) ? 2 : 1)]
        if rng.chance(0.6) { capacity.append(("chat", rng.chance(0.5) ? 3 : 2)) }
        if rng.chance(0.3) { capacity.append(("sms", 1)) }
        let firsts = Roster.firstNames.count, lasts = Roster.lastNames.count
        var first = (i + rng.int(0..<firsts)) % firsts, last = rng.int(0..<lasts)
        var name = Roster.firstNames[first] + " " + Roster.lastNames[last]
        // Taken: the next pair along (last names first), the same draw as before for every other agent.
        var tries = 0
        while named.contains(name) && tries < firsts * lasts {
            tries += 1
            last = (last + 1) % lasts
            if last == 0 { first = (first + 1) % firsts }
            name = Roster.firstNames[first] + " " + Roster.lastNames[last]
        }
        named.insert(name)
        let roll = rng.unit()
        let activity = roll < 0.72 ? "Available" : roll < 0.8 ? "Break" : roll < 0.86 ? "Lunch"
            : roll < 0.91 ? "Meeting" : roll < 0.95 ? "Busy" : "Offline"
        return SimulatedAgent(id: "WK" + hex(rng.next()) + hex(rng.next()), name: name, team: team,
                              skills: skills, capacity: capacity, activity: activity)
    }

    static func activityLine(_ agent: SimulatedAgent, at: String) -> String {
        var line = JSONLine(type: "activity", at: at)
        line.token("worker", agent.id)
        line.token("activity", agent.activity)
        line.field("available", agent.activity == "Available")
        return line.finished()
    }
}
