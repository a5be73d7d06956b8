#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The pipeline-wide lock that makes a saved floor a consistent cut of the write-ahead log.
///
/// Every journaled operation of a session (append its record, feed it, hand the events to the sink,
/// which applies them to the registry) runs with the gate held shared, so sessions of different sources
/// still run side by side. Whoever saves the floor holds it exclusively for as long as it takes to copy
/// the (copy-on-write) registry and session memories and to mark its place in the log: no operation is
/// then half done, so every record before the mark is wholly in the copy and none after it is.
///
/// A waiting exclusive holder goes before new shared ones (writer preference), so a steady stream of
/// ingest cannot starve the snapshot.
public final class JournalGate: @unchecked Sendable {  // the pthread object is only touched through these calls
    private let lock = UnsafeMutablePointer<pthread_rwlock_t>.allocate(capacity: 1)

    public init() {
        #if canImport(Glibc)
        var attributes = pthread_rwlockattr_t()
        pthread_rwlockattr_init(&attributes)
        pthread_rwlockattr_setkind_np(&attributes, Int32(PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP))
        pthread_rwlock_init(lock, &attributes)
        pthread_rwlockattr_destroy(&attributes)
        #else
        pthread_rwlock_init(lock, nil)
        #endif
    }

    deinit {
        pthread_rwlock_destroy(lock)
        lock.deallocate()
    }

    /// Runs one operation of a session (shared with other sessions' operations).
    public func shared<T>(_ body: () throws -> T) rethrows -> T {
        pthread_rwlock_rdlock(lock)
        defer { pthread_rwlock_unlock(lock) }
        return try body()
    }

    /// Runs `body` while no session operation is under way.
    public func exclusive<T>(_ body: () throws -> T) rethrows -> T {
        pthread_rwlock_wrlock(lock)
        defer { pthread_rwlock_unlock(lock) }
        return try body()
    }
}
