import Foundation
import HTTPTypes

/// A request as the handlers see it: head, decoded query and (for routes that take one) the body.
public struct Request: Sendable {
    public var method: HTTPRequest.Method
    /// The path without the query string, percent-decoded.
    public var path: String
    /// Query parameters in order; a name may repeat.
    public var query: [(name: String, value: String)]
    public var headerFields: HTTPFields
    /// The body, for routes registered with a body (see `Router.post(_:bodyLimit:_:)`).
    public var body: [UInt8]
    /// True when the peer connected from a loopback address (127.0.0.0/8, ::1, or IPv4-mapped 127.0.0.0/8).
    public var isFromLoopback: Bool
    /// Values of the route pattern's `:name` segments.
    public var parameters: [String: String] = [:]
    /// The peer's address (without its port); nil for requests not made over a socket (tests).
    public var peerAddress: PeerAddress?
    /// The request-target as the client sent it (path and query, still percent-encoded).
    public var target: String = ""
    /// Who is asking, as a middleware (see ``Router/wrapped(_:)``) established it; the application casts it
    /// to its own type. Nil until one does.
    public var principal: (any Sendable)?

    public init(method: HTTPRequest.Method, path: String, query: [(name: String, value: String)] = [],
                headerFields: HTTPFields = [:], body: [UInt8] = [], isFromLoopback: Bool = true) {
        self.method = method
        self.path = path
        self.query = query
        self.headerFields = headerFields
        self.body = body
        self.isFromLoopback = isFromLoopback
    }

    /// The first value of a query parameter.
    public func queryValue(_ name: String) -> String? {
        query.first { $0.name == name }?.value
    }

    /// The value of a cookie in the `Cookie` header(s) (RFC 6265 §5.4), nil when absent. A name given twice
    /// yields the first.
    public func cookie(_ name: String) -> String? {
        for header in headerFields[values: .cookie] {
            for pair in header.split(separator: ";") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                guard parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces) == name else { continue }
                var value = parts[1].trimmingCharacters(in: .whitespaces)
                if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
                return value
            }
        }
        return nil
    }

    /// Every value of a query parameter, in order.
    public func queryValues(_ name: String) -> [String] {
        query.compactMap { $0.name == name ? $0.value : nil }
    }
}
