import ArgumentParser
import Logging
import StructuredLog

/// How `serve` writes its log lines to standard error (`--log-format`).
enum LogFormat: String, CaseIterable, ExpressibleByArgument {
    /// swift-log's text lines, for people reading a terminal.
    case text
    /// `time=… level=… label=… msg=… key=value…`, for log shippers.
    case logfmt
    /// One JSON object per line, for log shippers.
    case json

    /// Sends every logger of the process to standard error in this format, at `level` and above.
    func bootstrap(level: Logger.Level) {
        let format = self
        LoggingSystem.bootstrap { label in
            var handler: any LogHandler
            switch format {
            case .text: handler = StreamLogHandler.standardError(label: label)
            case .logfmt: handler = StructuredLogHandler(label: label, format: .logfmt)
            case .json: handler = StructuredLogHandler(label: label, format: .json)
            }
            handler.logLevel = level
            return handler
        }
    }
}
