import TeamsDomain

/// What a client showing a window of a board must change when the board moves from `old` to
/// `new`: the live `rows` message before it is rendered.
///
/// Rows come in display order with the row they go right after (nil: first of its team in the
/// window), so each one's predecessor is in place when it arrives; teams likewise. Only rows
/// inside the window are ever sent: a row pushed out of a page is `removed`, one pulled in is
/// upserted.
struct BoardDiff {
    struct Row {
        var id: WorkerID
        var team: String
        var after: WorkerID?
    }

    /// Teams whose heading is new to the window or changed, each with the team it goes after.
    var teams: [(name: String, after: String?)] = []
    var rows: [Row] = []
    var removed: [WorkerID] = []
    var teamsRemoved: [String] = []
    var summaryChanged = false
    var countChanged = false

    var isEmpty: Bool {
        teams.isEmpty && rows.isEmpty && removed.isEmpty && teamsRemoved.isEmpty && !summaryChanged && !countChanged
    }

    /// The difference for `window` (nil: the whole view) when `touched` workers were re-filed.
    init(from old: Board, to new: Board, window: BoardWindow?, touched: Set<WorkerID>) {
        summaryChanged = old.summary != new.summary
        countChanged = old.count != new.count || old.registry.workers.count != new.registry.workers.count
        // A kiosk tile whose worker did not change still changes when another worker takes or gives up its name
        // (its tag comes or goes): it is sent again like a changed one.
        let touched = touched.union(new.nameMates(of: touched, since: old))
        if let window {
            windowed(old, new, window, touched)
        } else {
            whole(old, new, touched)
        }
    }

    /// A page: compare the rows shown before and after (at most `BoardWindow.maxPer` each).
    private mutating func windowed(_ old: Board, _ new: Board, _ window: BoardWindow, _ touched: Set<WorkerID>) {
        var before = Set<WorkerID>()
        var beforeTeams = Set<String>()
        for s in old.slices(window) {
            before.formUnion(old.teams[s.team].ids[s.range])
            beforeTeams.insert(old.teams[s.team].name)
        }
        var nowTeams = Set<String>()
        var previousTeam: String?
        for s in new.slices(window) {
            let team = new.teams[s.team]
            nowTeams.insert(team.name)
            let oldHeading = old.teamIndex(team.name).map { old.teams[$0].heading }
            if !beforeTeams.contains(team.name) || oldHeading != team.heading {
                teams.append((team.name, previousTeam))
            }
            previousTeam = team.name
            var after: WorkerID?
            for id in team.ids[s.range] {
                if touched.contains(id) || before.remove(id) == nil {
                    rows.append(Row(id: id, team: team.name, after: after))
                }
                before.remove(id)
                after = id
            }
        }
        // What is left was shown and is not any more: out of the window, out of the view, or gone.
        removed = old.slices(window).flatMap { s in old.teams[s.team].ids[s.range].filter { before.contains($0) } }
        teamsRemoved = old.slices(window).map { old.teams[$0.team].name }.filter { !nowTeams.contains($0) }
    }

    /// The whole view: only touched rows can have moved, appeared or gone.
    private mutating func whole(_ old: Board, _ new: Board, _ touched: Set<WorkerID>) {
        var placed: [(team: Int, index: Int, id: WorkerID)] = []
        for id in touched {
            if let p = new.position(of: id) {
                placed.append((p.team, p.index, id))
            } else if old.position(of: id) != nil {
                removed.append(id)
            }
        }
        removed.sort()
        placed.sort { $0.team != $1.team ? $0.team < $1.team : $0.index < $1.index }
        for p in placed {
            let ids = new.teams[p.team].ids
            rows.append(Row(id: p.id, team: new.teams[p.team].name, after: p.index > 0 ? ids[p.index - 1] : nil))
        }
        for (t, team) in new.teams.enumerated() {
            let oldHeading = old.teamIndex(team.name).map { old.teams[$0].heading }
            if oldHeading != team.heading { teams.append((team.name, t > 0 ? new.teams[t - 1].name : nil)) }
        }
        teamsRemoved = old.teams.map(\.name).filter { new.teamIndex($0) == nil }
    }
}
