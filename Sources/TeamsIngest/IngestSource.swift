/// Something that reads events on its own thread into an ``IngestPipeline``.
public protocol IngestSource: AnyObject, Sendable {
    /// The name rejections and statistics use: a path, or `-` for standard input.
    var name: String { get }
    /// Starts reading on a new thread; calling it again does nothing.
    func start()
    /// Stops reading and waits until the reading thread has ended; afterwards the sink gets nothing more from it.
    func stop()
    /// Waits until the source ends on its own (end of input or failure) or is stopped.
    func wait()
}

/// How and why a source ended; given to the source's `onEnd` callback, on the reading thread.
public struct SourceEnd: Sendable, Hashable {
    public enum Reason: Sendable, Hashable {
        /// The whole input was read (a file not followed, or standard input closed).
        case endOfInput
        /// ``IngestSource/stop()`` was called.
        case stopped
        /// The source could not be read, e.g. `cannot open events.ndjson: No such file or directory`.
        case failed(String)
    }

    public var source: String
    public var reason: Reason
    /// Lines read (blank and rejected included).
    public var lines: Int

    public init(source: String, reason: Reason, lines: Int) {
        self.source = source
        self.reason = reason
        self.lines = lines
    }
}
