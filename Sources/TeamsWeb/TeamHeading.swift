import TeamsDomain

/// What a team's heading shows, on the page, on the kiosk and in live updates.
struct TeamHeading: Equatable, Sendable {
    let name: String
    /// The team's id in the page (`team-<slug>`): `Formatting.teamID` of the team's name.
    let slug: String
    var agents = 0
    var onCalls = 0
    var multi = 0
    var held = 0
    var flagged = 0

    /// `floor`: the one group of a view not grouped by team (`group=none`, `attention=1`).
    init(team: String, floor: Bool = false) {
        name = floor ? "All agents" : team.isEmpty ? "No team" : Formatting.clean(team)
        slug = Formatting.teamID(team)
    }

    /// Counts one worker of the team, with its calls' flags (`delta` -1: takes it away again).
    mutating func count(_ worker: WorkerState, flags: [CallFlags], by delta: Int = 1) {
        agents += delta
        if !worker.calls.isEmpty { onCalls += delta }
        if worker.isOnMultipleCalls { multi += delta }
        for call in worker.calls where call.phase == .held { held += delta }
        if flags.contains(where: { !$0.isEmpty }) { flagged += delta }
    }

    var model: [String: Any] {
        ["name": name, "slug": slug, "agents": agents, "agentsText": Formatting.plural(agents, "agent"), "onCalls": onCalls, "multi": multi, "held": held,
         "flagged": flagged > 0 ? flagged : false]
    }
}
