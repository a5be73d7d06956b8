import Dispatch
import Synchronization

/// Hands the heap a burst of events freed back to the system once the feed has gone quiet.
///
/// glibc keeps freed memory in its arenas, so after a backlog read at start, a replay or a flood, the resident
/// size stays at the burst's peak. It does not stay at the floor's size. On a 20,000-agent floor read from a file,
/// that was about 3 KB an agent above the heap in use. Every few seconds (`start(every:)`) this looks at the events the
/// registry has taken (`events`). Once at least `afterEvents` more arrived since the last trim, and none arrived
/// in the last interval, it calls `malloc_trim`. A steady feed is never quiet for a whole interval, so it is
/// trimmed by the reports' writer, not here (`ReportWriter.Settings.trimAfterEvents`).
package final class HeapTrim: Sendable {
    private struct State {
        var seen: UInt64 = 0
        var trimmedAt: UInt64 = 0
    }

    private let state = Mutex(State())
    private let afterEvents: UInt64
    private let events: @Sendable () -> UInt64

    /// - Parameters:
    ///   - afterEvents: events since the last trim that make a quiet spell worth a trim.
    ///   - events: the events taken so far (a counter that only grows).
    package init(afterEvents: UInt64 = 100_000, events: @escaping @Sendable () -> UInt64) {
        self.afterEvents = afterEvents
        self.events = events
    }

    /// Looks every `interval` seconds until the timer returned is cancelled.
    package func start(every interval: Double = 2) -> any DispatchSourceTimer {
        let timer = DispatchSource.makeTimerSource(queue: .global(qos: .utility))
        timer.schedule(deadline: .now() + interval, repeating: interval, leeway: .milliseconds(200))
        timer.setEventHandler { [self] in look() }
        timer.resume()
        return timer
    }

    /// One look: trims when no event arrived since the last look and a burst came before (counted with every
    /// other trim in `ProcessHeap.trims`).
    /// - Returns: whether it trimmed.
    @discardableResult
    package func look() -> Bool {
        let now = events()
        let due = state.withLock { s -> Bool in
            defer { s.seen = now }
            guard now == s.seen, now &- s.trimmedAt >= afterEvents else { return false }
            s.trimmedAt = now
            return true
        }
        if due { ProcessHeap.trim() }
        return due
    }
}
