import Foundation
import Logging
import TeamsDomain
@testable import TeamsIngest

/// Parses bytes into a DOM value or the parser's error.
func parseJSON(_ bytes: [UInt8]) -> Result<JSONValue, JSONError> {
    do throws(JSONError) { return .success(try JSONValue.parse(bytes)) } catch { return .failure(error) }
}

func parseJSON(_ text: String) -> Result<JSONValue, JSONError> { parseJSON(Array(text.utf8)) }

extension Result {
    var failure: Failure? { if case .failure(let e) = self { return e } else { return nil } }
    var success: Success? { if case .success(let v) = self { return v } else { return nil } }
}

/// Decodes one native line.
func decodeNative(_ bytes: [UInt8]) -> Result<Event?, IngestReject> {
    var decoder = NativeDecoder()
    return bytes.withUnsafeBufferPointer { decoder.decode(line: $0) }
}

func decodeNative(_ text: String) -> Result<Event?, IngestReject> { decodeNative(Array(text.utf8)) }

/// Event timestamps used throughout the tests.
func ts(_ text: String) -> Timestamp { RFC3339.parse(text)! }

/// Collects what a pipeline hands to its sink.
final class EventCollector: Sendable {
    private let lock = NSLock()
    nonisolated(unsafe) private var storage: [[Event]] = []

    var batches: [[Event]] { lock.withLock { storage } }
    var events: [Event] { batches.flatMap { $0 } }

    var sink: IngestPipeline.Sink {
        { [self] batch in lock.withLock { storage.append(batch) } }
    }
}

/// The repository root, found from this file's path.
let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// A fresh temporary directory, removed by the caller.
func makeTemporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("teamsingest-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// A logger that drops everything, so expected rejections do not clutter test output.
let quietLogger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
