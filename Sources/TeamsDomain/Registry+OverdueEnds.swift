/// Calls whose end was never received: a call still ringing, live or on hold longer than any call lasts
/// (`CallState.longestCall`) lost its end somewhere in the feed.
///
/// The flags say so from the clock (``CallFlags/endNotReceived``). The orders of the views must not read the
/// clock (a board's updates find rows by binary search, so an order may only move when a worker changes), so
/// the server marks such calls in the registry when their moment comes (``markOverdueEnds(at:)``, with its
/// own clock): a change of the worker like any other, after which the orders leave the call out as the flags do.
extension Registry {
    /// Marks every call whose end is overdue at `now` (``CallState/endIsOverdue(at:)``) and not marked yet
    /// (``CallState/endOverdue``). The workers marked get one new registry version.
    ///
    /// O(1) until the clock passes the earliest moment a call may fall due; then one pass over the workers,
    /// which also finds the next such moment. Pure: `now` is the caller's clock (the server's, as the flags').
    /// - Returns: the workers marked (empty: nothing was due).
    public mutating func markOverdueEnds(at now: Timestamp) -> [WorkerID] {
        guard now.microseconds > nextEndDue else { return [] }
        var due: [WorkerID] = []
        var next = Int64.max
        for (id, worker) in workers {
            var overdue = false
            worker.calls.withUnsafeBufferPointer { calls in
                for call in calls.indices.lazy.map({ calls.baseAddress! + $0 })
                where call.pointee.phase != .wrapup && !call.pointee.endOverdue {
                    let startedAt = call.pointee.startedAt
                    if CallState.endIsOverdue(phase: call.pointee.phase, startedAt: startedAt, at: now) {
                        overdue = true
                    } else {
                        next = Swift.min(next, startedAt.microseconds &+ CallState.longestCallMicros)
                    }
                }
            }
            if overdue { due.append(id) }
        }
        nextEndDue = next
        guard !due.isEmpty else { return [] }
        version &+= 1
        let marked = version
        for id in due {
            workers[id]?.markOverdueEnds(at: now, version: marked)
        }
        return due
    }

    /// A call starts or is offered at `at`: its end may fall due after `at` + the longest call.
    @inline(__always)
    mutating func noteCallStart(_ at: Timestamp) {
        let due = at.microseconds &+ CallState.longestCallMicros
        if due < nextEndDue { nextEndDue = due }
    }
}

extension WorkerState {
    /// Marks this worker's calls whose end is overdue at `now`, at registry version `version`.
    mutating func markOverdueEnds(at now: Timestamp, version: UInt64) {
        for i in calls.indices where !calls[i].endOverdue && calls[i].endIsOverdue(at: now) {
            calls[i].endOverdue = true
        }
        self.version = version
    }
}
