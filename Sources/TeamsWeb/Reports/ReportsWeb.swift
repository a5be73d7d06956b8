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
        sample("teamsview_reports_backlog_events", "gauge",
               "Events not yet counted in report figures: queued, or taken by the writer and being worked through (0: caught up).",
               String(s.backlog))
        sample("teamsview_reports_queue_waits_total", "counter",
               "Ingest batches that waited for the reports' writer to take its full list (back-pressure; nothing is dropped).",
               String(s.waits))
        sample("teamsview_reports_queue_wait_seconds_total", "counter",
               "Seconds ingest waited for the reports' writer, all batches together.", String(s.waitSeconds))
        sample("teamsview_reports_heap_trims_total", "counter",
               "Times freed heap was handed back to the system after the reports' writer caught up with a burst.", String(s.trims))
        sample("teamsview_reports_restoring", "gauge",
               "1 while the reports' writer restores what the database held at start (figures of the last hour are being rewritten).",
               restoreState == "restoring" ? "1" : "0")
        sample("teamsview_reports_dropped_events_total", "counter",
               "Events not counted because the reports database could not be restored at start.", String(s.dropped))
        sample("teamsview_reports_sqlite_memory_bytes", "gauge",
               "Bytes SQLite has allocated (page caches of every connection, statements).", String(ReportDatabase.sqliteMemoryBytes))
        return out
    }

    public func register(_ router: inout Router) {
        router.get("/report") { [self] in secure(reportPage($0)) }
        // The plural a newcomer types: sent on to the report, with its query.
        router.get("/reports") { request in
            var fields = HTTPFields()
            let query = request.target.split(separator: "?", maxSplits: 1).dropFirst().first.map { "?" + $0 } ?? ""
            fields[.location] = "/report" + query
            return Response(status: .movedPermanently, headerFields: fields)
        }
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
        guard to.ordinal - from.ordinal < Self.maxDays else { throw BadRequest(message: "from \(from) to \(to) spans \(to.ordinal - from.ordinal + 1) days: a report covers at most \(Self.maxDays)") }
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


    /// What a report page filtered to teams (`asked`) says of those no agent ever seen is in, with the team spelt so
    /// among those the asker may see ("Did you mean “Sales”?", linked by `link`); nil when it has nothing to say.
    func teamsNotice(_ asked: WorkerQuery, _ request: Request, link: (WorkerQuery) -> String) throws -> [String: Any]? {
        guard !asked.teams.isEmpty else { return nil }
        let scope = request.asker.teams
        let known = try reports.database.teams().filter { scope == .all || scope.allows($0) }.sorted(by: Board.teamBefore)
        return EmptyBoard.reportNotice(query: asked, known: known, link: link)
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

    // MARK: Pages

    func baseModel() -> [String: Any] {
        let now = clock.now()
        var model: [String: Any] = ["title": renderer.settings.title, "serverNow": String(now.milliseconds),
                                    "assetVersion": renderer.assetVersion, "colorScheme": "light dark",
                                    "timeZone": zone.identifier, "signOutLink": renderer.settings.signOutLink, "reportLinks": true]
        model["reportsNotice"] = restoreNotice
        return model
    }

    /// The reports pages' banner while the writer restores what the database held at start (figures of the last
    /// hour are rewritten then), or when it could not: `text` and `failed`.
    var restoreNotice: [String: Any]? {
        switch reports.restore {
        case .restored: return nil
        case .restoring:
            return ["text": "Restoring the reports after a restart: the last hour's figures, timelines and incidents "
                        + "are complete within seconds. Reload to see them.", "failed": false]
        case .failed:
            return ["text": "The reports database could not be read at start (the server's log says why): nothing is "
                        + "counted until the server restarts. The floor is unaffected.", "failed": true]
        }
    }

    /// `Restore` as `/metrics` and `/status` name it: `restoring`, `restored` or `failed`.
    var restoreState: String {
        switch reports.restore {
        case .restoring: "restoring"
        case .restored: "restored"
        case .failed: "failed"
        }
    }

    /// A report's time, always `h:mm:ss` (`0:04:07`) as the table says, so a column's figures line up.
    static func duration(_ micros: Int64) -> String {
        let text = Formatting.duration(Double(micros) / 1_000_000)
        return text.count(where: { $0 == ":" }) == 1 ? "0:" + (text.count == 4 ? "0" : "") + text : text
    }

    /// The `page=` and `per=` values of `request` that a table of `defaultPer` rows a page cannot follow.
    static func windowNotices(_ request: Request, defaultPer: Int) -> [WorkerQuery.InvalidFilter] {
        ["page", "per"].compactMap { name in
            request.queryValue(name).flatMap { WorkerQuery.windowParameter(name, $0, defaultPer: defaultPer) }
        }
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
}

extension HTTPField.Name {
    static let contentDisposition = HTTPField.Name("Content-Disposition")!
    /// `Host` as libmicrohttpd passes it (HTTPTypes keeps the name for HTTP/1 requests' fields too).
    static let hostField = HTTPField.Name("Host")!
}
