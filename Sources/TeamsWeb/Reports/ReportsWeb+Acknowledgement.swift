import Foundation
import HTTPTypes
import JSONOutput
import MicroHTTP
import TeamsDomain
import TeamsIngest
import TeamsAccess
import TeamsReports

/// Acknowledging incidents from `/incidents`: one, or every one shown, by a form checked by origin and token.
extension ReportsWeb {
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
}
