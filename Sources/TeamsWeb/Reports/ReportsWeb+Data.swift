import Foundation
import HTTPTypes
import JSONOutput
import MicroHTTP
import TeamsDomain
import TeamsIngest
import TeamsAccess
import TeamsReports

/// `/api/report`, `/report.csv` and `/api/incidents`: the figures and incidents as JSON and CSV.
extension ReportsWeb {
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

    /// Report rows (agents, teams, queues) by name in natural order ("Team 2" before "Team 10", as the Teams View lists
    /// them), then by key.
    static func inNaturalOrder(_ rows: [ReportRow]) -> [ReportRow] { rows.sorted(by: precedes) }

    static func precedes(_ a: ReportRow, _ b: ReportRow) -> Bool {
        a.name != b.name ? NameOrder.precedes(a.name, b.name) : a.key < b.key
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
}
