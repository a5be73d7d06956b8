import MicroHTTP
import TeamsAccess

/// How the server decides who may see what (`serve` options `--users`, `--auth-proxy-header`,
/// `--trusted-proxy`, `--insecure-no-auth`, `--public-url`, the data directory's token file and audit log).
public struct AccessSettings: Sendable {
    /// Supervisors who sign in with a password (`--users FILE`); nil without one.
    public var users: UserDirectory?
    /// Path of the users file, reread on SIGHUP.
    public var usersPath: String?
    /// A request header naming the signed-in user, set by a reverse proxy doing single sign-on; honoured
    /// only from `trustedProxies`.
    public var proxyHeader: String?
    /// Addresses (CIDR blocks) of the reverse proxies in front of the server.
    public var trustedProxies: [AddressRange] = []
    /// `--insecure-no-auth`: serve beyond loopback with no sign-in at all (logged, shown on /status).
    public var insecureNoAuth = false
    /// Cookies marked `Secure` (served over TLS, or behind a proxy with an `https` public URL).
    public var secureCookies = false
    /// Seconds a sign-in lasts.
    public var sessionLifetime: Double = 12 * 3600
    public var throttle = SignInThrottle.Settings()
    /// `access-tokens.json` in the data directory; nil when there is none.
    public var tokensPath: String?
    /// `audit.log` in the data directory; nil: audit lines go to the log only.
    public var auditPath: String?
    /// The server's own origin and host names.
    public var origin = OriginRules()

    public init() {}

    /// Whether pages and the API need a signed-in user (or a token): a users file or a proxy header is configured.
    public var authRequired: Bool { users != nil || proxyHeader != nil }
}

/// Which `Host` and `Origin` values name this server (DNS rebinding and cross-site request forgery).
public struct OriginRules: Sendable {
    /// `--public-url` reduced to its origin (`https://floor.example.com`), nil without one.
    public var publicOrigin: String?
    /// Host names (no port) a request's `Host` may carry; nil accepts any (listening on every address with no
    /// `--public-url`).
    public var allowedHostNames: Set<String>?
    /// A reverse proxy is configured (`--trusted-proxy` or `--public-url`): a loopback peer may be that proxy,
    /// so it earns no exemption.
    public var behindProxy = false

    public init() {}

    /// The rules for a server listening on `host`, seen by clients as `publicURL`.
    public init(listenHost: String, publicURL: String?, trustedProxies: Bool) {
        var names: Set<String> = ["localhost", "127.0.0.1", "[::1]"]
        let bare = listenHost.lowercased()
        let wildcard = bare == "0.0.0.0" || bare == "::" || bare == "[::]" || bare.isEmpty
        if !wildcard { names.insert(bare.contains(":") && !bare.hasPrefix("[") ? "[\(bare)]" : bare) }
        if let publicURL, let origin = CrossOriginPolicy.normalise(Self.origin(of: publicURL)) {
            publicOrigin = origin
            names.insert(Self.hostName(origin.split(separator: "/", omittingEmptySubsequences: true).last.map(String.init) ?? ""))
            allowedHostNames = names
        } else {
            allowedHostNames = wildcard ? nil : names
        }
        behindProxy = trustedProxies || publicURL != nil
    }

    /// `scheme://authority` of a URL (its path dropped).
    public static func origin(of url: String) -> String {
        guard let range = url.range(of: "://") else { return url }
        let rest = url[range.upperBound...]
        let end = rest.firstIndex(where: { "/?#".contains($0) }) ?? rest.endIndex
        return String(url[..<end])
    }

    /// The host part of `host[:port]` (IPv6 literals keep their brackets), lowercased.
    static func hostName(_ authority: String) -> String {
        // The usual `name:port` in ASCII: the bytes before the colon, folded (what the general path gives).
        let fast = authority.utf8.withContiguousStorageIfAvailable { bytes -> String? in
            guard let first = bytes.first, first != UInt8(ascii: ":"), first != UInt8(ascii: "[") else { return nil }
            var name: [UInt8] = []
            for b in bytes {
                if b == UInt8(ascii: ":") { break }
                guard b < 0x80 else { return nil }
                name.append(b &- 0x41 < 26 ? b | 0x20 : b)
            }
            return String(decoding: name, as: UTF8.self)
        } ?? nil
        return fast ?? hostNameInGeneral(authority)
    }

    /// `hostName` for any authority: IPv6 literals, non-ASCII names, odd colons.
    static func hostNameInGeneral(_ authority: String) -> String {
        let a = authority.lowercased()
        if a.hasPrefix("["), let close = a.firstIndex(of: "]") { return String(a[...close]) }
        return String(a.split(separator: ":", maxSplits: 1).first ?? "")
    }

    /// Whether the request's `Host` names this server. A request without `Host` (HTTP/1.0) passes only when
    /// any host is accepted.
    public func hostAllowed(_ request: Request) -> Bool {
        guard let allowed = allowedHostNames else { return true }
        guard let host = Self.host(request) else { return false }
        return allowed.contains(Self.hostName(host))
    }

    /// The `Host` value; one field is read as it is (the fields' subscript joins values into a new string).
    static func host(_ request: Request) -> String? {
        let fields = request.headerFields
        guard let i = fields.firstIndex(where: { $0.name == .hostField }) else { return nil }
        guard !fields[(i + 1)...].contains(where: { $0.name == .hostField }) else { return fields[.hostField] }
        return fields[i].value
    }

    /// Whether `Host` is a loopback name (for the loopback exemption of `/ingest`).
    public func hostIsLoopback(_ request: Request) -> Bool {
        guard let host = request.headerFields[.hostField] else { return false }
        let name = Self.hostName(host)
        return name == "localhost" || name == "[::1]" || name.hasPrefix("127.")
    }

    /// The server's own origins as this request sees them: the public URL's, or the scheme and `Host` it came with.
    public func ownOrigins(_ request: Request) -> [String] {
        if let publicOrigin { return [publicOrigin] }
        guard let host = request.headerFields[.hostField]?.lowercased() else { return [] }
        return ["http://" + host, "https://" + host]
    }

    /// Whether a state-changing request's `Origin` is the server's own. `requireOrigin`: a missing `Origin`
    /// fails too (forms of this server's pages; browsers always send it on POST).
    public func sameOrigin(_ request: Request, requireOrigin: Bool) -> Bool {
        guard let origin = request.headerFields[.origin] else { return !requireOrigin }
        guard let key = CrossOriginPolicy.normalise(origin) else { return false }
        return ownOrigins(request).contains(key)
    }

    /// The URL a client used for this request: the public URL's origin (or scheme and `Host`) and the request-target.
    public func requestURL(_ request: Request, tls: Bool) -> String {
        let base = publicOrigin ?? ((tls ? "https://" : "http://") + (request.headerFields[.hostField] ?? "localhost"))
        return base + request.target
    }
}
