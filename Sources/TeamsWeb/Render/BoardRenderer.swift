import TeamsDomain

/// Turns a board, a window of it, or a diff between two boards into bytes: the body of the
/// Teams View (`<tbody>` per team, a row per agent), the kiosk board (a `<section>` per team, a
/// tile per agent) and the live stream's `reset` and `rows` messages — so the page, the kiosk
/// and the stream say the same thing byte for byte.
///
/// Rows and tiles come from the row caches of `PageRenderer` and `KioskRenderer` (rendered once
/// per worker version and flag state); timers are filled in as of the moment given. Holds no
/// lock while rendering beyond those caches' own look-ups.
struct BoardRenderer: Sendable {
    let page: PageRenderer
    let kiosk: KioskRenderer

    var grace: Double { page.settings.grace }
    var linger: FlagLinger { page.linger }

    // MARK: Pieces

    /// Appends the finished row (page) or tile (kiosk) of a worker as of `now`; a kiosk tile shows `tag` beside
    /// the name (`Board.nameTag(of:)`).
    func appendRow(_ view: LiveView, _ w: WorkerState, tag: String? = nil, at now: Timestamp, into out: inout [UInt8]) {
        switch view {
        case .page:
            let flags = w.callFlags(at: now, grace: grace)
            let recent = linger.recent(w, flags: flags, at: now)?.flags ?? []
            TimerMarkup.write(page.rowMarkup(w, flags: flags, recent: recent), now: now, thresholds: page.thresholds, into: &out)
        case .kiosk:
            kiosk.tile(w, tag: tag, at: now, into: &out)
        }
    }

    func row(_ view: LiveView, _ w: WorkerState, tag: String? = nil, at now: Timestamp) -> [UInt8] {
        var out: [UInt8] = []
        appendRow(view, w, tag: tag, at: now, into: &out)
        return out
    }

    /// A team's heading, which opens its `<tbody>` (page) or `<section>` (kiosk).
    func teamHeader(_ view: LiveView, _ heading: TeamHeading) -> String {
        page.library.render(heading.model, withTemplate: view == .page ? "team-header" : "kiosk-team") ?? ""
    }

    func summary(_ view: LiveView, _ summary: Summary, at now: Timestamp) -> [UInt8] {
        view == .page ? page.summaryHTML(summary, at: now) : kiosk.summaryHTML(summary, at: now)
    }

    /// `12 of 40 agents`: the whole view against the agents of its teams (`Board.total`).
    func countText(_ board: Board) -> String { "\(board.count) of \(board.total) agents" }

    /// `rows 201–400 of 5000` (`no rows` when the window is past the end).
    func rangeText(_ board: Board, _ window: BoardWindow) -> String {
        let r = window.range(in: board.count)
        return r.isEmpty ? "no rows of \(board.count)" : "rows \(r.lowerBound + 1)–\(r.upperBound) of \(board.count)"
    }

    /// Every team of the window with its heading and its rows in the window.
    func body(_ board: Board, window: BoardWindow?, at now: Timestamp) -> [UInt8] {
        var out: [UInt8] = []
        appendBody(board, window: window, at: now, into: &out)
        return out
    }

    /// Appends ``body(_:window:at:)`` to `out`: a page writes its rows in place, not a copy of them (200 rows are
    /// ~360 KB: their own buffer, faulted in, then copied into the page's, was ~4% of a new view's first render).
    func appendBody(_ board: Board, window: BoardWindow?, at now: Timestamp, into out: inout [UInt8]) {
        let view = board.key.view
        let slices = board.slices(window)
        // A row of two calls is ~2.5 KB with its timers: room for 3 KB a row, so the buffer is not grown (and copied)
        // on the way; room not written to is never faulted in.
        out.reserveCapacity(out.count + slices.reduce(0) { $0 + $1.range.count } * 3072 + slices.count * 512 + 4096)
        let close = Array((view == .page ? "</tbody>\n" : "</section>\n").utf8)
        for s in slices {
            let team = board.teams[s.team]
            out.append(contentsOf: teamHeader(view, team.heading).utf8)
            for id in team.ids[s.range] {
                guard let w = board.registry.workers[id] else { continue }
                appendRow(view, w, tag: board.nameTag(of: w), at: now, into: &out)
            }
            out.append(contentsOf: close)
        }
    }

    // MARK: Live messages

    /// `reset`: the whole window, as a page rendered from the same board shows it.
    func resetMessage(_ board: Board, window: BoardWindow?, id: String, now: Timestamp, lastLine: Timestamp?) -> [UInt8] {
        let body = body(board, window: window, at: now)
        var msg = LiveMessage(event: "reset", id: id, capacity: body.count + 4096)
        msg.clock(version: board.version, now: now, lastLine: lastLine, lastEvent: board.registry.lastEventAt)
        msg.string("body", bytes: body)
        msg.string("summary", bytes: summary(board.key.view, board.summary, at: now))
        msg.string("count", countText(board))
        if let window { msg.string("range", rangeText(board, window)) }
        msg.number("shown", Int64(board.count))
        return msg.finish()
    }

    /// `rows`: what `diff` says changed, rendered from the newer board.
    func rowsMessage(_ diff: BoardDiff, board: Board, window: BoardWindow?, id: String, now: Timestamp,
                     lastLine: Timestamp?) -> [UInt8] {
        let view = board.key.view
        var msg = LiveMessage(event: "rows", id: id, capacity: 1024 + diff.rows.count * 2048)
        msg.clock(version: board.version, now: now, lastLine: lastLine, lastEvent: board.registry.lastEventAt)
        msg.beginArray("teams")
        for team in diff.teams {
            guard let t = board.teamIndex(team.name) else { continue }
            msg.beginObject()
            msg.string("slug", board.teams[t].heading.slug)
            msg.string("after", team.after.map { TeamHeading(team: $0).slug })
            msg.string("html", teamHeader(view, board.teams[t].heading))
            msg.endObject()
        }
        msg.endArray()
        msg.beginArray("rows")
        for row in diff.rows {
            guard let w = board.registry.workers[row.id] else { continue }
            msg.beginObject()
            msg.string("id", RowView.domID(row.id))
            msg.string("team", TeamHeading(team: row.team).slug)
            msg.string("after", row.after.map(RowView.domID))
            msg.string("html", bytes: self.row(view, w, tag: board.nameTag(of: w), at: now))
            msg.endObject()
        }
        msg.endArray()
        msg.beginArray("removed")
        for id in diff.removed { msg.string(RowView.domID(id)) }
        msg.endArray()
        msg.beginArray("teamsRemoved")
        for team in diff.teamsRemoved { msg.string(TeamHeading(team: team).slug) }
        msg.endArray()
        if diff.summaryChanged { msg.string("summary", bytes: summary(view, board.summary, at: now)) }
        if diff.countChanged {
            msg.string("count", countText(board))
            if let window { msg.string("range", rangeText(board, window)) }
        }
        msg.number("shown", Int64(board.count))
        return msg.finish()
    }

    /// `feed`: the clock and when the last line arrived (with every heartbeat).
    func feedMessage(id: String, now: Timestamp, lastLine: Timestamp?, lastEvent: Timestamp? = nil) -> [UInt8] {
        var msg = LiveMessage(event: "feed", id: id)
        msg.clock(version: nil, now: now, lastLine: lastLine, lastEvent: lastEvent)
        return msg.finish()
    }
}
