#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import TeamsDomain

/// Everything a replay of the write-ahead log rebuilds, at one place in the log: the registry (workers,
/// calls and their timers, held call changes, tombstones, version) with its counters, the ingest statistics
/// the pages show, and each long-lived session's memory (partial line, Twilio correlation, the reorder
/// window's records, a file's identity and position). A restart loads it and replays only the records
/// after ``log``.
///
/// File `state.snapshot` in the data directory: a 24-byte header (`TEAMSSNP`, `u32` format version,
/// `u32` CRC-32 of the payload, `u64` payload length, little-endian), then the payload: this value's
/// `Codable` form, in format version 2 in the compact binary form of ``CompactTag`` (several times cheaper
/// to write than JSON: a snapshot is taken every 64 MiB of log while ingest runs), in format version 1
/// as JSON (Foundation's `JSONEncoder`; still read, so a floor saved by an older build restores). Written
/// to `state.snapshot.tmp`, synced, renamed over `state.snapshot`, then the directory is synced: a crash
/// leaves the old snapshot or the new one.
public struct FloorSnapshot: Codable {
    /// The format this build writes.
    public static let formatVersion: UInt32 = 2
    /// The older format this build still reads: the payload as JSON.
    public static let jsonFormatVersion: UInt32 = 1
    static let magic = Array("TEAMSSNP".utf8)
    static let headerLength = 24
    public static let fileName = "state.snapshot"

    /// When the cut was taken (this server's clock).
    public var takenAt: Timestamp
    /// Where in the log the cut lies: every record before it is in this snapshot, none after it.
    public var log: WriteAheadLog.Position
    public var registry: Registry
    public var counters: RegistryStore.Counters
    public var statistics: IngestStatistics.Snapshot
    /// Memories of the long-lived sessions, by source.
    public var sessions: [SessionMemory]

    public init(takenAt: Timestamp, log: WriteAheadLog.Position, registry: Registry, counters: RegistryStore.Counters,
                statistics: IngestStatistics.Snapshot, sessions: [SessionMemory]) {
        self.takenAt = takenAt
        self.log = log
        self.registry = registry
        self.counters = counters
        self.statistics = statistics
        self.sessions = sessions
    }

    /// Why a snapshot cannot be used or written.
    public enum FileError: Error, CustomStringConvertible {
        case unreadable(String, String)
        case notASnapshot(String)
        case unknownVersion(String, UInt32)
        case damaged(String, String)
        case cannotWrite(String, String)

        public var description: String {
            switch self {
            case .unreadable(let path, let why): return "cannot read the snapshot \(path): \(why)"
            case .notASnapshot(let path):
                return "\(path) is not a teamsview snapshot (bad header); move it aside (and ingest.wal with it) to start with an empty floor"
            case .unknownVersion(let path, let version):
                return "the snapshot \(path) has format version \(version); this build reads versions \(FloorSnapshot.jsonFormatVersion) and \(FloorSnapshot.formatVersion). Run a build that reads it, or move it aside (and ingest.wal with it) to start with an empty floor"
            case .damaged(let path, let why):
                return "the snapshot \(path) is damaged (\(why)); restore it from a backup, or move it aside (and ingest.wal with it) to start with an empty floor"
            case .cannotWrite(let path, let why): return "cannot write the snapshot \(path): \(why)"
            }
        }
    }

    /// `directory/state.snapshot`.
    public static func path(in directory: String) -> String {
        directory.hasSuffix("/") ? directory + fileName : directory + "/" + fileName
    }

    /// The payload encoded, with its header: in ``formatVersion`` (compact binary), or in
    /// ``jsonFormatVersion`` (JSON, as older builds wrote it) when `version` says so.
    /// - Throws: `EncodingError` from a conformance; `FileError.unknownVersion` for another `version`.
    public func encoded(version: UInt32 = formatVersion) throws -> [UInt8] {
        var out = Self.magic + [UInt8](repeating: 0, count: Self.headerLength - Self.magic.count)
        switch version {
        case Self.formatVersion:
            out.reserveCapacity(1 << 20)
            try CompactEncoder.encode(self, appendingTo: &out)
        case Self.jsonFormatVersion:
            out.append(contentsOf: try JSONEncoder().encode(self))
        default:
            throw FileError.unknownVersion("(encoding)", version)
        }
        let payloadCount = out.count - Self.headerLength
        let crc = out.withUnsafeBufferPointer { JournalRecord.checksum(UnsafeBufferPointer(rebasing: $0[Self.headerLength...])) }
        func put<I: FixedWidthInteger>(_ value: I, at offset: Int) {
            withUnsafeBytes(of: value.littleEndian) { for (i, b) in $0.enumerated() { out[offset + i] = b } }
        }
        put(version, at: 8)
        put(crc, at: 12)
        put(UInt64(payloadCount), at: 16)
        return out
    }

    /// Reads a snapshot from `bytes` (the whole file at `path`, named in errors).
    public static func decode(_ bytes: [UInt8], path: String) throws(FileError) -> FloorSnapshot {
        guard bytes.count >= headerLength, Array(bytes[0..<8]) == magic else { throw .notASnapshot(path) }
        func read32(_ i: Int) -> UInt32 { (0..<4).reduce(0) { $0 | UInt32(bytes[i + $1]) << (8 * UInt32($1)) } }
        let version = read32(8)
        guard version == formatVersion || version == jsonFormatVersion else { throw .unknownVersion(path, version) }
        let crc = read32(12)
        let length = UInt64(read32(16)) | UInt64(read32(20)) << 32
        guard length == UInt64(bytes.count - headerLength) else {
            throw .damaged(path, "\(bytes.count - headerLength) payload bytes where the header says \(length)")
        }
        let payload = bytes[headerLength...]
        guard payload.withUnsafeBufferPointer({ JournalRecord.checksum($0) }) == crc else {
            throw .damaged(path, "checksum mismatch")
        }
        var snapshot: FloorSnapshot
        do {
            snapshot = version == jsonFormatVersion ? try JSONDecoder().decode(FloorSnapshot.self, from: Data(payload))
                : try CompactDecoder.decode(FloorSnapshot.self, from: Array(payload))
        } catch {
            throw .damaged(path, "cannot decode: \(String(describing: error).prefix(300))")
        }
        // Shared while the snapshot is the only holder of its workers: changed in place, not copied.
        snapshot.registry.shareRepeatedValues()
        return snapshot
    }

    /// The snapshot in `directory`, with its size in bytes, or `nil` when there is none.
    public static func load(directory: String) throws(FileError) -> (snapshot: FloorSnapshot, bytes: Int)? {
        let path = path(in: directory)
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            throw .unreadable(path, errnoDescription(errno))
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw .unreadable(path, errnoDescription(errno)) }
        var bytes = [UInt8](repeating: 0, count: Int(st.st_size))
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + done, $0.count - done) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { throw .unreadable(path, n < 0 ? errnoDescription(errno) : "shorter than its size") }
            done += n
        }
        return (try decode(bytes, path: path), bytes.count)
    }

    /// Writes `bytes` (from ``encoded()``) as the snapshot of `directory`: `state.snapshot.tmp`, fsync,
    /// rename over `state.snapshot`, fsync the directory.
    public static func write(_ bytes: [UInt8], directory: String) throws(FileError) {
        let path = path(in: directory)
        let temporary = path + ".tmp"
        unlink(temporary)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw .cannotWrite(temporary, errnoDescription(errno)) }
        if let why = WriteAheadLog.writeAll(fd, bytes[...]) {
            close(fd)
            unlink(temporary)
            throw .cannotWrite(temporary, why)
        }
        guard fsync(fd) == 0 else {
            let why = errnoDescription(errno)
            close(fd)
            unlink(temporary)
            throw .cannotWrite(temporary, "fsync: " + why)
        }
        close(fd)
        guard rename(temporary, path) == 0 else {
            let why = errnoDescription(errno)
            unlink(temporary)
            throw .cannotWrite(path, why)
        }
        if let why = WriteAheadLog.syncDirectory(directory) { throw .cannotWrite(path, why) }
    }
}
