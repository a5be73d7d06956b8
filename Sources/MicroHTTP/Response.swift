import HTTPTypes

/// A response: status, header fields and a body that is either bytes or a live stream.
public struct Response: Sendable {
    public enum Body: Sendable {
        case bytes([UInt8])
        /// A long-lived body the application keeps writing to (for example Server-Sent Events).
        case stream(StreamingBody)
    }

    public var status: HTTPResponse.Status
    public var headerFields: HTTPFields
    public var body: Body

    public init(status: HTTPResponse.Status = .ok, headerFields: HTTPFields = [:], body: Body = .bytes([])) {
        self.status = status
        self.headerFields = headerFields
        self.body = body
    }

    /// A UTF-8 text response with the given content type.
    public init(status: HTTPResponse.Status = .ok, contentType: String, text: String) {
        var fields = HTTPFields()
        fields[.contentType] = contentType
        self.init(status: status, headerFields: fields, body: .bytes(Array(text.utf8)))
    }
}
