import HTTPTypes

/// A request handler. Runs on a server thread; must not block for long.
public typealias Handler = @Sendable (Request) -> Response

/// Maps method and path to handlers. Patterns are literal segments, `:name` segments
/// (captured into `Request.parameters`) and a trailing `*` matching any rest.
public struct Router: Sendable {
    public init() { fatalError("TODO") }

    /// Registers a handler. `bodyLimit` > 0 makes the server collect the body (answering 413 past the limit).
    public mutating func add(_ method: HTTPRequest.Method, _ pattern: String, bodyLimit: Int = 0, _ handler: @escaping Handler) {
        fatalError("TODO")
    }

    public mutating func get(_ pattern: String, _ handler: @escaping Handler) { add(.get, pattern, handler) }
    public mutating func post(_ pattern: String, bodyLimit: Int, _ handler: @escaping Handler) {
        add(.post, pattern, bodyLimit: bodyLimit, handler)
    }
}
