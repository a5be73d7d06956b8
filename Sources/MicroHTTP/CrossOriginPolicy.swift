import HTTPTypes

/// Cross-origin resource sharing (CORS, WHATWG Fetch §3.2) for routes that browsers on other origins call:
/// which origins may, the answer to their preflight `OPTIONS`, and the headers of the real answer.
///
/// A request without an `Origin` header is not a cross-origin browser request (a server, curl, a webhook) and is
/// none of this policy's business. Origins are compared as ASCII-lowercased serialisations
/// (`scheme://host[:port]`, no path, no trailing slash), as browsers send them.
public struct CrossOriginPolicy: Sendable {
    /// What to do with one request.
    public enum Decision: Sendable, Equatable {
        /// No `Origin` header: not a cross-origin browser request.
        case noOrigin
        /// The origin is on the allow-list (the value as the browser sent it).
        case allowed(origin: String)
        /// The origin is not on the allow-list; `reason` says so in words.
        case refused(origin: String, reason: String)
    }

    /// Allowed origins, normalised (see ``normalise(_:)``).
    public let allowedOrigins: Set<String>
    /// Methods a preflight may ask for (`Access-Control-Allow-Methods`).
    public let allowedMethods: [HTTPRequest.Method]
    /// Request header names a preflight may ask for (`Access-Control-Allow-Headers`).
    public let allowedHeaders: [String]
    /// Seconds a browser may cache a preflight answer (`Access-Control-Max-Age`; Chromium caps it at 7200).
    public let maxAge: Int

    public init(allowedOrigins: [String], allowedMethods: [HTTPRequest.Method],
                allowedHeaders: [String], maxAge: Int = 600) {
        self.allowedOrigins = Set(allowedOrigins.compactMap(Self.normalise))
        self.allowedMethods = allowedMethods
        self.allowedHeaders = allowedHeaders
        self.maxAge = max(0, maxAge)
    }

    /// `scheme://host[:port]` lowercased, without a trailing `/`; nil for something that is not an origin
    /// (no scheme, a path, a query, or the opaque origin `null`).
    public static func normalise(_ text: String) -> String? {
        var s = Substring(text.lowercased())
        while let c = s.first, c == " " || c == "\t" { s.removeFirst() }
        while let c = s.last, c == " " || c == "\t" { s.removeLast() }
        if s.hasSuffix("/") { s.removeLast() }
        let parts = s.split(separator: ":", maxSplits: 1)
        guard parts.count == 2, parts[1].hasPrefix("//") else { return nil }
        let scheme = parts[0], host = parts[1].dropFirst(2)
        guard !scheme.isEmpty, scheme.allSatisfy({ $0.isLetter || $0.isNumber || "+-.".contains($0) }),
              !host.isEmpty, !host.contains(where: { "/?#@ ".contains($0) }) else { return nil }
        return String(s)
    }

    /// Decides from the request's `Origin` header.
    public func decide(_ request: Request) -> Decision {
        guard let origin = request.headerFields[.origin] else { return .noOrigin }
        guard let key = Self.normalise(origin), allowedOrigins.contains(key) else {
            return .refused(origin: origin, reason: "origin \(Self.shown(origin)) is not allowed to call this server")
        }
        return .allowed(origin: origin)
    }

    /// The answer to a preflight from an allowed origin: 204 with the allowed methods, headers and cache time,
    /// and `Access-Control-Allow-Private-Network: true` when the browser asks for it (Private Network Access).
    public func preflightAnswer(_ request: Request, origin: String) -> Response {
        var response = Response(status: .noContent)
        decorate(&response, origin: origin)
        response.headerFields[.accessControlAllowMethods] = allowedMethods.map(\.rawValue).joined(separator: ", ")
        response.headerFields[.accessControlAllowHeaders] = allowedHeaders.joined(separator: ", ")
        response.headerFields[.accessControlMaxAge] = String(maxAge)
        if request.headerFields[.accessControlRequestPrivateNetwork]?.lowercased() == "true" {
            response.headerFields[.accessControlAllowPrivateNetwork] = "true"
        }
        return response
    }

    /// Adds what a browser needs to hand an allowed origin the answer (`Access-Control-Allow-Origin`, `Vary`).
    public func decorate(_ response: inout Response, origin: String) {
        response.headerFields[.accessControlAllowOrigin] = origin
        response.headerFields[.vary] = "Origin"
    }

    /// Whether a request is a CORS preflight: `OPTIONS` with `Access-Control-Request-Method`.
    public static func isPreflight(_ request: Request) -> Bool {
        request.method == .options && request.headerFields[.accessControlRequestMethod] != nil
    }

    /// An origin quoted for a reason: printable ASCII only, at most 100 characters.
    static func shown(_ origin: String) -> String {
        let clean = origin.unicodeScalars.prefix(100).map { $0.isASCII && $0.value >= 0x20 && $0.value < 0x7F ? Character($0) : "?" }
        return "\"" + String(clean) + "\""
    }
}

extension HTTPField.Name {
    /// Private Network Access (WICG): sent by Chromium on preflights to a more private address space.
    public static let accessControlRequestPrivateNetwork = HTTPField.Name("Access-Control-Request-Private-Network")!
    /// Private Network Access (WICG): the server's consent to such requests.
    public static let accessControlAllowPrivateNetwork = HTTPField.Name("Access-Control-Allow-Private-Network")!
}
