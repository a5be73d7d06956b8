#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import TeamsDomain

/// The write-ahead log: an append-only file, `ingest.wal` in the data directory, holding every
/// operation of the ingest sessions (bodies posted, chunks read, held events let go) so a restart can
/// replay them and come back to the same floor.
///
/// Appends go to a memory buffer; one writer thread writes what has gathered and syncs it
/// (`fdatasync`), so requests that arrive together share one sync (group commit). A request that must
/// not be answered before its events are on disk waits with ``waitUntilDurable(_:)``. Records appended
/// with `sync: false` (chunks of a file, which is read again after a crash) are written but sync no
/// batch of their own: the next record that must be durable, or the stop, syncs them too.
///
/// A write or sync that fails (a full disk) cuts the file back to its last synced length, fails the
/// records of that batch, and the next batch tries again.
///
/// File: a 16-byte header (`TEAMSWAL`, `u32` format version, `u32` zero), then ``JournalRecord``s.
public final class WriteAheadLog: @unchecked Sendable {  // every mutable field is guarded by `condition`
    /// The format this build writes and reads.
    public static let formatVersion: UInt32 = 1
    static let magic = Array("TEAMSWAL".utf8)
    static let headerLength = 16
    /// Bytes that may wait for the writer before appends wait for it too.
    static let pendingLimit = 64 << 20

    /// Why the log cannot be used.
    public enum OpenError: Error, CustomStringConvertible {
        case cannotOpen(String, String)
        case unknownVersion(String, UInt32)
        case notALog(String)

        public var description: String {
            switch self {
            case .cannotOpen(let path, let why): return "cannot open the write-ahead log \(path): \(why)"
            case .unknownVersion(let path, let version):
                return "the write-ahead log \(path) has format version \(version); this build reads version \(WriteAheadLog.formatVersion). Run a build that reads it, or move the file aside to start with an empty floor"
            case .notALog(let path): return "\(path) is not a teamsview write-ahead log (bad header); move it aside"
            }
        }
    }

    /// What the writer has done so far.
    public struct Figures: Sendable, Hashable {
        /// Records appended since start (replayed ones not included).
        public var records: UInt64 = 0
        /// Length of the file, bytes written.
        public var fileBytes = 0
        /// `fdatasync` calls that succeeded, and the seconds they took in all and at most.
        public var syncs = 0
        public var syncSeconds = 0.0
        public var longestSync = 0.0
        /// Writes or syncs that failed (each fails every record of its batch), and the last reason.
        public var writeErrors = 0
        public var lastError: String?
    }

    public let path: String
    private let fd: Int32
    private let condition = JournalCondition()
    private var pending: [UInt8] = []
    private var spare: [UInt8] = []
    private var appended: UInt64 = 0
    private var completed: UInt64 = 0
    /// The last record appended that must be synced before it is complete.
    private var syncWanted: UInt64 = 0
    private var failures: [ClosedRange<UInt64>] = []
    private var figures = Figures()
    private var stopping = false
    private var failing = false
    private var writer: IngestThread?
    private let syncs: Bool

    /// Opens (or creates) `directory/ingest.wal`, creating the directory when missing.
    /// - Parameter sync: `false` skips `fdatasync` (tests and benchmarks of the rest of the path only).
    /// - Throws: ``OpenError`` when the file cannot be opened or is of an unknown format version.
    public init(directory: String, sync: Bool = true) throws {
        Self.makeDirectories(directory)
        path = directory.hasSuffix("/") ? directory + "ingest.wal" : directory + "/ingest.wal"
        syncs = sync
        fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw OpenError.cannotOpen(path, errnoDescription(errno)) }
        var st = stat()
        fstat(fd, &st)
        if st.st_size == 0 {
            var header = Self.magic
            withUnsafeBytes(of: Self.formatVersion.littleEndian) { header.append(contentsOf: $0) }
            header.append(contentsOf: [0, 0, 0, 0])
            guard Self.writeAll(fd, header[...]) == nil, fsync(fd) == 0 else {
                let why = errnoDescription(errno)
                close(fd)
                throw OpenError.cannotOpen(path, why)
            }
            figures.fileBytes = Self.headerLength
        } else {
            var header = [UInt8](repeating: 0, count: Self.headerLength)
            let n = pread(fd, &header, Self.headerLength, 0)
            guard n == Self.headerLength, Array(header[0..<8]) == Self.magic else {
                close(fd)
                throw OpenError.notALog(path)
            }
            let version = UInt32(header[8]) | UInt32(header[9]) << 8 | UInt32(header[10]) << 16 | UInt32(header[11]) << 24
            guard version == Self.formatVersion else {
                close(fd)
                throw OpenError.unknownVersion(path, version)
            }
            figures.fileBytes = Int(st.st_size)
        }
    }

    deinit { close(fd) }

    /// What reading the log back found.
    public struct Recovery: Sendable, Hashable {
        public var records = 0
        public var bytes = 0
        /// Bytes cut from the end: a record torn by a crash, or damaged.
        public var tornBytes = 0
        public var tornReason: String?
    }

    /// Reads every record in order and hands it to `body`; a torn or damaged tail is cut off the file
    /// (everything before it is kept). Call once, before ``start()``.
    public func replay(_ body: (JournalRecord) -> Void) -> Recovery {
        var recovery = Recovery()
        let size = figures.fileBytes
        guard size > Self.headerLength else { return recovery }
        guard let map = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), map != MAP_FAILED else {
            recovery.tornReason = "cannot map the log: \(errnoDescription(errno))"
            return recovery
        }
        defer { munmap(map, size) }
        let bytes = UnsafeBufferPointer(start: map.assumingMemoryBound(to: UInt8.self), count: size)
        var offset = Self.headerLength
        while offset < size {
            switch JournalRecord.parse(bytes, at: offset) {
            case .record(let record, let next):
                body(record)
                recovery.records += 1
                offset = next
            case .incomplete:
                recovery.tornReason = "the last record is incomplete"
                recovery.tornBytes = size - offset
            case .damaged(let why):
                recovery.tornReason = why
                recovery.tornBytes = size - offset
            }
            if recovery.tornBytes > 0 { break }
        }
        recovery.bytes = offset
        if recovery.tornBytes > 0 {
            ftruncate(fd, off_t(offset))
            fsync(fd)
            figures.fileBytes = offset
        }
        return recovery
    }

    /// Starts the writer thread; appends before it wait.
    public func start() {
        condition.withLock {
            guard writer == nil else { return }
            writer = IngestThread(name: "journal writer") { [self] in run() }
        }
    }

    /// Writes what is pending, then stops the writer.
    public func stop() {
        let thread: IngestThread? = condition.withLock {
            stopping = true
            condition.broadcast()
            return writer
        }
        thread?.join()
    }

    /// Appends one record; returns its sequence number for ``waitUntilDurable(_:)``.
    /// - Parameter sync: `false` for a record nobody waits for and that may be lost by a crash (it is
    ///   written, and synced by the next record that must be, or by ``stop()``).
    @discardableResult
    public func append(_ operation: JournalRecord.Operation, source: String, at: Timestamp, flags: UInt8 = 0,
                       position: FilePosition? = nil, payload: UnsafeBufferPointer<UInt8>, sync: Bool = true) -> UInt64 {
        condition.lock()
        defer { condition.unlock() }
        while pending.count > Self.pendingLimit && !stopping { condition.wait() }
        JournalRecord.encode(operation, flags: flags, source: source, at: at, position: position,
                             payload: payload, into: &pending)
        appended += 1
        if sync { syncWanted = appended }
        figures.records += 1
        condition.broadcast()
        return appended
    }

    /// Appends a record without payload.
    @discardableResult
    public func append(_ operation: JournalRecord.Operation, source: String, at: Timestamp,
                       position: FilePosition? = nil) -> UInt64 {
        append(operation, source: source, at: at, position: position, payload: UnsafeBufferPointer(start: nil, count: 0))
    }

    /// Waits until record `sequence` is synced to disk. Returns `nil` then, or why it could not be written.
    public func waitUntilDurable(_ sequence: UInt64) -> String? {
        condition.lock()
        defer { condition.unlock() }
        while completed < sequence {
            if stopping && writer == nil { return "the write-ahead log is closed" }
            condition.wait()
        }
        if failures.contains(where: { $0.contains(sequence) }) {
            return figures.lastError ?? "cannot write the write-ahead log"
        }
        return nil
    }

    /// Whether the last write failed (until one succeeds): callers then wait for the disk before applying.
    public var isFailing: Bool { condition.withLock { failing } }

    /// The writer's figures now.
    public var currentFigures: Figures { condition.withLock { figures } }

    private func run() {
        condition.lock()
        var unsynced = false
        while true {
            while pending.isEmpty && !stopping { condition.wait() }
            if pending.isEmpty && stopping {
                if unsynced && syncs { fdatasync(fd) }
                break
            }
            // Move the spare buffer in rather than copy it: a copy shares its storage with `spare`, so the
            // next append would allocate a new buffer and copy what it holds.
            var batch: [UInt8] = []
            swap(&batch, &spare)
            swap(&batch, &pending)
            let through = appended
            let first = completed + 1
            let goodLength = figures.fileBytes
            let mustSync = syncWanted >= first || stopping
            condition.broadcast()  // appends waiting for room may go on
            condition.unlock()

            var error = Self.writeAll(fd, batch[...])
            let started = Timestamp.monotonicSeconds()
            if error == nil, syncs, mustSync, fdatasync(fd) != 0 { error = "fdatasync: " + errnoDescription(errno) }
            let seconds = Timestamp.monotonicSeconds() - started
            if error != nil {
                // Cut what this batch may have left half-written, so the next batch follows whole records.
                ftruncate(fd, off_t(goodLength))
            }

            condition.lock()
            failing = error != nil
            if let error {
                figures.writeErrors += 1
                figures.lastError = error
                failures.append(first...through)
                if failures.count > 1024 { failures.removeFirst(failures.count - 1024) }
            } else {
                figures.fileBytes += batch.count
                unsynced = !mustSync
                if mustSync && syncs {
                    figures.syncs += 1
                    figures.syncSeconds += seconds
                    figures.longestSync = max(figures.longestSync, seconds)
                }
            }
            completed = through
            batch.removeAll(keepingCapacity: true)
            spare = batch
            condition.broadcast()
        }
        writer = nil
        condition.broadcast()
        condition.unlock()
    }

    /// Creates `path` and its missing parents (like `mkdir -p`); failures show when the log is opened.
    static func makeDirectories(_ path: String) {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for part in path.split(separator: "/") {
            prefix += part
            mkdir(prefix, 0o750)
            prefix += "/"
        }
    }

    /// Writes every byte, or returns why not.
    static func writeAll(_ fd: Int32, _ bytes: ArraySlice<UInt8>) -> String? {
        bytes.withUnsafeBufferPointer { buffer in
            var done = 0
            while done < buffer.count {
                let n = write(fd, buffer.baseAddress! + done, buffer.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    return "write: " + errnoDescription(errno)
                }
                done += n
            }
            return nil
        }
    }
}
