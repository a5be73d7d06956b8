import CMicroHTTPD
import DequeModule
import Synchronization

/// A response body the application writes to over time (Server-Sent Events, long polls).
///
/// The server sends what was written as soon as it can and suspends the connection (no thread,
/// no polling) while nothing is pending. Writes past `maxPendingBytes` close the stream, so a
/// slow or vanished client cannot make memory grow.
///
/// A suspended connection is not watched by libmicrohttpd, so the server probes suspended
/// streams for a closed client end (`HTTPServer.Configuration.streamProbeInterval`) and ends
/// those: `onClose` for a departed client fires within about one probe interval, without
/// waiting for the application's next write. While served, the body's queue also counts
/// against the server's cap on bytes queued for all streams.
public final class StreamingBody: Sendable {
    private struct State: ~Copyable {
        /// Writes not yet handed to the server, oldest first; `sent` bytes of the first are gone.
        /// Each write is kept as the caller's array, not copied: streams sent the same message
        /// share one buffer.
        var pending: Deque<[UInt8]> = []
        var sent = 0
        /// Bytes in `pending` not yet handed to the server.
        var pendingCount = 0
        /// Bytes handed to the server so far.
        var handed = 0
        /// No more writes; the stream ends once `pending` is drained.
        var closed = false
        /// Ended because the client had closed its end (`endIfDeparted`).
        var departed = false
        /// `onClose` has fired.
        var finished = false
        /// Set once the server serves this body; a body can be served only once.
        var attached = false
        /// The connection while attached; nil once libmicrohttpd freed the response, when the
        /// pointer dangles.
        var connection: ConnectionHandle?
        /// The connection is suspended by the reader and waits for `resume`. Kept under the same
        /// lock as `pending` so exactly one writer resumes it: resuming a connection that is not
        /// suspended is undefined in libmicrohttpd.
        var suspended = false
        var closeHandlers: [@Sendable () -> Void] = []
        /// The server-wide budget `pending` is charged to while served.
        var budget: StreamBudget?

        /// Drops what is queued, giving its bytes back to the budget.
        mutating func dropPending() {
            budget?.release(pendingCount)
            pending = []
            sent = 0
            pendingCount = 0
        }

        /// The connection to resume, clearing `suspended`: at most one caller gets it.
        mutating func takeSuspended() -> ConnectionHandle? {
            guard suspended else { return nil }
            suspended = false
            return connection
        }

        /// The handlers to run when the stream has just finished; empty if it already had.
        mutating func finish() -> [@Sendable () -> Void] {
            guard !finished else { return [] }
            finished = true
            defer { closeHandlers = [] }
            return closeHandlers
        }
    }

    /// The most bytes that may wait for a slow client before the stream is closed.
    public let maxPendingBytes: Int
    private let state = Mutex(State())

    public init(maxPendingBytes: Int = 1 << 20) {
        self.maxPendingBytes = max(1, maxPendingBytes)
    }

    /// Queues bytes to send. Returns false when the stream is closed (or just closed for overflow).
    /// The array is kept as it is (no copy) until sent.
    @discardableResult
    public func write(_ bytes: [UInt8]) -> Bool {
        write(CollectionOfOne(bytes))
    }

    /// Queues several byte arrays, in order, as one write: all or none. Each is kept as it is
    /// (no copy), so a message written to many streams is held once.
    @discardableResult
    public func write<C: Collection<[UInt8]>>(_ parts: C) -> Bool {
        var batch = StreamWrites()
        let accepted = batch.write(parts, to: self)
        batch.send()
        return accepted
    }

    /// Queues `parts` as one write (all or none), leaving the connection to wake to the caller:
    /// the connection to resume, if it was suspended waiting for data, and the close handlers to
    /// run if the write ended the stream. Returns false when the stream is closed.
    fileprivate func enqueue<C: Collection<[UInt8]>>(_ parts: C) -> (accepted: Bool, resume: ConnectionHandle?,
                                                                     handlers: [@Sendable () -> Void]) {
        let total = parts.reduce(0) { $0 + $1.count }
        if total == 0 { return (!isClosed, nil, []) }
        return state.withLock { state -> (Bool, ConnectionHandle?, [@Sendable () -> Void]) in
            guard !state.closed else { return (false, nil, []) }
            let ownCapPassed = state.pendingCount + total > maxPendingBytes
            if ownCapPassed || !(state.budget?.reserve(total) ?? true) {
                // The client is not keeping up (or is gone), or all clients together hold too
                // much: end the stream rather than grow.
                if let budget = state.budget {
                    if ownCapPassed {
                        budget.streamOverflows.add(1, ordering: .relaxed)
                    } else {
                        budget.totalOverflows.add(1, ordering: .relaxed)
                    }
                }
                state.closed = true
                state.dropPending()
                return (false, state.takeSuspended(), state.attached ? [] : state.finish())
            }
            for part in parts where !part.isEmpty { state.pending.append(part) }
            state.pendingCount += total
            return (true, state.takeSuspended(), [])
        }
    }

    /// Writes UTF-8 text.
    @discardableResult
    public func write(_ text: String) -> Bool {
        write(Array(text.utf8))
    }

    /// Ends the stream after what is pending has been sent.
    public func close() {
        let (resume, handlers) = state.withLock { state -> (ConnectionHandle?, [@Sendable () -> Void]) in
            guard !state.closed else { return (nil, []) }
            state.closed = true
            // Not being served: nothing more will happen to it, so it has ended now.
            return (state.takeSuspended(), state.attached ? [] : state.finish())
        }
        resume?.resume()
        for handler in handlers { handler() }
    }

    public var isClosed: Bool {
        state.withLock { $0.closed }
    }

    /// Bytes written and not yet handed to the server.
    public var pendingBytes: Int {
        state.withLock { $0.pendingCount }
    }

    /// Bytes handed to the server to send so far (the stream's body, not counting chunk framing).
    public var bytesSent: Int {
        state.withLock { $0.handed }
    }

    /// The stream ended because its client had gone (its end of the connection closed while the stream waited
    /// for data), not because the server closed it.
    var departed: Bool {
        state.withLock { $0.departed }
    }

    /// Called once, from any thread, when the stream ends for whatever reason (client gone, close, server stop).
    public func onClose(_ handler: @escaping @Sendable () -> Void) {
        let alreadyFinished = state.withLock { state -> Bool in
            if state.finished { return true }
            state.closeHandlers.append(handler)
            return false
        }
        if alreadyFinished { handler() }
    }

    // MARK: Server side

    /// Binds the body to the connection serving it, charging its queue to `budget` from now on.
    /// False if it is already served elsewhere.
    func attach(to connection: ConnectionHandle, budget: StreamBudget) -> Bool {
        state.withLock { state in
            guard !state.attached else { return false }
            state.attached = true
            state.connection = connection
            state.budget = budget
            budget.charge(state.pendingCount)
            return true
        }
    }

    /// Ends a suspended stream whose client has closed its end of the connection (the socket
    /// reports end of input, a reset or an error). True when it did; the connection is then
    /// resumed, finds the end of the stream, and is closed by libmicrohttpd.
    func endIfDeparted() -> Bool {
        let resume = state.withLock { state -> ConnectionHandle? in
            guard state.suspended, let connection = state.connection,
                  tv_mhd_peer_gone(connection.pointer) != 0 else { return nil }
            state.closed = true
            state.departed = true
            state.dropPending()
            state.budget?.departures.add(1, ordering: .relaxed)
            return state.takeSuspended()
        }
        resume?.resume()
        return resume != nil
    }

    /// libmicrohttpd's content reader: copies pending bytes, or suspends the connection when there
    /// are none. Returns the byte count, 0 after suspending, or -1 at the end of the stream.
    func read(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        state.withLock { state in
            if state.pendingCount > 0 {
                var written = 0
                while written < buffer.count, let first = state.pending.first {
                    let count = min(first.count - state.sent, buffer.count - written)
                    first.withUnsafeBytes { part in
                        UnsafeMutableRawBufferPointer(rebasing: buffer[written..<(written + count)])
                            .copyMemory(from: UnsafeRawBufferPointer(rebasing: part[state.sent..<(state.sent + count)]))
                    }
                    written += count
                    state.sent += count
                    if state.sent == first.count {
                        state.pending.removeFirst()
                        state.sent = 0
                    }
                }
                state.pendingCount -= written
                state.handed += written
                state.budget?.release(written)
                return written
            }
            if state.closed { return -1 }
            guard let connection = state.connection else { return -1 }
            // Suspend under the lock: a writer that sees `suspended` must find the connection
            // really suspended, or its resume would hit a running connection.
            state.suspended = true
            MHD_suspend_connection(connection.pointer)
            return 0
        }
    }

    /// The response was freed (sent to the end, client gone, or daemon stopping): the connection
    /// pointer is dangling from now on.
    func detach() {
        let handlers = state.withLock { state -> [@Sendable () -> Void] in
            state.connection = nil
            state.suspended = false
            state.closed = true
            state.dropPending()
            state.budget = nil
            return state.finish()
        }
        for handler in handlers { handler() }
    }
}

/// Writes to many streams that wake their connections together, once all are queued.
///
/// Waking (resuming) a suspended connection signals the daemon thread serving it, which then
/// scans its suspended connections. Waking each stream as it is written makes a thousand-stream
/// broadcast a thousand such rounds, each contending with the writer for libmicrohttpd's lock;
/// queueing on every stream first and then waking them in one run lets each daemon thread find
/// most of its streams ready in one scan. Used for one broadcast at a time: `send()` soon after
/// the writes (streams written here wait for it); what is not sent by then is when the value
/// goes away.
public struct StreamWrites: ~Copyable {
    private var resumes: [ConnectionHandle] = []
    private var handlers: [@Sendable () -> Void] = []

    public init() {}

    /// Queues `parts` on `body` as one write (see `StreamingBody.write(_:)`); false when the
    /// stream is closed (or just closed for overflow). Its connection is woken by `send()`.
    public mutating func write<C: Collection<[UInt8]>>(_ parts: C, to body: StreamingBody) -> Bool {
        let (accepted, resume, ended) = body.enqueue(parts)
        if let resume { resumes.append(resume) }
        handlers += ended
        return accepted
    }

    /// Wakes every connection written to that was waiting, then runs the close handlers of
    /// streams the writes ended.
    public mutating func send() {
        let (resumes, handlers) = (self.resumes, self.handlers)
        self.resumes = []
        self.handlers = []
        Self.wake(resumes, handlers)
    }

    deinit {
        Self.wake(resumes, handlers)
    }

    private static func wake(_ resumes: [ConnectionHandle], _ handlers: [@Sendable () -> Void]) {
        for connection in resumes { connection.resume() }
        for handler in handlers { handler() }
    }
}

/// A libmicrohttpd connection pointer that may cross threads. Only the owner of the state that
/// holds it (under that state's lock) decides when it may be used.
struct ConnectionHandle: @unchecked Sendable {
    let pointer: OpaquePointer

    func resume() {
        MHD_resume_connection(pointer)
    }
}
