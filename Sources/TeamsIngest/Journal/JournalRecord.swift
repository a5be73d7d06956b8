import CZlib
import TeamsDomain

/// One operation on an ingest session, as the write-ahead log keeps it: replaying the records of a
/// source in order, into a fresh session, brings that session (decoder memory included) and what it
/// applied back to where they were.
///
/// Framing on disk (little-endian): `u32 length` of the body, `u32 CRC-32` (zlib) of the body, then
/// the body: `u8 operation`, `u8 flags`, `u16 source length`, `i64 at` (µs since the epoch, the
/// server's clock when the operation ran), `u64 device`, `u64 inode`, `i64 offset` (the file position
/// after the operation, zero when not a file), the source name (UTF-8), then the payload bytes.
public struct JournalRecord: Sendable, Hashable {
    /// What the session did.
    public enum Operation: UInt8, Sendable, Hashable {
        /// A whole `POST /ingest` body (NDJSON or a JSON array).
        case body = 1
        /// A form-encoded webhook body.
        case form = 2
        /// A chunk read from a file or standard input.
        case chunk = 3
        /// Held (reordered) events let go at `at`.
        case tick = 4
        /// The input ended (last partial line and held events let go).
        case finish = 5
        /// A partial line dropped: the file was truncated or replaced.
        case discardPartialLine = 6
    }

    /// Flag: the body came with the restricted client token (only ``NativeLinePermit`` lines).
    public static let restricted: UInt8 = 1

    public var operation: Operation
    public var flags: UInt8
    /// The session's source name: `POST /ingest`, `-`, or a file path.
    public var source: String
    public var at: Timestamp
    /// Where a file source stands after this operation; `nil` for other sources.
    public var position: FilePosition?
    public var payload: [UInt8]

    public init(_ operation: Operation, source: String, at: Timestamp, flags: UInt8 = 0,
                position: FilePosition? = nil, payload: [UInt8] = []) {
        self.operation = operation
        self.flags = flags
        self.source = source
        self.at = at
        self.position = position
        self.payload = payload
    }

    static let frameHeader = 8
    static let fixedBody = 1 + 1 + 2 + 8 + 8 + 8 + 8

    /// Appends the framed record to `out`.
    static func encode(_ operation: Operation, flags: UInt8, source: String, at: Timestamp, position: FilePosition?,
                       payload: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        let name = Array(source.utf8.prefix(Int(UInt16.max)))
        let bodyLength = fixedBody + name.count + payload.count
        let start = out.count
        // Grows geometrically: `reserveCapacity` alone allocates exactly what is asked, so a buffer that
        // gathers many records would be copied whole at every append.
        let needed = start + frameHeader + bodyLength
        if out.capacity < needed { out.reserveCapacity(Swift.max(needed, 2 * out.capacity)) }
        append(UInt32(bodyLength), to: &out)
        append(UInt32(0), to: &out)  // the checksum, filled in below
        out.append(operation.rawValue)
        out.append(flags)
        append(UInt16(name.count), to: &out)
        append(UInt64(bitPattern: at.microseconds), to: &out)
        append(position?.device ?? 0, to: &out)
        append(position?.inode ?? 0, to: &out)
        append(UInt64(bitPattern: Int64(position?.offset ?? 0)), to: &out)
        out.append(contentsOf: name)
        out.append(contentsOf: payload)
        let crc = out.withUnsafeBufferPointer { all in
            checksum(UnsafeBufferPointer(rebasing: all[(start + frameHeader)...]))
        }
        for i in 0..<4 { out[start + 4 + i] = UInt8(truncatingIfNeeded: crc >> (8 * UInt32(i))) }
    }

    /// What one read at `offset` found.
    enum Parsed {
        case record(JournalRecord, next: Int)
        /// Too few bytes for the record announced: the tail of a write cut short.
        case incomplete
        /// The checksum or a field does not hold: a torn or damaged record.
        case damaged(String)
    }

    /// Reads the record starting at `offset` of `bytes`.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, at offset: Int) -> Parsed {
        guard bytes.count - offset >= frameHeader else { return .incomplete }
        let length = Int(read32(bytes, offset))
        let crc = read32(bytes, offset + 4)
        guard length >= fixedBody else { return .damaged("record length \(length) below \(fixedBody)") }
        guard bytes.count - offset - frameHeader >= length else { return .incomplete }
        let body = UnsafeBufferPointer(rebasing: bytes[(offset + frameHeader)..<(offset + frameHeader + length)])
        guard checksum(body) == crc else { return .damaged("checksum mismatch") }
        guard let operation = Operation(rawValue: body[0]) else { return .damaged("unknown operation \(body[0])") }
        let nameLength = Int(UInt16(body[2]) | UInt16(body[3]) << 8)
        guard fixedBody + nameLength <= length else { return .damaged("source name past the record") }
        let at = Timestamp(microseconds: Int64(bitPattern: read64(body, 4)))
        let device = read64(body, 12), inode = read64(body, 20)
        let fileOffset = Int64(bitPattern: read64(body, 28))
        let name = String(decoding: UnsafeBufferPointer(rebasing: body[fixedBody..<(fixedBody + nameLength)]), as: UTF8.self)
        let position = device == 0 && inode == 0 ? nil : FilePosition(device: device, inode: inode, offset: Int(fileOffset))
        let record = JournalRecord(operation, source: name, at: at, flags: body[1], position: position,
                                   payload: Array(body[(fixedBody + nameLength)...]))
        return .record(record, next: offset + frameHeader + length)
    }

    static func checksum(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt32 {
        var crc: UInt = crc32(0, nil, 0)
        var rest = bytes
        // zlib takes a 32-bit length: feed large payloads in slices.
        while !rest.isEmpty {
            let n = min(rest.count, 1 << 30)
            crc = crc32(crc, rest.baseAddress, UInt32(n))
            rest = UnsafeBufferPointer(rebasing: rest[n...])
        }
        return UInt32(truncatingIfNeeded: crc)
    }

    private static func append<T: FixedWidthInteger>(_ value: T, to out: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) }
    }

    private static func read32(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> UInt32 {
        UInt32(b[i]) | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2]) << 16 | UInt32(b[i + 3]) << 24
    }

    private static func read64(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> UInt64 {
        UInt64(read32(b, i)) | UInt64(read32(b, i + 4)) << 32
    }
}

/// Which file a source is reading (device and inode, so a renamed or replaced file is told apart)
/// and how many of its bytes have been fed.
public struct FilePosition: Sendable, Hashable, Codable {
    public var device: UInt64
    public var inode: UInt64
    public var offset: Int

    public init(device: UInt64, inode: UInt64, offset: Int) {
        self.device = device
        self.inode = inode
        self.offset = offset
    }
}
