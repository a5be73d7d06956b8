import ArgumentParser
import Foundation
import Logging
import MicroHTTP
import TeamsAccess
import TeamsWeb

/// The `serve` options of sign-in and access: users, the reverse proxy, the public URL, Twilio signatures.
struct AccessOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The users who sign in (written by `teamsview users add`); reread on SIGHUP.", valueName: "path"))
    var users: String?

    @Option(help: ArgumentHelp("A request header naming the signed-in user, set by a single sign-on reverse proxy; honoured only from --trusted-proxy addresses.",
                               valueName: "name"))
    var authProxyHeader: String?

    @Option(name: .customLong("trusted-proxy"), help: ArgumentHelp(
        "Address or CIDR block of a reverse proxy in front of this server (repeat for several).", valueName: "cidr"))
    var trustedProxies: [String] = []

    @Flag(help: "Serve beyond loopback with no sign-in at all: anyone who reaches the port sees the floor (logged, shown on /status).")
    var insecureNoAuth = false

    @Option(help: ArgumentHelp("The URL clients use to reach this server, e.g. https://floor.example.com (behind a proxy too): its host is the only Host name answered, its origin the only Origin accepted on forms, and Twilio signatures are checked against it.",
                               valueName: "url"))
    var publicURL: String?

    @Option(help: ArgumentHelp("File holding the Twilio account's auth token (or TEAMSVIEW_TWILIO_AUTH_TOKEN): webhook forms must then carry a valid X-Twilio-Signature.",
                               valueName: "path"))
    var twilioAuthTokenFile: String?

    @Option(help: "Hours a sign-in lasts.")
    var sessionHours = 12.0

    @Option(help: "Failed sign-ins of one user (within --lockout-minutes) before it is locked out; an address is locked after four times as many.")
    var lockoutFailures = 5

    @Option(help: "Minutes a lock-out lasts (and the window failures are counted in).")
    var lockoutMinutes = 15.0

    func validate() throws {
        for text in trustedProxies where AddressRange(text) == nil {
            throw ValidationError("--trusted-proxy must be an IP address or CIDR block (got \(text))")
        }
        if let authProxyHeader {
            let token = CharacterSet(charactersIn: "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
            guard !authProxyHeader.isEmpty, authProxyHeader.unicodeScalars.allSatisfy(token.contains) else {
                throw ValidationError("--auth-proxy-header must be a header name (got \(authProxyHeader))")
            }
            guard !trustedProxies.isEmpty else {
                throw ValidationError("--auth-proxy-header needs --trusted-proxy: the header is honoured only from those addresses")
            }
        }
        if let publicURL {
            guard publicURL.hasPrefix("http://") || publicURL.hasPrefix("https://"),
                  CrossOriginPolicy.normalise(OriginRules.origin(of: publicURL)) != nil else {
                throw ValidationError("--public-url must be an http:// or https:// URL (got \(publicURL))")
            }
        }
        guard sessionHours > 0, sessionHours <= 24 * 30 else { throw ValidationError("--session-hours must be above 0 and at most 720") }
        guard lockoutFailures >= 1 else { throw ValidationError("--lockout-failures must be at least 1") }
        guard lockoutMinutes > 0 else { throw ValidationError("--lockout-minutes must be above 0") }
    }

    /// The settings for a server listening on `host`, with its data directory (nil: in memory).
    func settings(host: String, tls: Bool, dataDirectory: String?, logger: Logger) throws -> AccessSettings {
        var s = AccessSettings()
        if let users {
            do {
                s.users = try UserDirectory.load(path: users)
            } catch {
                throw ValidationError("\(error)")
            }
            s.usersPath = users
        }
        s.proxyHeader = authProxyHeader
        s.trustedProxies = trustedProxies.compactMap(AddressRange.init)
        s.insecureNoAuth = insecureNoAuth
        s.secureCookies = tls || (publicURL?.hasPrefix("https://") ?? false)
        s.sessionLifetime = sessionHours * 3600
        s.throttle.maxFailuresPerUser = lockoutFailures
        s.throttle.maxFailuresPerAddress = lockoutFailures * 4
        s.throttle.window = lockoutMinutes * 60
        s.throttle.lockout = lockoutMinutes * 60
        if let dataDirectory {
            try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
            s.tokensPath = dataDirectory + "/" + AccessTokenFile.fileName
            s.auditPath = dataDirectory + "/" + AuditLog.fileName
        }
        s.origin = OriginRules(listenHost: host, publicURL: publicURL, trustedProxies: !trustedProxies.isEmpty)
        let loopback = Self.isLoopback(host)
        if !loopback && !s.authRequired {
            guard insecureNoAuth else {
                throw CommandFailure("""
                    refusing to serve \(host) without sign-in: give --users FILE (see `teamsview users add`) or \
                    --auth-proxy-header with --trusted-proxy, or say --insecure-no-auth
                    """)
            }
            logger.critical("NO SIGN-IN: serving \(host) with --insecure-no-auth; anyone who reaches this port sees every agent and caller")
        }
        if !loopback && publicURL == nil {
            logger.warning("no --public-url: any Host name is answered and forms are checked against the Host they came with")
        }
        return s
    }

    /// The Twilio auth token, from the file or TEAMSVIEW_TWILIO_AUTH_TOKEN; nil when neither is given.
    func twilioAuthToken() throws -> String? {
        if let twilioAuthTokenFile { return try Serve.secret(file: twilioAuthTokenFile, option: "--twilio-auth-token-file") }
        return ProcessInfo.processInfo.environment["TEAMSVIEW_TWILIO_AUTH_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// 127.0.0.0/8, ::1 and `localhost`.
    static func isLoopback(_ host: String) -> Bool {
        let h = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        if h == "localhost" { return true }
        return PeerAddress(h)?.isLoopback ?? false
    }
}
