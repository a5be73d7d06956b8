import Foundation
import HTTPTypes
import Logging
import MicroHTTP
import Synchronization
import TeamsAccess

/// The middleware in front of every route: checks `Host` (DNS rebinding) and the `Origin` of state-changing
/// requests (cross-site forgery), finds who is asking (session cookie, kiosk cookie, API bearer token, or the
/// trusted reverse proxy's header), refuses what they may not do, and narrows the team filter of what they may
/// (a scoped supervisor's view is the same view as a `?team=` filter, so supervisors of the same teams share
/// boards).
///
/// Without ``AccessSettings/authRequired`` everyone is ``Principal/open``: only the `Host` and `Origin` rules apply.
public final class AccessGate: Sendable {
    public let settings: AccessSettings
    public let sessions: SessionStore
    public let throttle: SignInThrottle
    public let tokens: AccessTokenRegistry
    public let audit: AuditLog
    let users: Mutex<UserDirectory?>
    let logger: Logger
    /// Random per process; carried by the sign-in and sign-out forms (with the `Origin` check).
    let formToken = SecretToken.random(bytes: 16)
    let counters = Counters()

    public static let sessionCookie = "tv_session"
    public static let kioskCookie = "tv_kiosk"
    /// Kiosk cookies are kept as long as browsers allow (400 days); the server forgets them when their token is revoked.
    static let kioskCookieSeconds = 400 * 86_400

    /// Counted refusals and sign-in outcomes, for `/metrics`.
    public final class Counters: Sendable {
        let values = Mutex<[String: Int]>([:])
        func add(_ key: String) { values.withLock { $0[key, default: 0] += 1 } }
        public var snapshot: [String: Int] { values.withLock { $0 } }
    }

    public init(settings: AccessSettings, logger: Logger = Logger(label: "teamsview.access")) {
        self.settings = settings
        self.logger = logger
        users = Mutex(settings.users)
        sessions = SessionStore(lifetime: settings.sessionLifetime)
        throttle = SignInThrottle(settings: settings.throttle)
        tokens = AccessTokenRegistry(path: settings.tokensPath) { why in
            Logger(label: "teamsview.access").error("access tokens: \(why)")
        }
        audit = AuditLog(path: settings.auditPath)
    }

    /// Figures for `/metrics`: sign-ins by outcome, lock-outs, refusals.
    public var statistics: [String: Int] {
        var all = counters.snapshot
        let locks = throttle.lockoutsStarted
        all["lockoutUser"] = locks.user
        all["lockoutAddress"] = locks.address
        return all
    }

    /// Rereads the users file and the tokens file (SIGHUP). A users file that no longer reads keeps the old users.
    public func reload() {
        tokens.reload()
        guard let path = settings.usersPath else { return }
        do {
            let directory = try UserDirectory.load(path: path)
            users.withLock { $0 = directory }
            logger.info("reloaded \(directory.users.count) users from \(path)")
        } catch {
            logger.error("users file not reloaded: \(error)")
        }
    }

    func user(named name: String) -> User? { users.withLock { $0?.user(named: name) } }

    /// The bcrypt cost of the users' hashes (`$2b$NN$...`, the first found), else the default.
    var typicalCost: UInt8 {
        users.withLock { directory in
            for user in directory?.users.values ?? [:].values {
                let parts = user.passwordHash?.split(separator: "$") ?? []
                if parts.count >= 2, let cost = UInt8(parts[1]) { return cost }
            }
            return PasswordHash.defaultCost
        }
    }

    /// Paths anyone may reach: health, assets, the sign-in page, and `/ingest` (it has its own tokens).
    static func isOpen(_ path: String) -> Bool {
        path == "/healthz" || path == "/readyz" || path == "/signin" || path == "/favicon.ico" || path == "/ingest"
            || path.hasPrefix("/static/")
    }

    /// What a kiosk token may read.
    static func kioskMay(_ path: String) -> Bool {
        path == "/kiosk" || path == "/live" || path == "/api/incidents" || path == "/api/summary"
    }

    /// The middleware (see ``MicroHTTP/Router/wrapped(_:)``).
    public func handle(_ original: Request, _ next: Handler) -> Response {
        var request = original
        guard settings.origin.hostAllowed(request) else {
            counters.add("hostRefused")
            return plain(.misdirectedRequest, "this server does not answer to that Host name\n")
        }
        if request.method == .post, request.path != "/ingest",
           !settings.origin.sameOrigin(request, requireOrigin: false) {
            counters.add("originRefused")
            return plain(.forbidden, "a state-changing request must come from this server's own pages (Origin)\n")
        }
        guard settings.authRequired else {
            request.principal = Principal.open
            return next(request)
        }
        let now = Self.now()
        let principal = identify(request, now: now)
        if Self.isOpen(request.path) {
            request.principal = principal
            return next(request)
        }
        if request.path == "/metrics" && request.isFromLoopback && !settings.origin.behindProxy {
            return next(request)
        }
        if request.path == "/kiosk", !request.queryValues("token").isEmpty {
            return kioskSignIn(request, now: now)
        }
        guard let principal else { return unauthenticated(request) }
        guard permits(principal, request) else {
            counters.add("forbidden")
            return plain(.forbidden, "\(principal.name) may not \(request.method.rawValue) \(request.path)\n")
        }
        var asker = principal
        if let names = principal.teams.names {
            asker.teamsOutOfScope = Self.outOfScope(request.query, scope: names)
            request.query = Self.narrow(request.query, to: names)
        }
        request.principal = asker
        return next(request)
    }

    /// Session cookie, then the proxy's header, then a kiosk cookie, then a bearer token.
    func identify(_ request: Request, now: Double) -> Principal? {
        if let id = request.cookie(Self.sessionCookie), let s = sessions.session(id, now: now) {
            return Principal(kind: .user(name: s.user, viaProxy: false), teams: s.teams, sessionID: id)
        }
        if let header = settings.proxyHeader, let peer = request.peerAddress,
           settings.trustedProxies.contains(where: { $0.contains(peer) }),
           let name = request.headerFields[HTTPField.Name(header)!]?.trimmingCharacters(in: .whitespaces), !name.isEmpty {
            if let user = user(named: name) {
                return Principal(kind: .user(name: name, viaProxy: true), teams: user.teams)
            }
            // With no users file, the proxy's users see every team; with one, only the users it lists sign in.
            if users.withLock({ $0 == nil }) { return Principal(kind: .user(name: name, viaProxy: true), teams: .all) }
            return nil
        }
        if let secret = request.cookie(Self.kioskCookie), let token = tokens.token(secret: secret, now: now), token.kind == .kiosk {
            return Principal(kind: .kiosk(tokenID: token.id), teams: token.teams)
        }
        if let header = request.headerFields[.authorization] {
            let parts = header.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "bearer",
               let token = tokens.token(secret: String(parts[1]).trimmingCharacters(in: .whitespaces), now: now),
               token.kind == .api {
                return Principal(kind: .api(tokenID: token.id), teams: token.teams)
            }
        }
        return nil
    }

    /// What each kind of principal may do.
    func permits(_ principal: Principal, _ request: Request) -> Bool {
        let reading = request.method == .get || request.method == .head
        let path = request.path
        switch principal.kind {
        case .open:
            return true
        case .user:
            // Operator pages and figures cover the whole floor.
            if path == "/status" || path == "/metrics" || path == "/api/status" { return principal.teams == .all }
            return true
        case .kiosk:
            return reading && Self.kioskMay(path)
        case .api:
            return reading && (path.hasPrefix("/api/") || path == "/metrics") && (path != "/metrics" || principal.teams == .all)
                && (path != "/api/status" || principal.teams == .all)
        }
    }

    /// Replaces the `team` parameters with those of `scope` asked for, or all of `scope` when none of it was.
    static func narrow(_ query: [(name: String, value: String)], to scope: [String]) -> [(name: String, value: String)] {
        let asked = Set(query.filter { $0.name == "team" }.map(\.value)).intersection(scope)
        let teams = asked.isEmpty ? scope : asked.sorted()
        return query.filter { $0.name != "team" } + teams.map { (name: "team", value: $0) }
    }

    /// The `team` parameters naming a team outside `scope`, each once, in the order given.
    static func outOfScope(_ query: [(name: String, value: String)], scope: [String]) -> [String] {
        var outside: [String] = []
        for (name, value) in query where name == "team" && !scope.contains(value) && !outside.contains(value) {
            outside.append(value)
        }
        return outside
    }

    /// No credential: pages go to the sign-in page; the API, the stream and figures answer 401.
    func unauthenticated(_ request: Request) -> Response {
        counters.add("unauthenticated")
        let api = request.path.hasPrefix("/api/") || request.path == "/live" || request.path == "/metrics"
            || request.path.hasSuffix(".csv")
        if api || (request.method != .get && request.method != .head) {
            var r = plain(.unauthorized, "sign in, or send Authorization: Bearer with an API token\n")
            r.headerFields[.wwwAuthenticate] = "Bearer realm=\"teamsview\""
            return r
        }
        return redirect("/signin?return=" + percentEncode(request.target))
    }

    /// `/kiosk?token=`: a valid kiosk token becomes a cookie, and the browser is sent to the same URL without it.
    func kioskSignIn(_ request: Request, now: Double) -> Response {
        let tokens = request.queryValues("token")
        guard tokens.count == 1, let token = self.tokens.token(secret: tokens[0], now: now), token.kind == .kiosk else {
            counters.add("kioskRefused")
            audit.record("kiosk.refused", user: nil, address: request.peerAddress?.description)
            return plain(.unauthorized, "this kiosk token is unknown or revoked\n")
        }
        audit.record("kiosk.signin", user: "kiosk token " + token.id, address: request.peerAddress?.description)
        var response = redirectWithoutToken(request)
        let cookie = SetCookie(name: Self.kioskCookie, value: tokens[0], maxAge: Self.kioskCookieSeconds,
                               secure: settings.secureCookies)
        response.headerFields[.setCookie] = cookie.headerValue
        return response
    }

    func redirectWithoutToken(_ request: Request) -> Response {
        let kept = request.target.split(separator: "?", maxSplits: 1).dropFirst().first.map {
            $0.split(separator: "&").filter { !$0.hasPrefix("token=") && $0 != "token" }.joined(separator: "&")
        } ?? ""
        return redirect(request.path + (kept.isEmpty ? "" : "?" + kept))
    }

    func redirect(_ location: String) -> Response {
        var fields = HTTPFields()
        fields[.location] = location
        fields[.cacheControl] = "no-store"
        return Response(status: .seeOther, headerFields: fields)
    }

    func plain(_ status: HTTPResponse.Status, _ text: String) -> Response {
        var r = Response(status: status, contentType: "text/plain; charset=utf-8", text: text)
        r.headerFields[.cacheControl] = "no-store"
        return r
    }

    static func now() -> Double { Date().timeIntervalSince1970 }
}

extension HTTPResponse.Status {
    /// 421: the request was directed at a server that is not able to produce a response (RFC 9110 §15.5.20).
    static let misdirectedRequest = HTTPResponse.Status(code: 421, reasonPhrase: "Misdirected Request")
}
