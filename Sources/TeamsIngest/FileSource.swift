#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Logging
import Synchronization

/// Reads events from a file, once or followed like `tail -F`.
///
/// Followed, it reads the file from the start, then waits for growth; it survives the file not existing
/// yet, being truncated (reads again from the start) and being rotated (finishes the old file, including
/// an unterminated last line, then opens the new one from the start). On Linux a change to the file or its
/// name wakes the reader at once (inotify, see ``FileWatch``); the poll interval is only a fallback.
public final class FileSource: IngestSource {
    public let path: String
    public let follow: Bool
    public let pollInterval: Duration
    let pipeline: IngestPipeline
    let onEnd: @Sendable (SourceEnd) -> Void
    private let runner = SourceRunner()
    /// The session replayed from the write-ahead log, taken by the reading thread when it starts.
    private let resumed: Mutex<IngestSession?>

    public var name: String { path }

    /// - Parameters:
    ///   - follow: keep reading as the file grows, is truncated or is replaced, until stopped.
    ///   - pollInterval: how often a followed file is checked once caught up when no change woke the reader
    ///     (the only wake-up where inotify is unavailable). Held Twilio events are let go at least every 200 ms.
    ///   - onEnd: called on the reading thread when the source ends: after the last line of a file not
    ///     followed ("finished reading X (N lines)"), on failure, or when stopped.
    ///   - resume: this path's session replayed from the write-ahead log: reading goes on from its
    ///     position when the file there is still the same one (device and inode) and not shorter, so
    ///     nothing is applied twice; otherwise the file is read from the start.
    public init(path: String, follow: Bool, pipeline: IngestPipeline, pollInterval: Duration = .seconds(1),
                resume: sending IngestSession? = nil,
                onEnd: @escaping @Sendable (SourceEnd) -> Void = { _ in }) {
        self.resumed = Mutex(resume)
        self.path = path
        self.follow = follow
        self.pipeline = pipeline
        self.pollInterval = pollInterval
        self.onEnd = onEnd
    }

    /// Longest wait while the decoder holds events (Twilio's reorder window) that time must let go.
    static let tickInterval = Duration.milliseconds(200)

    public func start() {
        runner.start(name: "ingest file") { [self] stop in
            let end = follow ? runFollowing(stop) : runOnce(stop)
            onEnd(end)
        }
    }

    public func stop() { runner.stop() }

    public func wait() { runner.wait() }

    /// The replayed session, or a new one, in its slot.
    private func takeSlot() -> SessionSlot {
        if let session = resumed.withLock({ $0.take() }) { return pipeline.slot(for: session) }
        return pipeline.slot(for: pipeline.makeSession(source: path))
    }

    /// Why a file is being opened, for the log: the first time in this process (the session's position, if
    /// any, is from before a restart), after rotation (the path names a new file), or again after a read error.
    enum Opening {
        case start, rotation, afterError

        /// What the position the session holds dates from, in the log's words.
        var before: String {
            switch self {
            case .start: return "before the restart"
            case .rotation: return "before the rotation"
            case .afterError: return "before the read error"
            }
        }
    }

    /// Positions a newly opened file for `session`: past what the session already fed from this very
    /// file (a restart, a reopening after an error), else at the start. Returns the offset.
    private func place(_ file: OpenFile, _ session: inout IngestSession, opening: Opening) -> Int {
        var offset = 0
        let source: Logger.Metadata = ["source": "\(path)"]
        if let known = session.position {
            if known.device == file.identity.device, known.inode == file.identity.inode,
               let size = file.currentSize(), size >= known.offset {
                offset = known.offset
                if offset > 0 {
                    lseek(file.fd, off_t(offset), SEEK_SET)
                    pipeline.logger.info("\(path): going on from byte \(offset), read \(opening.before)", metadata: source)
                }
            } else if known.device != file.identity.device || known.inode != file.identity.inode {
                // After a rotation that is the point, and was logged when the old file was finished.
                if opening != .rotation {
                    pipeline.logger.notice("\(path) is another file than \(opening.before) (rotated); reading it from the start",
                                           metadata: source)
                }
                if session.hasPartialLine { session.discardPartialLine() }
            } else {
                pipeline.logger.notice("\(path) was truncated (shorter than \(opening.before)); reading it again from the start",
                                       metadata: source)
                session.position = FilePosition(device: file.identity.device, inode: file.identity.inode, offset: 0)
                session.discardPartialLine()
            }
        }
        session.position = FilePosition(device: file.identity.device, inode: file.identity.inode, offset: offset)
        return offset
    }

    private func runOnce(_ stop: StopSignal) -> SourceEnd {
        let slot = takeSlot()
        guard let file = OpenFile(path: path) else {
            return SourceEnd(source: path, reason: .failed("cannot open \(path): \(errnoDescription(errno))"), lines: 0)
        }
        defer { close(file.fd) }
        _ = slot.run { place(file, &$0, opening: .start) }
        var reader = DescriptorReader()
        let reason = reader.readAll(file.fd, name: path, into: slot, stop: stop)
        return SourceEnd(source: path, reason: reason, lines: slot.run { $0.lineNumber })
    }

    private func runFollowing(_ stop: StopSignal) -> SourceEnd {
        let logger = pipeline.logger
        let slot = takeSlot()
        var reader = DescriptorReader()
        var file: OpenFile?
        var waitingLogged = false
        var opening = Opening.start
        let watch = FileWatch(path: path)
        defer { if let file { close(file.fd) } }

        while !stop.isSet {
            guard var current = file else {
                if var opened = OpenFile(path: path) {
                    opened.offset = slot.run { place(opened, &$0, opening: opening) }
                    file = opened
                    watch.watchFile()
                    waitingLogged = false
                    logger.info("following \(path)", metadata: ["source": "\(path)"])
                } else {
                    if !waitingLogged {
                        logger.notice("waiting for \(path) to appear (--follow): \(errnoDescription(errno))", metadata: ["source": "\(path)"])
                        waitingLogged = true
                    }
                    watch.wait(upTo: pollInterval, stop: stop)
                }
                continue
            }

            switch reader.drain(current.fd, into: slot, stop: stop) {
            case .stopped:
                break
            case .failed(let code):
                logger.error("cannot read \(path): \(errnoDescription(code)); reopening", metadata: ["source": "\(path)"])
                close(current.fd)
                file = nil
                opening = .afterError
                slot.run { $0.discardPartialLine() }
                stop.sleep(pollInterval)
                continue
            case .endOfInput:
                current.offset += reader.bytesRead
                file = current
            }
            if stop.isSet { break }

            // Caught up with the file: has it been truncated or replaced meanwhile?
            if let size = current.currentSize(), size < current.offset {
                logger.notice("\(path) was truncated; reading it again from the start", metadata: ["source": "\(path)"])
                lseek(current.fd, 0, SEEK_SET)
                current.offset = 0
                file = current
                slot.run { session in
                    session.position?.offset = 0
                    session.discardPartialLine()
                }
                continue
            }
            if let identity = FileIdentity(path: path), identity != current.identity {
                // Lines written to the old file just before it was renamed are still ours.
                if reader.drain(current.fd, into: slot, stop: stop) == .stopped { break }
                slot.run { $0.finish() }
                logger.notice("\(path) was rotated (the path names a new file); finished the old file, reading the new one",
                              metadata: ["source": "\(path)"])
                close(current.fd)
                file = nil
                opening = .rotation
                continue
            }
            // Gone without a replacement yet: keep the old descriptor, the writer may still be using it.
            let holdsEvents = slot.run { session in
                session.tick()
                return session.holdsEvents
            }
            watch.wait(upTo: holdsEvents ? min(pollInterval, Self.tickInterval) : pollInterval, stop: stop)
        }
        return SourceEnd(source: path, reason: .stopped, lines: slot.run { $0.lineNumber })
    }
}

/// Which file a path names, to notice rotation (same path, another file).
struct FileIdentity: Equatable, Sendable {
    var device: UInt64
    var inode: UInt64

    init(_ st: stat) {
        device = UInt64(st.st_dev)
        inode = UInt64(st.st_ino)
    }

    init?(path: String) {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        self.init(st)
    }
}

/// An open file being read, with how far into it we are.
struct OpenFile {
    let fd: Int32
    let identity: FileIdentity
    var offset = 0

    /// Opens `path` for reading; `nil` with `errno` set on failure.
    init?(path: String) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            let saved = errno
            close(fd)
            errno = saved
            return nil
        }
        self.fd = fd
        self.identity = FileIdentity(st)
    }

    func currentSize() -> Int? {
        var st = stat()
        guard fstat(fd, &st) == 0 else { return nil }
        return Int(st.st_size)
    }
}
