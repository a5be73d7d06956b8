/// A `Set-Cookie` header value (RFC 6265 §4.1).
public struct SetCookie: Sendable {
    public enum SameSite: String, Sendable {
        case strict = "Strict", lax = "Lax"
    }

    public var name: String
    public var value: String
    public var path = "/"
    /// Seconds the browser keeps it; nil for a session cookie, 0 to delete it.
    public var maxAge: Int?
    public var httpOnly = true
    public var secure = false
    public var sameSite: SameSite = .strict

    public init(name: String, value: String, maxAge: Int? = nil, secure: Bool = false) {
        self.name = name
        self.value = value
        self.maxAge = maxAge
        self.secure = secure
    }

    /// `name=value; Path=/; Max-Age=N; HttpOnly; Secure; SameSite=Strict`.
    public var headerValue: String {
        var parts = ["\(name)=\(value)", "Path=\(path)"]
        if let maxAge { parts.append("Max-Age=\(max(0, maxAge))") }
        if httpOnly { parts.append("HttpOnly") }
        if secure { parts.append("Secure") }
        parts.append("SameSite=\(sameSite.rawValue)")
        return parts.joined(separator: "; ")
    }
}
