import Foundation
import HTTPTypes
import JSONOutput
import MicroHTTP
import TeamsDomain
import TeamsIngest
import TeamsAccess
import TeamsReports

/// `/report/agent/{id}`: one agent's day — figures, timeline and incidents.
extension ReportsWeb {
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
                return ["id": CallIdParts.model(call.ref), "queue": call.queue, "start": localTime(call.start, withDay: false, seconds: false),
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
}
