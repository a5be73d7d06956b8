import Synchronization
import TeamsDomain

/// Flags that cleared lately, kept visible for `seconds` after they cleared ("just cleared"), so a
/// wrong-call risk of three seconds is still seen by a supervisor who looks up a minute later.
///
/// The live updater notes, at every flush, the workers whose flags went away since the previous
/// flush (`noteCleared`); rows, kiosk tiles and `/api/workers` (`recentFlags`) read `recent`.
/// A lingering flag never shows in `flags`: the condition is over. Thread-safe.
public final class FlagLinger: Sendable {
    /// Flags of one worker that cleared, and when (server clock).
    public struct Cleared: Sendable, Equatable {
        public var flags: CallFlags
        public var at: Timestamp
    }

    /// Seconds a cleared flag stays visible (0: not at all).
    public let seconds: Double
    private let entries = Mutex<[WorkerID: Cleared]>([:])

    public init(seconds: Double) {
        self.seconds = max(0, seconds)
    }

    /// The flags of `worker` that cleared within `seconds` before `now` and are not on again.
    func recent(_ worker: WorkerState, flags now: CallFlagList, at time: Timestamp) -> Cleared? {
        guard seconds > 0, let entry = entries.withLock({ $0[worker.id] }) else { return nil }
        guard time.seconds - entry.at.seconds < seconds else { return nil }
        let on = now.union
        let left = entry.flags.subtracting(on)
        return left.isEmpty ? nil : Cleared(flags: left, at: entry.at)
    }

    /// Compares each worker in `ids` as `old` and `new` hold it at `now`; flags on before and off
    /// now are noted as cleared at `now`. Returns when each noted entry expires.
    ///
    /// A flag an event cleared is noted only when that event is within `seconds` of the newest event
    /// `new` has seen (event time against event time, so a producer's clock skew does not matter): a
    /// flag that cleared long ago in history read at start-up, or deep in a backlog, did not clear
    /// "just now". A flag that time cleared (the worker unchanged) is noted as it goes.
    func noteCleared<S: Sequence<WorkerID>>(_ ids: S, old: Registry, new: Registry, at now: Timestamp,
                                            grace: Double) -> [WorkerID: Timestamp] {
        guard seconds > 0 else { return [:] }
        var expiries: [WorkerID: Timestamp] = [:]
        entries.withLock { entries in
            for id in ids {
                guard let before = old.workers[id], let after = new.workers[id] else {
                    if new.workers[id] == nil { entries[id] = nil }
                    continue
                }
                let was = before.callFlags(at: now, grace: grace).union
                let isOn = after.callFlags(at: now, grace: grace).union
                let cleared = was.subtracting(isOn).intersection(.alerts)
                guard !cleared.isEmpty else { continue }
                if before.updatedAt != after.updatedAt, let newest = new.lastEventAt,
                   Double(newest.microseconds &- after.updatedAt.microseconds) > seconds * 1_000_000 {
                    continue
                }
                var entry = Cleared(flags: cleared, at: now)
                // Still lingering from before: keep showing those too.
                if let previous = entries[id], now.seconds - previous.at.seconds < seconds {
                    entry.flags.formUnion(previous.flags)
                }
                entries[id] = entry
                expiries[id] = Timestamp(microseconds: now.microseconds &+ Int64(seconds * 1_000_000) &+ 1)
            }
            // Forget expired entries now and then.
            if entries.count > 256 {
                entries = entries.filter { now.seconds - $0.value.at.seconds < seconds }
            }
        }
        return expiries
    }
}
