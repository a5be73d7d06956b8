import Foundation
import TeamsAccess
import TeamsDomain

/// What the Teams View and the kiosk say when their board has no agent to show, and the teams their filter asks
/// for that no agent on the floor has: an empty board is never left unexplained. With nobody on the floor (of the
/// asker's teams) it says what the feed is doing: waiting for a followed file that does not exist yet, or for the
/// first event; not "No agents match these filters" when no filter is set.
///
/// Team names are matched exactly, as events spell them (reports key teams and access scopes name them the same
/// way): `team=billing` is not "Billing". A team on the floor spelt alike but for case or accents is offered
/// instead ("Did you mean “Billing”?"). A team no agent has yet is not an error: a kiosk pinned to a team that has
/// not logged in yet fills as its agents arrive.
struct EmptyBoard {
    /// What feeds the floor, as far as an empty board needs it.
    struct Feed {
        /// Followed event files that do not exist (yet).
        var missingFiles: [String] = []
        /// Whether any line has arrived from any source.
        var anyLine = true
        /// Whether the files may be named (the asker sees every team, and `/status` too); others are told "the event file".
        var namesFiles = true
    }

    /// A team with the Teams View's link to it.
    struct Team {
        var name: String
        var link: String
    }

    /// The teams asked for (`team=`) that no agent on the floor of the asker's teams has, sorted.
    let absentTeams: [String]
    /// Teams on the floor spelt like an absent one but for case or accents, each linked to the view with it instead.
    let suggestions: [Team]
    /// The asker's teams on the floor, each linked to the Teams View of it.
    let floorTeams: [Team]
    /// Whether the view filters by more than absent teams: its other filters, or a team that is on the floor.
    let otherFilters: Bool
    /// Whether the team filter is the asker's own choice, not the access gate's narrowing to their teams.
    let chosen: Bool
    /// With nobody on the floor of the asker's teams, what the feed is doing (nil: someone is on it, or events came and
    /// the teams asked for are named instead).
    let waiting: String?

    /// - Parameters:
    ///   - query: the view's filters (after the access gate narrowed `team=` to the asker's teams).
    ///   - registry: the floor.
    ///   - floorTeams: the teams of the agents on the floor the asker may see, sorted (the filter's choices, which may
    ///     be a second late: whether a team asked for is on the floor is read from `registry` itself).
    ///   - scope: the teams the asker may see.
    ///   - feed: what feeds the floor; read only when nobody of `scope` is on it.
    init(query: WorkerQuery, registry: Registry, floorTeams: [String], scope: TeamScope, feed: @autoclosure () -> Feed) {
        absentTeams = Self.absentTeams(query.teams, in: registry, scope: scope)
        suggestions = Self.suggestions(for: absentTeams, among: floorTeams, query: query) { "/?" + $0.queryString }
        self.floorTeams = floorTeams.map { Team(name: $0, link: "/?team=" + percentEncode($0)) }
        var rest = query
        rest.teams.subtract(absentTeams)
        otherFilters = rest.isFiltering
        chosen = scope.names.map { Set($0) != query.teams } ?? true
        let nobody = scope == .all ? registry.workers.isEmpty : !registry.workers.values.contains { scope.allows($0.team) }
        if nobody {
            // Once events have come, a team asked for says more than "No agents are on the floor" (the asker's own teams).
            let feed = feed()
            waiting = feed.missingFiles.isEmpty && feed.anyLine && !absentTeams.isEmpty ? nil : Self.waiting(feed)
        } else {
            waiting = nil
        }
    }

    /// Those of `teams` that no agent on the floor of `scope` has, sorted (`/api/workers` names them too).
    static func absentTeams(_ teams: Set<String>, in registry: Registry, scope: TeamScope) -> [String] {
        var absent = teams
        if !absent.isEmpty {
            for (_, worker) in registry.workers where absent.contains(worker.team) && scope.allows(worker.team) {
                absent.remove(worker.team)
                if absent.isEmpty { break }
            }
        }
        return absent.sorted(by: Board.teamBefore)
    }

    /// For each of `absent`, the first of `known` spelt like it but for case, accents or width, linked (`link`) to
    /// `query` asking for that team instead: "Did you mean “Billing”?". The Teams View, `/report` and `/incidents` alike.
    static func suggestions(for absent: [String], among known: [String], query: WorkerQuery,
                            link: (WorkerQuery) -> String) -> [Team] {
        var suggestions: [Team] = []
        for team in absent {
            guard let near = known.first(where: {
                $0.compare(team, options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive]) == .orderedSame
            }) else { continue }
            var instead = query
            instead.teams.remove(team)
            instead.teams.insert(near)
            suggestions.append(Team(name: near, link: link(instead)))
        }
        return suggestions
    }

    /// The notice of a report page (`/report`, `/incidents`) asked for teams (`query.teams`) no agent of `known` (the
    /// teams ever seen that the asker may see) is in: `No agent of team “sales” has been seen. Did you mean “Sales”?`,
    /// in `Templates/absent-teams.mustache`'s fields; nil when every team asked for is known.
    static func reportNotice(query: WorkerQuery, known: [String], link: (WorkerQuery) -> String) -> [String: Any]? {
        let absent = query.teams.filter { !known.contains($0) }.sorted(by: Board.teamBefore)
        guard !absent.isEmpty else { return nil }
        let quoted = absent.map { "“" + Formatting.clean($0) + "”" }
        let list = quoted.count > 1 ? quoted.dropLast().joined(separator: ", ") + " or " + quoted.last! : quoted[0]
        let suggestions = Self.suggestions(for: absent, among: known, query: query, link: link)
        return ["teams": "No agent of team" + (quoted.count > 1 ? "s " : " ") + list + " has been seen.",
                "suggestions": suggestions.map { ["name": Formatting.clean($0.name), "link": $0.link] },
                "hasFloorTeams": false, "notice": true]
    }

    /// `Waiting for events: /var/log/events.ndjson does not exist yet.`, `Waiting for the first event.`, or (events
    /// came, and nobody is on the floor now) `No agents are on the floor.`
    static func waiting(_ feed: Feed) -> String {
        if !feed.missingFiles.isEmpty {
            guard feed.namesFiles else {
                return "Waiting for events: the event file" + (feed.missingFiles.count > 1 ? "s do" : " does") + " not exist yet."
            }
            let files = feed.missingFiles.map(Formatting.clean)
            let list = files.count > 1 ? files.dropLast().joined(separator: ", ") + " and " + files.last! : files[0]
            return "Waiting for events: " + list + (files.count > 1 ? " do" : " does") + " not exist yet."
        }
        return feed.anyLine ? "No agents are on the floor." : "Waiting for the first event."
    }

    /// `No agent of team “X” is on the floor yet.` (nil when every team asked for has agents on the floor, or when
    /// nobody is: then what the feed is doing says more).
    var teamsSentence: String? {
        guard !absentTeams.isEmpty, waiting == nil else { return nil }
        let quoted = absentTeams.map { "“" + Formatting.clean($0) + "”" }
        let list = quoted.count > 1 ? quoted.dropLast().joined(separator: ", ") + " or " + quoted.last! : quoted[0]
        return "No agent of team" + (quoted.count > 1 ? "s " : " ") + list + " is on the floor yet."
    }

    /// What the empty board says besides the absent teams: what the feed is doing while nobody is on the floor,
    /// else that the filters let no agent through.
    var filtersSentence: String? {
        if let waiting { return waiting }
        return absentTeams.isEmpty || otherFilters ? "No agents match these filters." : nil
    }

    /// The fields the page and kiosk templates read (`Templates/absent-teams.mustache`); every text is escaped there.
    /// `notice`: the view shows agents but some teams asked for have none on the floor, said above the board.
    func model(shown: Int) -> [String: Any] {
        var model: [String: Any] = [
            "suggestions": suggestions.map { ["name": Formatting.clean($0.name), "link": $0.link] },
            "floorTeams": floorTeams.enumerated().map { i, team in
                ["name": Formatting.clean(team.name), "link": team.link, "sep": i < floorTeams.count - 1 ? ", " : ""]
            },
            "hasFloorTeams": !floorTeams.isEmpty,
        ]
        model["teams"] = teamsSentence
        model["filters"] = filtersSentence
        model["waiting"] = waiting
        model["notice"] = shown > 0 && chosen && teamsSentence != nil
        return model
    }
}
