import TeamsDomain

/// One view's board: the rows of a view (page kind + query) in display order, grouped by team,
/// at one registry version, with the figures that cover the whole view (team headings, summary).
///
/// A value: the live updater files changes into a copy and publishes it; pages render whatever
/// copy they took, with no lock held. Rows are filed against `registry`, the snapshot the board
/// reflects: every list is sorted by the query's order of the workers *as they are in it*.
///
/// Shapes: `teams` in page order (by name, the unnamed team last), never empty ones; each team's
/// `ids` in the query's order. `seq` is the live update (flush) the board reflects, the cursor a
/// page rendered from it embeds.
struct Board: Sendable {
    struct Team: Sendable {
        var name: String
        var ids: [WorkerID]
        /// Counts over the whole team, not only the rows a window shows.
        var heading: TeamHeading
    }

    let key: BoardKey
    private(set) var registry: Registry
    /// When flags (and so the `flagged` filter, headings and summary) were evaluated.
    private(set) var at: Timestamp
    private(set) var seq: UInt64
    private(set) var teams: [Team] = []
    /// Rows in the whole view.
    private(set) var count = 0
    private(set) var summary = Summary()
    /// The kiosk's names and who bears each, so workers of one name are told apart (`NameTags`); nil on other views.
    private(set) var names: NameTags?
    let grace: Double
    /// The activity that means logged out (`Presence.offline`).
    let offlineActivity: String

    var version: UInt64 { registry.version }
    var query: WorkerQuery { key.query }

    /// The "of" of `12 of 40 agents`: the agents of the teams the view is pinned to (`team=`), or of the whole
    /// floor when it is pinned to none. A supervisor limited to some teams gets a view pinned to them, so the
    /// floor beyond them is never counted to them. Counted when the board is made (reading every agent when
    /// pinned: about a millisecond at 20,000) and moved by `update`, not counted again at every page.
    private(set) var total = 0

    /// `total` of `registry`, counted.
    private static func total(pinnedTo teams: Set<String>, in registry: Registry) -> Int {
        guard !teams.isEmpty else { return registry.workers.count }
        return registry.workers.values.count { teams.contains($0.team) }
    }

    /// Files every worker of `registry` that passes the query. A query on team, activity or text
    /// reads only the workers that the search list (from `searchLists`, else built for this board)
    /// says may pass, and those changed since the list's snapshot (`changedSince`, see
    /// `SearchLists.list(for:changedSince:)`), not the whole floor.
    init(key: BoardKey, registry: Registry, at now: Timestamp, seq: UInt64, grace: Double, offlineActivity: String = "Offline",
         searchLists: SearchLists? = nil, changedSince: (UInt64) -> Set<WorkerID>? = { _ in nil }) {
        self.offlineActivity = offlineActivity
        self.key = key
        self.registry = registry
        self.at = now
        self.seq = seq
        self.grace = grace
        let query = key.query
        var workers: [WorkerState] = []
        workers.reserveCapacity(query.isFiltering ? 64 : registry.workers.count)
        let tree = registry.workers
        if SearchList.narrows(query) {
            let (list, changed) = searchLists?.list(for: registry, changedSince: changedSince) ?? (SearchList(registry), [])
            if changed.isEmpty, list.isInTreeOrder, list.count == tree.count {
                // Slots are positions in `tree`, ascending: each seek moves on from the last one.
                var index = tree.startIndex, position = 0
                list.candidates(query) { i in
                    index = tree.index(index, offsetBy: i - position)
                    position = i
                    let w = tree[index].value
                    if query.matches(w, at: now, grace: grace, offlineActivity: offlineActivity) { workers.append(w) }
                }
            } else {
                // Workers changed since the list's snapshot are read below, whatever it says of them.
                list.candidates(query) { i in
                    let id = list.id(at: i)
                    guard changed.isEmpty || !changed.contains(id), let w = tree[id] else { return }
                    if query.matches(w, at: now, grace: grace, offlineActivity: offlineActivity) { workers.append(w) }
                }
            }
            for id in changed {
                guard let w = tree[id], query.matches(w, at: now, grace: grace, offlineActivity: offlineActivity) else { continue }
                workers.append(w)
            }
        } else {
            for (_, w) in tree where !query.isFiltering || query.matches(w, at: now, grace: grace, offlineActivity: offlineActivity) {
                workers.append(w)
            }
        }
        let filing = BoardOrder.filed(workers, by: key.query)
        let order = filing.order
        // Each worker's flags once, for its team's heading and the summary.
        let flags = workers.map { $0.callFlags(at: now, grace: grace) }
        var start = 0
        while start < order.count {
            let rank = filing.ranks[order[start]]
            var end = start + 1
            while end < order.count, filing.ranks[order[end]] == rank { end += 1 }
            let name = filing.groups[rank]
            var heading = heading(name)
            for i in order[start..<end] { heading.count(workers[i], flags: flags[i]) }
            teams.append(Team(name: name, ids: order[start..<end].map { filing.ids[$0] }, heading: heading))
            start = end
        }
        count = workers.count
        total = Self.total(pinnedTo: key.query.teams, in: registry)
        if key.view == .kiosk { names = NameTags(workers) }
        summary = Summary(workers, flags: flags, at: now, offlineActivity: offlineActivity)
    }

    /// The board of `key` made from `sibling`, a board of the same agents in another order (a kept board whose
    /// query has the same filters, ``WorkerQuery/filters``), as of the sibling's snapshot, moment and flush: its
    /// rows filed again in `key`'s order, its figures taken over. The figures count the set of agents, not their
    /// order: the summary is the sibling's, the team headings too when both group by team, and one heading of
    /// their sums when `key` does not. A supervisor who picks a sort on the Teams View has the view's board kept,
    /// so the new order reads only what it sorts by: on a 20,000-agent floor no agent's call flags are evaluated
    /// again (about half of a new floor-wide board's making).
    ///
    /// Nil when it cannot be made so: another page kind, the kiosk (its name tags are its own), other filters,
    /// a sibling not grouped by team for a view that is (its headings do not split by team), or a sibling that
    /// names a worker its snapshot does not hold.
    ///
    /// A view with no filter (the whole floor) is filed from the floor's search list when one is kept
    /// (`searchLists`, with `changedSince` as in `init`): then no worker is read but those changed since the list.
    init?(key: BoardKey, reordering sibling: Board, searchLists: SearchLists? = nil,
          changedSince: (UInt64) -> Set<WorkerID>? = { _ in nil }) {
        guard key.view == sibling.key.view, key.view != .kiosk, key.query.filters == sibling.key.query.filters,
              sibling.key.query.groupsByTeam || !key.query.groupsByTeam else { return nil }
        self.key = key
        registry = sibling.registry
        at = sibling.at
        seq = sibling.seq
        grace = sibling.grace
        offlineActivity = sibling.offlineActivity
        count = sibling.count
        total = sibling.total
        summary = sibling.summary
        if !key.query.isFiltering, let searchLists,
           let filed = Self.teams(key.query, reordering: sibling, from: searchLists, changedSince: changedSince) {
            teams = filed
            return
        }
        let tree = registry.workers
        // Within one group, page order is the query's order without the group.
        var ungrouped = key.query
        ungrouped.groupByTeam = false
        var groups: [(name: String, heading: TeamHeading, workers: [WorkerState])] = []
        if key.query.groupsByTeam {
            for team in sibling.teams {
                var workers: [WorkerState] = []
                workers.reserveCapacity(team.ids.count)
                for id in team.ids {
                    guard let w = tree[id] else { return nil }
                    workers.append(w)
                }
                groups.append((team.name, team.heading, workers))
            }
        } else if count > 0 {
            var heading = TeamHeading(team: "", floor: true, teams: key.query.teams)
            var workers: [WorkerState] = []
            workers.reserveCapacity(count)
            if count == tree.count {
                // Every worker of the snapshot: read in the tree's order, with no lookup by id.
                for team in sibling.teams { heading.add(team.heading) }
                for (_, w) in tree { workers.append(w) }
            } else {
                for team in sibling.teams {
                    heading.add(team.heading)
                    for id in team.ids {
                        guard let w = tree[id] else { return nil }
                        workers.append(w)
                    }
                }
            }
            groups.append(("", heading, workers))
        }
        teams = groups.map { group in
            let filing = BoardOrder.filed(group.workers, by: ungrouped)
            return Team(name: group.name, ids: filing.order.map { filing.ids[$0] }, heading: group.heading)
        }
    }

    /// The teams of `sibling`'s whole floor in `query`'s order, filed from the floor's search list
    /// (`BoardOrder.filed(_:changed:registry:by:)`), with `sibling`'s headings; nil when no list can be had at the
    /// sibling's snapshot, or it cannot file them, or they are not the sibling's agents.
    private static func teams(_ query: WorkerQuery, reordering sibling: Board, from searchLists: SearchLists,
                              changedSince: (UInt64) -> Set<WorkerID>?) -> [Team]? {
        guard let (list, changed) = searchLists.keptList(for: sibling.registry, changedSince: changedSince),
              let filing = BoardOrder.filed(list, changed: changed, registry: sibling.registry, by: query),
              filing.ids.count == sibling.count else { return nil }
        var floor = TeamHeading(team: "", floor: true, teams: query.teams)
        if !query.groupsByTeam { for team in sibling.teams { floor.add(team.heading) } }
        var teams: [Team] = []
        var start = 0
        let order = filing.order
        while start < order.count {
            let rank = filing.ranks[order[start]]
            var end = start + 1
            while end < order.count, filing.ranks[order[end]] == rank { end += 1 }
            let name = filing.groups[rank]
            var heading = floor
            if query.groupsByTeam {
                guard let t = sibling.teamIndex(name), sibling.teams[t].ids.count == end - start else { return nil }
                heading = sibling.teams[t].heading
            }
            teams.append(Team(name: name, ids: order[start..<end].map { filing.ids[$0] }, heading: heading))
            start = end
        }
        return teams
    }

    // MARK: Lookups

    /// The index of a team in `teams`.
    func teamIndex(_ name: String) -> Int? {
        var lo = 0, hi = teams.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if teams[mid].name == name { return mid }
            if Self.teamBefore(teams[mid].name, name) { lo = mid + 1 } else { hi = mid }
        }
        return nil
    }

    /// Where a worker's row is: its team and its index there; nil when the view does not show it.
    /// A binary search with the worker as `registry` holds it, so O(log n).
    func position(of id: WorkerID) -> (team: Int, index: Int)? {
        guard let w = registry.workers[id], let t = teamIndex(key.query.group(of: w)) else { return nil }
        let i = insertionIndex(of: w, in: teams[t].ids)
        guard i < teams[t].ids.count, teams[t].ids[i] == id else { return nil }
        return (t, i)
    }

    /// The first index in `ids` whose worker does not come before `w`.
    private func insertionIndex(of w: WorkerState, in ids: [WorkerID]) -> Int {
        var lo = 0, hi = ids.count
        while lo < hi {
            let mid = (lo + hi) / 2
            // A worker missing from this snapshot sorts before: never trap on an odd entry.
            if registry.workers[ids[mid]].map({ key.query.areInOrder($0, w) }) ?? true { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// The tag that tells `w` apart from the other workers of its name on this board (kiosk only); nil when
    /// it has the name to itself.
    func nameTag(of w: WorkerState) -> String? {
        names?.tag(of: w.id, name: w.name)
    }

    /// Workers other than `touched` whose name tag may have changed since `old`: those of a name that a
    /// touched worker had or has, when the workers of that name changed (one joined, left or was renamed).
    func nameMates(of touched: Set<WorkerID>, since old: Board) -> Set<WorkerID> {
        guard let names else { return [] }
        var shown = Set<String>()
        for id in touched {
            if let w = old.registry.workers[id] { shown.insert(NameTags.key(w.name)) }
            if let w = registry.workers[id] { shown.insert(NameTags.key(w.name)) }
        }
        var mates = Set<WorkerID>()
        for name in shown {
            let now = names.workers(named: name)
            guard now != old.names?.workers(named: name) ?? [] else { continue }
            for id in now where !touched.contains(id) { mates.insert(id) }
        }
        return mates
    }

    /// The rows of a window (nil: all), as runs of consecutive rows of one team, in page order.
    func slices(_ window: BoardWindow?) -> [(team: Int, range: Range<Int>)] {
        let wanted = window?.range(in: count) ?? 0..<count
        var out: [(team: Int, range: Range<Int>)] = []
        var offset = 0
        for (t, team) in teams.enumerated() {
            let lower = max(wanted.lowerBound, offset), upper = min(wanted.upperBound, offset + team.ids.count)
            if lower < upper { out.append((t, (lower - offset)..<(upper - offset))) }
            offset += team.ids.count
            if offset >= wanted.upperBound { break }
        }
        return out
    }

    // MARK: Changes

    /// Re-files the workers in `touched` (changed, removed, or whose flags flipped) as `newer`
    /// holds them, and moves the figures (team headings, summary) from their old counts to their
    /// new ones unless `figures` is false. Returns the teams whose rows changed. O(touched × log
    /// view): the figures of the other workers stand, as their flags flip only when they are
    /// touched (`FlagTimers`); the summary is counted again over the whole view only when the
    /// agent of the longest hold stops holding that long.
    ///
    /// Pages that catch a board before the live updater has filed the latest changes re-file
    /// them without the figures: the rows are exact, the figures are those of `seq`, and the
    /// stream that goes on from `seq` brings the newer figures a moment later.
    @discardableResult
    mutating func update(_ touched: Set<WorkerID>, registry newer: Registry, at now: Timestamp, seq: UInt64,
                         figures: Bool = true) -> Set<String> {
        var changedTeams = Set<String>()
        /// Each touched worker as the figures counted it (before) and counts it now (after).
        var before: [WorkerID: (worker: WorkerState, flags: CallFlagList)] = [:]
        var after: [WorkerID: (worker: WorkerState, flags: CallFlagList)] = [:]
        /// The names touched workers showed (before) and show (after) on the board, kept for the kiosk's tags.
        var namesBefore: [WorkerID: String] = [:], namesAfter: [WorkerID: String] = [:]
        // Take every touched worker out first, against the old snapshot the lists are sorted by.
        for id in touched {
            guard let (t, i) = position(of: id) else { continue }
            if names != nil, let w = registry.workers[id] { namesBefore[id] = w.name }
            if figures, let w = registry.workers[id] {
                let flags = w.callFlags(at: at, grace: grace)
                teams[t].heading.count(w, flags: flags, by: -1)
                before[id] = (w, flags)
            }
            teams[t].ids.remove(at: i)
            count -= 1
            changedTeams.insert(teams[t].name)
        }
        let pinned = key.query.teams
        if pinned.isEmpty {
            total = newer.workers.count
        } else {
            // Only a touched worker can have joined or left the pinned teams.
            for id in touched {
                if let w = registry.workers[id], pinned.contains(w.team) { total -= 1 }
                if let w = newer.workers[id], pinned.contains(w.team) { total += 1 }
            }
        }
        registry = newer
        at = now
        self.seq = seq
        for id in touched {
            guard let w = newer.workers[id], !key.query.isFiltering || key.query.matches(w, at: now, grace: grace, offlineActivity: offlineActivity) else { continue }
            let t: Int
            let group = key.query.group(of: w)
            if let found = teamIndex(group) {
                t = found
            } else {
                t = teams.firstIndex { Self.teamBefore(group, $0.name) } ?? teams.count
                teams.insert(Team(name: group, ids: [], heading: heading(group)), at: t)
            }
            teams[t].ids.insert(id, at: insertionIndex(of: w, in: teams[t].ids))
            if names != nil { namesAfter[id] = w.name }
            if figures {
                let flags = w.callFlags(at: now, grace: grace)
                teams[t].heading.count(w, flags: flags)
                after[id] = (w, flags)
            }
            count += 1
            changedTeams.insert(group)
        }
        teams.removeAll { $0.ids.isEmpty }
        // Only a worker that joined, left or was renamed moves the names (most changes are calls: no copy made).
        for id in touched where namesBefore[id] != namesAfter[id] {
            if let name = namesBefore[id] { names?.remove(id, name: name) }
            if let name = namesAfter[id] { names?.add(id, name: name) }
        }
        guard figures else {
            // A team new to the view has no heading yet: count it (it is small, and new).
            for t in teams.indices where teams[t].heading.agents == 0 { recount(team: t) }
            return changedTeams
        }
        let moves = touched.compactMap { id -> (old: WorkerState?, oldFlags: CallFlagList, new: WorkerState?, newFlags: CallFlagList)? in
            let b = before[id], a = after[id]
            return b == nil && a == nil ? nil : (b?.worker, b?.flags ?? [], a?.worker, a?.flags ?? [])
        }
        if !summary.move(moves, offlineActivity: offlineActivity) { resummarise() }
        return changedTeams
    }

    private mutating func recount(team t: Int) {
        var heading = heading(teams[t].name)
        for id in teams[t].ids {
            guard let w = registry.workers[id] else { continue }
            heading.count(w, flags: w.callFlags(at: at, grace: grace))
        }
        teams[t].heading = heading
    }

    private mutating func resummarise() {
        var workers: [WorkerState] = []
        workers.reserveCapacity(count)
        for team in teams { for id in team.ids { if let w = registry.workers[id] { workers.append(w) } } }
        summary = Summary(workers, flags: workers.map { $0.callFlags(at: at, grace: grace) }, at: at,
                          offlineActivity: offlineActivity)
    }

    /// A fresh heading for a group: a team, or the whole floor when the view is not grouped.
    private func heading(_ group: String) -> TeamHeading {
        TeamHeading(team: group, floor: !key.query.groupsByTeam, teams: key.query.teams)
    }

    /// Teams by name in natural order ("Team 2" before "Team 10", `NameOrder`), the unnamed team last: the order of
    /// the page's, the kiosk's and the API's team groups, and of every list of teams.
    static func teamBefore(_ a: String, _ b: String) -> Bool { a.isEmpty ? false : (b.isEmpty ? true : NameOrder.precedes(a, b)) }
}
