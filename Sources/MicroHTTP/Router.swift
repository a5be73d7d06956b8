import HTTPTypes

/// A request handler. Runs on a server thread, which also writes the streams of its other
/// connections, so it must not block for long; a route whose handler may wait (a disk sync, a
/// large body) is registered `offloaded`.
public typealias Handler = @Sendable (Request) -> Response

/// Maps method and path to handlers. Patterns are literal segments, `:name` segments
/// (captured into `Request.parameters`) and a trailing `*` matching any rest.
///
/// The rest matched by `*` is captured into `Request.parameters["*"]` (segments joined by `/`,
/// each percent-decoded). Empty segments are ignored, so `/a//b/` matches the pattern `/a/b`.
/// `HEAD` requests are served by the `GET` route when no `HEAD` route is registered.
/// A path no pattern matches is answered by ``fallback`` when one is set, else plain `404 Not Found`.
public struct Router: Sendable {
    /// The `Request.parameters` key holding what a trailing `*` matched.
    public static let restParameter = "*"

    enum Segment: Sendable, Equatable {
        case literal(String)
        case parameter(String)
        case rest
    }

    struct Route: Sendable {
        var method: HTTPRequest.Method
        /// As registered, e.g. `/api/workers/:id`.
        var pattern: String
        var segments: [Segment]
        var bodyLimit: Int
        /// The handler runs on a thread of its own, not the connection's (see `add`).
        var offloaded = false
        /// The 413 answer to a body past `bodyLimit` (nil: plain text); its status is always 413.
        var tooLarge: Response? = nil
        var handler: Handler
        /// Its group in ``durations`` (nil: not measured); set when a server takes the router.
        var group: Int? = nil
    }

    enum Match {
        case found(Route, parameters: [String: String])
        /// The path exists, but not for this method: the methods it does answer.
        case methodNotAllowed([HTTPRequest.Method])
        case notFound
    }

    private(set) var routes: [Route] = []

    /// Answers a request whose path no route's pattern matches, whatever its method (nil: the server
    /// answers plain-text `404 Not Found`); it chooses the status, usually 404. Its request has no
    /// `parameters` and an empty body (one sent is read and thrown away). A path some route matches for
    /// another method is still answered `405` with `Allow`, not by the fallback.
    public var fallback: Handler?

    /// Where the server counts how long requests take, by group of routes (nil: nowhere; see ``RequestDurations``).
    public var durations: RequestDurations?

    public init() {}

    /// Registers a handler. `bodyLimit` > 0 makes the server collect the body (answering 413 past the limit).
    ///
    /// `offloaded`: the handler may block (it syncs a file, or decodes megabytes), so it runs on a handler
    /// thread while its connection is suspended. A server thread serves many connections, streams
    /// included: a handler run on it holds up every one of them until it returns.
    ///
    /// `tooLarge`: the answer to a body past `bodyLimit` when the route's clients expect their own format
    /// (JSON, say) rather than plain text; sent with status 413 whatever it says.
    public mutating func add(_ method: HTTPRequest.Method, _ pattern: String, bodyLimit: Int = 0, offloaded: Bool = false,
                             tooLarge: Response? = nil, _ handler: @escaping Handler) {
        let parts = pattern.split(separator: "/", omittingEmptySubsequences: true)
        var segments: [Segment] = []
        for (index, part) in parts.enumerated() {
            if part == "*" {
                precondition(index == parts.count - 1, "`*` must be the last segment of \(pattern)")
                segments.append(.rest)
            } else if part.hasPrefix(":") {
                segments.append(.parameter(String(part.dropFirst())))
            } else {
                segments.append(.literal(String(part)))
            }
        }
        var tooLarge = tooLarge
        tooLarge?.status = .contentTooLarge
        routes.append(Route(method: method, pattern: pattern, segments: segments, bodyLimit: max(0, bodyLimit), offloaded: offloaded,
                            tooLarge: tooLarge, handler: handler))
    }

    public mutating func get(_ pattern: String, _ handler: @escaping Handler) { add(.get, pattern, handler) }
    /// Registers an `OPTIONS` handler (for example a CORS preflight, see ``CrossOriginPolicy``).
    public mutating func options(_ pattern: String, _ handler: @escaping Handler) { add(.options, pattern, handler) }
    public mutating func post(_ pattern: String, bodyLimit: Int, offloaded: Bool = false, tooLarge: Response? = nil,
                              _ handler: @escaping Handler) {
        add(.post, pattern, bodyLimit: bodyLimit, offloaded: offloaded, tooLarge: tooLarge, handler)
    }

    /// The same routes, each handler called through `middleware` (which may answer itself, or change the
    /// request, for example setting ``Request/principal``, before calling the handler it is given); the
    /// ``fallback`` too, when there is one.
    public func wrapped(_ middleware: @escaping @Sendable (Request, Handler) -> Response) -> Router {
        var copy = self
        copy.routes = routes.map { route in
            var r = route
            let inner = route.handler
            r.handler = { request in middleware(request, inner) }
            return r
        }
        if let inner = fallback {
            copy.fallback = { request in middleware(request, inner) }
        }
        return copy
    }

    /// The same router with each route's group in ``durations`` resolved, once, as a server takes it.
    func resolvingGroups() -> Router {
        guard let durations else { return self }
        var copy = self
        copy.routes = routes.map { route in
            var r = route
            r.group = durations.group(of: route.method, pattern: route.pattern)
            return r
        }
        return copy
    }

    /// Finds the route for a method and the request path's decoded, non-empty segments.
    /// Routes are tried in registration order; the first whose pattern and method match wins.
    func match(_ method: HTTPRequest.Method, _ path: [String]) -> Match {
        var allowed: [HTTPRequest.Method] = []
        var getRoute: (Route, [String: String])?
        for route in routes {
            guard let parameters = Self.bind(route.segments, to: path) else { continue }
            if route.method == method {
                return .found(route, parameters: parameters)
            }
            if route.method == .get, getRoute == nil {
                getRoute = (route, parameters)
            }
            if !allowed.contains(route.method) { allowed.append(route.method) }
        }
        if method == .head, let (route, parameters) = getRoute {
            return .found(route, parameters: parameters)
        }
        if allowed.isEmpty { return .notFound }
        if allowed.contains(.get), !allowed.contains(.head) { allowed.append(.head) }
        return .methodNotAllowed(allowed)
    }

    private static func bind(_ pattern: [Segment], to path: [String]) -> [String: String]? {
        var parameters: [String: String] = [:]
        for (index, segment) in pattern.enumerated() {
            switch segment {
            case .rest:
                parameters[restParameter] = path[index...].joined(separator: "/")
                return parameters
            case .literal(let text):
                guard index < path.count, path[index] == text else { return nil }
            case .parameter(let name):
                guard index < path.count else { return nil }
                parameters[name] = path[index]
            }
        }
        return pattern.count == path.count ? parameters : nil
    }
}
