import HTTPTypes
import MicroHTTP
import TeamsDomain

/// `/kiosk`: the wall display.
///
/// Query: the Teams View filters (`team=` pins teams, repeatable), `theme=light` (dark by default),
/// `rotate=N` seconds per page when the agents do not fit on one screen (5...600, default 20),
/// `reload=12h` (read by the script: a full reload every so often for days-long displays).
///
/// The page is a window of the kiosk's board (`?page=`, `?per=`; `kioskPer` tiles by default), with the
/// cursor of that board, so page and stream agree by construction. The script fits the window's
/// tiles to the screen and rotates through them, then moves on to the next window.
extension TeamsApp {
    /// Tiles a kiosk window holds unless `?per=` says otherwise: the most a window takes, so a floor of up
    /// to that many is one window, which the script lays out on as few screens as it can and counts right
    /// (windows of one 4K screen's worth left a screen's remainder on a screen of its own).
    static let kioskPer = BoardWindow.maxPer

    /// Seconds a cleared incident stays on the kiosk's strip (one still going on stays while it goes on).
    static let kioskIncidentsClearedFor: Int64 = 300

    func kioskPage(_ request: Request) -> Response {
        let query = WorkerQuery(parameters: request.query)
        var window = BoardWindow(request, defaultPer: Self.kioskPer)!
        let board = live.board(for: BoardKey(view: .kiosk, query: query))
        // What the kiosk could not follow in its URL (`per=0`, `theme=blue`, `call=hold`...), as the Teams View says it.
        var invalid = notices(request, for: .kiosk)
        // A wall display shows agents, never an empty board: a window past the end is the last one, and says so.
        let pages = window.pages(for: board.count)
        if window.page > pages {
            invalid.append(.init(name: "page", value: String(window.page),
                                 takes: pages == 1 ? "1 here (every agent is on it)" : "1 to \(pages) here (the agents fill \(pages))",
                                 instead: "page \(pages), the last, is shown"))
            window = BoardWindow(page: pages, per: window.per)
        }
        let now = clock.now()
        var model = renderer.pageModel(board.registry, feed: feed, at: now)
        let theme = request.queryValue("theme") == "light" ? "light" : "dark"
        model["theme"] = theme
        model["colorScheme"] = theme
        model["invalidFilters"] = invalid.map(\.message)
        model["hasInvalidFilters"] = !invalid.isEmpty
        model["rotate"] = String(DisplayParameters.rotateUsed(request.queryValue("rotate")))
        model["liveURL"] = "/live?view=kiosk" + (query.queryString.isEmpty ? "" : "&" + query.queryString) + "&" + window.queryString
        model["liveCursor"] = LiveCursor(epoch: live.epoch, seq: board.seq).text
        model["board"] = String(decoding: boards.body(board, window: window, at: now), as: UTF8.self)
        model["summaryHTML"] = String(decoding: boards.summary(.kiosk, board.summary, at: now), as: UTF8.self)
        model["count"] = boards.countText(board)
        model["none"] = board.count == 0
        // What the board says while empty: a pinned team no agent of is on the floor yet is named (it fills as they arrive).
        let scope = request.asker.teams
        let empty = EmptyBoard(query: query, registry: board.registry, floorTeams: renderer.options(board.registry, scope: scope).teams,
                               scope: scope, feed: emptyBoardFeed(request))
        model["empty"] = empty.model(shown: board.count)
        if empty.waiting != nil && board.count == 0 {
            // The empty board says what the feed waits for: the banner does not say it again.
            model["stale"] = false
            model["staleText"] = ""
            model["feedWaiting"] = true
        }
        model["version"] = String(board.version)
        // Which window of how many: the script counts the screens of all of them.
        model["window"] = String(window.page)
        model["windows"] = String(window.pages(for: board.count))
        if window.pages(for: board.count) > 1 {
            // After the last screen of this window, the next window (after the last, the first).
            let next = window.page < window.pages(for: board.count) ? window.page + 1 : 1
            var items = query.queryString.isEmpty ? [] : [query.queryString]
            for name in ["theme", "rotate", "reload"] { if let v = request.queryValue(name) { items.append(name + "=" + percentEncode(v)) } }
            items.append(BoardWindow(page: next, per: window.per).queryString)
            model["nextWindow"] = "/kiosk?" + items.joined(separator: "&")
        }
        // The incidents strip shows at once, without waiting for its first poll; both of the pinned teams only.
        // Nobody acknowledges at a wall display: its strip holds the incidents going on and those cleared in the
        // last `kioskIncidentsClearedFor` seconds, so it ages by itself.
        model["incidentsQuery"] = query.teams.isEmpty ? nil : query.teamQueryString
        if let strip = reports?.incidentStrip(for: request, first: Self.incidentStripItems, clearedFor: Self.kioskIncidentsClearedFor) {
            model.merge(strip) { $1 }
        }
        model["pinned"] = query.teams.isEmpty ? nil : query.teams.sorted(by: Board.teamBefore).map(Formatting.clean).joined(separator: ", ")
        model["teamsQuery"] = query.queryString.isEmpty ? nil : query.queryString
        let html = renderer.library.render(model, withTemplate: "kiosk") ?? ""
        var out: [UInt8] = []
        out.reserveCapacity(html.utf8.count)
        TimerMarkup.expand(html, now: now, thresholds: renderer.thresholds, into: &out)
        var fields = HTTPFields()
        fields[.contentType] = "text/html; charset=utf-8"
        fields[.cacheControl] = "no-store"
        return secured(Response(status: .ok, headerFields: fields, body: .bytes(out)))
    }
}
