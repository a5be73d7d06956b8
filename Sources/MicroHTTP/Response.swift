import HTTPTypes

/// A response: status, header fields and a body that is either bytes or a live stream.
public struct Response: Sendable {
    public enum Body: Sendable {
        case bytes([UInt8])
        /// A long-lived body the application keeps writing to (for example Server-Sent Events).
        case stream(StreamingBody)
    }

    public var status: HTTPResponse.Status { didSet { native = nil } }
    public var headerFields: HTTPFields { didSet { native = nil } }
    public var body: Body { didSet { native = nil } }
    /// libmicrohttpd's object for this response, shared by its sends; nil: one is made for each send.
    var native: NativeResponse?

    public init(status: HTTPResponse.Status = .ok, headerFields: HTTPFields = [:], body: Body = .bytes([])) {
        self.status = status
        self.headerFields = headerFields
        self.body = body
    }

    /// The same response, to be sent many times as it is (a page kept in a cache): libmicrohttpd's response
    /// object, header fields included, is made on its first send and reused by the later ones, instead of
    /// being made for each. Changing the copy returned (its status, fields or body) drops that object.
    /// Only for bytes bodies; a stream is sent once anyway.
    public func reusable() -> Response {
        var response = self
        if case .bytes = body { response.native = NativeResponse() }
        return response
    }

    /// A UTF-8 text response with the given content type.
    public init(status: HTTPResponse.Status = .ok, contentType: String, text: String) {
        var fields = HTTPFields()
        fields[.contentType] = contentType
        self.init(status: status, headerFields: fields, body: .bytes(Array(text.utf8)))
    }
}
