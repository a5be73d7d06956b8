#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads events from standard input (`-` on the command line) until it closes.
public final class StandardInputSource: IngestSource {
    public let name: String
    let fileDescriptor: Int32
    let pipeline: IngestPipeline
    let onEnd: @Sendable (SourceEnd) -> Void
    private let runner = SourceRunner()

    /// - Parameters:
    ///   - fileDescriptor: the descriptor to read (standard input by default; tests pass a pipe). Not closed.
    ///   - onEnd: called on the reading thread when input ends, fails or the source is stopped.
    public init(pipeline: IngestPipeline, fileDescriptor: Int32 = STDIN_FILENO, name: String = "-",
                onEnd: @escaping @Sendable (SourceEnd) -> Void = { _ in }) {
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
        var session = pipeline.makeSession(source: name)
        var reader = DescriptorReader()
        let reason = reader.readAll(fileDescriptor, name: name, into: &session, stop: stop)
        onEnd(SourceEnd(source: name, reason: reason, lines: session.lineNumber))
    }
}
