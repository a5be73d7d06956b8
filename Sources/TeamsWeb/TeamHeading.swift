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

    /// `floor`: the one group of a view not grouped by team (`group=none`, `attention=1`), named after
    /// `teams` when the view is filtered to some (in natural order: "Sales", "Team 2, Team 10"), else "All agents".
    init(team: String, floor: Bool = false, teams: Set<String> = []) {
        if floor {
            name = teams.isEmpty ? "All agents"
                : teams.sorted(by: Board.teamBefore).map { $0.isEmpty ? "No team" : Formatting.clean($0) }.joined(separator: ", ")
        } else {
            name = team.isEmpty ? "No team" : Formatting.clean(team)
        }
        slug = Formatting.teamID(team)
    }

    /// Counts one worker of the team, with its calls' flags (`delta` -1: takes it away again).
    mutating func count(_ worker: WorkerState, flags: CallFlagList, by delta: Int = 1) {
        agents += delta
        // Each call's phase read in place (a `for call in` loop copies every call).
        let calls = worker.calls
        let n = min(calls.count, flags.count)
        if flags[..<n].contains(where: { !$0.contains(.endNotReceived) }) { onCalls += delta }
        if worker.callCount(callFlags: flags) >= 2 { multi += delta }
        for i in 0..<n where calls[i].phase == .held && !flags[i].contains(.endNotReceived) { held += delta }
        if flags.contains(where: { !$0.intersection(.alerts).isEmpty }) { flagged += delta }
    }

    /// Adds another group's counts (a team's, to the floor's heading of the same agents).
    mutating func add(_ other: TeamHeading) {
        agents += other.agents
        onCalls += other.onCalls
        multi += other.multi
        held += other.held
        flagged += other.flagged
    }

    var model: [String: Any] {
        ["name": name, "slug": slug, "agents": agents, "agentsText": Formatting.plural(agents, "agent"), "onCalls": onCalls,
         "onCallsText": onCalls == 1 ? "1 on a call" : "\(onCalls) on calls", "multi": multi, "held": held,
         "flagged": flagged > 0 ? flagged : false]
    }
}
