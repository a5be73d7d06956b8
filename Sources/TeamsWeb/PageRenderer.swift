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
    private let optionsCache = Mutex<(version: UInt64, options: Options)?>(nil)

    typealias Options = (teams: [String], activities: [String], skills: [String])

    struct CachedRow {
        var version: UInt64
        var flags: [CallFlags]
        var html: TimerMarkup.Marked
    }

    public init(library: MustacheLibrary, settings: ViewSettings, assetVersion: String) {
        self.library = library
        self.settings = settings
        self.thresholds = TimerMarkup.Thresholds(settings)
        self.assetVersion = assetVersion
    }

    /// The row of one worker with its timers cut out (cached by version and flags).
    func rowMarkup(_ worker: WorkerState, flags: [CallFlags]) -> TimerMarkup.Marked {
        if let hit = rows.withLock({ $0[worker.id] }), hit.version == worker.version, hit.flags == flags {
            return hit.html
        }
        let html = TimerMarkup.mark(library.render(RowView(worker, flags: flags, settings: settings), withTemplate: "row") ?? "")
        rows.withLock { $0[worker.id] = CachedRow(version: worker.version, flags: flags, html: html) }
        return html
    }

    /// Every selected worker's row, looked up under one lock; misses are rendered outside it.
    func rowMarkups(_ sel: Selection) -> [TimerMarkup.Marked] {
        var found = [TimerMarkup.Marked?](repeating: nil, count: sel.workers.count)
        rows.withLock { cache in
            for i in sel.workers.indices {
                if let hit = cache[sel.workers[i].id], hit.version == sel.workers[i].version, hit.flags == sel.flags[i] {
                    found[i] = hit.html
                }
            }
        }
        return sel.workers.indices.map { i in found[i] ?? rowMarkup(sel.workers[i], flags: sel.flags[i]) }
    }

    /// The finished HTML of one row as of `now`.
    public func row(_ worker: WorkerState, at now: Timestamp) -> [UInt8] {
        var out: [UInt8] = []
        let flags = worker.callFlags(at: now, grace: settings.grace)
        TimerMarkup.write(rowMarkup(worker, flags: flags), now: now, thresholds: thresholds, into: &out)
        return out
    }

    /// Forgets every cached row (the next page renders all rows anew).
    public func forgetRows() {
        rows.withLock { $0.removeAll() }
    }

    /// Forgets cached rows of workers no longer in the registry.
    public func prune(keeping registry: Registry) {
        rows.withLock { cache in
            guard cache.count > registry.workers.count + 64 else { return }
            cache = cache.filter { registry.workers[$0.key] != nil }
        }
    }

    /// The workers of one view in page order, with their flags computed once.
    struct Selection {
        /// Workers that pass the query, in no particular order.
        var workers: [WorkerState] = []
        var flags: [[CallFlags]] = []
        /// Indices into `workers` in page order: by team, then the query's order.
        var order: [Int] = []
        /// Teams in page order, each with its range in `order`.
        var teams: [(name: String, range: Range<Int>)] = []
    }

    func selection(_ registry: Registry, query: WorkerQuery, at now: Timestamp) -> Selection {
        var s = Selection()
        s.workers.reserveCapacity(registry.workers.count)
        if query.isFiltering {
            for w in registry.workers.values where query.matches(w, at: now, grace: settings.grace) {
                s.workers.append(w)
            }
        } else {
            s.workers.append(contentsOf: registry.workers.values)
        }
        s.flags = s.workers.map { $0.callFlags(at: now, grace: settings.grace) }
        s.order = Array(s.workers.indices)
        // Sorting indices, not the workers themselves: moving a WorkerState costs a retain per field.
        s.workers.withUnsafeBufferPointer { ws in
            guard let base = ws.baseAddress else { return }
            s.order.sort { i, j in query.teamsPageOrder(base + i, base + j) }
        }
        var start = 0
        while start < s.order.count {
            let team = s.workers[s.order[start]].team
            var end = start + 1
            while end < s.order.count, s.workers[s.order[end]].team == team { end += 1 }
            s.teams.append((team, start..<end))
            start = end
        }
        return s
    }

    /// Workers that pass the query, grouped by team (teams by name), each team in the query's order.
    public func select(_ registry: Registry, query: WorkerQuery, at now: Timestamp) -> [(team: String, workers: [WorkerState])] {
        let s = selection(registry, query: query, at: now)
        return s.teams.map { team in (team.name, s.order[team.range].map { s.workers[$0] }) }
    }

    /// The whole Teams View page.
    public func teamsPage(_ registry: Registry, query: WorkerQuery, feed: FeedState, at now: Timestamp,
                          liveCursor: String? = nil) -> [UInt8] {
        let sel = selection(registry, query: query, at: now)
        let shown = sel.workers.count
        let summary = Summary(sel.workers, flags: sel.flags, at: now)
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
        let rows = rowMarkups(sel)
        var out: [UInt8] = []
        // Reserve it all at once: growing a 20 MB buffer by doubling copies it several times.
        out.reserveCapacity(page.utf8.count + rows.reduce(0) { $0 + $1.bytes.count + $1.timers.count * 160 } + sel.teams.count * 512)
        TimerMarkup.expand(parts[0], now: now, thresholds: thresholds, into: &out)
        for team in sel.teams {
            out.append(contentsOf: teamHeader(team.name, sel, range: team.range).utf8)
            for i in sel.order[team.range] {
                TimerMarkup.write(rows[i], now: now, thresholds: thresholds, into: &out)
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

    func teamHeader(_ team: String, _ sel: Selection, range: Range<Int>) -> String {
        var heading = TeamHeading(team: team)
        for i in sel.order[range] { heading.count(sel.workers[i], flags: sel.flags[i]) }
        return library.render(heading.model, withTemplate: "team-header") ?? ""
    }

    /// The team header row (and the opening `<tbody>`) of the page and of live updates.
    func teamHeader(_ team: String, workers: [WorkerState], at now: Timestamp) -> String {
        var heading = TeamHeading(team: team)
        for w in workers { heading.count(w, flags: w.callFlags(at: now, grace: settings.grace)) }
        return library.render(heading.model, withTemplate: "team-header") ?? ""
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

    /// The filter choices: every team, activity and skill in the registry (cached per version).
    func options(_ registry: Registry) -> Options {
        if let hit = optionsCache.withLock({ $0 }), hit.version == registry.version { return hit.options }
        let options = computeOptions(registry)
        optionsCache.withLock { $0 = (registry.version, options) }
        return options
    }

    func computeOptions(_ registry: Registry) -> Options {
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
