#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import JSONOutput
import Logging
import Synchronization
import TimeText

/// A swift-log handler writing one machine-readable line per message to standard error, for log shippers
/// (journald, Vector, Fluent Bit, Loki, Elasticsearch):
///
/// - logfmt: `time=2026-12-07T08:15:02.123Z level=info label=teamsview msg="serving http://…" port=8080`.
///   A value is quoted when it is empty or holds a space, `=`, `"` or a control character; inside quotes
///   `"` and `\` are escaped with `\`, and newlines, returns and tabs as `\n`, `\r`, `\t` (other control
///   characters as `\u00XX`). Nested metadata is flattened: `peer.address=…`, `skills.0=…`.
/// - JSON: one object per line, `time`, `level`, `label`, `msg`, then the metadata keys; nested metadata as
///   objects and arrays; integers, doubles and booleans given as `.stringConvertible` as JSON numbers and
///   booleans.
///
/// The time is UTC with milliseconds. Metadata keys come in sorted order; one named like a fixed field
/// (`time`, `level`, `label`, `msg`) is written as `meta.<key>` so it never hides that field. An error
/// logged with the message adds `error.message` and `error.type`, as swift-log's `StreamLogHandler` does.
public struct StructuredLogHandler: LogHandler {
    public enum Format: Sendable {
        case logfmt
        case json
    }

    public let label: String
    public let format: Format
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let output: @Sendable ([UInt8]) -> Void

    /// - Parameter output: where each finished line (newline included) goes; standard error by default.
    public init(label: String, format: Format, metadataProvider: Logger.MetadataProvider? = nil,
                output: @escaping @Sendable ([UInt8]) -> Void = StructuredLogHandler.standardError) {
        self.label = label
        self.format = format
        self.metadataProvider = metadataProvider
        self.output = output
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get(), !provided.isEmpty {
            merged.merge(provided) { _, new in new }
        }
        if let explicit = event.metadata, !explicit.isEmpty {
            merged.merge(explicit) { _, new in new }
        }
        if let error = event.error {
            merged["error.message"] = "\(error)"
            merged["error.type"] = "\(String(reflecting: type(of: error)))"
        }
        output(Self.line(format: format, time: Self.now(), level: event.level, label: label,
                         message: event.message.description, metadata: merged))
    }

    // MARK: Lines

    /// The fixed fields every line starts with.
    static let fixedKeys: Set<String> = ["time", "level", "label", "msg"]

    /// One whole line, newline included. `time` is seconds since 1970 (UTC).
    public static func line(format: Format, time: Double, level: Logger.Level, label: String, message: String,
                            metadata: Logger.Metadata) -> [UInt8] {
        let stamp = timestamp(time)
        let entries = metadata.sorted { $0.key < $1.key }.map { (fixedKeys.contains($0.key) ? "meta." + $0.key : $0.key, $0.value) }
        switch format {
        case .json:
            var writer = JSONWriter(capacity: 256, escapingMarkup: false)
            writer.beginObject()
            writer.field("time", stamp)
            writer.field("level", level.rawValue)
            writer.field("label", label)
            writer.field("msg", message)
            for (key, value) in entries {
                writer.key(key)
                json(value, into: &writer)
            }
            writer.endObject()
            var bytes = writer.bytes
            bytes.append(0x0A)
            return bytes
        case .logfmt:
            var bytes: [UInt8] = []
            bytes.reserveCapacity(256)
            pair("time", stamp, into: &bytes)
            pair("level", level.rawValue, into: &bytes)
            pair("label", label, into: &bytes)
            pair("msg", message, into: &bytes)
            for (key, value) in entries { flattened(key, value, into: &bytes) }
            bytes.append(0x0A)
            return bytes
        }
    }

    private static func json(_ value: Logger.Metadata.Value, into writer: inout JSONWriter) {
        switch value {
        case .string(let text):
            writer.string(text)
        case .stringConvertible(let item):
            switch item {
            case let flag as Bool: writer.bool(flag)
            case let number as Int: writer.int(number)
            case let number as Double where number.isFinite: writer.double(number)
            default: writer.string(item.description)
            }
        case .dictionary(let dictionary):
            writer.beginObject()
            for (key, inner) in dictionary.sorted(by: { $0.key < $1.key }) {
                writer.key(key)
                json(inner, into: &writer)
            }
            writer.endObject()
        case .array(let items):
            writer.beginArray()
            for item in items { json(item, into: &writer) }
            writer.endArray()
        }
    }

    private static func flattened(_ key: String, _ value: Logger.Metadata.Value, into bytes: inout [UInt8]) {
        switch value {
        case .string(let text): pair(key, text, into: &bytes)
        case .stringConvertible(let item): pair(key, item.description, into: &bytes)
        case .dictionary(let dictionary):
            for (inner, item) in dictionary.sorted(by: { $0.key < $1.key }) { flattened(key + "." + inner, item, into: &bytes) }
        case .array(let items):
            for (index, item) in items.enumerated() { flattened(key + "." + String(index), item, into: &bytes) }
        }
    }

    /// ` key=value` (no leading space for the first pair). A key keeps only characters a logfmt key may hold:
    /// a space, `=`, `"` or control character becomes `_`.
    private static func pair(_ key: String, _ value: String, into bytes: inout [UInt8]) {
        if !bytes.isEmpty { bytes.append(0x20) }
        if key.isEmpty { bytes.append(0x5F) }
        for byte in key.utf8 {
            bytes.append(byte <= 0x20 || byte == 0x7F || byte == 0x3D || byte == 0x22 ? 0x5F : byte)
        }
        bytes.append(0x3D)
        logfmtValue(value, into: &bytes)
    }

    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    /// `value` as logfmt writes it: bare when it can be, else quoted and escaped.
    static func logfmtValue(_ value: String, into bytes: inout [UInt8]) {
        let utf8 = value.utf8
        let needsQuotes = utf8.isEmpty || utf8.contains { $0 <= 0x20 || $0 == 0x7F || $0 == 0x3D || $0 == 0x22 }
        guard needsQuotes else {
            bytes.append(contentsOf: utf8)
            return
        }
        bytes.append(0x22)
        for byte in utf8 {
            switch byte {
            case 0x22: bytes += [0x5C, 0x22]
            case 0x5C: bytes += [0x5C, 0x5C]
            case 0x0A: bytes += [0x5C, 0x6E]
            case 0x0D: bytes += [0x5C, 0x72]
            case 0x09: bytes += [0x5C, 0x74]
            case 0x00..<0x20, 0x7F: bytes += [0x5C, 0x75, 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 15)]]
            default: bytes.append(byte)
            }
        }
        bytes.append(0x22)
    }

    // MARK: Time

    /// Seconds since 1970, UTC, to the microsecond.
    static func now() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    /// `2026-12-07T08:15:02.123Z` (RFC 3339, UTC, milliseconds).
    static func timestamp(_ time: Double) -> String {
        RFC3339Format.string(microseconds: Int64((time * 1000).rounded(.down)) * 1000, milliseconds: .always)
    }

    // MARK: Output

    /// Lines from several threads never interleave: each goes out whole, under this lock.
    private static let writing = Mutex(())

    /// Writes `line` to file descriptor 2, all of it (retrying short writes and interruptions).
    public static let standardError: @Sendable ([UInt8]) -> Void = { line in
        writing.withLock { _ in
            line.withUnsafeBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let written = write(2, buffer.baseAddress! + offset, buffer.count - offset)
                    if written > 0 {
                        offset += written
                    } else if written < 0 && errno == EINTR {
                        continue
                    } else {
                        return
                    }
                }
            }
        }
    }
}
