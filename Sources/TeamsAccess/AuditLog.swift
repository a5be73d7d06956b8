import Foundation
import Logging
import Synchronization

/// The audit log: one JSON object per line, `{"at": RFC 3339 UTC, "event": ..., "user": ..., "address": ..., "detail": ...}`,
/// appended to `audit.log` in the data directory (opened with O_APPEND, so the CLI and the server can both add lines)
/// and also logged at `notice`. Events: `signin.ok`, `signin.failed`, `signin.locked`, `signout`,
/// `incident.acknowledged`, `token.created`, `token.revoked`.
public final class AuditLog: Sendable {
    public static let fileName = "audit.log"
    public let path: String?
    let logger: Logger
    private let descriptor: Mutex<Int32>

    /// `path` nil: the logger only.
    public init(path: String?, logger: Logger = Logger(label: "teamsview.audit")) {
        self.path = path
        self.logger = logger
        let fd = path.map { open($0, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600) } ?? -1
        if let path, fd < 0 { logger.error("cannot open the audit log \(path): \(String(cString: strerror(errno)))") }
        descriptor = Mutex(fd)
    }

    deinit {
        descriptor.withLock { if $0 >= 0 { close($0) } }
    }

    /// Adds one line. `user` and `detail` are whatever the caller knows; control characters are escaped by JSON.
    public func record(_ event: String, user: String?, address: String?, detail: String? = nil, at date: Date = Date()) {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        var object: [String: String] = ["at": formatter.string(from: date), "event": event]
        if let user { object["user"] = String(user.prefix(200)) }
        if let address { object["address"] = address }
        if let detail { object["detail"] = String(detail.prefix(500)) }
        guard var data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return }
        data.append(0x0A)
        logger.notice("audit \(String(decoding: data.dropLast(), as: UTF8.self))")
        descriptor.withLock { fd in
            guard fd >= 0 else { return }
            _ = data.withUnsafeBytes { write(fd, $0.baseAddress!, $0.count) }
        }
    }
}
