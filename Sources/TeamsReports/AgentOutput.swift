/// What an agent's events produced and is not yet written, and the figures of the interval it is in.
///
/// Once written, figures of earlier intervals, closed spans and incidents are forgotten (`forgetWritten`):
/// a replay from the checkpoint makes them again. A change that would reach an interval already
/// forgotten (a late transfer, exposure credited after the grace period across a boundary) marks the
/// output `stale`, and the agent is replayed.
struct AgentOutput: Sendable {
    var intervals = IntervalTable()
    /// Spans closed and not yet written (since the checkpoint after a replay), in closing order.
    var spans: [TimelineSpan] = []
    var spansWritten = 0
    var incidents: [String: Incident] = [:]
    var dirtyIncidents: Set<String> = []
    /// Intervals starting before this (Unix seconds) were written and forgotten.
    var keptFrom: Int64 = .min
    /// A change reached a forgotten interval: the figures here are incomplete until a replay.
    var stale = false

    /// Forgets what is written: intervals before `current` (Unix seconds; none is dirty), closed spans and
    /// incidents.
    mutating func forgetWritten(current: Int64) {
        intervals.removeAll(before: current)
        keptFrom = max(keptFrom, current)
        if !spans.isEmpty { spans = [] }
        spansWritten = 0
        if !incidents.isEmpty { incidents = [:] }
    }
}
