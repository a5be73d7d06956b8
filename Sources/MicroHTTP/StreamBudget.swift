import Synchronization

/// The bytes queued for all of a server's streams, under one cap, and why streams were cut.
///
/// Each `StreamingBody` also has its own cap (`maxPendingBytes`); this one bounds the sum, so
/// many slow clients together cannot grow memory past `limit` either.
final class StreamBudget: Sendable {
    /// Most bytes queued for all streams together; 0 means no global cap.
    let limit: Int
    private let queued = Atomic<Int>(0)
    /// Streams closed because their own queue was full.
    let streamOverflows = Atomic<Int>(0)
    /// Streams closed because the queue of all streams was full.
    let totalOverflows = Atomic<Int>(0)
    /// Suspended streams ended because their client had closed its end.
    let departures = Atomic<Int>(0)

    init(limit: Int) {
        self.limit = max(0, limit)
    }

    /// Bytes queued for all streams now.
    var bytes: Int { queued.load(ordering: .relaxed) }

    /// Takes `count` bytes from the budget, or returns false when that would pass the cap.
    func reserve(_ count: Int) -> Bool {
        var current = queued.load(ordering: .relaxed)
        while true {
            if limit > 0, current + count > limit { return false }
            let (exchanged, original) = queued.compareExchange(
                expected: current, desired: current + count, ordering: .relaxed)
            if exchanged { return true }
            current = original
        }
    }

    /// Charges bytes unconditionally (a body's queue as it starts being served).
    func charge(_ count: Int) {
        queued.add(count, ordering: .relaxed)
    }

    func release(_ count: Int) {
        if count > 0 { queued.subtract(count, ordering: .relaxed) }
    }
}
