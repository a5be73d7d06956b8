#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// A one-way "please stop" flag that reading threads check between reads and while they wait.
final class StopSignal: Sendable {
    private let flag = Atomic<Bool>(false)

    var isSet: Bool { flag.load(ordering: .acquiring) }

    func set() { flag.store(true, ordering: .releasing) }

    /// Sleeps for `duration` in short slices so a stop is noticed within ~50 ms; returns `true` if stopped.
    @discardableResult
    func sleep(_ duration: Duration) -> Bool {
        var remaining = duration
        let slice = Duration.milliseconds(50)
        while remaining > .zero {
            if isSet { return true }
            let step = min(remaining, slice)
            let (seconds, attoseconds) = step.components
            var ts = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
            var rest = timespec()
            while nanosleep(&ts, &rest) == -1 && errno == EINTR { ts = rest }
            remaining -= step
        }
        return isSet
    }
}
