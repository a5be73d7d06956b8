import Foundation
import Mustache
import Synchronization
import TeamsAccess
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

/// Renders the Teams View around a window of its board.
///
/// Rows are rendered by `Templates/row.mustache` once per worker version (and flag state) and
/// cached (the last `rowCacheLimit`); a page is a board's window of cached rows stitched into the
/// page template with timers filled in as of the moment it goes out (`BoardRenderer`). Live
/// updates send the same cached rows.
public final class PageRenderer: Sendable {
    let library: MustacheLibrary
    /// Writes the rows (`row.mustache`'s markup, without the template engine's cost per row); nil when the row
    /// template was changed (`--assets`) and is rendered as it is.
    let rowWriter: RowWriter?
    public let settings: ViewSettings
    let thresholds: TimerMarkup.Thresholds
    let assetVersion: String
    /// Flags that cleared lately (`settings.flagLinger`).
    let linger: FlagLinger
    private let rows = Mutex<[WorkerID: CachedRow]>([:])
    private let optionsCache = Mutex<(version: UInt64, at: Double, options: Options)?>(nil)

    typealias Options = (teams: [String], activities: [String], skills: [String])

    /// Most rows (and, separately, kiosk tiles) kept rendered.
    static let rowCacheLimit = 4096

    struct CachedRow {
        var version: UInt64
        var flags: CallFlagList
        var recent: CallFlags
        /// A kiosk tile's name tag (`NameTags`); rows have none.
        var tag: String? = nil
        var html: TimerMarkup.Marked
    }

    public init(library: MustacheLibrary, settings: ViewSettings, assetVersion: String) {
        self.library = library
        let writer = RowWriter(library: library)
        let probe = RowView(MarkupParts.probe, flags: MarkupParts.probe.callFlags(at: MarkupParts.probe.updatedAt),
                            recent: .wrongCallRisk, settings: settings)
        self.rowWriter = writer.write(probe) == TimerMarkup.mark(library.render(probe, withTemplate: "row") ?? "") ? writer : nil
        self.settings = settings
        self.thresholds = TimerMarkup.Thresholds(settings)
        self.assetVersion = assetVersion
        self.linger = FlagLinger(seconds: settings.flagLinger)
    }

    /// The row of one worker with its timers cut out (cached by version and flags).
    func rowMarkup(_ worker: WorkerState, flags: CallFlagList, recent: CallFlags = []) -> TimerMarkup.Marked {
        if let hit = rows.withLock({ $0[worker.id] }), hit.version == worker.version, hit.flags == flags, hit.recent == recent {
            return hit.html
        }
        let view = RowView(worker, flags: flags, recent: recent, settings: settings)
        let html = rowWriter?.write(view) ?? TimerMarkup.mark(library.render(view, withTemplate: "row") ?? "")
        rows.withLock { cache in
            // Bounded: pages show windows, so only the rows shown lately need to be kept.
            if cache.count >= Self.rowCacheLimit { cache.removeAll(keepingCapacity: true) }
            cache[worker.id] = CachedRow(version: worker.version, flags: flags, recent: recent, html: html)
        }
        return html
    }

    /// The Teams View page: `body` appends the window of `board` where the rows go (`BoardRenderer.appendBody`);
    /// the summary, counts and filter choices cover the whole view and registry.
    func teamsPage(_ board: Board, window: BoardWindow, body: (inout [UInt8]) -> Void, feed: FeedState, at now: Timestamp,
                   liveCursor: String, theme: String? = nil, scope: TeamScope = .all,
                   invalid: [WorkerQuery.InvalidFilter] = [], incidents: [String: Any]? = nil,
                   source: @autoclosure () -> EmptyBoard.Feed = .init()) -> [UInt8] {
        let query = board.query
        let registry = board.registry
        var model = pageModel(registry, feed: feed, at: now)
        model["summary"] = summaryModel(board.summary, at: now)
        model["queryString"] = query.queryString.isEmpty ? nil : query.queryString
        model["liveQuery"] = (query.queryString.isEmpty ? "" : query.queryString + "&") + window.queryString
        model["liveCursor"] = liveCursor
        // The incidents strip shows the incidents of the teams the page is filtered to.
        model["incidentsQuery"] = query.teams.isEmpty ? nil : query.teamQueryString
        // Its first content (``ReportsWeb/incidentStrip(for:first:)``): shown without waiting for the script.
        if let incidents { model.merge(incidents) { $1 } }
        if let theme {
            model["theme"] = theme
            model["colorScheme"] = theme
        }
        model["shown"] = board.count
        model["noneShown"] = board.count == 0
        // Of the teams the view is pinned to, as the live stream counts it (a supervisor of some teams is pinned to them).
        model["total"] = board.total
        model["filtering"] = query.isFiltering || !invalid.isEmpty
        // "Clear filters" whenever the view is not the plain one: a filter, a sort, `group=none`, `attention=1`.
        model["clearable"] = query.isSet || !invalid.isEmpty
        // Kept by the form, which has no control of its own for them (the page goes back to 1: the rows change).
        model["ungrouped"] = !query.groupByTeam
        model["perKept"] = window.per == BoardWindow.defaultPer ? nil : window.per
        // Filters the page could not read: said at the top, not silently dropped (the whole floor would pass for the view).
        model["invalidFilters"] = invalid.map(\.message)
        model["hasInvalidFilters"] = !invalid.isEmpty
        model["search"] = query.search ?? ""
        model["multi"] = query.multiCallOnly
        model["flagged"] = query.flaggedOnly
        model["pager"] = pagerModel(board, window: window)
        // A supervisor of some teams is offered only what their teams have (the page is cached per scope).
        let (teams, activities, skills) = options(registry, scope: scope)
        // Teams asked for that no agent on the floor has: said on the page, and kept selected in the filter.
        let empty = EmptyBoard(query: query, registry: registry, floorTeams: teams, scope: scope, feed: source())
        model["empty"] = empty.model(shown: board.count)
        if empty.waiting != nil && board.count == 0 {
            // The empty board says what the feed waits for (a file that does not exist yet, the first event): once.
            model["stale"] = false
            model["staleText"] = ""
            model["feedWaiting"] = true
        }
        model["teamOptions"] = empty.absentTeams.map {
            ["value": Formatting.clean($0), "label": Formatting.clean($0) + " (none on the floor)", "selected": true] as [String: Any]
        } + teams.map { ["value": $0, "label": $0, "selected": query.teams.contains($0)] as [String: Any] }
        model["activityOptions"] = activities.map { ["value": $0, "selected": query.activities.contains($0)] as [String: Any] }
        model["skillOptions"] = skills.map { ["value": $0, "selected": $0 == query.skill] as [String: Any] }
        // `attention=1` shows as the Sort choice "Problems first" (it orders the whole floor before any sort).
        model["sortOptions"] = WorkerQuery.Sort.choices.map {
            ["value": $0.rawValue, "label": $0.label, "selected": !query.attention && $0 == query.sort.choice] as [String: Any]
        } + [["value": WorkerQuery.attentionSort, "label": Self.attentionLabel(query), "selected": query.attention]]
        // The order within the ranks of "Problems first" has no control of its own: the form keeps it, before the
        // select, so a Sort choice made afterwards comes last and wins.
        if query.attention && query.sort != .name { model["attentionThen"] = query.sort.rawValue }
        let page = library.render(model, withTemplate: "teams") ?? ""
        var shell: [UInt8] = []
        shell.reserveCapacity(page.utf8.count)
        TimerMarkup.expand(page, now: now, thresholds: thresholds, into: &shell)
        // The template has the rows marker once; timers never contain it. The rows go in its place (after the page
        // when it has none), written into the page's own bytes.
        let marker = ByteSearch.firstRange(of: Self.rowsMarker, in: shell) ?? shell.endIndex..<shell.endIndex
        var out: [UInt8] = []
        out.reserveCapacity(shell.count)
        out.append(contentsOf: shell[..<marker.lowerBound])
        body(&out)
        out.append(contentsOf: shell[marker.upperBound...])
        return out
    }

    /// Where the teams template puts the rows.
    static let rowsMarker = Array("<!--ROWS-->".utf8)

    /// The page bar of `window` over `board` (``Pager``).
    /// The Sort choice of `attention=1`: "Problems first", and the order within its ranks when one is given
    /// ("Problems first, then most calls").
    static func attentionLabel(_ query: WorkerQuery) -> String {
        guard query.attention, query.sort != .name else { return "Problems first" }
        var then = query.sort.label
        if then.hasSuffix(" first") { then.removeLast(" first".count) }
        return "Problems first, then " + then.prefix(1).lowercased() + then.dropFirst()
    }

    func pagerModel(_ board: Board, window: BoardWindow) -> [String: Any] {
        let base = board.query.queryString.isEmpty ? "/?" : "/?" + board.query.queryString + "&"
        return Pager.model(count: board.count, window: window) { base + BoardWindow(page: $0, per: window.per).queryString }
    }

    /// The summary tiles' HTML (also sent by live updates).
    public func summaryHTML(_ summary: Summary, at now: Timestamp) -> [UInt8] {
        var out: [UInt8] = []
        TimerMarkup.expand(library.render(summaryModel(summary, at: now), withTemplate: "summary") ?? "",
                           now: now, thresholds: thresholds, into: &out)
        return out
    }

    func summaryModel(_ s: Summary, at now: Timestamp) -> [String: Any] {
        var model: [String: Any] = [
            "agents": s.agents, "idle": s.idle, "busy": s.busy, "away": s.away, "offline": s.offline,
            "unknown": s.unknown, "hasUnknown": s.unknown > 0, "hasActivities": !s.byActivity.isEmpty,
            "byActivity": s.byActivity.map {
                ["name": Formatting.clean($0.activity), "count": $0.count, "link": "/?activity=" + percentEncode($0.activity),
                 "className": ActivityStyle.className($0.activity, available: nil)] as [String: Any]
            },
            "callsLive": s.callsLive, "callsHeld": s.callsHeld, "callsWrapup": s.callsWrapup,
            "heldMuted": s.heldMuted, "heldMuteUnknown": s.heldMuteUnknown, "multi": s.agentsOnMultipleCalls,
            "misroutes": s.misroutes, "misroutesOn": s.misroutes > 0,
            "risks": s.wrongCallRisks, "risksOn": s.wrongCallRisks > 0,
        ]
        if let hold = s.longestHoldSince { model["longestHold"] = TimerMarkup.marker(.hold, since: hold) }
        if let agent = s.longestHoldWorker {
            model["longestHoldAgent"] = Formatting.clean(agent.name)
            // The first row of the holds, longest first: that agent alone (a search for the id would also find
            // every name containing it).
            model["longestHoldLink"] = "/?call=held&sort=hold-time&group=none&per=1"
        }
        model["multiOne"] = s.agentsOnMultipleCalls == 1
        model["agentsWord"] = Formatting.plural(s.agents, "agent")
        model["risksWord"] = Formatting.noun("agent", count: s.wrongCallRisks) + " now"
        // The count is of agents (one may hold two misrouted calls), as the wrong-call risk tile's.
        model["misroutesWord"] = Formatting.noun("agent", count: s.misroutes) + " given a queue call while busy"
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
            "signOutLink": settings.signOutLink, "reportLinks": settings.reportLinks,
            "version": String(registry.version),
            "staleAfter": Int(settings.staleAfter),
            "lastEventMs": feed.lastEventAt.map { String($0.milliseconds) } ?? "",
            // The newest event's time for people, and as RFC 3339 for machines (`<time datetime>`).
            "lastEventText": feed.lastEventAt.map { Formatting.moment($0, now: now) } ?? "none yet",
        ]
        if let at = feed.lastEventAt { model["lastEventISO"] = RFC3339.format(at) }
        let warning = feed.warning(at: now, staleAfter: settings.staleAfter)
        model["stale"] = warning != nil
        model["staleText"] = warning ?? ""
        return model
    }

    /// The filter choices: every team, activity and skill in the registry. Gathering them reads the
    /// whole floor, so they are gathered at most once a second (a new team shows in the choices a
    /// second late at worst), not for every page after every change.
    func options(_ registry: Registry) -> Options {
        let mono = WallClock.monotonicSeconds()
        if let hit = optionsCache.withLock({ $0 }), hit.version == registry.version || mono - hit.at < 1 { return hit.options }
        let options = computeOptions(registry)
        optionsCache.withLock { $0 = (registry.version, mono, options) }
        return options
    }

    /// The filter choices `scope` may see (those of every team cached as above).
    func options(_ registry: Registry, scope: TeamScope) -> Options {
        scope == .all ? options(registry) : computeOptions(registry, scope: scope)
    }

    func computeOptions(_ registry: Registry, scope: TeamScope = .all) -> Options {
        var teams = Set<String>(), activities = Set<String>(), skills = Set<String>()
        for (_, w) in registry.workers where scope.allows(w.team) {
            if !w.team.isEmpty { teams.insert(w.team) }
            // A worker with no activity reported has only the placeholder: no activity of that name to filter on.
            if w.hasActivity { activities.insert(w.activity) }
            skills.formUnion(w.skills)
        }
        return (teams.sorted(by: Board.teamBefore).map(Formatting.clean), activities.sorted().map(Formatting.clean), skills.sorted().map(Formatting.clean))
    }

    /// `HH:MM:SS` UTC.
    static func clock(_ t: Timestamp) -> String {
        let s = RFC3339.format(Timestamp(microseconds: t.microseconds - t.microseconds % 1_000_000))
        return String(s.dropFirst(11).prefix(8)) + " UTC"
    }
}
