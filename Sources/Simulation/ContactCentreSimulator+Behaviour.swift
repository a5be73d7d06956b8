import TeamsDomain

/// How calls and tasks arrive and what agents and their clients do with them.
extension ContactCentreSimulator {
    /// Per agent and second: queue calls, transfers, outbound calls, chats and SMS.
    private static let queueCallRate = 0.004
    private static let transferRate = 0.0006
    private static let outboundRate = 0.0003
    private static let taskRate = 0.0015

    mutating func arrivals(_ dt: Double) {
        let rate = configuration.rate
        let perTeam = Double(agents.count) / Double(configuration.teams.count)
        for team in configuration.teams.indices {
            for _ in 0..<rng.poisson(rate: rate * perTeam * Self.queueCallRate, dt: dt) {
                queueCall(team: team)
            }
        }
        let all = Double(agents.count)
        for _ in 0..<rng.poisson(rate: rate * all * Self.transferRate, dt: dt) {
            guard let i = stackable.random(&rng) else { break }
            // Transfers come from colleagues in any team; the queue names where the caller was.
            let queue = configuration.teams[rng.chance(0.6) ? agents[i].team : rng.int(0..<configuration.teams.count)]
            startCall(agent: i, via: "transfer", queue: queue, direction: "inbound")
        }
        for _ in 0..<rng.poisson(rate: rate * all * Self.outboundRate, dt: dt) {
            let team = rng.int(0..<configuration.teams.count)
            guard let i = idle[team].random(&rng) else { continue }
            startCall(agent: i, via: "outbound", queue: nil, direction: "outbound")
        }
        for _ in 0..<rng.poisson(rate: rate * all * Self.taskRate, dt: dt) {
            newTask()
        }
    }

    /// Staged episodes (`showcaseInterval`), so a new user sees within a minute what the view is for
    /// (see `ShowcaseEpisode`).
    mutating func showcase(_ dt: Double) {
        guard let interval = configuration.showcaseInterval, interval > 0, rng.chance(dt / interval) else { return }
        _ = begin(ShowcaseEpisode.allCases[rng.int(0..<ShowcaseEpisode.allCases.count)])
    }

    private mutating func queueCall(team: Int) {
        let queue = configuration.teams[team]
        // The misroute: a transfer to a queue bypasses the capacity check and lands on a busy agent.
        if rng.chance(configuration.misrouteShare), let i = stackable.random(&rng) {
            startCall(agent: i, via: "queue", queue: queue, direction: "inbound")
            return
        }
        guard let i = idle[team].random(&rng) else { return }  // everyone busy: the caller waits
        startCall(agent: i, via: "queue", queue: queue, direction: "inbound")
    }

    mutating func startCall(agent i: Int, via: String, queue: String?, direction: String) {
        let call = sid("CA")
        var line = JSONLine(type: "call.start", at: momentText)
        line.token("worker", agents[i].id)
        line.token("call", call)
        line.field("from", customerNumber())
        if let queue { line.field("queue", queue) }
        line.token("direction", direction)
        line.token("via", via)
        out.append(line.finished())
        // Accepting a call makes the client hold and mute the agent's live one, a moment later;
        // rarely it lags past the wrong-call grace period.
        for other in agents[i].calls where other.phase == .live {
            plan(.clientHold(other.id), for: i, in: rng.chance(configuration.slowHoldShare) ? rng.seconds(4.5...8) : rng.seconds(0.3...1.5))
        }
        agents[i].calls.append(SimulatedAgent.Call(id: call))
        plan(.talkDone(call), for: i, in: rng.seconds(40...240))
        refresh(i)
    }

    private mutating func newTask() {
        let channel = rng.chance(0.7) ? "chat" : "sms"
        for _ in 0..<4 {
            let i = rng.int(0..<agents.count)
            guard agents[i].activity == "Available",
                  agents[i].tasks.lazy.filter({ $0.channel == channel }).count < agents[i].capacity(of: channel)
            else { continue }
            let task = sid("WT")
            var line = JSONLine(type: "task.start", at: momentText)
            line.token("worker", agents[i].id)
            line.token("task", task)
            line.token("channel", channel)
            line.field("from", channel == "chat" ? rng.pick(Roster.chatSources) : customerNumber())
            line.field("queue", channel == "chat" ? "Chat" : "SMS")
            out.append(line.finished())
            agents[i].tasks.append(SimulatedAgent.Task(id: task, channel: channel))
            plan(.taskEnd(task), for: i, in: rng.seconds(120...900))
            return
        }
    }

    mutating func perform(_ action: SimulatedAgent.Action, agent i: Int) {
        switch action {
        case .talkDone(let call):
            guard let c = agents[i].callIndex(call), agents[i].calls[c].phase == .live else { return }
            if agents[i].calls.count == 1, agents[i].calls[c].holds < 2, rng.chance(0.2) {
                // The agent checks something with the caller on hold.
                agents[i].calls[c].holds += 1
                hold(call, agent: i)
                plan(.resume(call), for: i, in: rng.seconds(10...70))
            } else {
                wrapup(call, agent: i)
            }
        case .clientHold(let call):
            guard let c = agents[i].callIndex(call), agents[i].calls[c].phase == .live else { return }
            hold(call, agent: i)
        case .mute(let call):
            guard let c = agents[i].callIndex(call), !agents[i].calls[c].muted else { return }
            agents[i].calls[c].muted = true
            emit("call.mute", agent: i, call: call)
        case .unmute(let call):
            guard let c = agents[i].callIndex(call), agents[i].calls[c].muted else { return }
            agents[i].calls[c].muted = false
            emit("call.unmute", agent: i, call: call)
        case .unmuteLive(let call):
            // A call held meanwhile stays muted (the client mutes held legs); its resume unmutes it.
            guard let c = agents[i].callIndex(call), agents[i].calls[c].muted, agents[i].calls[c].phase == .live else { return }
            agents[i].calls[c].muted = false
            emit("call.unmute", agent: i, call: call)
        case .remute(let call):
            guard let c = agents[i].callIndex(call), !agents[i].calls[c].muted, agents[i].calls[c].phase == .held else { return }
            agents[i].calls[c].muted = true
            emit("call.mute", agent: i, call: call)
        case .resume(let call):
            guard let c = agents[i].callIndex(call), agents[i].calls[c].phase == .held else { return }
            agents[i].calls[c].phase = .live
            emit("call.resume", agent: i, call: call)
            if agents[i].calls[c].muted {
                agents[i].calls[c].muted = false
                emit("call.unmute", agent: i, call: call)
            }
            plan(.talkDone(call), for: i, in: rng.seconds(20...150))
            refresh(i)
        case .wrapup(let call):
            wrapup(call, agent: i)
        case .end(let call):
            guard let c = agents[i].callIndex(call) else { return }
            agents[i].calls.remove(at: c)
            emit("call.end", agent: i, call: call)
            refresh(i)
        case .taskEnd(let task):
            guard let t = agents[i].tasks.firstIndex(where: { $0.id == task }) else { return }
            agents[i].tasks.remove(at: t)
            var line = JSONLine(type: "task.end", at: momentText)
            line.token("worker", agents[i].id)
            line.token("task", task)
            out.append(line.finished())
        case .activity:
            changeActivity(i)
        }
    }

    /// Holds the call; the client mutes the held leg at once, or, rarely, only after the
    /// wrong-call grace period has passed.
    mutating func hold(_ call: String, agent i: Int) {
        guard let c = agents[i].callIndex(call) else { return }
        agents[i].calls[c].phase = .held
        emit("call.hold", agent: i, call: call)
        if agents[i].calls[c].muted { return }
        if rng.chance(configuration.slowMuteShare) {
            plan(.mute(call), for: i, in: rng.seconds(4.5...9))
        } else {
            agents[i].calls[c].muted = true
            emit("call.mute", agent: i, call: call)
        }
        refresh(i)
    }

    private mutating func wrapup(_ call: String, agent i: Int) {
        guard let c = agents[i].callIndex(call), agents[i].calls[c].phase != .wrapup else { return }
        agents[i].calls[c].phase = .wrapup
        emit("call.wrapup", agent: i, call: call)
        plan(.end(call), for: i, in: rng.seconds(8...40))
        // Back to the caller left on hold.
        if let held = agents[i].calls.first(where: { $0.phase == .held }) {
            plan(.resume(held.id), for: i, in: rng.seconds(1...3))
        }
        refresh(i)
    }

    private mutating func changeActivity(_ i: Int) {
        let agent = agents[i]
        if agent.activity == "Available" {
            guard agent.calls.isEmpty, agent.tasks.isEmpty else {
                plan(.activity, for: i, in: rng.seconds(60...300))
                return
            }
            let roll = rng.unit()
            let (next, minutes): (String, ClosedRange<Double>) =
                roll < 0.45 ? ("Break", 5...15) : roll < 0.6 ? ("Lunch", 25...45) : roll < 0.75 ? ("Meeting", 10...30)
                : roll < 0.92 ? ("Busy", 1...6) : roll < 0.97 ? ("Training", 15...40) : ("Offline", 10...30)
            agents[i].activity = next
            plan(.activity, for: i, in: rng.seconds(minutes) * 60)
        } else {
            agents[i].activity = "Available"
            plan(.activity, for: i, in: rng.seconds(10...40) * 60)
        }
        out.append(Self.activityLine(agents[i], at: momentText))
        refresh(i)
    }

    private mutating func emit(_ type: String, agent i: Int, call: String) {
        var line = JSONLine(type: type, at: momentText)
        line.token("worker", agents[i].id)
        line.token("call", call)
        out.append(line.finished())
    }
}
