import HTTPTypes
import MicroHTTP
import TeamsIngest

/// `POST /ingest`: event producers push NDJSON lines, JSON (one event or an array), or a Twilio
/// webhook's form. Answers fast with what was accepted and rejected, line by line.
public struct IngestEndpoint: Sendable {
    public let session: SharedIngestSession
    /// Required as `Authorization: Bearer TOKEN` (or `?token=TOKEN` for webhooks that cannot send headers);
    /// without one, only loopback clients may post.
    public let token: String?
    public let maxBodyBytes: Int

    public init(session: SharedIngestSession, token: String?, maxBodyBytes: Int = 16 << 20) {
        self.session = session
        self.token = token.flatMap { $0.isEmpty ? nil : $0 }
        self.maxBodyBytes = maxBodyBytes
    }

    func handle(_ request: Request) -> Response {
        if let denied = authorize(request) { return denied }
        let contentType = request.headerFields[.contentType]?.split(separator: ";").first
            .map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? "application/x-ndjson"
        let result: SharedIngestSession.BodyResult
        switch contentType {
        case "application/x-ndjson", "application/ndjson", "text/plain", "application/json", "application/jsonl":
            result = session.ingest(body: request.body)
        case "application/x-www-form-urlencoded":
            guard let r = session.ingest(formBody: request.body) else {
                return answer(.unsupportedMediaType, error: "this server's decoder does not read forms")
            }
            result = r
        default:
            return answer(.unsupportedMediaType,
                          error: "send application/x-ndjson, text/plain, application/json or application/x-www-form-urlencoded")
        }
        var j = JSONWriter()
        j.beginObject()
        j.field("accepted", result.accepted)
        j.field("rejected", result.rejected)
        j.field("events", result.events)
        j.key("errors")
        j.beginArray()
        for e in result.errors {
            j.beginObject()
            j.field("index", e.index)
            j.field("reason", e.reason)
            j.endObject()
        }
        j.endArray()
        j.endObject()
        // Nothing readable at all (an empty body, or every line rejected) is the client's error.
        let status: HTTPResponse.Status = result.accepted == 0 ? .badRequest : .ok
        return jsonResponse(j.bytes, status: status)
    }

    func authorize(_ request: Request) -> Response? {
        guard let token else {
            return request.isFromLoopback ? nil
                : answer(.forbidden, error: "ingest over the network needs --ingest-token (or TEAMSVIEW_INGEST_TOKEN)")
        }
        // Twilio's status callbacks cannot carry a header: their URL may carry the token instead.
        if let given = request.queryValue("token") {
            return constantTimeEqual(given, token) ? nil : answer(.forbidden, error: "wrong token")
        }
        guard let header = request.headerFields[.authorization] else {
            var r = answer(.unauthorized, error: "missing bearer token")
            r.headerFields[.wwwAuthenticate] = "Bearer realm=\"teamsview ingest\""
            return r
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer", constantTimeEqual(String(parts[1]), token) else {
            return answer(.forbidden, error: "wrong bearer token")
        }
        return nil
    }

    func answer(_ status: HTTPResponse.Status, error: String) -> Response {
        var j = JSONWriter()
        j.beginObject()
        j.field("error", error)
        j.endObject()
        return jsonResponse(j.bytes, status: status)
    }

}

/// Compares without stopping at the first difference, so response time does not reveal the token.
func constantTimeEqual(_ a: String, _ b: String) -> Bool {
    let x = Array(a.utf8), y = Array(b.utf8)
    var diff = UInt8(x.count == y.count ? 0 : 1)
    for i in 0..<max(x.count, y.count) {
        diff |= (i < x.count ? x[i] : 0) ^ (i < y.count ? y[i] : 0)
    }
    return diff == 0
}
