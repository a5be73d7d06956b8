#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Reads events from standard input (`-` on the command line) until it closes.
public final class StandardInputSource: IngestSource {
    public let name: String
    let fileDescriptor: Int32
    let pipeline: IngestPipeline
    let onEnd: @Sendable (SourceEnd) -> Void
    private let runner = SourceRunner()
    private let resumed: Mutex<IngestSession?>

    /// - Parameters:
    ///   - fileDescriptor: the descriptor to read (standard input by default; tests pass a pipe). Not closed.
    ///   - onEnd: called on the reading thread when input ends, fails or the source is stopped.
    ///   - resume: the session of standard input replayed from the write-ahead log (its decoder memory goes
    ///     on; a partial line left by the previous process is dropped).
    public init(pipeline: IngestPipeline, fileDescriptor: Int32 = STDIN_FILENO, name: String = "-",
                resume: sending IngestSession? = nil,
                onEnd: @escaping @Sendable (SourceEnd) -> Void = { _ in }) {
        self.resumed = Mutex(resume)
        self.pipeline = pipeline
        self.fileDescriptor = fileDescriptor
        self.name = name
        self.onEnd = onEnd
    }

    public func start() {
        runner.start(name: "ingest stdin") { [self] stop in run(stop) }
    }

    public func stop() { runner.stop() }

    public func wait() { runner.wait() }

    private func run(_ stop: StopSignal) {
        let slot: SessionSlot
        if let replayed = resumed.withLock({ $0.take() }) {
            slot = pipeline.slot(for: replayed)
            slot.run { session in
                if session.hasPartialLine { session.discardPartialLine() }
            }
        } else {
            slot = pipeline.slot(for: pipeline.makeSession(source: name))
        }
        var reader = DescriptorReader()
        let reason = reader.readAll(fileDescriptor, name: name, into: slot, stop: stop)
        onEnd(SourceEnd(source: name, reason: reason, lines: slot.run { $0.lineNumber }))
    }
}
