import Logging
import PercentEncoding

/// An access log: one line per request, at `info`, once the request is over (see
/// ``HTTPServer/Configuration/accessLog``). Off (nil) by default, when it costs a nil check per request.
///
/// A line's metadata: `method` (as sent; `-` when the request ended before its head was in), `path` (as
/// sent, still percent-encoded), `query` (when there is one, the values of ``redactedQueryParameters``
/// replaced by `REDACTED`), `status` and `bytes` (of the body; absent when no answer was sent), `duration_ms`
/// (from the request line to the end of the answer, to the microsecond), `peer` (the client's address) and
/// `outcome` (`completed`, or how the request ended otherwise: `client_abort`, `timeout`, `shutdown`,
/// `error`, `read_error`, and `client_gone` for a stream whose client closed its end, however that was noticed). A stream (a ``StreamingBody``) is logged when it ends, so its line gives how
/// long it was open and every byte sent on it.
public struct AccessLog: Sendable {
    public var logger: Logger
    /// Query parameters whose values must never reach a log (tokens and whatever may hold one), compared
    /// with the percent-decoded name, in any case (`Token=` too). A parameter whose name does not decode has its
    /// value redacted too.
    public var redactedQueryParameters: Set<String> {
        didSet { redactedQueryParameters = Set(redactedQueryParameters.map { $0.lowercased() }) }
    }

    public init(logger: Logger, redactedQueryParameters: Set<String> = []) {
        self.logger = logger
        self.redactedQueryParameters = Set(redactedQueryParameters.map { $0.lowercased() })
    }

    static let redacted = "REDACTED"

    /// The raw target split into the path and the query, as logged: the query's redacted values replaced.
    func loggedTarget(_ raw: [UInt8]) -> (path: String, query: String?) {
        var target = raw[...]
        if let fragment = target.firstIndex(of: UInt8(ascii: "#")) { target = target[..<fragment] }
        guard let mark = target.firstIndex(of: UInt8(ascii: "?")) else {
            return (String(decoding: target, as: UTF8.self), nil)
        }
        var query: [UInt8] = []
        for (index, pair) in target[(mark + 1)...].split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: false).enumerated() {
            if index > 0 { query.append(UInt8(ascii: "&")) }
            guard let equals = pair.firstIndex(of: UInt8(ascii: "=")) else {
                query.append(contentsOf: pair)
                continue
            }
            let name = pair[..<equals]
            let secret = PercentDecoding.decodeOrNil(name, plusIsSpace: true).map { redactedQueryParameters.contains($0.lowercased()) } ?? true
            query.append(contentsOf: secret ? pair[...equals] + Array(Self.redacted.utf8) : pair)
        }
        return (String(decoding: target[..<mark], as: UTF8.self), String(decoding: query, as: UTF8.self))
    }

    /// Writes the line of a request that has ended.
    func log(method: String?, rawTarget: [UInt8], status: Int?, bytes: Int?, duration: Duration, peer: PeerAddress?,
             outcome: String) {
        let (path, query) = loggedTarget(rawTarget)
        var metadata: Logger.Metadata = [
            "method": .string(method ?? "-"),
            "path": .string(path),
            "duration_ms": .stringConvertible(duration.milliseconds),
            "peer": .string(peer?.description ?? "-"),
            "outcome": .string(outcome),
        ]
        if let query { metadata["query"] = .string(query) }
        if let status { metadata["status"] = .stringConvertible(status) }
        if let bytes { metadata["bytes"] = .stringConvertible(bytes) }
        logger.info("\(method ?? "-") \(path) \(status.map(String.init) ?? "-")", metadata: metadata)
    }
}
