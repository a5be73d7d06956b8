import Foundation
import HTTPTypes
import JSONOutput
import MicroHTTP
import TeamsDomain
import TeamsIngest
import TeamsAccess
import TeamsReports

/// Reports over HTTP: `/report`, `/report/agent/{id}`, `/report.csv`, `/incidents` (with acknowledgement),
/// `/api/report`, `/api/incidents`, `/api/openapi.json`.
public final class ReportsWeb: Sendable {
    public let reports: ReportWriter
    let renderer: PageRenderer
    let clock: WallClock
    /// The token acknowledgement forms carry (random per process): with the `Origin` check, a page of
    /// another site cannot post an acknowledgement.
    let formToken: String
    /// Longest range a report covers, in days.
    static let maxDays = 366
    /// Where acknowledgements are recorded besides the database.
    let audit: AuditLog?

    public init(reports: ReportWriter, renderer: PageRenderer, clock: WallClock, audit: AuditLog? = nil) {
        self.reports = reports
        self.renderer = renderer
        self.clock = clock
        self.audit = audit
        var generator = SystemRandomNumberGenerator()
        formToken = (0..<4).map { _ in String(generator.next() as UInt64, radix: 16) }.joined()
    }

    var zone: ReportZone { reports.zone }

    /// `/metrics` lines of the reports: events counted, the writer's list and its back-pressure, memory.
    func metricsText() -> String {
        let s = reports.statistics
        var out = ""
        func sample(_ name: String, _ type: String, _ help: String, _ value: String) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n\(name) \(value)\n"
        }
        sample("teamsview_reports_events_total", "counter", "Events counted in report figures.", String(s.counted))
        sample("teamsview_reports_flushes_total", "counter", "Transactions the reports' writer wrote.", String(s.flushes))
        sample("teamsview_reports_failures_total", "counter", "Reports' writes that failed.", String(s.failures))
        sample("teamsview_reports_queued_events", "gauge",
               "Events handed to the reports' writer and not yet taken (bounded: past the bound ingest waits).", String(s.queuedEvents))
        sample("teamsview_reports_queue_waits_total", "counter",
               "Ingest batches that waited for the reports' writer to take its full list (back-pressure; nothing is dropped).",
               String(s.waits))
        sample("teamsview_reports_queue_wait_seconds_total", "counter",
               "Seconds ingest waited for the reports' writer, all batches together.", String(s.waitSeconds))
        sample("teamsview_reports_heap_trims_total", "counter",
               "Times freed heap was handed back to the system after the reports' writer caught up with a burst.", String(s.trims))
        sample("teamsview_reports_sqlite_memory_bytes", "gauge",
               "Bytes SQLite has allocated (page caches of every connection, statements).", String(ReportDatabase.sqliteMemoryBytes))
        return out
    }

    public func register(_ router: inout Router) {
        router.get("/report") { [self] in secure(reportPage($0)) }
        router.get("/report.csv") { [self] in reportCSV($0) }
        router.get("/report/agent/:id") { [self] in secure(agentPage($0)) }
        router.get("/incidents") { [self] in secure(incidentsPage($0)) }
        router.post("/incidents/:id/acknowledge", bodyLimit: 16_384, offloaded: true) { [self] in acknowledge($0) }
        router.post("/incidents/acknowledge", bodyLimit: 65_536, offloaded: true) { [self] in acknowledgeAll($0) }
        router.get("/api/report") { [self] in reportAPI($0) }
        router.get("/api/incidents") { [self] in incidentsAPI($0) }
        router.get("/api/openapi.json") { _ in jsonResponse(Array(OpenAPIDocument.json.utf8)) }
    }

    func secure(_ response: Response) -> Response {
        var r = response
        r.headerFields[.contentSecurityPolicy] = TeamsApp.contentSecurityPolicy
        r.headerFields[.xContentTypeOptions] = "nosniff"
        // `same-origin`, not `no-referrer`: under `no-referrer` browsers post forms with `Origin: null`,
        // and the acknowledgement form is checked by its Origin. Other sites still get no referrer.
        r.headerFields[.referrerPolicy] = "same-origin"
        r.headerFields[.xFrameOptions] = "DENY"
        r.headerFields[.cacheControl] = "no-store"
        return r
    }

    // MARK: Parameters

    struct Period {
        var from: ReportZone.Day
        var to: ReportZone.Day
        /// Unix seconds.
        var range: Range<Int64>
        var micros: Range<Int64> { range.lowerBound * 1_000_000..<range.upperBound * 1_000_000 }
    }

    struct BadRequest: Error {
        var message: String
    }

    var today: ReportZone.Day { zone.day(at: clock.now().microseconds / 1_000_000) }

    /// `from`/`to` (`YYYY-MM-DD`, inclusive; today by default).
    func period(_ request: Request) throws(BadRequest) -> Period {
        func day(_ name: String) throws(BadRequest) -> ReportZone.Day? {
            guard let text = request.queryValue(name), !text.isEmpty else { return nil }
            guard let d = ReportZone.Day(text) else { throw BadRequest(message: "\(name) must be a date, YYYY-MM-DD") }
            return d
        }
        let fromDay = try day("from")
        let toDay = try day("to")
        let from = fromDay ?? toDay ?? today
        let to = toDay ?? from
        guard from <= to else { throw BadRequest(message: "from must not be after to") }
        guard to.ordinal - from.ordinal < Self.maxDays else { throw BadRequest(message: "at most \(Self.maxDays) days") }
        return Period(from: from, to: to, range: zone.range(from: from, to: to))
    }

    func grouping(_ request: Request) throws(BadRequest) -> ReportGrouping {
        guard let text = request.queryValue("by"), !text.isEmpty else { return .agent }
        guard let g = ReportGrouping(rawValue: text) else { throw BadRequest(message: "by must be agent, team or queue") }
        return g
    }

    func badRequest(_ message: String, json: Bool) -> Response {
        if json {
            var w = JSONWriter()
            w.beginObject()
            w.field("error", message)
            w.endObject()
            return jsonResponse(w.bytes, status: .badRequest)
        }
        return Response(status: .badRequest, contentType: "text/plain; charset=utf-8", text: message + "\n")
    }

    func serverError(_ error: any Error) -> Response {
        Response(status: .internalServerError, contentType: "text/plain; charset=utf-8", text: "report failed: \(error)\n")
    }

    static func totals(_ rows: [ReportRow]) -> IntervalFigures {
        var t = IntervalFigures()
        for row in rows { t.add(row.figures) }
        return t
    }

    // MARK: JSON and CSV

    /// A route handler (public for the benchmark).
    public func reportAPI(_ request: Request) -> Response {
        do {
            let p = try period(request)
            let by = try grouping(request)
            let withIntervals = request.queryValue("interval") == "1"
            let rows = Self.inNaturalOrder(try reports.database.report(p.range, by: by, intervals: withIntervals, teams: Self.shownTeams(request)))
            return jsonResponse(ReportJSON.report(rows, totals: Self.totals(rows), from: p.from.description,
                                                  to: p.to.description, zone: zone, intervals: withIntervals))
        } catch let error as BadRequest {
            return badRequest(error.message, json: true)
        } catch {
            return serverError(error)
        }
    }

    func reportCSV(_ request: Request) -> Response {
        do {
            let p = try period(request)
            let by = try grouping(request)
            let rows = Self.inNaturalOrder(try reports.database.report(p.range, by: by, intervals: false, teams: Self.shownTeams(request)))
            var fields = HTTPFields()
            fields[.contentType] = "text/csv; charset=utf-8; header=present"
            fields[.contentDisposition] = "attachment; filename=\"report-\(by.rawValue)-\(p.from)-\(p.to).csv\""
            fields[.cacheControl] = "no-store"
            return Response(status: .ok, headerFields: fields,
                            body: .bytes(ReportCSV.report(rows, totals: Self.totals(rows), grouping: by)))
        } catch let error as BadRequest {
            return badRequest(error.message, json: false)
        } catch {
            return serverError(error)
        }
    }

    struct IncidentFilter {
        var worker: String?
        var kind: Incident.Kind?
        var acknowledged: Bool?
    }

    func incidentFilter(_ request: Request) throws(BadRequest) -> IncidentFilter {
        var f = IncidentFilter()
        if let w = request.queryValue("worker"), !w.isEmpty { f.worker = w }
        if let k = request.queryValue("kind"), !k.isEmpty {
            guard let kind = Incident.Kind(rawValue: k) else { throw BadRequest(message: "kind must be misroute or wrong-call-risk") }
            f.kind = kind
        }
        switch request.queryValue("state") ?? "" {
        case "", "all": break
        case "unacknowledged": f.acknowledged = false
        case "acknowledged": f.acknowledged = true
        default: throw BadRequest(message: "state must be all, unacknowledged or acknowledged")
        }
        return f
    }

    /// What a report page filtered to teams (`asked`) says of those no agent ever seen is in, with the team spelt so
    /// among those the asker may see ("Did you mean “Sales”?", linked by `link`); nil when it has nothing to say.
    func teamsNotice(_ asked: WorkerQuery, _ request: Request, link: (WorkerQuery) -> String) throws -> [String: Any]? {
        guard !asked.teams.isEmpty else { return nil }
        let scope = request.asker.teams
        let known = try reports.database.teams().filter { scope == .all || scope.allows($0) }.sorted(by: Board.teamBefore)
        return EmptyBoard.reportNotice(query: asked, known: known, link: link)
    }

    /// Report rows (agents, teams, queues) by name in natural order ("Team 2" before "Team 10", as the Teams View lists
    /// them), then by key.
    static func inNaturalOrder(_ rows: [ReportRow]) -> [ReportRow] { rows.sorted(by: precedes) }

    static func precedes(_ a: ReportRow, _ b: ReportRow) -> Bool {
        a.name != b.name ? NameOrder.precedes(a.name, b.name) : a.key < b.key
    }

    /// The teams whose figures and incidents `request` is shown: those its `team=` filter names (repeatable, read as
    /// the Teams View reads it) that the asker may see, else every team the asker may see (nil: every team). A page
    /// filtered to teams shows only theirs, and nobody is shown another team's.
    static func shownTeams(_ request: Request) -> [String]? {
        let asked = WorkerQuery(parameters: request.query).teams
        let scope = request.asker.teams
        guard !asked.isEmpty else { return scope.names }
        return asked.filter(scope.allows).sorted()
    }

    func incidentsAPI(_ request: Request) -> Response {
        do {
            let p = try period(request)
            var f = try incidentFilter(request)
            let teams = Self.shownTeams(request)
            var records = try reports.database.incidents(p.micros, worker: f.worker, kind: f.kind, acknowledged: f.acknowledged,
                                                         teams: teams)
            // Not an id with incidents: a name or an id in another case, as on the page.
            if let w = f.worker, records.isEmpty {
                let agents = Self.agents(of: try reports.database.incidents(p.micros, kind: f.kind, acknowledged: f.acknowledged,
                                                                            teams: teams, limit: Self.incidentsLimit))
                f.worker = Self.worker(w, among: agents)
                if f.worker != w {
                    records = try reports.database.incidents(p.micros, worker: f.worker, kind: f.kind,
                                                             acknowledged: f.acknowledged, teams: teams)
                }
            }
            return jsonResponse(ReportJSON.incidents(records, zone: zone))
        } catch let error as BadRequest {
            return badRequest(error.message, json: true)
        } catch {
            return serverError(error)
        }
    }

    /// The incidents strip's first content (`incident-strip.mustache`), so it shows at once and without
    /// script: the first `first` of today's unacknowledged incidents the request's asker sees (of its `team=`
    /// when given), newest first, as the items and as the JSON the strip's script polls for, and how many
    /// there are. Nil when the database cannot be read (the script's poll puts it right).
    func incidentStrip(for request: Request, first: Int) -> [String: Any]? {
        let day = today
        let period = Period(from: day, to: day, range: zone.range(from: day, to: day))
        let teams = Self.shownTeams(request)
        guard let records = try? reports.database.incidents(period.micros, acknowledged: false, teams: teams, limit: first),
              let total = records.count < first ? records.count
                : try? reports.database.incidentCount(period.micros, acknowledged: false, teams: teams) else { return nil }
        var model: [String: Any] = [
            "incidentsJSON": String(decoding: ReportJSON.incidents(records, zone: zone), as: UTF8.self),
            "incidentsTotal": total,
        ]
        guard total > 0 else { return model }
        // The same words as `incidents.js` builds: kind · agent · HH:MM (· going on).
        model["stripHead"] = Formatting.plural(total, "incident")
        model["stripItems"] = records.map { r -> String in
            let kind = r.incident.kind == .misroute ? "Misroute" : "Wrong-call risk"
            let start = zone.format(r.incident.start / 1_000_000)
            let time = start.count >= 16 ? String(start.dropFirst(11).prefix(5)) : ""
            return kind + " · " + Formatting.clean(r.workerName) + " · " + time + (r.incident.end == nil ? " · going on" : "")
        }
        model["stripMore"] = total > records.count ? total - records.count : nil
        return model
    }

    // MARK: Acknowledgement

    /// Whether `Origin` names this server (same scheme-less host and port as `Host`).
    static func sameOrigin(_ request: Request) -> Bool {
        guard let origin = request.headerFields[.origin], let host = request.headerFields[.hostField] else { return false }
        for scheme in ["http://", "https://"] where origin == scheme + host { return true }
        return false
    }

    /// An acknowledgement form checked: this server's `Origin`, a form, the form token, a name and a note
    /// that fit. The fields, or the refusal to answer.
    struct AcknowledgementForm {
        var fields: [String: String]
        var by: String
        var note: String

        /// Where to go after it: the form's `return` when it is a path of this server, else `/incidents`.
        var back: String {
            let back = fields["return"] ?? "/incidents"
            return !back.hasPrefix("/") || back.hasPrefix("//") || back.contains("\\") ? "/incidents" : back
        }
    }

    func acknowledgementForm(_ request: Request) -> Result<AcknowledgementForm, Refusal> {
        guard Self.sameOrigin(request) else {
            return .failure(Refusal(response: Response(status: .forbidden, contentType: "text/plain; charset=utf-8",
                text: "acknowledgements are accepted only from this server's own pages (Origin)\n")))
        }
        let fields: [String: String]
        do { fields = try FormDecoding.parse(request.body) } catch {
            return .failure(Refusal(response: badRequest("not a form: \(error.reason)", json: false)))
        }
        guard fields["token"] == formToken else {
            return .failure(Refusal(response: Response(status: .forbidden, contentType: "text/plain; charset=utf-8",
                text: "the form has expired (the server restarted): reload the page\n")))
        }
        let by = Formatting.clean(fields["by"] ?? "").trimmingCharacters(in: .whitespaces)
        let note = Formatting.clean(fields["note"] ?? "").trimmingCharacters(in: .whitespaces)
        guard !by.isEmpty, by.count <= 100 else {
            return .failure(Refusal(response: badRequest("give your name (at most 100 characters)", json: false)))
        }
        guard note.count <= 1000 else {
            return .failure(Refusal(response: badRequest("the note is longer than 1000 characters", json: false)))
        }
        return .success(AcknowledgementForm(fields: fields, by: by, note: note))
    }

    struct Refusal: Error {
        var response: Response
    }

    /// Acknowledges incident `id` for `request`'s asker: false when there is no such incident of the asker's teams.
    func acknowledge(_ id: String, _ form: AcknowledgementForm, _ request: Request) throws -> Bool {
        let record = try reports.database.incident(id)
        let team = try record.flatMap { try reports.database.team(of: $0.incident.worker) } ?? ""
        guard record != nil, request.asker.teams.allows(team) || request.asker.teams == .all else { return false }
        _ = try reports.database.acknowledge(incident: id, by: form.by, note: form.note, at: clock.now().microseconds)
        audit?.record("incident.acknowledged", user: request.principal == nil ? form.by : request.asker.name,
                      address: request.peerAddress?.description, detail: "incident \(id) by \"\(form.by)\"")
        return true
    }

    func seeOther(_ location: String) -> Response {
        var headers = HTTPFields()
        headers[.location] = location
        headers[.cacheControl] = "no-store"
        return Response(status: .seeOther, headerFields: headers)
    }

    /// `POST /incidents/{id}/acknowledge`.
    func acknowledge(_ request: Request) -> Response {
        let form: AcknowledgementForm
        switch acknowledgementForm(request) {
        case .success(let f): form = f
        case .failure(let refusal): return refusal.response
        }
        guard let id = request.parameters["id"] else { return badRequest("no incident", json: false) }
        do {
            guard try acknowledge(id, form, request) else {
                return Response(status: .notFound, contentType: "text/plain; charset=utf-8", text: "no such incident\n")
            }
        } catch {
            return serverError(error)
        }
        return seeOther(form.back)
    }

    /// The most incidents one "Acknowledge all shown" takes: a page of `/incidents` at its largest.
    static let bulkLimit = 1000

    /// `POST /incidents/acknowledge`: every incident of `ids` (comma-separated, as the page lists them), under
    /// the same rules as one. Those not of the asker's teams, or no longer there, are passed over.
    func acknowledgeAll(_ request: Request) -> Response {
        let form: AcknowledgementForm
        switch acknowledgementForm(request) {
        case .success(let f): form = f
        case .failure(let refusal): return refusal.response
        }
        var seen = Set<String>()
        let ids = (form.fields["ids"] ?? "").split(separator: ",").map(String.init).filter { seen.insert($0).inserted }
        guard !ids.isEmpty else { return badRequest("no incidents to acknowledge", json: false) }
        guard ids.count <= Self.bulkLimit else {
            return badRequest("at most \(Self.bulkLimit) incidents at once", json: false)
        }
        do {
            for id in ids { _ = try acknowledge(id, form, request) }
        } catch {
            return serverError(error)
        }
        return seeOther(form.back)
    }

    // MARK: Pages

    func baseModel() -> [String: Any] {
        let now = clock.now()
        return ["title": renderer.settings.title, "serverNow": String(now.milliseconds), "assetVersion": renderer.assetVersion,
                "colorScheme": "light dark", "timeZone": zone.identifier, "signOutLink": renderer.settings.signOutLink, "reportLinks": true]
    }

    /// A report's time, always `h:mm:ss` (`0:04:07`) as the table says, so a column's figures line up.
    static func duration(_ micros: Int64) -> String {
        let text = Formatting.duration(Double(micros) / 1_000_000)
        return text.count(where: { $0 == ":" }) == 1 ? "0:" + (text.count == 4 ? "0" : "") + text : text
    }

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
    /// The `page=` and `per=` values of `request` that a table of `defaultPer` rows a page cannot follow.
    static func windowNotices(_ request: Request, defaultPer: Int) -> [WorkerQuery.InvalidFilter] {
        ["page", "per"].compactMap { name in
            request.queryValue(name).flatMap { WorkerQuery.windowParameter(name, $0, defaultPer: defaultPer) }
        }
    }

    static func invalidTableParameters(_ request: Request) -> [WorkerQuery.InvalidFilter] {
        var notices: [WorkerQuery.InvalidFilter] = []
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

    static func cells(_ f: IntervalFigures) -> [String] {
        [String(f.callsHandled), duration(f.talk), duration(f.hold), String(f.holdCount), duration(f.longestHold),
         duration(f.wrapup), duration(f.multiCall), String(f.maxConcurrentCalls), String(f.transfersIn),
         String(f.transfersOut), String(f.misroutes), String(f.wrongCallRiskIncidents), duration(f.exposure),
         String(f.offersMissed)]
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
            let all = cells(row.figures)
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
            by = try grouping(request)
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
            model["columnsLabel"] = allColumns ? "Fewer columns" : "\(hidden) more " + (hidden == 1 ? "column" : "columns")
            model["rowsHTML"] = Self.tableRows(rows[pageRows], by: by, date: p.to.description, shown: shown)
            model["hasRows"] = !rows.isEmpty
            if window.pages(for: rows.count) > 1 || window.page > 1 {
                let base = "/report?\(query)\(columnsQuery)\(sortQuery)&"
                model["pager"] = Pager.model(count: rows.count, window: window, label: "Pages of the table") {
                    base + BoardWindow(page: $0, per: window.per).queryString + "#report-table"
                }
            }
            let totalCells = Self.cells(totals)
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
            // Today: no hour after the current one (more hours are taken before the figures, not ahead of them).
            var day = p.micros
            if day.contains(now * 1_000_000) {
                let hourAfter = AgentTimeline.hours(covering: now * 1_000_000..<now * 1_000_000 + 1, day: day, zone: zone,
                                                    atLeast: 0).upperBound
                day = day.lowerBound..<max(hourAfter, min(day.upperBound, data.upperBound))
            }
            let hours = AgentTimeline.hours(covering: data, day: day, zone: zone, atLeast: Self.chartHours * 3600)
            starts = Array(stride(from: hours.lowerBound / 1_000_000, to: hours.upperBound / 1_000_000, by: Int(interval)))
        } else {
            starts = used
        }
        let labels = starts.map { p.from == p.to ? zone.clock($0) : String(zone.format($0).prefix(16)) }
        let spans = Self.elapsed(starts, length: Int64(ReportZone.intervalSeconds), now: now)
        let inProgress = spans.firstIndex { $0 < Double(ReportZone.intervalSeconds) }
            .map { ReportChart.InProgress(index: $0, elapsedSeconds: spans[$0]) }
        // Intervals before the first with figures or after the last have none (the feed had not begun, or had
        // stopped): absent, not 0.
        let first = used.first ?? .max, last = used.last ?? .min
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

    /// The reason of `/report/agent/{id}`'s 404: one line, without the id (it is the caller's own input).
    static let unknownAgent = "no such agent: no agent with this id has been seen in the reports\n"

    /// A route handler (public for the benchmark).
    public func agentPage(_ request: Request) -> Response {
        guard let id = request.parameters["id"] else { return badRequest("no agent", json: false) }
        let day: ReportZone.Day
        if let text = request.queryValue("date"), !text.isEmpty {
            guard let d = ReportZone.Day(text) else { return badRequest("date must be YYYY-MM-DD", json: false) }
            day = d
        } else {
            day = today
        }
        let range = zone.range(from: day, to: day)
        let micros = range.lowerBound * 1_000_000..<range.upperBound * 1_000_000
        do {
            // An agent never seen, or one of a team the asker may not see, is the same plain-text 404 (a
            // browser gets it as the site's refusal page, through `ErrorPages`): no day to show, nothing told.
            let team = try reports.database.team(of: id)
            if team == nil || (request.asker.teams != .all && !request.asker.teams.allows(team ?? "")) {
                return Response(status: .notFound, contentType: "text/plain; charset=utf-8", text: Self.unknownAgent)
            }
            let (name, spans) = try reports.database.timeline(of: id, micros)
            let incidents = try reports.database.incidents(micros.lowerBound - 86_400_000_000..<micros.upperBound, worker: id)
                .filter { ($0.incident.end ?? .max) > micros.lowerBound }
            let horizon = (try reports.database.horizon()) ?? micros.upperBound
            var model = baseModel()
            model["agentName"] = name ?? id
            model["agentId"] = id
            model["date"] = day.description
            model["previous"] = day.adding(days: -1).description
            // No link to a day that has not happened yet.
            if day < today { model["next"] = day.adding(days: 1).description }
            model["timeline"] = AgentTimeline.svg(spans: spans, incidents: incidents.map(\.incident), day: micros,
                                                  horizon: horizon, zone: zone)
            let callSpans = spans.filter { $0.kind == .call }
            model["calls"] = callSpans.map { call -> [String: Any] in
                let parts = spans.filter { $0.ref == call.ref && $0.kind != .call && $0.kind != .activity }
                func total(_ k: TimelineSpan.Kind) -> Int64 {
                    parts.filter { $0.kind == k }.reduce(0) { $0 + (($1.end ?? horizon) - $1.start) }
                }
                return ["id": call.ref, "queue": call.queue, "start": localTime(call.start, withDay: false, seconds: false),
                        "end": call.end.map { localTime($0, withDay: false, seconds: false) } ?? ["text": "on the call"],
                        "talk": Self.duration(total(.live)), "hold": Self.duration(total(.held)),
                        "holds": parts.count { $0.kind == .held }, "wrapup": Self.duration(total(.wrapup))]
            }
            model["hasCalls"] = !callSpans.isEmpty
            model["incidents"] = incidents.map { incidentModel($0, returnTo: "/report/agent/\(percentEncode(id))?date=\(day)") }
            model["hasIncidents"] = !incidents.isEmpty
            let html = renderer.library.render(model, withTemplate: "report-agent") ?? ""
            return Response(status: .ok, contentType: "text/html; charset=utf-8", text: html)
        } catch {
            return serverError(error)
        }
    }

    /// One incident's row: times as the local clock (`14:03:12`, with the day, `10 Mar 14:03:12`, when
    /// `withDay`; the RFC 3339 instant in `datetime` and the tooltip), calls as a count (their ids in the
    /// tooltip and `callIds`).
    func incidentModel(_ r: IncidentRecord, returnTo: String, withDay: Bool = false) -> [String: Any] {
        let i = r.incident
        var m: [String: Any] = [
            "id": i.id, "worker": i.worker, "workerName": r.workerName, "kind": i.kind.rawValue,
            "kindLabel": i.kind == .misroute ? "Misroute" : "Wrong-call risk",
            "start": localTime(i.start, withDay: withDay),
            "open": i.end == nil, "calls": Formatting.plural(i.calls.count, "call"),
            "callIds": i.calls.joined(separator: ", "), "queue": i.queue, "via": i.via,
            "exposure": Self.duration(i.exposure), "token": formToken, "return": returnTo,
            "agentLink": "/report/agent/\(percentEncode(i.worker))?date=\(zone.day(at: i.start / 1_000_000))",
        ]
        if let end = i.end { m["end"] = localTime(end, withDay: withDay) }
        if let by = r.acknowledgedBy {
            m["acknowledged"] = true
            m["acknowledgedBy"] = by
            // With its date when not today (a list of another day is acknowledged later).
            if let at = r.acknowledgedAt {
                let onAnotherDay = zone.day(at: at / 1_000_000) != today
                m["acknowledgedAt"] = localTime(at, withDay: withDay || onAnotherDay)
            }
            m["note"] = r.note ?? ""
        }
        return m
    }

    static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// An instant (microseconds) on the report zone's clock: `text` (`14:03:12`, `14:03` without `seconds`, or
    /// `10 Mar 14:03:12` `withDay`) and `iso` (RFC 3339 with the zone's offset).
    func localTime(_ micros: Int64, withDay: Bool, seconds withSeconds: Bool = true) -> [String: String] {
        let seconds = micros >= 0 ? micros / 1_000_000 : (micros - 999_999) / 1_000_000
        let iso = zone.format(seconds)
        let clock = String(iso.dropFirst(11).prefix(withSeconds ? 8 : 5))
        guard withDay else { return ["text": clock, "iso": iso] }
        let day = zone.day(at: seconds)
        return ["text": "\(day.day) \(Self.monthNames[max(0, min(11, day.month - 1))]) \(clock)", "iso": iso]
    }

    /// The agents of `records`, each once, by name (then id): the choices of `/incidents`' agent filter.
    static func agents(of records: [IncidentRecord]) -> [(id: String, name: String)] {
        var names: [String: String] = [:]
        for r in records where names[r.incident.worker] == nil {
            names[r.incident.worker] = r.workerName.isEmpty ? r.incident.worker : r.workerName
        }
        return names.map { (id: $0.key, name: $0.value) }
            .sorted { $0.name != $1.name ? $0.name.localizedStandardCompare($1.name) == .orderedAscending : $0.id < $1.id }
    }

    /// `?worker=` as a person types it: an id, else a name or an id in any case, among `agents` (those with
    /// incidents); unchanged when none matches.
    static func worker(_ typed: String, among agents: [(id: String, name: String)]) -> String {
        if agents.contains(where: { $0.id == typed }) { return typed }
        return agents.first {
            $0.name.caseInsensitiveCompare(typed) == .orderedSame || $0.id.caseInsensitiveCompare(typed) == .orderedSame
        }?.id ?? typed
    }

    /// Rows of `/incidents` per page unless `?per=` says otherwise.
    static let incidentsPerPage = 100
    /// The most incidents `/incidents` lists over all its pages.
    static let incidentsLimit = 2000

    func incidentsPage(_ request: Request) -> Response {
        let p: Period
        let f: IncidentFilter
        do {
            p = try period(request)
            f = try incidentFilter(request)
        } catch {
            return badRequest(error.message, json: false)
        }
        do {
            // The agents offered are those with incidents of this period, kind and state: picked by name.
            let teams = Self.shownTeams(request)
            let unfiltered = try reports.database.incidents(p.micros, kind: f.kind, acknowledged: f.acknowledged,
                                                            teams: teams, limit: Self.incidentsLimit)
            let agents = Self.agents(of: unfiltered)
            var f = f
            f.worker = f.worker.map { Self.worker($0, among: agents) }
            let records = f.worker == nil ? unfiltered
                : try reports.database.incidents(p.micros, worker: f.worker, kind: f.kind, acknowledged: f.acknowledged,
                                                 teams: teams, limit: Self.incidentsLimit)
            var base = "/incidents?from=\(p.from)&to=\(p.to)"
            if let w = f.worker { base += "&worker=" + percentEncode(w) }
            if let k = f.kind { base += "&kind=" + k.rawValue }
            if let a = f.acknowledged { base += "&state=" + (a ? "acknowledged" : "unacknowledged") }
            // The strip of a page filtered to teams links here with its `team=`: kept by the form and the pager.
            let asked = WorkerQuery(parameters: request.query)
            if !asked.teams.isEmpty { base += "&" + asked.teamQueryString }
            let window = BoardWindow(request, defaultPer: Self.incidentsPerPage) ?? BoardWindow(page: 1, per: Self.incidentsPerPage)
            let rows = window.range(in: records.count)
            let here = base + "&" + window.queryString
            var model = baseModel()
            model["teams"] = asked.teams.sorted(by: Board.teamBefore).map(Formatting.clean)
            model["teamsText"] = asked.teams.isEmpty ? nil : asked.teams.sorted(by: Board.teamBefore).map(Formatting.clean).joined(separator: ", ")
            model["empty"] = try teamsNotice(asked, request) { "/incidents?from=\(p.from)&to=\(p.to)&" + $0.teamQueryString }
            model["from"] = p.from.description
            model["to"] = p.to.description
            model["worker"] = f.worker ?? ""
            var options = agents.map { ["value": $0.id, "label": $0.name, "selected": $0.id == f.worker] as [String: Any] }
            if let w = f.worker, !agents.contains(where: { $0.id == w }) {
                options.insert(["value": w, "label": w, "selected": true], at: 0)
            }
            model["agentOptions"] = options
            model["kinds"] = [("", "Any"), ("misroute", "Misroute"), ("wrong-call-risk", "Wrong-call risk")].map {
                ["value": $0.0, "label": $0.1, "selected": $0.0 == (f.kind?.rawValue ?? "")] as [String: Any]
            }
            let state = f.acknowledged.map { $0 ? "acknowledged" : "unacknowledged" } ?? "all"
            model["states"] = [("all", "All"), ("unacknowledged", "Not acknowledged"), ("acknowledged", "Acknowledged")].map {
                ["value": $0.0, "label": $0.1, "selected": $0.0 == state] as [String: Any]
            }
            let withDay = p.from != p.to
            model["oneDay"] = !withDay
            model["incidents"] = records[rows].map { incidentModel($0, returnTo: here, withDay: withDay) }
            let open = records[rows].filter { $0.acknowledgedBy == nil }.map(\.incident.id)
            if !open.isEmpty {
                model["bulk"] = ["ids": open.joined(separator: ","), "token": formToken, "return": here,
                                 "label": open.count == 1 ? "Acknowledge the 1 shown" : "Acknowledge all \(open.count) shown"]
            }
            model["hasIncidents"] = !records.isEmpty
            model["count"] = records.count == Self.incidentsLimit
                ? "The first \(records.count) incidents (narrow the dates to see the rest)"
                : Formatting.plural(records.count, "incident")
            if window.pages(for: records.count) > 1 || window.page > 1 {
                model["pager"] = Pager.model(count: records.count, window: window, label: "Pages of incidents") {
                    base + "&" + BoardWindow(page: $0, per: window.per).queryString
                }
            }
            // A window it could not follow (`per=-5`), said as the other pages say it.
            let notices = Self.windowNotices(request, defaultPer: Self.incidentsPerPage)
            model["invalidParameters"] = notices.map(\.message)
            model["hasInvalidParameters"] = !notices.isEmpty
            let html = renderer.library.render(model, withTemplate: "incidents") ?? ""
            return Response(contentType: "text/html; charset=utf-8", text: html)
        } catch {
            return serverError(error)
        }
    }
}

extension HTTPField.Name {
    static let contentDisposition = HTTPField.Name("Content-Disposition")!
    /// `Host` as libmicrohttpd passes it (HTTPTypes keeps the name for HTTP/1 requests' fields too).
    static let hostField = HTTPField.Name("Host")!
}
