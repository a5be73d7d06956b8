#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// A plain POSIX thread for a blocking reader: reading files with `read()` must not tie up the
/// cooperative pool that Swift concurrency and the web server's handlers share.
final class IngestThread: Sendable {
    private final class Body {
        let run: @Sendable () -> Void
        init(_ run: @escaping @Sendable () -> Void) { self.run = run }
    }

    #if canImport(Darwin)
    private typealias Handle = pthread_t?
    #else
    private typealias Handle = pthread_t
    #endif

    private struct State: @unchecked Sendable {  // pthread_t is an opaque pointer on Darwin; only the lock touches it
        var handle: Handle
        var joined = false
    }

    private let state: Mutex<State>

    /// Starts `body` on a new thread named `name` (where the platform lets Swift name threads).
    init(name: String, _ body: @escaping @Sendable () -> Void) {
        let context = Unmanaged.passRetained(Body {
            // Glibc's module does not export pthread_setname_np, so only Darwin threads get their name.
            #if canImport(Darwin)
            _ = pthread_setname_np(name)
            #endif
            body()
        }).toOpaque()
        #if canImport(Darwin)
        var handle: pthread_t?
        let rc = pthread_create(&handle, nil, { raw in
            Unmanaged<Body>.fromOpaque(raw).takeRetainedValue().run()
            return nil
        }, context)
        #else
        var handle = pthread_t()
        let rc = pthread_create(&handle, nil, { raw in
            Unmanaged<Body>.fromOpaque(raw!).takeRetainedValue().run()
            return nil
        }, context)
        #endif
        precondition(rc == 0, "pthread_create failed: \(rc)")
        state = Mutex(State(handle: handle))
    }

    /// Waits for the thread to end. Safe to call more than once and from the thread itself (then it returns at once).
    func join() {
        let target: Handle? = state.withLock { s in
            if s.joined { return nil }
            #if canImport(Darwin)
            if let h = s.handle, pthread_equal(h, pthread_self()) != 0 { return nil }
            #else
            if pthread_equal(s.handle, pthread_self()) != 0 { return nil }
            #endif
            s.joined = true
            return s.handle
        }
        guard let target else { return }
        #if canImport(Darwin)
        if let t = target { pthread_join(t, nil) }
        #else
        pthread_join(target, nil)
        #endif
    }
}
