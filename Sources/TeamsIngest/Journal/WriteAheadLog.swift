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
/// Snapshots keep the log short (see ``FloorSnapshot``): ``markCut()`` notes a place in the record stream
/// while no session operation runs, ``position(ofCut:)`` says where that place landed in the file once
/// written, and after the snapshot is safely on disk ``compact(from:)`` drops the records before it.
/// Compaction writes the records after the cut to `ingest.wal.tmp` under the next generation number,
/// syncs it, renames it over `ingest.wal` and syncs the directory, all on the writer thread between two
/// batches (so no record is written to the old file meanwhile). A crash at any step leaves either the old
/// log (the snapshot's generation: replay from the snapshot's offset) or the new one (the next generation:
/// replay all of it); a stray `ingest.wal.tmp` is deleted when the log is opened.
///
/// File: a 16-byte header (`TEAMSWAL`, `u32` format version, `u32` generation), then ``JournalRecord``s.
/// Version 1 files (before snapshots) are read as generation 0.
public final class WriteAheadLog: @unchecked Sendable {  // every mutable field is guarded by `condition`
    /// The format this build writes; it reads this one and version 1.
    public static let formatVersion: UInt32 = 2
    static let magic = Array("TEAMSWAL".utf8)
    /// Bytes of the file header; the first record starts here.
    public static let headerLength = 16
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
                return "the write-ahead log \(path) has format version \(version); this build reads versions 1 and \(WriteAheadLog.formatVersion). Run a build that reads it, or move the file aside to start with an empty floor"
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
        /// The log's generation: how many times it has been compacted after a snapshot.
        public var generation: UInt32 = 0
        /// Compactions done since start, and bytes of records they dropped.
        public var compactions = 0
        public var droppedBytes = 0
    }

    /// A place in the log: the generation of the file and a byte offset in it.
    public struct Position: Sendable, Hashable, Codable {
        public var generation: UInt32
        public var offset: Int

        public init(generation: UInt32, offset: Int) {
            self.generation = generation
            self.offset = offset
        }
    }

    public let path: String
    /// The data directory the log lives in.
    public let directory: String
    private var fd: Int32
    /// Cuts asked for and not yet written: each at an index of `pending`.
    private var marks: [(id: UInt64, index: Int)] = []
    private var lastMark: UInt64 = 0
    private var cuts: [UInt64: Position] = [:]
    /// A compaction asked for, and the outcomes of those done (`nil`: done, else why not).
    private var compaction: (id: UInt64, from: Position)?
    private var lastCompaction: UInt64 = 0
    private var compacted: [UInt64: String?] = [:]
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
    /// - Parameters:
    ///   - sync: `false` skips `fdatasync` (tests and benchmarks of the rest of the path only).
    ///   - newGeneration: the generation a new (empty) log gets: one past the snapshot's, so a log lost
    ///     after a snapshot starts where the snapshot ends.
    /// - Throws: ``OpenError`` when the file cannot be opened or is of an unknown format version.
    public init(directory: String, sync: Bool = true, newGeneration: UInt32 = 0) throws {
        Self.makeDirectories(directory)
        self.directory = directory
        path = directory.hasSuffix("/") ? directory + "ingest.wal" : directory + "/ingest.wal"
        syncs = sync
        unlink(path + ".tmp")
        fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw OpenError.cannotOpen(path, errnoDescription(errno)) }
        var st = stat()
        fstat(fd, &st)
        if st.st_size == 0 {
            let header = Self.header(generation: newGeneration)
            figures.generation = newGeneration
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
            guard version == 1 || version == Self.formatVersion else {
                close(fd)
                throw OpenError.unknownVersion(path, version)
            }
            figures.generation = UInt32(header[12]) | UInt32(header[13]) << 8 | UInt32(header[14]) << 16
                | UInt32(header[15]) << 24
            figures.fileBytes = Int(st.st_size)
        }
    }

    /// The 16 bytes a log file of `generation` starts with.
    static func header(generation: UInt32) -> [UInt8] {
        var header = Self.magic
        withUnsafeBytes(of: Self.formatVersion.littleEndian) { header.append(contentsOf: $0) }
        withUnsafeBytes(of: generation.littleEndian) { header.append(contentsOf: $0) }
        return header
    }

    /// The log's generation now.
    public var generation: UInt32 { condition.withLock { figures.generation } }

    deinit { close(fd) }

    /// What reading the log back found.
    public struct Recovery: Sendable, Hashable {
        public var records = 0
        public var bytes = 0
        /// Bytes cut from the end: a record torn by a crash, or damaged.
        public var tornBytes = 0
        public var tornReason: String?
    }

    /// Reads every record from byte `start` on (a snapshot's offset; the first record by default) in order
    /// and hands it to `body`; a torn or damaged tail is cut off the file (everything before it is kept).
    /// Call once, before ``start()``.
    public func replay(from start: Int = WriteAheadLog.headerLength, _ body: (JournalRecord) -> Void) -> Recovery {
        var recovery = Recovery()
        let size = figures.fileBytes
        guard start <= size else {
            recovery.tornReason = "the log ends at byte \(size), before the snapshot's place in it (\(start))"
            return recovery
        }
        guard size > max(start, Self.headerLength) else { return recovery }
        guard let map = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), map != MAP_FAILED else {
            recovery.tornReason = "cannot map the log: \(errnoDescription(errno))"
            return recovery
        }
        defer { munmap(map, size) }
        let bytes = UnsafeBufferPointer(start: map.assumingMemoryBound(to: UInt8.self), count: size)
        var offset = max(start, Self.headerLength)
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
        recovery.bytes = offset - max(start, Self.headerLength)
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

    /// Notes the place in the record stream after every record appended so far; call while no session
    /// operation runs (``JournalGate``). Returns the cut's ticket for ``position(ofCut:)``.
    public func markCut() -> UInt64 {
        condition.withLock {
            lastMark += 1
            marks.append((lastMark, pending.count))
            condition.broadcast()
            return lastMark
        }
    }

    /// Where cut `ticket` landed in the file, once the records before it are written and synced; `nil` when
    /// the writer is not running. After a failed write the place is where the next records go (the failed
    /// ones are not in the file).
    public func position(ofCut ticket: UInt64) -> Position? {
        condition.lock()
        defer { condition.unlock() }
        while cuts[ticket] == nil {
            if writer == nil { return nil }
            condition.wait()
        }
        return cuts.removeValue(forKey: ticket)
    }

    /// Drops the records before `cut` (a snapshot holds what they did): the writer thread writes the
    /// records from `cut` on to a new file of the next generation and renames it over the log (see the type's
    /// documentation). Returns `nil` when done, else why not (the log is then left as it was).
    public func compact(from cut: Position) -> String? {
        condition.lock()
        defer { condition.unlock() }
        guard writer != nil else { return "the write-ahead log is closed" }
        lastCompaction += 1
        let id = lastCompaction
        compaction = (id, cut)
        condition.broadcast()
        while compacted[id] == nil {
            if writer == nil { return "the write-ahead log is closed" }
            condition.wait()
        }
        return compacted.removeValue(forKey: id)!
    }

    private func run() {
        condition.lock()
        var unsynced = false
        while true {
            while pending.isEmpty && marks.isEmpty && compaction == nil && !stopping { condition.wait() }
            if pending.isEmpty && marks.isEmpty && compaction == nil && stopping {
                if unsynced && syncs { fdatasync(fd) }
                break
            }
            // Move the spare buffer in rather than copy it: a copy shares its storage with `spare`, so the
            // next append would allocate a new buffer and copy what it holds.
            var batch: [UInt8] = []
            swap(&batch, &spare)
            swap(&batch, &pending)
            let batchMarks = marks
            marks.removeAll()
            let through = appended
            let first = completed + 1
            let goodLength = figures.fileBytes
            let mustSync = syncWanted >= first || stopping
            condition.broadcast()  // appends waiting for room may go on
            condition.unlock()

            // A cut's place is named by a snapshot, so what comes before it is synced first, even chunks
            // appended without a sync of their own.
            let syncNow = mustSync || !batchMarks.isEmpty
            var error: String?
            var seconds = 0.0
            var synced = false
            if !batch.isEmpty { error = Self.writeAll(fd, batch[...]) }
            if error == nil, syncs, syncNow, !batch.isEmpty || unsynced {
                let started = Timestamp.monotonicSeconds()
                if fdatasync(fd) != 0 { error = "fdatasync: " + errnoDescription(errno) } else { synced = true }
                seconds = Timestamp.monotonicSeconds() - started
            }
            if error != nil, !batch.isEmpty {
                // Cut what this batch may have left half-written, so the next batch follows whole records.
                ftruncate(fd, off_t(goodLength))
            }

            condition.lock()
            for mark in batchMarks {
                cuts[mark.id] = Position(generation: figures.generation,
                                         offset: error == nil ? goodLength + mark.index : goodLength)
            }
            if let error, !batch.isEmpty {
                failing = true
                figures.writeErrors += 1
                figures.lastError = error
                failures.append(first...through)
                if failures.count > 1024 { failures.removeFirst(failures.count - 1024) }
            } else {
                // With an empty batch there were only cuts to place (or a compaction to do).
                if !batch.isEmpty {
                    failing = false
                    figures.fileBytes += batch.count
                }
                if synced {
                    unsynced = false
                    figures.syncs += 1
                    figures.syncSeconds += seconds
                    figures.longestSync = max(figures.longestSync, seconds)
                } else if !batch.isEmpty {
                    unsynced = true
                }
            }
            completed = through
            batch.removeAll(keepingCapacity: true)
            spare = batch
            if let request = compaction {
                compaction = nil
                let length = figures.fileBytes
                let generation = figures.generation
                condition.unlock()
                let outcome = rewrite(from: request.from, length: length, generation: generation)
                condition.lock()
                switch outcome {
                case .success(let newFile):
                    close(fd)
                    fd = newFile
                    figures.generation = generation &+ 1
                    figures.fileBytes = Self.headerLength + length - request.from.offset
                    figures.compactions += 1
                    figures.droppedBytes += request.from.offset - Self.headerLength
                    compacted[request.id] = .some(nil)
                case .failure(let why):
                    compacted[request.id] = .some(why.text)
                }
            }
            condition.broadcast()
        }
        writer = nil
        condition.broadcast()
        condition.unlock()
    }

    /// Why a compaction failed.
    private struct CompactionError: Error { var text: String }

    /// Writes the header of the next generation and bytes `cut.offset..<length` of the log to
    /// `ingest.wal.tmp`, syncs it, renames it over the log and syncs the directory. Returns the new file,
    /// open for appending. Runs on the writer thread, with nothing else writing the log.
    private func rewrite(from cut: Position, length: Int, generation: UInt32) -> Result<Int32, CompactionError> {
        guard cut.generation == generation, cut.offset >= Self.headerLength, cut.offset <= length else {
            return .failure(CompactionError(text: "the cut (generation \(cut.generation), byte \(cut.offset)) is not in the log (generation \(generation), \(length) bytes)"))
        }
        let temporary = path + ".tmp"
        unlink(temporary)
        let out = open(temporary, O_RDWR | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0o640)
        guard out >= 0 else { return .failure(CompactionError(text: "cannot create \(temporary): \(errnoDescription(errno))")) }
        func fail(_ why: String) -> Result<Int32, CompactionError> {
            close(out)
            unlink(temporary)
            return .failure(CompactionError(text: why))
        }
        if let why = Self.writeAll(out, Self.header(generation: generation &+ 1)[...]) { return fail(why) }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var offset = cut.offset
        while offset < length {
            let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, min($0.count, length - offset), off_t(offset)) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { return fail("cannot read the log: \(n < 0 ? errnoDescription(errno) : "it ended early")") }
            if let why = Self.writeAll(out, buffer[0..<n]) { return fail(why) }
            offset += n
        }
        guard fsync(out) == 0 else { return fail("fsync: " + errnoDescription(errno)) }
        guard rename(temporary, path) == 0 else { return fail("cannot rename \(temporary): \(errnoDescription(errno))") }
        if let why = Self.syncDirectory(directory) { return .failure(CompactionError(text: why)) }
        return .success(out)
    }

    /// Syncs a directory, so a rename or a new file in it survives a power cut. Returns why not, or `nil`.
    public static func syncDirectory(_ directory: String) -> String? {
        let dir = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard dir >= 0 else { return "cannot open \(directory): \(errnoDescription(errno))" }
        defer { close(dir) }
        return fsync(dir) == 0 ? nil : "fsync \(directory): " + errnoDescription(errno)
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
