/// Why one input line was rejected: a category for metrics labels and a specific, human-readable reason.
public struct IngestReject: Error, Sendable, Hashable, CustomStringConvertible {
    /// Coarse classes of bad input; `rawValue` is the Prometheus label value.
    public enum Category: String, Sendable, Hashable, CaseIterable, Codable {
        /// Not JSON at all, or malformed/truncated JSON.
        case json
        /// JSON, but not an event: wrong shape, missing or mistyped fields, bad values.
        case schema
        /// Longer than the line limit.
        case tooLong = "too_long"
        /// Not UTF-8 (binary garbage usually lands here).
        case encoding
        /// A well-formed event whose `type` this decoder does not know.
        case unknownType = "unknown_type"
        /// A readable line the credential it came with may not send (see ``NativeLinePermit``).
        case notPermitted = "not_permitted"
        /// An event dated further ahead of this server's clock than `--max-clock-skew` allows (a producer
        /// whose clock is wrong, or a line from the future): its own reason, so a clock fault is told
        /// apart from a malformed feed.
        case clockSkew = "clock_skew"
        /// An event dated further behind this server's clock than `--max-event-age` allows: what it says began
        /// too long ago to be live (a producer whose clock was reset, a stray old line).
        case tooOld = "too_old"
        /// A well-formed event the registry refused at one of its caps (`--max-workers`, `--max-calls-per-worker`):
        /// read, but not shown.
        case registryCap = "registry_cap"
    }

    public var category: Category
    /// E.g. `missing field "worker"`, `not JSON: unexpected byte 0x7B at 17`.
    public var reason: String

    public init(_ category: Category, _ reason: String) {
        self.category = category
        self.reason = reason
    }

    public var description: String { reason }

    static func tooLong(_ length: Int, limit: Int) -> IngestReject {
        IngestReject(.tooLong, "line longer than \(limit) bytes (\(length) bytes)")
    }
}
