import Foundation
import HTTPTypes
import JSONOutput
import MicroHTTP
import TeamsDomain
import TeamsIngest
import TeamsAccess
import TeamsReports

/// `/incidents` and the incidents strip of the Teams View and kiosk: today's incidents, filtered and paged.
extension ReportsWeb {
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

    /// The incidents strip's first content (`incident-strip.mustache`), so it shows at once and without
    /// script: the first `first` of today's unacknowledged incidents the request's asker sees (of its `team=`
    /// when given), newest first, as the items and as the JSON the strip's script polls for, and how many
    /// there are. Nil when the database cannot be read (the script's poll puts it right).
    ///
    /// `clearedFor` (seconds; the kiosk's, which nobody acknowledges at): only the incidents still going on and
    /// those that ended less than that long ago (after those going on), so the strip ages by itself instead of growing
    /// all day.
    func incidentStrip(for request: Request, first: Int, clearedFor: Int64? = nil) -> [String: Any]? {
        let day = today
        let period = Period(from: day, to: day, range: zone.range(from: day, to: day))
        let teams = Self.shownTeams(request)
        var records: [IncidentRecord]
        var total: Int
        if let clearedFor {
            let since = clock.now().microseconds - clearedFor * 1_000_000
            guard let all = try? reports.database.incidents(period.micros, acknowledged: false, teams: teams) else { return nil }
            // Those going on first (newest first, as the others), the cleared ones after them.
            let shown = all.filter { $0.incident.end == nil } + all.filter { r in r.incident.end.map { $0 >= since } ?? false }
            records = Array(shown.prefix(first))
            total = shown.count
        } else {
            guard let some = try? reports.database.incidents(period.micros, acknowledged: false, teams: teams, limit: first),
                  let count = some.count < first ? some.count
                    : try? reports.database.incidentCount(period.micros, acknowledged: false, teams: teams) else { return nil }
            records = some
            total = count
        }
        var model: [String: Any] = [
            "incidentsJSON": String(decoding: ReportJSON.incidents(records, zone: zone), as: UTF8.self),
            "incidentsTotal": total,
            // The head's words after the count: what the strip holds (a phone leaves them out).
            "stripLong": clearedFor.map { " going on or cleared in the last \(Self.minutes($0))" } ?? " to acknowledge",
        ]
        if let clearedFor { model["clearedFor"] = String(clearedFor) }
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

    /// `300` → `5 min` (whole minutes; seconds under a minute).
    static func minutes(_ seconds: Int64) -> String {
        seconds >= 60 && seconds % 60 == 0 ? "\(seconds / 60) min" : "\(seconds) s"
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
