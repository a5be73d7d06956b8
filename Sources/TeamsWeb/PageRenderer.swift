import Foundation
import Mustache
import Synchronization
import TeamsDomain

/// What the pages say about the feed itself.
public struct FeedState: Sendable {
    /// Time of the newest event (producer's clock).
    public var lastEventAt: Timestamp?
    /// Seconds since the last line arrived from any source (server's clock); nil before the first.
    public var silentFor: Double?

    public init(lastEventAt: Timestamp? = nil, silentFor: Double? = nil) {
        self.lastEventAt = lastEventAt
        self.silentFor = silentFor
    }
}

/// Renders the Teams View from a registry snapshot.
///
/// Rows are rendered by `Templates/row.mustache` once per worker version (and flag state) and
/// cached; a page is the cached rows stitched together with timers filled in as of the moment
/// it goes out. Live updates send the same cached rows.
public final class PageRenderer: Sendable {
    let library: MustacheLibrary
    public let settings: ViewSettings
    let thresholds: TimerMarkup.Thresholds
    let assetVersion: String
    private let rows = Mutex<[WorkerID: CachedRow]>([:])

    struct CachedRow {
        var version: UInt64
        var flags: [CallFlags]
        var html: String
    }

    public init(library: MustacheLibrary, settings: ViewSettings, assetVersion: String) {
        self.library = library
        self.settings = settings
        self.thresholds = TimerMarkup.Thresholds(settings)
        self.assetVersion = assetVersion
    }

    /// The row of one worker with timer markers not yet filled in (cached by version and flags).
    func rowMarkup(_ worker: WorkerState, flags: [CallFlags]) -> String {
        if let hit = rows.withLock({ $0[worker.id] }), hit.version == worker.version, hit.flags == flags {
            return hit.html
        }
        let html = library.render(RowView(worker, flags: flags, settings: settings), withTemplate: "row") ?? ""
        rows.withLock { $0[worker.id] = CachedRow(version: worker.version, flags: flags, html: html) }
        return html
    }

    /// The finished HTML of one row as of `now`.
    public func row(_ worker: WorkerState, at now: Timestamp) -> [UInt8] {
        var out: [UInt8] = []
        let flags = worker.callFlags(at: now, grace: settings.grace)
        TimerMarkup.expand(rowMarkup(worker, flags: flags), now: now, thresholds: thresholds, into: &out)
        return out
    }

    /// Forgets cached rows of workers no longer in the registry.
    public func prune(keeping registry: Registry) {
        rows.withLock { cache in
            guard cache.count > registry.workers.count + 64 else { return }
            cache = cache.filter { registry.workers[$0.key] != nil }
        }
    }

    /// Workers that pass the query, grouped by team (teams by name), each team in the query's order.
    public func select(_ registry: Registry, query: WorkerQuery, at now: Timestamp) -> [(team: String, workers: [WorkerState])] {
        var byTeam: [String: [WorkerState]] = [:]
        for (_, w) in registry.workers where query.matches(w, at: now, grace: settings.grace) {
            byTeam[w.team, default: []].append(w)
        }
        return byTeam.keys.sorted { a, b in a.isEmpty ? false : (b.isEmpty ? true : a < b) }.map { team in
            (team, byTeam[team]!.sorted(by: query.areInOrder))
        }
    }

    /// The whole Teams View page.
    public func teamsPage(_ registry: Registry, query: WorkerQuery, feed: FeedState, at now: Timestamp,
                          liveCursor: String? = nil) -> [UInt8] {
        let groups = select(registry, query: query, at: now)
        let shown = groups.reduce(0) { $0 + $1.workers.count }
        let summary = Summary(groups.lazy.flatMap(\.workers), at: now, grace: settings.grace)
        var model = pageModel(registry, feed: feed, at: now)
        model["summary"] = summaryModel(summary, at: now)
        model["queryString"] = query.queryString.isEmpty ? nil : query.queryString
        model["liveCursor"] = liveCursor
        model["shown"] = shown
        model["noneShown"] = shown == 0
        model["total"] = registry.workers.count
        model["filtering"] = query.isFiltering
        model["search"] = query.search ?? ""
        model["multi"] = query.multiCallOnly
        model["flagged"] = query.flaggedOnly
        let (teams, activities, skills) = options(registry)
        model["teamOptions"] = teams.map { ["value": $0, "selected": query.teams.contains($0)] as [String: Any] }
        model["activityOptions"] = activities.map { ["value": $0, "selected": query.activities.contains($0)] as [String: Any] }
        model["skillOptions"] = skills.map { ["value": $0, "selected": $0 == query.skill] as [String: Any] }
        model["sortOptions"] = WorkerQuery.Sort.allCases.map {
            ["value": $0.rawValue, "label": $0.label, "selected": $0 == query.sort] as [String: Any]
        }
        let page = library.render(model, withTemplate: "teams") ?? ""
        let parts = page.components(separatedBy: "<!--ROWS-->")
        var out: [UInt8] = []
        out.reserveCapacity(page.utf8.count + shown * 1800)
        TimerMarkup.expand(parts[0], now: now, thresholds: thresholds, into: &out)
        for (team, workers) in groups {
            out.append(contentsOf: teamHeader(team, workers: workers, at: now).utf8)
            for w in workers {
                let flags = w.callFlags(at: now, grace: settings.grace)
                TimerMarkup.expand(rowMarkup(w, flags: flags), now: now, thresholds: thresholds, into: &out)
            }
            out.append(contentsOf: "</tbody>\n".utf8)
        }
        if parts.count > 1 { TimerMarkup.expand(parts[1], now: now, thresholds: thresholds, into: &out) }
        return out
    }

    /// The summary tiles' HTML (also sent by live updates).
    public func summaryHTML(_ summary: Summary, at now: Timestamp) -> [UInt8] {
        var out: [UInt8] = []
        TimerMarkup.expand(library.render(summaryModel(summary, at: now), withTemplate: "summary") ?? "",
                           now: now, thresholds: thresholds, into: &out)
        return out
    }

    func teamHeader(_ team: String, workers: [WorkerState], at now: Timestamp) -> String {
        var onCalls = 0, multi = 0, flagged = 0
        for w in workers {
            if !w.calls.isEmpty { onCalls += 1 }
            if w.calls.count >= 2 { multi += 1 }
            if w.callFlags(at: now, grace: settings.grace).contains(where: { !$0.isEmpty }) { flagged += 1 }
        }
        let name = team.isEmpty ? "No team" : Formatting.clean(team)
        let model: [String: Any] = [
            "name": name, "slug": Formatting.slug(name), "agents": workers.count,
            "onCalls": onCalls, "multi": multi, "flagged": flagged > 0 ? flagged : false,
        ]
        return library.render(model, withTemplate: "team-header") ?? ""
    }

    func summaryModel(_ s: Summary, at now: Timestamp) -> [String: Any] {
        var model: [String: Any] = [
            "agents": s.agents,
            "byActivity": s.byActivity.prefix(6).map {
                ["name": Formatting.clean($0.activity), "count": $0.count,
                 "className": ActivityStyle.className($0.activity, available: nil)] as [String: Any]
            },
            "callsLive": s.callsLive, "callsHeld": s.callsHeld, "callsWrapup": s.callsWrapup,
            "mutedCalls": s.mutedCalls, "multi": s.agentsOnMultipleCalls,
            "misroutes": s.misroutes, "misroutesOn": s.misroutes > 0,
            "risks": s.wrongCallRisks, "risksOn": s.wrongCallRisks > 0,
        ]
        if let hold = s.longestHoldSince { model["longestHold"] = TimerMarkup.marker(.hold, since: hold) }
        return model
    }

    /// Fields every page template uses.
    func pageModel(_ registry: Registry, feed: FeedState, at now: Timestamp) -> [String: Any] {
        var model: [String: Any] = [
            "title": settings.title,
            "serverNow": String(now.milliseconds),
            "serverClock": Self.clock(now),
            "assetVersion": assetVersion,
            "colorScheme": "light dark",
            "version": String(registry.version),
            "staleAfter": Int(settings.staleAfter),
            "lastEventMs": feed.lastEventAt.map { String($0.milliseconds) } ?? "",
            "lastEventText": feed.lastEventAt.map { RFC3339.format($0) } ?? "none yet",
        ]
        if let silent = feed.silentFor, silent >= settings.staleAfter {
            model["stale"] = true
            model["staleText"] = "No events for \(Formatting.duration(silent)): the feed may have stopped. Figures may be out of date."
        } else if feed.silentFor == nil {
            model["stale"] = true
            model["staleText"] = "Waiting for the first event."
        } else {
            model["staleText"] = ""
        }
        return model
    }

    func options(_ registry: Registry) -> (teams: [String], activities: [String], skills: [String]) {
        var teams = Set<String>(), activities = Set<String>(), skills = Set<String>()
        for (_, w) in registry.workers {
            if !w.team.isEmpty { teams.insert(w.team) }
            activities.insert(w.activity)
            skills.formUnion(w.skills)
        }
        return (teams.sorted().map(Formatting.clean), activities.sorted().map(Formatting.clean), skills.sorted().map(Formatting.clean))
    }

    /// `HH:MM:SS` UTC.
    static func clock(_ t: Timestamp) -> String {
        let s = RFC3339.format(Timestamp(microseconds: t.microseconds - t.microseconds % 1_000_000))
        return String(s.dropFirst(11).prefix(8)) + " UTC"
    }
}
