import TeamsDomain

/// What the pages' stale banner says about the feed: silent (no line for `staleAfter` seconds), or speaking
/// of the past (lines arrive, but the newest event is `oldAfter(staleAfter)` seconds or more older than the
/// server's clock: a replayed old file, a producer running behind). `Public/live.js` words it the same way
/// as updates arrive.
///
/// Timers always count from the event that began the state, on the server's clock; under this banner they
/// say how long ago the feed's last word put the agent in that state, not that the agent still is.
extension FeedState {
    /// Seconds from the newest event's own time to `now` (server's clock); nil before any event.
    public func eventAge(at now: Timestamp) -> Double? {
        lastEventAt.map { max(0, $0.seconds(until: now)) }
    }

    /// Whether the pages warn that the figures are not live (see ``warning(at:staleAfter:)``).
    public func isStale(at now: Timestamp, staleAfter: Double) -> Bool {
        warning(at: now, staleAfter: staleAfter) != nil
    }

    /// Seconds the newest event may be older than the server's clock, lines arriving, before the pages say
    /// the events are old: 5 minutes, or `staleAfter` if longer. Lines of events that change nothing and move
    /// no event time (Twilio types not mapped, rejected lines) may come for a while on a quiet floor.
    public static func oldAfter(_ staleAfter: Double) -> Double { max(staleAfter, 300) }

    /// The banner's text, nil when the feed looks live.
    func warning(at now: Timestamp, staleAfter: Double) -> String? {
        guard let silent = silentFor else { return "Waiting for the first event." }
        let age = eventAge(at: now)
        if silent >= staleAfter {
            let since = Timestamp(microseconds: now.microseconds - Int64(silent * 1_000_000))
            var text = "Feed silent since \(Self.moment(since, now: now)) (\(Self.span(silent))): no event has arrived since."
            if let age, let last = lastEventAt, age >= silent + Self.oldAfter(staleAfter) {
                text += " The newest event is from \(Self.moment(last, now: now)) (\(Self.span(age)) old)."
            }
            return text + " States are as of then; timers keep counting from when each state began."
        }
        if let age, let last = lastEventAt, age >= Self.oldAfter(staleAfter) {
            return "Old events: the newest is from \(Self.moment(last, now: now)), \(Self.span(age)) ago (a replayed file, or a producer running behind). States are as of those events; timers count from them, so they include the delay."
        }
        return nil
    }

    /// `14:02 UTC` on the day of `now`, else `2026-11-28 14:02 UTC`.
    static func moment(_ t: Timestamp, now: Timestamp) -> String {
        let text = RFC3339.format(t), today = RFC3339.format(now)
        let clock = String(text.dropFirst(11).prefix(5)) + " UTC"
        return text.prefix(10) == today.prefix(10) ? clock : String(text.prefix(10)) + " " + clock
    }

    /// `45 s`, `12 min`, `3 h 05 min`, `8 d 6 h`.
    static func span(_ seconds: Double) -> String {
        let s = max(0, Int(seconds))
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        if s >= 86_400 { return "\(s / 86_400) d \(s % 86_400 / 3600) h" }
        if s >= 3600 { return "\(s / 3600) h \(two(s % 3600 / 60)) min" }
        if s >= 60 { return "\(s / 60) min" }
        return "\(s) s"
    }
}
