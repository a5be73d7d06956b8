/// A state the Teams View exists to show, staged on the simulated floor so a new user sees it: every
/// `showcaseInterval` seconds on average, or at a chosen moment (`ContactCentreSimulator.stage(_:)`).
public enum ShowcaseEpisode: CaseIterable, Sendable {
    /// An agent on a second call unmutes the held one for a few seconds: a wrong-call risk.
    case unmutedOnHeldCall
    /// An agent mutes a live call for a while: the caller hears nothing.
    case mutedOnLiveCall
    /// A queue call lands on an agent already on a call.
    case misroute
    /// A hold past the alert threshold (180 s by default).
    case longHold
}

extension ContactCentreSimulator {
    /// Stages `episode` at the time reached (`now`) on an agent it fits, between steps, and returns the lines
    /// that begin it (what follows comes from later steps); nil when no agent fits (nobody on a call yet, or no
    /// agent with room for a second call).
    public mutating func stage(_ episode: ShowcaseEpisode) -> [String]? {
        defer { out = [] }
        return begin(episode) ? out : nil
    }

    /// Begins `episode` on an agent it fits, writing to `out`; false when none does.
    mutating func begin(_ episode: ShowcaseEpisode) -> Bool {
        switch episode {
        case .unmutedOnHeldCall:
            guard let i = stackable.random(&rng) else { return false }
            let held = agents[i].calls[0].id
            hold(held, agent: i)
            startCall(agent: i, via: "transfer", queue: nil, direction: "inbound")
            plan(.unmute(held), for: i, in: rng.seconds(2...4))
            plan(.remute(held), for: i, in: rng.seconds(9...14))
        case .mutedOnLiveCall:
            guard let i = agents.indices.first(where: { agents[$0].calls.count == 1 && agents[$0].calls[0].phase == .live
                                                         && !agents[$0].calls[0].muted }) else { return false }
            let call = agents[i].calls[0].id
            plan(.mute(call), for: i, in: 0)
            plan(.unmuteLive(call), for: i, in: rng.seconds(20...40))
        case .misroute:
            guard let i = stackable.random(&rng) else { return false }
            startCall(agent: i, via: "queue", queue: configuration.teams[agents[i].team], direction: "inbound")
        case .longHold:
            guard let i = agents.indices.first(where: { agents[$0].calls.count == 1 && agents[$0].calls[0].phase == .live }),
                  let c = agents[i].callIndex(agents[i].calls[0].id) else { return false }
            let call = agents[i].calls[c].id
            agents[i].calls[c].holds = 2
            hold(call, agent: i)
            plan(.resume(call), for: i, in: rng.seconds(200...320))
        }
        return true
    }
}
