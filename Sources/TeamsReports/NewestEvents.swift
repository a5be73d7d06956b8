/// The newest time an agent's log took an event at, and a fingerprint of each event it took at that time: a
/// repeat of one of them is told without the event store.
///
/// Held inline in the agent's log, with no heap block for up to three events at the newest time (a call's hold
/// and mute at the same instant, with the start of the next call, are three). Before, these were a list of
/// the events themselves: a heap block of 80–160 bytes an agent, on a 20,000-agent floor about 3 MB.
///
/// A fingerprint is the 64-bit hash of the event's kind and call id (or activity name); the time is `at`
/// itself. Two different events taken at the same microsecond would be told apart wrongly only if their
/// fingerprints were equal, a chance of 2⁻⁶⁴ per pair.
struct NewestEvents: Sendable {
    /// Microseconds; `.min` before any event.
    private(set) var at: Int64 = .min
    private var first: UInt64 = 0, second: UInt64 = 0, third: UInt64 = 0
    private var more: [UInt64] = []
    private var count: UInt8 = 0

    /// Takes `kind`/`ref` at `time`, no earlier than `at` (an older event is the store's to tell): a later time
    /// starts the list again. Returns false, and takes nothing, for an event already taken at that time.
    mutating func take(at time: Int64, kind: ReportEvent.Kind, ref: String) -> Bool {
        precondition(time >= at, "an event older than the newest is looked up in the store")
        let print = Self.fingerprint(kind, ref)
        if time > at {
            self = NewestEvents()
            at = time
        } else if contains(print) {
            return false
        }
        switch count {
        case 0: first = print
        case 1: second = print
        case 2: third = print
        default: more.append(print)
        }
        if count < 3 { count += 1 }
        return true
    }

    /// Forgets everything (the newest time falls behind a new checkpoint).
    mutating func reset() { self = NewestEvents() }

    private func contains(_ print: UInt64) -> Bool {
        (count > 0 && first == print) || (count > 1 && second == print) || (count > 2 && third == print)
            || more.contains(print)
    }

    private static func fingerprint(_ kind: ReportEvent.Kind, _ ref: String) -> UInt64 {
        var hasher = Hasher()
        hasher.combine(kind)
        hasher.combine(ref)
        return UInt64(bitPattern: Int64(hasher.finalize()))
    }
}
