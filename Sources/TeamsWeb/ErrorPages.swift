import Foundation
import HTTPTypes
import MicroHTTP

/// Refusals as pages: a plain-text 4xx answer (bad input, not allowed, not found) to a client that asks for
/// HTML (a browser's `Accept` names `text/html`) becomes a page in the site's style with a title, the
/// same reason and a link back. API clients (`curl`, scripts, `Accept: application/json`) keep the plain
/// text, and JSON answers stay JSON whoever asks.
struct ErrorPages: Sendable {
    let renderer: PageRenderer

    /// Whether `request` asks for HTML: its `Accept` names `text/html` (or `application/xhtml+xml`), and it is
    /// not for a machine's endpoint (`/api/`, `/ingest`, `/live`, `/metrics`), whatever it accepts.
    static func wantsHTML(_ request: Request) -> Bool {
        let path = request.path
        guard !path.hasPrefix("/api/"), path != "/ingest", path != "/live", path != "/metrics" else { return false }
        guard let accept = request.headerFields[.accept]?.lowercased() else { return false }
        return accept.contains("text/html") || accept.contains("application/xhtml+xml")
    }

    /// The heading of a refusal's page.
    static func heading(_ status: HTTPResponse.Status) -> String {
        switch status.code {
        case 400: "Bad request"
        case 403: "Not allowed"
        case 404: "Not found"
        case 413: "Too large"
        case 421: "Wrong server name"
        default: status.reasonPhrase
        }
    }

    /// Where the page's link goes back to: the list the request came from.
    static func back(_ path: String) -> (href: String, label: String) {
        if path.hasPrefix("/incidents") { return ("/incidents", "Back to the incidents") }
        if path.hasPrefix("/report") { return ("/report", "Back to the report") }
        return ("/", "Back to the Teams View")
    }

    /// `response` as a page when it is a plain-text refusal and the client asks for HTML; else unchanged.
    func page(_ response: Response, for request: Request) -> Response {
        guard (400..<500).contains(response.status.code), Self.wantsHTML(request),
              response.headerFields[.contentType]?.hasPrefix("text/plain") == true,
              case .bytes(let bytes) = response.body else { return response }
        let reason = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let back = Self.back(request.path)
        let settings = renderer.settings
        let model: [String: Any] = [
            "title": settings.title, "assetVersion": renderer.assetVersion, "colorScheme": "light dark",
            "signOutLink": settings.signOutLink, "reportLinks": settings.reportLinks,
            "status": String(response.status.code), "heading": Self.heading(response.status),
            "reason": reason.isEmpty ? Self.heading(response.status) : reason,
            "backHref": back.href, "backLabel": back.label,
        ]
        // No template, no page: the plain-text answer as it was (the reason is never sent unescaped as HTML).
        guard let html = renderer.library.render(model, withTemplate: "error") else { return response }
        var page = response
        page.headerFields[.contentType] = "text/html; charset=utf-8"
        for field in TeamsApp.securityFields { page.headerFields[fields: field.name] = [field] }
        page.headerFields[.cacheControl] = "no-store"
        page.body = .bytes(Array(html.utf8))
        return page
    }

    /// Every route of `router`, its refusals made pages for browsers.
    func wrap(_ router: Router) -> Router {
        router.wrapped { request, next in page(next(request), for: request) }
    }
}
