/// A response body the application writes to over time (Server-Sent Events, long polls).
///
/// The server sends what was written as soon as it can and suspends the connection (no thread,
/// no polling) while nothing is pending. Writes past `maxPendingBytes` close the stream, so a
/// slow or vanished client cannot make memory grow.
public final class StreamingBody: Sendable {
    public init(maxPendingBytes: Int = 1 << 20) { fatalError("TODO") }

    /// Queues bytes to send. Returns false when the stream is closed (or just closed for overflow).
    @discardableResult
    public func write(_ bytes: [UInt8]) -> Bool { fatalError("TODO") }

    /// Ends the stream after what is pending has been sent.
    public func close() { fatalError("TODO") }

    public var isClosed: Bool { fatalError("TODO") }

    /// Called once, from any thread, when the stream ends for whatever reason (client gone, close, server stop).
    public func onClose(_ handler: @escaping @Sendable () -> Void) { fatalError("TODO") }
}
