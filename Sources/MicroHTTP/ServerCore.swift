import CMicroHTTPD
import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import HTTPTypes
import Logging
import Synchronization

/// What the daemon's callbacks share: routing, counters and the live streams. Reached from C
/// through the daemon's `cls` pointers; `HTTPServer` keeps it alive until the daemon has stopped.
final class ServerCore: Sendable {
    /// Numbers each server of the process: a reusable response's object is made by one (with its fields) and
    /// sent only by it. A number, not the address, which a later server may be given.
    private static let servers = Atomic<Int>(0)
    let identity = ServerCore.servers.wrappingAdd(1, ordering: .relaxed).newValue
    let router: Router
    let logger: Logger
    let counters = ResponseCounters()
    /// Requests between their request line and completion, for leak checks.
    let liveRequests = Atomic<Int>(0)
    private let streams = Mutex(StreamRegistry())
    /// Per-address admission and the connection counters.
    let gate: ConnectionGate
    /// The cap on bytes queued for all streams, and the stream counters.
    let budget: StreamBudget
    /// Most query parameters a request target may carry; more are answered 414.
    let maxQueryParameters: Int
    /// Requests answered 414 for too many query parameters.
    let tooManyQueryParameters = Atomic<Int>(0)
    /// Requests answered 413 (see `HTTPStatistics.bodiesTooLarge`).
    let bodiesTooLarge = Atomic<Int>(0)
    /// Connections given up on mid-body (see `HTTPStatistics.bodiesCutOff`).
    let bodiesCutOff = Atomic<Int>(0)
    /// One line per request when set (see `HTTPServer.Configuration.accessLog`).
    let accessLog: AccessLog?
    /// How long requests take, by group of routes, when the router asks for it (see `Router.durations`).
    let durations: RequestDurations?
    /// Whether a request's arrival is noted: for the access log or the durations.
    let timed: Bool
    /// The `Strict-Transport-Security` value added to every response (TLS only), or nil.
    let strictTransportSecurity: String?
    /// Where the daemon sends its messages; lives as long as the core, hence past the daemon.
    /// Written once in init and only read (by libmicrohttpd) afterwards, so sharing it is safe.
    nonisolated(unsafe) let logSink: UnsafeMutablePointer<tv_log_sink>
    /// While false, the daemon is starting and its messages explain a failure worth reporting.
    let daemonRunning = Atomic<Bool>(false)
    /// Set by `HTTPServer.stop()`: requests begun from now on are answered 503 (`Connection: close`,
    /// `Retry-After`) without being read, and every answer closes its connection.
    let draining = Atomic<Bool>(false)
    /// Set once a stop's time for requests in flight is over: a request whose body is complete from now on
    /// is answered 503 without being handled (what is left of its body is read and thrown away).
    let pastDeadline = Atomic<Bool>(false)
    /// Handlers running now.
    let handling = Atomic<Int>(0)
    /// Where offloaded handlers run (`Router.add(offloaded:)`), off the connection threads: as many
    /// serial queues as connection threads, taken in turn, so no more handlers run at once than before.
    let handlerQueues: [DispatchQueue]
    private let nextHandlerQueue = Atomic<Int>(0)
    /// Requests answered 503 because the server was stopping.
    let refusedWhileStopping = Atomic<Int>(0)
    /// `Retry-After` of the 503 sent while stopping: about how long a restart takes.
    static let stoppingRetryAfter = "5"

    private struct StreamRegistry: ~Copyable {
        /// Each body being served, with the generation of the daemon serving it.
        var bodies: [ObjectIdentifier: (body: StreamingBody, daemon: Int)] = [:]
        /// Daemons being stopped: streams they serve from now on end immediately.
        var stopping: Set<Int> = []
    }

    /// Bytes of unwanted body (past a limit, or for a route that takes none) read and thrown
    /// away before giving up on the connection, so a small stray body keeps keep-alive but a
    /// large one cannot make the server read forever.
    static let discardLimit = 64 * 1024

    init(router: Router, logger: Logger, gate: ConnectionGate, budget: StreamBudget, maxQueryParameters: Int,
         strictTransportSecurity: String?, handlerThreads: Int, accessLog: AccessLog? = nil) {
        handlerQueues = (0..<max(1, handlerThreads)).map { DispatchQueue(label: "http.handlers.\($0)") }
        self.router = router.resolvingGroups()
        durations = router.durations
        timed = accessLog != nil || router.durations != nil
        self.logger = logger
        self.gate = gate
        self.budget = budget
        self.maxQueryParameters = maxQueryParameters
        self.strictTransportSecurity = strictTransportSecurity
        self.accessLog = accessLog
        logSink = .allocate(capacity: 1)
        logSink.initialize(to: tv_log_sink(function: daemonMessage, cls: nil))
        logSink.pointee.cls = Unmanaged.passUnretained(self).toOpaque()
    }

    deinit {
        logSink.deallocate()
    }

    /// A message from libmicrohttpd. Once running these are about clients (malformed requests,
    /// resets), so they are debug detail; while starting they say why the start failed.
    func daemonLogged(_ message: String) {
        // Given a socket address, libmicrohttpd names port 0 in its bind failure: `start()` logs the true one.
        if daemonRunning.load(ordering: .relaxed) || message.hasPrefix("Failed to bind to port") {
            logger.debug("libmicrohttpd: \(message)")
        } else {
            logger.error("libmicrohttpd: \(message)")
        }
    }

    var activeStreams: Int {
        streams.withLock { $0.bodies.count }
    }

    // MARK: Requests

    /// Called once per request from libmicrohttpd's URI log callback, with the raw target. A
    /// target with more than `maxQueryParameters` parameters is answered 414 once read.
    func beginRequest(rawTarget: [UInt8]) -> PendingRequest {
        let pending = PendingRequest(rawTarget: rawTarget, core: self)
        if timed {
            pending.arrival = .now
            pending.group = durations?.unrouted
        }
        if Self.queryParameterCount(rawTarget) > maxQueryParameters {
            tooManyQueryParameters.add(1, ordering: .relaxed)
            pending.failure = Self.plain(.uriTooLong)
        }
        return pending
    }

    /// The `&`-separated, non-empty parts after the first `?` (before any `#`).
    static func queryParameterCount(_ raw: [UInt8]) -> Int {
        guard let mark = raw.firstIndex(of: UInt8(ascii: "?")) else { return 0 }
        var count = 0
        var inParameter = false
        for byte in raw[(mark + 1)...] {
            if byte == UInt8(ascii: "#") { break }
            if byte == UInt8(ascii: "&") {
                inParameter = false
            } else if !inParameter {
                inParameter = true
                count += 1
            }
        }
        return count
    }

    /// libmicrohttpd's access handler: called once with the head, once per chunk of body, and
    /// once at the end of the request.
    func access(
        _ pending: PendingRequest, connection: OpaquePointer, method: UnsafePointer<CChar>?,
        uploadData: UnsafePointer<CChar>?, uploadDataSize: UnsafeMutablePointer<Int>
    ) -> MHD_Result {
        if !pending.started {
            pending.started = true
            return head(pending, connection: connection, method: method)
        }
        let size = uploadDataSize.pointee
        if size > 0 {
            uploadDataSize.pointee = 0
            // A stop's time is over and this body is still coming: the rest is read and thrown away, and the
            // request answered 503 once it is in (unless the stop closes the connection first).
            if pastDeadline.load(ordering: .relaxed) {
                pending.body = []
                return .YES
            }
            // A response cannot be queued while libmicrohttpd hands over body data, so a body
            // over its limit is dropped and answered at the end of the request.
            if !pending.overflowed, pending.failure == nil, let route = pending.route,
               pending.body.count + size <= route.bodyLimit, let uploadData {
                pending.body.append(contentsOf: UnsafeRawBufferPointer(start: uploadData, count: size))
                return .YES
            }
            // A body sent to the fallback is not its to read: thrown away, as that of a refusal.
            if pending.failure == nil, pending.fallback == nil, !pending.overflowed {
                pending.overflowed = true
                pending.body = []
            }
            pending.discarded += size
            guard pending.discarded > Self.discardLimit else { return .YES }
            if pending.overflowed { bodiesCutOff.add(1, ordering: .relaxed) }
            return .NO
        }
        return complete(pending, connection: connection)
    }

    /// The first call: the head is in. Routing happens here so an oversized declared body is
    /// refused before it is read; everything else is answered on a later call, because queueing
    /// in this first call makes libmicrohttpd 0.9.75 close the connection.
    private func head(_ pending: PendingRequest, connection: OpaquePointer, method: UnsafePointer<CChar>?) -> MHD_Result {
        if accessLog != nil, let method { pending.sentMethod = String(cString: method) }
        if draining.load(ordering: .relaxed) {
            // Stopping: answered before its body is read (libmicrohttpd then closes the connection).
            refusedWhileStopping.add(1, ordering: .relaxed)
            return queue(pending, Self.stopping(), method: .get, requestFields: nil, connection: connection, closeConnection: true)
        }
        if pending.failure != nil { return .YES }
        guard let method, let parsedMethod = HTTPRequest.Method(String(cString: method)),
              let target = RequestTarget(pending.rawTarget) else {
            pending.failure = Self.plain(.badRequest)
            return .YES
        }
        pending.method = parsedMethod
        pending.target = target
        switch router.match(parsedMethod, target.segments) {
        case .found(let route, let parameters):
            pending.route = route
            pending.parameters = parameters
            if durations != nil { pending.group = route.group }
            if let declared = Self.contentLength(connection), declared > UInt64(route.bodyLimit) {
                // The body is never read: libmicrohttpd closes the connection after this answer.
                bodiesTooLarge.add(1, ordering: .relaxed)
                return queue(pending, route.tooLarge ?? Self.plain(.contentTooLarge), method: parsedMethod, requestFields: nil,
                             connection: connection, closeConnection: true)
            }
        case .methodNotAllowed(let allowed):
            var response = Self.plain(.methodNotAllowed)
            response.headerFields[.allow] = allowed.map(\.rawValue).joined(separator: ", ")
            pending.failure = response
        case .notFound:
            if let fallback = router.fallback {
                pending.fallback = fallback
            } else {
                pending.failure = Self.plain(.notFound)
            }
        }
        return .YES
    }

    /// The last call: the whole request is in. For an offloaded route it comes twice: once to start the
    /// handler (the connection is then suspended), once when the handler's answer resumed it.
    private func complete(_ pending: PendingRequest, connection: OpaquePointer) -> MHD_Result {
        if let offload = pending.offload {
            // Resumed: the handler is done (a connection is resumed only after its answer is set).
            guard let response = offload.answer.withLock({ $0.take() }) else { return .NO }
            return queue(pending, response, method: pending.method, requestFields: offload.requestFields, connection: connection)
        }
        if pending.overflowed {
            bodiesTooLarge.add(1, ordering: .relaxed)
            return queue(pending, pending.route?.tooLarge ?? Self.plain(.contentTooLarge), method: pending.method, requestFields: nil,
                         connection: connection, closeConnection: true)
        }
        if let failure = pending.failure {
            return queue(pending, failure, method: pending.method, requestFields: nil, connection: connection)
        }
        guard let handler = pending.route?.handler ?? pending.fallback, let target = pending.target else { return .NO }
        if pastDeadline.load(ordering: .relaxed) {
            // Too late to handle it: the client is told so, and may send it again to the next server.
            refusedWhileStopping.add(1, ordering: .relaxed)
            return queue(pending, Self.stopping(), method: pending.method, requestFields: nil, connection: connection,
                         closeConnection: true)
        }
        let fields = Self.headerFields(connection)
        let peer = PeerAddress(tv_mhd_client_address(connection))
        var request = Request(
            method: pending.method, path: target.path, query: target.query, headerFields: fields,
            body: pending.body, isFromLoopback: peer?.isLoopback ?? false
        )
        request.parameters = pending.parameters
        request.peerAddress = peer
        request.target = String(decoding: pending.rawTarget, as: UTF8.self)
        pending.body = []
        handling.add(1, ordering: .relaxed)
        if pending.route?.offloaded == true {
            let offload = Offload(requestFields: fields)
            pending.offload = offload
            let handle = ConnectionHandle(pointer: connection)
            MHD_suspend_connection(connection)
            let queue = handlerQueues[nextHandlerQueue.wrappingAdd(1, ordering: .relaxed).oldValue % handlerQueues.count]
            queue.async { [self, request] in
                let response: Response
                if pastDeadline.load(ordering: .relaxed) {
                    // Waited for its turn past a stop's deadline: answered as a body completing now would be.
                    refusedWhileStopping.add(1, ordering: .relaxed)
                    response = Self.stopping()
                } else {
                    response = handler(request)
                }
                offload.answer.withLock { $0 = response }
                // Resumed before it stops counting: a stop that sees no handler running may stop the daemon,
                // which must then find no connection suspended.
                handle.resume()
                handling.subtract(1, ordering: .relaxed)
            }
            return .YES
        }
        let response = handler(request)
        handling.subtract(1, ordering: .relaxed)
        return queue(pending, response, method: pending.method, requestFields: fields, connection: connection)
    }

    // MARK: Responses

    /// Hands a response to libmicrohttpd, answering 304 instead when the request's
    /// `If-None-Match` matches the response's `ETag`.
    private func queue(
        _ pending: PendingRequest, _ response: Response, method: HTTPRequest.Method, requestFields: HTTPFields?,
        connection: OpaquePointer, closeConnection: Bool = false
    ) -> MHD_Result {
        var response = response
        if let requestFields, let notModified = Self.notModified(response, method: method, requestFields: requestFields) {
            if case .stream(let body) = response.body { body.close() }
            response = notModified
        }
        let closing = closeConnection || draining.load(ordering: .relaxed)
        if case .bytes(let bytes) = response.body, let native = response.native, !closing,
           let shared = native.response(for: identity, make: { withFields(response, Self.bufferResponse(bytes)) }) {
            let result = MHD_queue_response(connection, UInt32(response.status.code), shared)
            counters.count(status: response.status.code)
            pending.measured = true
            if accessLog != nil { pending.answered(response.status.code, bytes: method == .head ? 0 : bytes.count) }
            return result
        }
        let created: OpaquePointer?
        switch response.body {
        case .bytes(let bytes):
            created = Self.bufferResponse(bytes)
        case .stream(let body) where method == .head:
            // libmicrohttpd 0.9.75 sends the terminating chunk even for HEAD, which would corrupt
            // the next response on the connection; an empty fixed body keeps the framing right.
            body.close()
            created = Self.bufferResponse([])
        case .stream(let body):
            guard let streaming = streamResponse(body, connection: connection) else {
                return queue(pending, Self.plain(.internalServerError), method: method, requestFields: nil,
                             connection: connection, closeConnection: closeConnection)
            }
            created = streaming
        }
        guard let created = withFields(response, created) else { return .NO }
        // While stopping, no connection is kept for another request.
        if closing {
            MHD_add_response_header(created, "Connection", "close")
        }
        let result = MHD_queue_response(connection, UInt32(response.status.code), created)
        MHD_destroy_response(created)
        counters.count(status: response.status.code)
        // A stream lasts as long as its client stays: no request duration (its HEAD, answered without one, has one).
        if case .stream = response.body, method != .head {} else { pending.measured = true }
        if accessLog != nil {
            switch response.body {
            case .bytes(let bytes): pending.answered(response.status.code, bytes: method == .head ? 0 : bytes.count)
            case .stream(let body): pending.answered(response.status.code, stream: method == .head ? nil : body)
            }
        }
        return result
    }

    /// `created` with the header fields of `response` and of this server added.
    private func withFields(_ response: Response, _ created: OpaquePointer?) -> OpaquePointer? {
        guard let created else { return nil }
        for field in response.headerFields {
            // libmicrohttpd derives the framing from the body; a second Content-Length would be
            // rejected by it, and a wrong one would desynchronise keep-alive.
            if field.name == .contentLength || field.name == .transferEncoding { continue }
            // withCString reads a native string in place; passing the strings would copy each to an array.
            field.name.rawName.withCString { name in
                field.value.withCString { value in _ = MHD_add_response_header(created, name, value) }
            }
        }
        if let strictTransportSecurity {
            MHD_add_response_header(created, "Strict-Transport-Security", strictTransportSecurity)
        }
        return created
    }

    /// The 304 to send instead of `response`, if the request already holds its representation.
    ///
    /// The 304 is a 0-byte libmicrohttpd response, so it carries `Content-Length: 0`. RFC 9110
    /// §8.6 would want the 200's length (or none), but 0.9.75 always sends the response object's
    /// size and cannot omit it. 0 is harmless: a 304 ends at its header block for every HTTP/1.1
    /// client (RFC 9112 §6.3), caches do not copy Content-Length from a 304 onto the stored
    /// response (RFC 9111 §3.2), and naive clients that do frame by it (wrk 4.1) would otherwise
    /// wait for a body that never comes. It also avoids building a full-size body never sent.
    static func notModified(_ response: Response, method: HTTPRequest.Method, requestFields: HTTPFields) -> Response? {
        // Most requests carry no If-None-Match: look for it first, without joining values.
        guard requestFields.contains(where: { $0.name == .ifNoneMatch }),
              method == .get || method == .head, response.status.kind == .successful,
              let etag = response.headerFields[.eTag],
              let ifNoneMatch = requestFields[.ifNoneMatch],
              EntityTag.ifNoneMatch(ifNoneMatch, matches: etag) else { return nil }
        var fields = HTTPFields()
        // The fields RFC 9110 §15.4.5 asks a 304 to repeat (Date is added by libmicrohttpd).
        for name in [HTTPField.Name.eTag, .cacheControl, .contentLocation, .vary, .expires] {
            fields.append(contentsOf: response.headerFields[fields: name])
        }
        return Response(status: .notModified, headerFields: fields)
    }

    /// A response sending `bytes` where they are, without copying them: libmicrohttpd reads the
    /// array's storage, which a `HeldBytes` keeps alive (and unchanged) until it frees the response.
    /// A page served from a cache is thus never copied per request.
    private static func bufferResponse(_ bytes: [UInt8]) -> OpaquePointer? {
        if bytes.isEmpty {
            return MHD_create_response_from_buffer(0, nil, .RESPMEM_PERSISTENT)
        }
        let held = HeldBytes(bytes)
        let cls = Unmanaged.passRetained(held).toOpaque()
        guard let response = MHD_create_response_from_buffer_with_free_callback_cls(
            held.count, UnsafeMutableRawPointer(mutating: held.base), releaseHeldBytes, cls) else {
            Unmanaged<HeldBytes>.fromOpaque(cls).release()
            return nil
        }
        return response
    }

    /// A chunked response reading from `body`, registered as a live stream.
    private func streamResponse(_ body: StreamingBody, connection: OpaquePointer) -> OpaquePointer? {
        guard body.attach(to: ConnectionHandle(pointer: connection), budget: budget) else {
            logger.error("a StreamingBody was returned for a second request; answering 500")
            return nil
        }
        let daemon = tv_mhd_socket_context(connection).map {
            Unmanaged<ConnectionRecord>.fromOpaque($0).takeUnretainedValue().generation
        } ?? -1
        let stopping = streams.withLock { registry in
            registry.bodies[ObjectIdentifier(body)] = (body, daemon)
            return registry.stopping.contains(daemon)
        }
        if stopping { body.close() }
        let context = Unmanaged.passRetained(StreamContext(body: body, core: self)).toOpaque()
        // A response that fails to be created never calls its free callback: undo by hand. libmicrohttpd
        // allocates the block with each response: 4 KiB (most stream messages are smaller), not 16, keeps
        // ~7 KiB less resident per open stream (measured with 200 live clients).
        guard let response = MHD_create_response_from_callback(UInt64.max, 4 * 1024, streamReader, context, streamFree) else {
            Unmanaged<StreamContext>.fromOpaque(context).release()
            streamEnded(body)
            return nil
        }
        return response
    }

    /// The request is over (answered, failed or abandoned): its duration, when it was answered without a stream and
    /// durations are counted, and its access log line, when there is an access log.
    func ended(_ pending: PendingRequest, connection: OpaquePointer?, reason: MHD_RequestTerminationCode) {
        guard let arrival = pending.arrival else { return }
        let duration = ContinuousClock.now - arrival
        if pending.measured, let durations, let group = pending.group {
            durations.record(group: group, duration)
        }
        guard let accessLog else { return }
        var outcome = switch reason {
        case .REQUEST_TERMINATED_COMPLETED_OK: "completed"
        case .REQUEST_TERMINATED_CLIENT_ABORT: "client_abort"
        case .REQUEST_TERMINATED_TIMEOUT_REACHED: "timeout"
        case .REQUEST_TERMINATED_DAEMON_SHUTDOWN: "shutdown"
        case .REQUEST_TERMINATED_READ_ERROR: "read_error"
        default: "error"
        }
        let bytes = pending.stream.map(\.bytesSent) ?? pending.bytes
        // A stream whose client left: noticed by the probe (libmicrohttpd then sees a stream that ended) or by
        // libmicrohttpd itself, as a failed send or read (a stream reads no body: any such failure is its peer's).
        if let stream = pending.stream, stream.departed || outcome != "completed" && outcome != "timeout" && outcome != "shutdown" {
            outcome = "client_gone"
        }
        accessLog.log(method: pending.sentMethod, rawTarget: pending.rawTarget, status: pending.status, bytes: bytes,
                      duration: duration, peer: connection.flatMap { PeerAddress(tv_mhd_client_address($0)) },
                      outcome: outcome)
    }

    /// A stream's response was freed.
    func streamEnded(_ body: StreamingBody) {
        _ = streams.withLock { $0.bodies.removeValue(forKey: ObjectIdentifier(body)) }
        body.detach()
    }

    /// Marks the daemon `generation` as stopping and returns the streams it serves, to end.
    func beginStopping(_ generation: Int) -> [StreamingBody] {
        streams.withLock { registry in
            registry.stopping.insert(generation)
            return registry.bodies.values.filter { $0.daemon == generation }.map(\.body)
        }
    }

    /// Streams the daemon `generation` still serves.
    func activeStreams(of generation: Int) -> Int {
        streams.withLock { $0.bodies.values.count { $0.daemon == generation } }
    }

    /// The daemon `generation` has stopped.
    func stopped(_ generation: Int) {
        _ = streams.withLock { $0.stopping.remove(generation) }
    }

    /// Ends the suspended streams whose clients have gone. Returns how many.
    @discardableResult
    func probeStreams() -> Int {
        let bodies = streams.withLock { $0.bodies.values.map(\.body) }
        return bodies.reduce(0) { $0 + ($1.endIfDeparted() ? 1 : 0) }
    }

    /// The answer to a request begun while the server stops.
    static func stopping() -> Response {
        var response = Response(status: .serviceUnavailable, contentType: "text/plain; charset=utf-8",
                                text: "503 Service Unavailable: the server is stopping; send the request again shortly\n")
        response.headerFields[.retryAfter] = stoppingRetryAfter
        return response
    }

    static func plain(_ status: HTTPResponse.Status) -> Response {
        Response(status: status, contentType: "text/plain; charset=utf-8", text: "\(status.code) \(status.reasonPhrase)\n")
    }

    // MARK: Reading the request

    private static func contentLength(_ connection: OpaquePointer) -> UInt64? {
        guard let value = MHD_lookup_connection_value(connection, .HEADER_KIND, "Content-Length") else { return nil }
        // libmicrohttpd has already checked the syntax and trimmed the value.
        return UInt64(String(cString: value))
    }

    private static func headerFields(_ connection: OpaquePointer) -> HTTPFields {
        var fields = HTTPFields()
        withUnsafeMutablePointer(to: &fields) { pointer in
            _ = MHD_get_connection_values(connection, .HEADER_KIND, collectHeaderField, pointer)
        }
        return fields
    }

}

/// One request's progress across the access handler's calls. Used only on the thread serving
/// its connection.
/// An offloaded request's answer, set by its handler thread before it resumes the connection.
final class Offload: Sendable {
    let requestFields: HTTPFields
    let answer = Mutex<Response?>(nil)

    init(requestFields: HTTPFields) {
        self.requestFields = requestFields
    }
}

final class PendingRequest {
    let rawTarget: [UInt8]
    var started = false
    var method: HTTPRequest.Method = .get
    var target: RequestTarget?
    var route: Router.Route?
    /// No route's pattern matches: the router's fallback answers (`route` is nil).
    var fallback: Handler?
    var parameters: [String: String] = [:]
    /// The error answer decided from the head (400, 404, 405), sent once the request is read.
    var failure: Response?
    var body: [UInt8] = []
    /// The body went past its limit: answer 413.
    var overflowed = false
    /// Body bytes thrown away.
    var discarded = 0
    /// Set while an offloaded handler runs, and until its answer is queued.
    var offload: Offload?
    /// When the request line came: for the access log and the durations (nil without either).
    var arrival: ContinuousClock.Instant?
    /// Its group in the server's durations (nil: not measured), and whether it was answered without a stream.
    var group: Int?
    var measured = false
    /// For the access log only (nil without one): the method as sent, and what was answered.
    var sentMethod: String?
    var status: Int?
    var bytes: Int?
    /// A stream answered: its bytes are counted when the request ends.
    var stream: StreamingBody?
    private let core: ServerCore

    init(rawTarget: [UInt8], core: ServerCore) {
        self.rawTarget = rawTarget
        self.core = core
        core.liveRequests.add(1, ordering: .relaxed)
    }

    deinit {
        core.liveRequests.subtract(1, ordering: .relaxed)
    }

    func answered(_ status: Int, bytes: Int) {
        self.status = status
        self.bytes = bytes
    }

    func answered(_ status: Int, stream: StreamingBody?) {
        self.status = status
        self.bytes = stream == nil ? 0 : nil
        self.stream = stream
    }
}

/// A response body's bytes, kept for libmicrohttpd while it sends them (released by
/// `releaseHeldBytes` when it frees the response). The array is never mutated while held, so
/// its contiguous storage, and `base`, stay where they are.
final class HeldBytes {
    let bytes: [UInt8]
    let base: UnsafeRawPointer
    var count: Int { bytes.count }

    /// `bytes` must not be empty.
    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        // An Array's elements live in its one heap buffer, which is not moved or reallocated
        // while the array is only read and kept alive (here, by `self.bytes`).
        base = self.bytes.withUnsafeBytes { UnsafeRawPointer($0.baseAddress!) }
    }
}

/// What a streaming response's reader needs, passed through libmicrohttpd's `cls`.
final class StreamContext {
    let body: StreamingBody
    let core: ServerCore

    init(body: StreamingBody, core: ServerCore) {
        self.body = body
        self.core = core
    }
}
