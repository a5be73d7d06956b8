import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// SIGINT or SIGTERM, caught from the moment it is made.
///
/// Made first thing in `serve`, before the port opens, so a stop requested at any later point (a test, or
/// systemd, stopping a server that has only just started) is never lost: a signal that comes before
/// ``wait()`` is kept and `wait()` returns at once.
final class TerminationSignal {
    /// Whether a signal came, and who waits for one; shared with the signal sources' handlers.
    private final class Arrival: Sendable {
        struct State {
            var fired = false
            var waiter: CheckedContinuation<Void, Never>?
        }
        let state = Mutex(State())
    }

    private let arrival = Arrival()
    private let sources: [any DispatchSourceSignal]

    init() {
        signal(SIGINT, SIG_IGN)
        signal(SIGTERM, SIG_IGN)
        sources = [SIGINT, SIGTERM].map { DispatchSource.makeSignalSource(signal: $0, queue: .global()) }
        for source in sources {
            source.setEventHandler { [arrival] in
                let waiter = arrival.state.withLock { s -> CheckedContinuation<Void, Never>? in
                    s.fired = true
                    defer { s.waiter = nil }
                    return s.waiter
                }
                waiter?.resume()
            }
            source.resume()
        }
    }

    /// Returns once SIGINT or SIGTERM has arrived (at once when one already has).
    func wait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let now = arrival.state.withLock { s -> Bool in
                if s.fired { return true }
                s.waiter = continuation
                return false
            }
            if now { continuation.resume() }
        }
        for source in sources { source.cancel() }
    }
}
