import HTTPTypes
import MicroHTTP
import TeamsDomain

/// `/kiosk`: the wall display.
///
/// Query: the Teams View filters (`team=` pins teams, repeatable), `theme=light` (dark by default),
/// `rotate=N` seconds per page when the agents do not fit on one screen (5...600, default 20),
/// `reload=12h` (read by the script: a full reload every so often for days-long displays).
///
/// The board comes from the kiosk's live view itself, with the cursor its stream starts from, so
/// page and stream agree by construction.
extension TeamsApp {
    func kioskPage(_ request: Request) -> Response {
        let query = WorkerQuery(parameters: request.query)
        let board = live.kioskBoard(query: query)
        let now = clock.now()
        let registry = store.snapshot()
        var model = renderer.pageModel(registry, feed: feed, at: now)
        let theme = request.queryValue("theme") == "light" ? "light" : "dark"
        let rotate = request.queryValue("rotate").flatMap(Double.init).map { min(600, max(5, $0)) } ?? 20
        model["theme"] = theme
        model["colorScheme"] = theme
        model["rotate"] = String(Int(rotate))
        model["liveURL"] = "/live?view=kiosk" + (query.queryString.isEmpty ? "" : "&" + query.queryString)
        model["liveCursor"] = board.cursor
        model["board"] = String(decoding: board.body, as: UTF8.self)
        model["summaryHTML"] = String(decoding: board.summary, as: UTF8.self)
        model["count"] = board.count
        model["none"] = board.shown == 0
        model["version"] = String(board.version)
        model["pinned"] = query.teams.isEmpty ? nil : query.teams.sorted().map(Formatting.clean).joined(separator: ", ")
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
