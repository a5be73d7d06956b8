import TeamsDomain

/// The server's clock, injectable so tests and replays can fix "now".
public struct WallClock: Sendable {
    public let now: @Sendable () -> Timestamp

    public init(now: @escaping @Sendable () -> Timestamp) { self.now = now }

    /// Real time.
    public static let system = WallClock { Timestamp.now() }

    /// Monotonic seconds, for measuring silences and intervals.
    public static func monotonicSeconds() -> Double { Timestamp.monotonicSeconds() }
}
