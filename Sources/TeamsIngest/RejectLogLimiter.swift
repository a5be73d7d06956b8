import Logging
import Synchronization

/// Logs rejected lines at most once per interval per source, so a garbage feed cannot flood the log;
/// the next line logged says how many were held back.
final class RejectLogLimiter: Sendable {
    private struct Entry {
        var lastLogged: ContinuousClock.Instant
        var suppressed: Int
    }

    let logger: Logger
    let interval: Duration
    private let entries = Mutex<[String: Entry]>([:])

    init(logger: Logger, interval: Duration = .seconds(1)) {
        self.logger = logger
        self.interval = interval
    }

    func log(_ reject: IngestReject, source: String, lineNumber: Int, preview: String) {
        let now = ContinuousClock.now
        let suppressed: Int? = entries.withLock { entries in
            if var e = entries[source], now - e.lastLogged < interval {
                e.suppressed += 1
                entries[source] = e
                return nil
            }
            let held = entries[source]?.suppressed ?? 0
            entries[source] = Entry(lastLogged: now, suppressed: 0)
            return held
        }
        guard let suppressed else { return }
        var message = "rejected line \(lineNumber) of \(source): \(reject.reason)"
        if suppressed > 0 { message += " (\(suppressed) more rejected lines not logged)" }
        logger.warning("\(message)", metadata: [
            "source": "\(source)", "line": .stringConvertible(lineNumber), "category": "\(reject.category.rawValue)",
            "preview": "\(preview)",
        ])
    }

    /// Logs the count still held back for `source` (when it ends), so no suppression goes unmentioned.
    func flush(source: String) {
        let held = entries.withLock { $0.removeValue(forKey: source)?.suppressed ?? 0 }
        if held > 0 {
            logger.warning("\(held) more rejected lines of \(source) not logged", metadata: ["source": "\(source)"])
        }
    }
}
