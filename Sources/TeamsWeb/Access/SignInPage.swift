import Foundation
import HTTPTypes
import MicroHTTP
import Mustache
import TeamsAccess
import TeamsIngest

/// `GET /signin`, `POST /signin`, `GET /signout` and `POST /signout`: the supervisors' sign-in form, in the look of
/// the Teams View, posting its form token (and checked for `Origin`), with lock-out after repeated failures.
struct SignInPage: Sendable {
    let gate: AccessGate
    let library: MustacheLibrary
    let assetVersion: String
    let title: String
    /// A bcrypt hash checked when the user is unknown, at the cost the users' hashes have, so that the answer
    /// takes as long as for a known one.
    let decoy: String

    init(gate: AccessGate, library: MustacheLibrary, assetVersion: String, title: String) {
        self.gate = gate
        self.library = library
        self.assetVersion = assetVersion
        self.title = title
        decoy = PasswordHash.hash(SecretToken.random(), cost: gate.typicalCost)
    }

    func register(_ router: inout Router) {
        router.get("/signin") { [self] in form($0, message: nil, status: .ok) }
        router.post("/signin", bodyLimit: 8192) { [self] in signIn($0) }
        router.get("/signout") { [self] in signOutForm($0) }
        router.post("/signout", bodyLimit: 4096) { [self] in signOut($0) }
    }

    func form(_ request: Request, message: String?, status: HTTPResponse.Status, user: String = "") -> Response {
        let model: [String: Any] = [
            "title": title, "assetVersion": assetVersion, "serverNow": "0", "colorScheme": "light dark",
            "token": gate.formToken, "return": Self.safeReturn(request.queryValue("return") ?? ""),
            "message": message ?? "", "hasMessage": message != nil, "user": user, "signIn": true,
        ]
        return page(library.render(model, withTemplate: "signin") ?? "", status: status)
    }

    func signOutForm(_ request: Request) -> Response {
        let model: [String: Any] = [
            "title": title, "assetVersion": assetVersion, "serverNow": "0", "colorScheme": "light dark",
            "token": gate.formToken, "signOut": true, "user": request.asker.name,
        ]
        return page(library.render(model, withTemplate: "signin") ?? "", status: .ok)
    }

    func page(_ html: String, status: HTTPResponse.Status) -> Response {
        var r = Response(status: status, contentType: "text/html; charset=utf-8", text: html)
        r.headerFields[.cacheControl] = "no-store"
        r.headerFields[.contentSecurityPolicy] = TeamsApp.contentSecurityPolicy
        r.headerFields[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        r.headerFields[HTTPField.Name("X-Frame-Options")!] = "DENY"
        // `same-origin`: under `no-referrer` browsers post forms with `Origin: null`, and these forms are checked by Origin.
        r.headerFields[HTTPField.Name("Referrer-Policy")!] = "same-origin"
        return r
    }

    /// The form's fields, after the `Origin` and form-token checks; an answer instead when they fail.
    func checkedFields(_ request: Request) -> Result<[String: String], Failure> {
        guard gate.settings.origin.sameOrigin(request, requireOrigin: true) else {
            gate.counters.add("originRefused")
            return .failure(Failure(response: gate.plain(.forbidden, "sign-in is accepted only from this server's own page (Origin)\n")))
        }
        guard let fields = try? FormDecoding.parse(request.body) else {
            return .failure(Failure(response: gate.plain(.badRequest, "not a form\n")))
        }
        guard let token = fields["token"], SecretToken.equal(token, gate.formToken) else {
            return .failure(Failure(response: form(request, message: "The form had expired. Please try again.", status: .forbidden)))
        }
        return .success(fields)
    }

    struct Failure: Error {
        let response: Response
    }

    func signIn(_ request: Request) -> Response {
        let fields: [String: String]
        switch checkedFields(request) {
        case .success(let f): fields = f
        case .failure(let failure): return failure.response
        }
        let name = String((fields["user"] ?? "").trimmingCharacters(in: .whitespaces).prefix(100))
        let password = fields["password"] ?? ""
        let address = request.peerAddress?.description ?? "unknown"
        let now = AccessGate.now()
        var back = request
        back.query = [("return", fields["return"] ?? "")]
        if let lock = gate.throttle.lock(user: name, address: address, now: now) {
            gate.counters.add("signinLocked")
            gate.audit.record("signin.locked", user: name, address: address, detail: "locked by \(lock.rawValue)")
            return form(back, message: "Too many failed sign-ins. Try again in \(Int(gate.throttle.settings.lockout / 60)) minutes.",
                        status: .tooManyRequests, user: name)
        }
        let user = gate.user(named: name)
        let hash = user?.passwordHash ?? decoy
        let matches = PasswordHash.verify(password, hash: hash) && user?.passwordHash != nil
        guard matches, let user else {
            gate.counters.add("signinFailed")
            let started = gate.throttle.failed(user: name, address: address, now: now)
            gate.audit.record("signin.failed", user: name, address: address,
                              detail: started.map { "lock-out started (\($0.rawValue))" })
            return form(back, message: "Wrong name or password.", status: .unauthorized, user: name)
        }
        gate.throttle.succeeded(user: name)
        gate.counters.add("signinOk")
        let id = gate.sessions.open(user: user.name, teams: user.teams, now: now)
        gate.audit.record("signin.ok", user: user.name, address: address, detail: "teams " + user.teams.text)
        var response = gate.redirect(Self.safeReturn(fields["return"] ?? ""))
        let cookie = SetCookie(name: AccessGate.sessionCookie, value: id, maxAge: Int(gate.settings.sessionLifetime),
                               secure: gate.settings.secureCookies)
        response.headerFields[.setCookie] = cookie.headerValue
        return response
    }

    func signOut(_ request: Request) -> Response {
        switch checkedFields(request) {
        case .success: break
        case .failure(let failure): return failure.response
        }
        if let id = request.cookie(AccessGate.sessionCookie), let session = gate.sessions.close(id) {
            gate.audit.record("signout", user: session.user, address: request.peerAddress?.description)
        }
        var response = gate.redirect("/signin")
        var cookie = SetCookie(name: AccessGate.sessionCookie, value: "", maxAge: 0, secure: gate.settings.secureCookies)
        cookie.httpOnly = true
        response.headerFields[.setCookie] = cookie.headerValue
        return response
    }

    /// A path of this server to return to after sign-in; `/` for anything else (open redirects).
    static func safeReturn(_ text: String) -> String {
        guard text.hasPrefix("/"), !text.hasPrefix("//"), !text.contains("\\"), !text.hasPrefix("/signin"),
              text.utf8.allSatisfy({ $0 >= 0x21 && $0 < 0x7F }) else { return "/" }
        return text
    }
}
