import Foundation
import Logging

/// A log handler that keeps messages, to check what ingest logs.
final class LogCapture: Sendable {
    private let lock = NSLock()
    nonisolated(unsafe) private var storage: [String] = []

    var messages: [String] { lock.withLock { storage } }
    func append(_ message: String) { lock.withLock { storage.append(message) } }

    var logger: Logger {
        Logger(label: "test") { _ in CapturingLogHandler(capture: self) }
    }
}

struct CapturingLogHandler: LogHandler {
    let capture: LogCapture
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    func log(event: LogEvent) {
        capture.append(event.message.description)
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }
}
