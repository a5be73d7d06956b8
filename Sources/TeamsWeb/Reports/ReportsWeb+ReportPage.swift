import Foundation
import HTTPTypes
import JSONOutput
import MicroHTTP
import TeamsDomain
import TeamsIngest
import TeamsAccess
import TeamsReports

/// `/report`: the figures table of a period, by agent, team or queue, with its charts.
extension ReportsWeb {
    /// The table's columns after the name, in the order of `cells`. `extra` ones show only with
    /// `columns=all` (or when sorted by): the rest fit a 1366-wide screen.
    static let columns: [(key: String, label: String, extra: Bool)] = [
        ("callsHandled", "Calls", false), ("talkSeconds", "Talk", false), ("holdSeconds", "Hold", false),
        ("holdCount", "Holds", true), ("longestHoldSeconds", "Longest hold", false), ("wrapupSeconds", "Wrap-up", false),
        ("multiCallSeconds", "On 2+ calls", false), ("maxConcurrentCalls", "Most calls", true), ("transfersIn", "Transfers in", true),
        ("transfersOut", "Transfers out", true), ("misroutes", "Misroutes", false), ("wrongCallRiskIncidents", "Wrong-call risk", false),
        ("exposureSeconds", "Exposure", false), ("offersMissed", "Offers missed", false),
    ]

    /// The table's `sort`, `dir`, `columns`, `page` and `per` values it does not take, each with what the page does instead
    /// (a notice on the page, as the Teams View's filters get).
    static func invalidTableParameters(_ request: Request) -> [WorkerQuery.InvalidFilter] {
        var notices: [WorkerQuery.InvalidFilter] = []
        if let by = request.queryValue("by"), !by.isEmpty, ReportGrouping(rawValue: by) == nil {
            notices.append(.init(name: "by", value: String(by.prefix(100)), accepted: ReportGrouping.allCases.map(\.rawValue),
                                 instead: "the rows are by agent"))
        }
        if let sort = request.queryValue("sort"), sort != "name", !IntervalFigures.fieldNames.contains(sort) {
            notices.append(.init(name: "sort", value: String(sort.prefix(100)), accepted: ["name"] + IntervalFigures.fieldNames,
                                 instead: "the rows are sorted by name"))
        }
        if let dir = request.queryValue("dir"), dir != "asc", dir != "desc" {
            notices.append(.init(name: "dir", value: String(dir.prefix(100)), accepted: ["asc", "desc"],
                                 instead: "the rows are in ascending order"))
        }
        if let columns = request.queryValue("columns"), columns != "all" {
            notices.append(.init(name: "columns", value: String(columns.prefix(100)), accepted: ["all"],
                                 instead: "the usual columns are shown"))
        }
        notices += windowNotices(request, defaultPer: BoardWindow.defaultPer)
        return notices
    }

    /// The indexes of `columns` (and `cells`) shown: every one with `all`, else the default ones
    /// and the one sorted by.
    static func shownColumns(all: Bool, sort: String) -> [Int] {
        columns.indices.filter { all || !columns[$0].extra || columns[$0].key == sort }
    }

    /// The cells of `columns`; by queue, the agent-only figures (``IntervalFigures/agentOnlyFields``) are empty.
    static func cells(_ f: IntervalFigures, by: ReportGrouping = .agent) -> [String] {
        let all = [String(f.callsHandled), duration(f.talk), duration(f.hold), String(f.holdCount), duration(f.longestHold),
                   duration(f.wrapup), duration(f.multiCall), String(f.maxConcurrentCalls), String(f.transfersIn),
                   String(f.transfersOut), String(f.misroutes), String(f.wrongCallRiskIncidents), duration(f.exposure),
                   String(f.offersMissed)]
        guard by == .queue else { return all }
        return zip(columns, all).map { IntervalFigures.agentOnlyFields.contains($0.0.key) ? "" : $0.1 }
    }

    /// The table's body rows, written directly (a day of 2,000 agents is 30,000 cells: through the
    /// template engine that alone took longer than the whole page may). Every text escaped.
    static func tableRows(_ rows: ArraySlice<ReportRow>, by: ReportGrouping, date: String, shown: [Int]) -> String {
        let e = ReportChart.escape
        // Bytes, not a String: thousands of small appends to a String cost more than the rest of the page.
        var html: [UInt8] = []
        html.reserveCapacity(rows.count * 320)
        func add(_ text: String) { html.append(contentsOf: text.utf8) }
        for row in rows {
            add("<tr><th scope=\"row\">")
            if by == .agent {
                add("<a href=\"/report/agent/")
                add(e(percentEncode(row.key)))
                add("?date=")
                add(e(date))
                add("\">")
                add(e(row.name))
                add("</a>")
            } else {
                add(e(row.name))
            }
            add("</th>")
            let all = cells(row.figures, by: by)
            for index in shown {
                add("<td>")
                add(all[index])
                add("</td>")
            }
            add("</tr>\n")
        }
        return String(decoding: html, as: UTF8.self)
    }

    /// A route handler (public for the benchmark).
    public func reportPage(_ request: Request) -> Response {
        let p: Period
        let by: ReportGrouping
        do {
            p = try period(request)
            // A `by` it does not take is named in the notice, as `sort` is, and the rows are by agent.
            by = (try? grouping(request)) ?? .agent
        } catch {
            return badRequest(error.message, json: false)
        }
        do {
            let scope = Self.shownTeams(request)
            var rows = Self.inNaturalOrder(try reports.database.report(p.range, by: by, intervals: false, teams: scope))
            let notices = Self.invalidTableParameters(request)
            let sort = notices.contains { $0.name == "sort" } ? "name" : request.queryValue("sort") ?? "name"
            let descending = request.queryValue("dir") == "desc"
            if let index = IntervalFigures.fieldNames.firstIndex(of: sort) {
                rows.sort { a, b in
                    let x = a.figures.fields[index].value, y = b.figures.fields[index].value
                    return x == y ? Self.precedes(a, b) : (x < y) != descending
                }
            } else if descending {
                rows.reverse()
            }
            let totals = Self.totals(rows)
            // A report filtered to teams (`team=`, as the Teams View and /incidents take it) keeps them in every link.
            let asked = WorkerQuery(parameters: request.query)
            let query = "from=\(p.from)&to=\(p.to)&by=\(by.rawValue)" + (asked.teams.isEmpty ? "" : "&" + asked.teamQueryString)
            var model = baseModel()
            model["teams"] = asked.teams.sorted(by: Board.teamBefore).map(Formatting.clean)
            model["teamsText"] = asked.teams.isEmpty ? nil : asked.teams.sorted(by: Board.teamBefore).map(Formatting.clean).joined(separator: ", ")
            model["empty"] = try teamsNotice(asked, request) { "/report?from=\(p.from)&to=\(p.to)&by=\(by.rawValue)&" + $0.teamQueryString }
            model["invalidParameters"] = notices.map(\.message)
            model["hasInvalidParameters"] = !notices.isEmpty
            model["from"] = p.from.description
            model["to"] = p.to.description
            model["query"] = query
            model["groupings"] = ReportGrouping.allCases.map {
                ["value": $0.rawValue, "label": $0.rawValue.capitalized, "selected": $0 == by] as [String: Any]
            }
            model["byLabel"] = by.rawValue.capitalized
            let allColumns = request.queryValue("columns") == "all"
            let shown = Self.shownColumns(all: allColumns, sort: sort)
            let columnsQuery = allColumns ? "&columns=all" : ""
            // One page of the sorted rows (`?page=`, `?per=`, as the Teams View); the totals cover them all.
            let window = BoardWindow(request, defaultPer: BoardWindow.defaultPer)
                ?? BoardWindow(page: 1, per: BoardWindow.defaultPer)
            let pageRows = window.range(in: rows.count)
            let perQuery = window.per == BoardWindow.defaultPer ? "" : "&per=\(window.per)"
            let pageQuery = (window.page == 1 ? "" : "&page=\(window.page)") + perQuery
            // A new order starts at its first page, with as many rows a page.
            func header(_ key: String, _ label: String) -> [String: Any] {
                let active = key == sort
                let dir = active && !descending ? "desc" : "asc"
                return ["label": label, "href": "/report?\(query)\(columnsQuery)&sort=\(key)&dir=\(dir)\(perQuery)",
                        "sort": active ? (descending ? "descending" : "ascending") : "none"]
            }
            model["headers"] = [header("name", "Name")] + shown.map { header(Self.columns[$0].key, Self.columns[$0].label) }
            let sortQuery = notices.contains { $0.name == "sort" } ? ""
                : request.queryValue("sort").map { "&sort=" + percentEncode($0) + (descending ? "&dir=desc" : "") } ?? ""
            let hidden = Self.columns.count - shown.count
            model["columnsLink"] = "/report?\(query)\(allColumns ? "" : "&columns=all")\(sortQuery)\(pageQuery)#report-table"
            model["columnsLabel"] = allColumns ? "Fewer columns" : Formatting.plural(hidden, "more column")
            model["rowsHTML"] = Self.tableRows(rows[pageRows], by: by, date: p.to.description, shown: shown)
            model["hasRows"] = !rows.isEmpty
            // A file of another day's events (a replay, yesterday's log) reports on that day: say which, and link it.
            if rows.isEmpty, let newest = try reports.database.horizon() {
                let day = zone.day(at: newest / 1_000_000)
                if day < p.from || day > p.to {
                    let teams = asked.teams.isEmpty ? "" : "&" + asked.teamQueryString
                    model["newest"] = ["day": day.description, "link": "/report?from=\(day)&to=\(day)&by=\(by.rawValue)\(teams)"]
                }
            }
            if window.pages(for: rows.count) > 1 || window.page > 1 {
                let base = "/report?\(query)\(columnsQuery)\(sortQuery)&"
                model["pager"] = Pager.model(count: rows.count, window: window, label: "Pages of the table") {
                    base + BoardWindow(page: $0, per: window.per).queryString + "#report-table"
                }
            }
            let totalCells = Self.cells(totals, by: by)
            model["totals"] = shown.map { totalCells[$0] }
            let activities = totals.activity.sorted { $0.value > $1.value }
            model["hasActivities"] = !activities.isEmpty
            model["activities"] = activities.map { ["name": $0.key, "time": Self.duration($0.value)] as [String: Any] }
            // The charts sum the whole floor: only for those who see every team, and asked for no team.
            model["charts"] = scope == nil ? try charts(p) : []
            let html = renderer.library.render(model, withTemplate: "report") ?? ""
            return Response(contentType: "text/html; charset=utf-8", text: html)
        } catch {
            return serverError(error)
        }
    }

    /// The fewest hours a day's charts span.
    static let chartHours: Int64 = 3

    /// Calls live and agents on 2+ calls per interval, activity mix, hold-time distribution.
    func charts(_ p: Period) throws -> [String] {
        let totals = try reports.database.intervalTotals(p.range)
        let used = totals.keys.sorted()
        let starts: [Int64]
        let now = clock.now().microseconds / 1_000_000
        if p.from == p.to {
            // The whole hours with figures (at least `chartHours` of them), as the agent's timeline: not 24
            // hours where a morning's figures would sit in a few pixels.
            let interval = ReportZone.intervalSeconds
            let data = used.isEmpty ? 0..<0 : used[0] * 1_000_000..<(used[used.count - 1] + interval) * 1_000_000
            // Today: no hour after the current one (more hours are taken before the figures, not ahead of them),
            // unless the day has not had `chartHours` yet (just after midnight): its first hours then, those ahead
            // not drawn.
            var day = p.micros
            if day.contains(now * 1_000_000) {
                let hourAfter = AgentTimeline.hours(covering: now * 1_000_000..<now * 1_000_000 + 1, day: day, zone: zone,
                                                    atLeast: 0).upperBound
                let fewest = min(day.upperBound, day.lowerBound + Self.chartHours * 3600 * 1_000_000)
                day = day.lowerBound..<max(hourAfter, fewest, min(day.upperBound, data.upperBound))
            }
            let hours = AgentTimeline.hours(covering: data, day: day, zone: zone, atLeast: Self.chartHours * 3600)
            starts = Array(stride(from: hours.lowerBound / 1_000_000, to: hours.upperBound / 1_000_000, by: Int(interval)))
        } else {
            starts = used
        }
        let labels = starts.map { p.from == p.to ? zone.clock($0) : String(zone.format($0).prefix(16)) }
        var spans = Self.elapsed(starts, length: Int64(ReportZone.intervalSeconds), now: now)
        let progressing = spans.firstIndex { $0 < Double(ReportZone.intervalSeconds) }
        // Intervals before the first with figures or after the last have none (the feed had not begun, or had
        // stopped): absent, not 0.
        let first = used.first ?? .max, last = used.last ?? .min
        // The first with figures is averaged over its part after they begin, not over all of it (a feed that began
        // at 09:40 does not read a third of the floor in the 09:30 interval).
        if let i = starts.firstIndex(of: first), i < spans.count, let begin = try reports.database.figuresBegin(inIntervalAt: first),
           begin > first {
            spans[i] = max(1, spans[i] - Double(begin - first))
        }
        // Its note says the minutes it is averaged over: since the figures began when they began in it.
        let inProgress = progressing.map { ReportChart.InProgress(index: $0, elapsedSeconds: spans[$0]) }
        func per(_ f: (IntervalFigures) -> Int64) -> [Double?] {
            zip(starts, spans).map { start, span in
                start < first || start > last ? nil : Double(f(totals[start] ?? IntervalFigures())) / (span * 1_000_000)
            }
        }
        // A day's charts start on a whole hour: labels on whole hours (a multiple of 4 intervals), never at 09:30.
        let every = p.from == p.to ? 4 : 1
        let calls = ReportChart.lines(
            title: "Calls live and agents on 2+ calls: average per 15-minute interval", yLabel: "average", labels: labels,
            series: [.init(name: "Calls live", values: per(\.talk)), .init(name: "Agents on 2+ calls", values: per(\.multiCall))],
            inProgress: inProgress, labelsEvery: every)
        var activityTotals: [String: Int64] = [:]
        for f in totals.values { for (k, v) in f.activity { activityTotals[k, default: 0] += v } }
        let names = activityTotals.sorted { $0.value > $1.value }.map(\.key)
        let mix = ReportChart.stacked(
            title: "Activity mix: average agents per 15-minute interval", yLabel: "agents", labels: labels,
            series: names.map { name in .init(name: name, values: per { $0.activity[name] ?? 0 }) }, inProgress: inProgress,
            labelsEvery: every)
        let counts = try reports.database.holdHistogram(p.range).map { Double?(Double($0)) }
        let holds = ReportChart.stacked(title: "Hold-time distribution: holds ended, by length", yLabel: "holds",
                                        labels: ReportDatabase.holdBuckets.map(\.label),
                                        series: [.init(name: "Holds", values: counts)], categories: true)
        return [calls, mix, holds]
    }

    /// Seconds of each interval (starting at `starts`, seconds, `length` long) elapsed at `now` (seconds):
    /// `length` for those past, the part so far for the one in progress; intervals not begun are left out
    /// (the result may be shorter than `starts`). Averages are taken over these, so the interval in
    /// progress does not read low.
    static func elapsed(_ starts: [Int64], length: Int64, now: Int64) -> [Double] {
        starts.prefix { $0 < now }.map { Double(min(length, max(1, now - $0))) }
    }
}
