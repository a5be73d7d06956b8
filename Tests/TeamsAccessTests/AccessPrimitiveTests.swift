import Foundation
import Testing
@testable import TeamsAccess

@Suite("Access primitives")
struct AccessPrimitiveTests {
    @Test("bcrypt hashes verify the right password only, and salts differ")
    func passwords() {
        let a = PasswordHash.hash("correct horse", cost: 4), b = PasswordHash.hash("correct horse", cost: 4)
        #expect(a.hasPrefix("$2") && a != b)
        #expect(PasswordHash.verify("correct horse", hash: a))
        #expect(!PasswordHash.verify("correct hors", hash: a))
        #expect(!PasswordHash.verify("correct horse", hash: "not a hash"))
    }

    @Test("team scopes read * or names")
    func scopes() {
        #expect(TeamScope(parsing: "*") == .all)
        #expect(TeamScope(parsing: " A , B ,") == .teams(["A", "B"]))
        #expect(TeamScope(parsing: " , ") == nil)
        #expect(TeamScope.teams(["A"]).allows("A") && !TeamScope.teams(["A"]).allows("B"))
    }

    @Test("a user is locked after the limit, until the lock-out has passed; a success clears the count")
    func lockOut() {
        var settings = SignInThrottle.Settings()
        settings.maxFailuresPerUser = 3
        settings.maxFailuresPerAddress = 100
        settings.lockout = 60
        let throttle = SignInThrottle(settings: settings)
        #expect(throttle.failed(user: "ana", address: "a", now: 0) == nil)
        #expect(throttle.failed(user: "ana", address: "a", now: 1) == nil)
        #expect(throttle.lock(user: "ana", address: "a", now: 2) == nil)
        #expect(throttle.failed(user: "ana", address: "a", now: 2) == .user)
        #expect(throttle.lock(user: "ana", address: "a", now: 30) == .user)
        #expect(throttle.lock(user: "bob", address: "a", now: 30) == nil)
        #expect(throttle.lock(user: "ana", address: "a", now: 63) == nil)
        throttle.succeeded(user: "ana")
        #expect(throttle.lockoutsStarted.user == 1)
    }

    @Test("sessions expire and close")
    func sessions() {
        let store = SessionStore(lifetime: 10, capacity: 2)
        let id = store.open(user: "ana", teams: .all, now: 0)
        #expect(id.count == 43)
        #expect(store.session(id, now: 5)?.user == "ana")
        #expect(store.session(id, now: 11) == nil)
        let other = store.open(user: "bob", teams: .all, now: 20)
        #expect(store.close(other)?.user == "bob")
        #expect(store.session(other, now: 21) == nil)
    }

    @Test("tokens are kept as digests; a revoked one is gone from the server's view after a reload")
    func tokens() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tokens-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/" + AccessTokenFile.fileName
        var file = AccessTokenFile()
        let (token, secret) = file.create(kind: .kiosk, label: "lobby", teams: .teams(["A"]))
        try file.save(path: path)
        #expect(!(try String(contentsOfFile: path, encoding: .utf8)).contains(secret))
        let registry = AccessTokenRegistry(path: path)
        #expect(registry.token(secret: secret, now: 0)?.id == token.id)
        #expect(registry.token(secret: secret + "x", now: 0) == nil)
        _ = file.revoke(id: token.id)
        try file.save(path: path)
        registry.reload()
        #expect(registry.token(secret: secret, now: 100) == nil)
    }

    @Test("Twilio signature: Twilio's documented example, with and without the standard port")
    func twilio() {
        // The example of Twilio's webhook security page (auth token 12345).
        let signature = WebhookSignature(authToken: "12345")
        let url = "https://mycompany.com/myapp.php?foo=1&bar=2"
        let parameters = [("CallSid", "CA1234567890ABCDE"), ("Caller", "+12349013030"), ("Digits", "1234"),
                          ("From", "+12349013030"), ("To", "+18005551212")].map { (name: $0.0, value: $0.1) }
        #expect(signature.expected(url: url, parameters: parameters) == "0/KCTR6DLpKmkAf8muzZqo1nDgQ=")
        #expect(signature.isValid("0/KCTR6DLpKmkAf8muzZqo1nDgQ=", url: "https://mycompany.com:443/myapp.php?foo=1&bar=2",
                                  parameters: parameters))
        #expect(!signature.isValid("0/KCTR6DLpKmkAf8muzZqo1nDgQ", url: url, parameters: parameters))
    }
}
