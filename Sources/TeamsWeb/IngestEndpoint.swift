import HTTPTypes
import JSONOutput
import MicroHTTP
import Synchronization
import TeamsAccess
import TeamsIngest

/// `POST /ingest`: event producers push NDJSON lines, JSON (one event or an array), or a Twilio
/// webhook's form. Answers fast with what was accepted and rejected, line by line: 200 when a line was accepted
/// (the rejected ones, if any, counted in the `Teamsview-Rejected` header too, for a producer that reads only the
/// head), 422 when every line was rejected, 400 when the body held no event line at all.
///
/// Two credentials: the producer token may send anything; the client token (held by agents' browsers running
/// the companion Flex plugin) may send only the lines ``NativeLinePermit`` lets through. Browsers on the
/// origins of ``crossOrigin`` may call it (CORS, with preflight); a browser request from any other origin is
/// refused with 403 and counted.
public struct IngestEndpoint: Sendable {
    public let session: SharedIngestSession
    /// Required as `Authorization: Bearer TOKEN` (or `?token=TOKEN` for webhooks that cannot send headers);
    /// without one, only loopback clients may post.
    public let token: String?
    /// The restricted token of the browser plugin (same two ways of sending it); nil when there is none.
    public let clientToken: String?
    public let maxBodyBytes: Int
    /// Which browser origins may post (an empty allow-list refuses every request that carries `Origin`).
    public let crossOrigin: CrossOriginPolicy
    /// Until it is ready (the floor restored from the data directory), posts are answered 503.
    public let restore: RestoreProgress?
    /// The server's names: a loopback client earns its exemption only with no proxy configured and a loopback `Host`.
    /// Nil: any loopback client (tests).
    public var origin: OriginRules?
    /// `--twilio-auth-token-file`: form posts must carry a valid `X-Twilio-Signature`.
    public var twilioSignature: WebhookSignature?
    /// Served over TLS (the scheme of the URL Twilio signed, without `--public-url`).
    public var tls = false
    let counters = Counters()

    /// Requests refused by the cross-origin policy, by kind; shared by every copy of the endpoint.
    public final class Counters: Sendable {
        let refused = Atomic<Int>(0)
        let preflights = Atomic<Int>(0)
        let notReady = Atomic<Int>(0)
        let notWritten = Atomic<Int>(0)
        /// Posts answered 503 while the floor was being restored.
        public var refusedNotReady: Int { notReady.load(ordering: .relaxed) }
        /// Posts answered 503 because the write-ahead log could not be written.
        public var refusedNotWritten: Int { notWritten.load(ordering: .relaxed) }
        let badSignatures = Atomic<Int>(0)
        let unreadable = Atomic<Int>(0)
        let allRejected = Atomic<Int>(0)
        let unsupportedType = Atomic<Int>(0)
        /// Posts refused whole, for `/metrics`' `teamsview_ingest_refused_posts_total`: `unreadable` (400: the body
        /// held no event line), `allRejected` (422: every line was rejected), `unsupportedType` (415: a content type
        /// the endpoint does not read).
        public var refusedPosts: [String: Int] {
            ["postsUnreadable": unreadable.load(ordering: .relaxed), "postsAllRejected": allRejected.load(ordering: .relaxed),
             "postsUnsupportedType": unsupportedType.load(ordering: .relaxed)]
        }
        /// Refusals for `/metrics`' `teamsview_access_refused_total`.
        public var access: [String: Int] { ["signatureRefused": badSignatures.load(ordering: .relaxed)] }
        /// Browser requests (preflights included) from origins not on the allow-list.
        public var crossOriginRefused: Int { refused.load(ordering: .relaxed) }
        /// Preflights answered for allowed origins.
        public var preflightsAnswered: Int { preflights.load(ordering: .relaxed) }
    }

    /// What a request may do, from its credential.
    enum Access: Equatable {
        case producer
        case client
    }

    public init(session: SharedIngestSession, token: String?, clientToken: String? = nil, maxBodyBytes: Int = 16 << 20,
                corsOrigins: [String] = [], restore: RestoreProgress? = nil) {
        self.restore = restore
        self.session = session
        self.token = token.flatMap { $0.isEmpty ? nil : $0 }
        self.clientToken = clientToken.flatMap { $0.isEmpty ? nil : $0 }
        self.maxBodyBytes = maxBodyBytes
        self.crossOrigin = CrossOriginPolicy(allowedOrigins: corsOrigins, allowedMethods: [.post, .options],
                                             allowedHeaders: ["Authorization", "Content-Type"])
    }

    /// Figures for `/metrics` and `/api/status`.
    public var statistics: Counters { counters }

    func handle(_ request: Request) -> Response {
        switch crossOrigin.decide(request) {
        case .noOrigin:
            return ingest(request)
        case .refused(_, let reason):
            counters.refused.add(1, ordering: .relaxed)
            return answer(.forbidden, error: reason)
        case .allowed(let origin):
            var response = ingest(request)
            crossOrigin.decorate(&response, origin: origin)
            // A page's script may read the count of rejected lines from the head, as any other client.
            response.headerFields[.accessControlExposeHeaders] = HTTPField.Name.teamsviewRejected.rawName
            return response
        }
    }

    /// `OPTIONS /ingest`: the CORS preflight.
    func preflight(_ request: Request) -> Response {
        switch crossOrigin.decide(request) {
        case .noOrigin:
            var r = Response(status: .noContent)
            r.headerFields[.allow] = "POST, OPTIONS"
            return r
        case .refused(_, let reason):
            counters.refused.add(1, ordering: .relaxed)
            return answer(.forbidden, error: reason)
        case .allowed(let origin):
            counters.preflights.add(1, ordering: .relaxed)
            return crossOrigin.preflightAnswer(request, origin: origin)
        }
    }

    /// Whether the first byte after blanks (and a UTF-8 byte order mark) is `{`.
    static func opensWithBrace(_ body: [UInt8]) -> Bool {
        var i = body.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        while i < body.count, body[i] == 0x20 || body[i] == 0x0A || body[i] == 0x0D || body[i] == 0x09 { i += 1 }
        return i < body.count && body[i] == UInt8(ascii: "{")
    }

    func ingest(_ request: Request) -> Response {
        let access: Access
        switch authorize(request) {
        case .success(let a): access = a
        case .failure(let denied): return denied.response
        }
        let restricted = access == .client
        if let restore, !restore.isReady {
            counters.notReady.add(1, ordering: .relaxed)
            var r = answer(.serviceUnavailable, error: "restoring the floor from the data directory; send again shortly")
            r.headerFields[.retryAfter] = "1"
            return r
        }
        var contentType = request.headerFields[.contentType]?.split(separator: ";").first
            .map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? "application/x-ndjson"
        // `curl -d` and Python's urllib label any body a form: one that opens with `{` is NDJSON (a form
        // starts with a field name, and Twilio's callbacks with `AccountSid=`...).
        if contentType == "application/x-www-form-urlencoded", Self.opensWithBrace(request.body) {
            contentType = "application/x-ndjson"
        }
        let result: SharedIngestSession.BodyResult
        switch contentType {
        case "application/x-ndjson", "application/ndjson", "text/plain", "application/json", "application/jsonl":
            result = session.ingest(body: request.body, restricted: restricted)
        case "application/x-www-form-urlencoded":
            if let refused = checkSignature(request) { return refused }
            guard let r = session.ingest(formBody: request.body, restricted: restricted) else {
                counters.unsupportedType.add(1, ordering: .relaxed)
                return answer(.unsupportedMediaType, error: "this server's decoder does not read forms")
            }
            result = r
        default:
            counters.unsupportedType.add(1, ordering: .relaxed)
            return answer(.unsupportedMediaType,
                          error: "send application/x-ndjson, text/plain, application/json or application/x-www-form-urlencoded")
        }
        if let why = result.notWritten {
            counters.notWritten.add(1, ordering: .relaxed)
            var r = answer(.serviceUnavailable, error: "cannot keep the events on disk (\(why)); nothing is lost by sending them again")
            r.headerFields[.retryAfter] = "5"
            return r
        }
        let status = Self.status(of: result)
        if status == .badRequest { counters.unreadable.add(1, ordering: .relaxed) }
        if status == .unprocessableContent { counters.allRejected.add(1, ordering: .relaxed) }
        var response = jsonResponse(Self.answer(result), status: status)
        response.headerFields[.teamsviewRejected] = String(result.rejected)
        return response
    }

    /// 200 when a line was accepted, whatever else was rejected (a batch is taken line by line); 422 when the body
    /// held lines and every one was rejected; 400 when it held no event line at all (empty, or blank lines only).
    static func status(of result: SharedIngestSession.BodyResult) -> HTTPResponse.Status {
        if result.accepted > 0 { return .ok }
        return result.rejected > 0 ? .unprocessableContent : .badRequest
    }

    /// `{"accepted","rejected","events","errors":[{"index","line","reason"}]}` (`index` from 0; `line` from 1, the
    /// number the server's log and `/api/status` give the same line, after `request N`), with `"errorsNotListed": N` when more
    /// lines were rejected than `errors` lists, and `"error"` when the body held no event line at all.
    static func answer(_ result: SharedIngestSession.BodyResult) -> [UInt8] {
        var j = JSONWriter()
        j.beginObject()
        if result.accepted == 0 && result.rejected == 0 {
            j.field("error", result.skipped == 0 ? "empty body: no event lines" : "no event lines: the body holds only blank lines")
        }
        j.field("accepted", result.accepted)
        j.field("rejected", result.rejected)
        j.field("events", result.events)
        j.key("errors")
        j.beginArray()
        for e in result.errors {
            j.beginObject()
            j.field("index", e.index)
            j.field("line", e.index + 1)
            j.field("reason", e.reason)
            j.endObject()
        }
        j.endArray()
        if result.rejected > result.errors.count {
            // The list stops at the session's limit; the count says how many it left out.
            j.field("errorsNotListed", result.rejected - result.errors.count)
        }
        j.endObject()
        return j.bytes
    }

    struct Denied: Error {
        let response: Response
    }

    /// The credential's access, or the answer refusing it. A matching token wins over the loopback rule.
    func authorize(_ request: Request) -> Result<Access, Denied> {
        // Which of several tokens a proxy or a log would take as "the" one is anyone's guess.
        let tokens = request.queryValues("token")
        if tokens.count > 1 {
            return .failure(Denied(response: answer(.badRequest, error: "token given \(tokens.count) times; give it once")))
        }
        let given: String?
        if let query = tokens.first {
            // Twilio's status callbacks cannot carry a header: their URL may carry the token instead.
            given = query
        } else if let header = request.headerFields[.authorization] {
            let parts = header.split(separator: " ", maxSplits: 1)
            // A header of another scheme matches no token.
            given = parts.count == 2 && parts[0].lowercased() == "bearer" ? String(parts[1]) : ""
        } else {
            given = nil
        }
        if let given {
            if let token, SecretToken.equal(given, token) { return .success(.producer) }
            if let clientToken, SecretToken.equal(given, clientToken) { return .success(.client) }
        }
        guard token != nil else {
            if request.isFromLoopback && loopbackExempt(request) { return .success(.producer) }
            return .failure(Denied(response: answer(
                .forbidden, error: "ingest over the network needs --ingest-token-file (or TEAMSVIEW_INGEST_TOKEN)")))
        }
        guard given != nil else {
            var r = answer(.unauthorized, error: "missing bearer token")
            r.headerFields[.wwwAuthenticate] = "Bearer realm=\"teamsview ingest\""
            return .failure(Denied(response: r))
        }
        return .failure(Denied(response: answer(
            .forbidden, error: request.queryValue("token") != nil ? "wrong token" : "wrong bearer token")))
    }

    /// A loopback peer may post without a token only when it cannot be a reverse proxy relaying others, and it
    /// named the server by a loopback name (not a rebinding attacker's domain).
    func loopbackExempt(_ request: Request) -> Bool {
        guard let origin else { return true }
        return !origin.behindProxy && origin.hostIsLoopback(request)
    }

    /// With `--twilio-auth-token-file`, a form without a valid `X-Twilio-Signature` gets 403 (counted).
    func checkSignature(_ request: Request) -> Response? {
        guard let twilioSignature else { return nil }
        let given = request.headerFields[HTTPField.Name("X-Twilio-Signature")!] ?? ""
        let fields = (try? FormDecoding.parse(request.body)) ?? [:]
        let url = (origin ?? OriginRules()).requestURL(request, tls: tls)
        if !given.isEmpty, twilioSignature.isValid(given, url: url, parameters: fields.map { (name: $0.key, value: $0.value) }) {
            return nil
        }
        counters.badSignatures.add(1, ordering: .relaxed)
        return answer(.forbidden, error: given.isEmpty ? "missing X-Twilio-Signature" : "X-Twilio-Signature does not match")
    }

    /// The 413 answer to a body past `maxBodyBytes`, JSON as every other refusal of a post.
    var tooLarge: Response {
        answer(.contentTooLarge, error: "body larger than \(maxBodyBytes) bytes (--max-body-bytes); send it in smaller batches")
    }

    func answer(_ status: HTTPResponse.Status, error: String) -> Response {
        var j = JSONWriter()
        j.beginObject()
        j.field("error", error)
        j.endObject()
        return jsonResponse(j.bytes, status: status)
    }

}

extension HTTPField.Name {
    /// How many lines of a `POST /ingest` body were rejected (`0` when none), on every answer that read the body.
    static let teamsviewRejected = HTTPField.Name("Teamsview-Rejected")!
}
