/// A point in time, in microseconds since the Unix epoch (UTC).
///
/// Integer microseconds keep comparisons and arithmetic cheap on the ingest hot path and
/// are exact for the fractional seconds RFC 3339 timestamps carry in practice.
public struct Timestamp: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    public var microseconds: Int64

    @inlinable public init(microseconds: Int64) { self.microseconds = microseconds }
    @inlinable public init(seconds: Double) { self.microseconds = Int64((seconds * 1_000_000).rounded()) }

    @inlinable public var seconds: Double { Double(microseconds) / 1_000_000 }
    @inlinable public var milliseconds: Int64 { microseconds / 1_000 }

    @inlinable public static func < (a: Timestamp, b: Timestamp) -> Bool { a.microseconds < b.microseconds }

    /// Seconds from `self` to `later` (negative when `later` is earlier).
    @inlinable public func seconds(until later: Timestamp) -> Double {
        Double(later.microseconds - microseconds) / 1_000_000
    }

    @inlinable public func adding(seconds: Double) -> Timestamp {
        Timestamp(microseconds: microseconds + Int64((seconds * 1_000_000).rounded()))
    }

    public static let distantPast = Timestamp(microseconds: .min)

    public var description: String { RFC3339.format(self) }

    /// Encoded as its microseconds alone (a number), which keeps a saved floor compact.
    public init(from decoder: any Decoder) throws {
        microseconds = try decoder.singleValueContainer().decode(Int64.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(microseconds)
    }
}

extension Timestamp {
    /// An epoch number whose unit the producer may have got wrong: seconds as documented, or
    /// milliseconds when the value is too large to be seconds of this era (>= 10^11, i.e. after year 5138
    /// in seconds but 1973 in milliseconds).
    public static func epoch(_ value: Int64) -> Timestamp {
        value >= 100_000_000_000 ? Timestamp(microseconds: value &* 1_000) : Timestamp(microseconds: value &* 1_000_000)
    }
}
