import CMicroHTTPD
import Dispatch
import Logging
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An HTTP/1.1 server on libmicrohttpd.
///
/// Threading: libmicrohttpd runs `threads` daemon threads, each with its own epoll loop over its
/// share of the connections. Handlers run synchronously on those threads, so a slow handler
/// holds up every connection of its thread. Streaming bodies cost no thread: their connections
/// are suspended while nothing is pending. The daemon threads block SIGINT, SIGTERM, SIGHUP,
/// SIGQUIT, SIGUSR1, SIGUSR2 and SIGPIPE, leaving those to the application.
public final class HTTPServer: Sendable {
    public struct Configuration: Sendable {
        public var host: String
        /// 0 picks a free port; read the bound one from `HTTPServer.port` after `start()`.
        public var port: Int
        public var threads: Int
        public var connectionLimit: Int
        /// Seconds a connection may stay silent: idle between requests, or stalled while sending
        /// its head or body (libmicrohttpd's inactivity timeout, reset by every byte received;
        /// there is no deadline for a whole request, so a client trickling one byte per interval
        /// keeps its connection, one slot of `perAddressConnectionLimit`). Streams waiting for
        /// data are not subject to it. 0: none.
        public var connectionTimeout: Int
        /// Most connections open at once from one address; past it new ones are closed at accept,
        /// unanswered. 0: no limit. Behind a reverse proxy every client shares its address.
        public var perAddressConnectionLimit: Int = 0
        /// Bytes libmicrohttpd keeps per connection for the request line and header fields
        /// (a larger head is answered 431 or 414 by libmicrohttpd).
        public var connectionMemoryLimit: Int = 32 * 1024
        /// Most query parameters in a request target; more are answered 414.
        public var maxQueryParameters: Int = 100
        /// Most bytes queued for all streaming bodies together; a write past it closes its
        /// stream (each body also has its own `maxPendingBytes`). 0: no global cap.
        public var maxQueuedStreamBytes: Int = 128 << 20
        /// How often suspended streams are checked for a client that closed its end; such a
        /// stream is ended, so its `onClose` fires within about this interval.
        public var streamProbeInterval: Duration = .seconds(1)
        /// Serve HTTPS with this certificate and key (libmicrohttpd's GnuTLS support).
        public var tls: TLS?
        /// How long `stop()` waits for streams to end before stopping the daemon anyway.
        public var streamShutdownTimeout: Duration = .seconds(2)
        /// How long `stop()` lets requests in flight finish (a body being received, a handler running, an
        /// answer being sent) before it closes their connections; streams are ended at once.
        public var shutdownTimeout: Duration = .seconds(5)
        /// One log line per request (nil: none, the default; see ``AccessLog``).
        public var accessLog: AccessLog?

        public init(host: String = "127.0.0.1", port: Int = 8080, threads: Int = 2,
                    connectionLimit: Int = 4096, connectionTimeout: Int = 30) {
            self.host = host
            self.port = port
            self.threads = threads
            self.connectionLimit = connectionLimit
            self.connectionTimeout = connectionTimeout
        }
    }

    /// PEM files for HTTPS, read at `start()` and again at `reloadTLS()`.
    public struct TLS: Sendable, Equatable {
        /// The certificate chain, PEM, leaf first.
        public var certificateFile: String
        /// The private key, PEM (PKCS#1, PKCS#8 or SEC1, unencrypted).
        public var keyFile: String
        /// The `Strict-Transport-Security` value sent with every response; nil sends none.
        public var strictTransportSecurity: String? = "max-age=31536000"

        public init(certificateFile: String, keyFile: String) {
            self.certificateFile = certificateFile
            self.keyFile = keyFile
        }
    }

    /// Why `start()` failed.
    public enum StartError: Error, Equatable, CustomStringConvertible {
        /// The host is not an address (or resolvable name) this machine can bind.
        case invalidHost(String)
        /// The address could not be bound: `reason` is the system's word for why (e.g. "Address already in
        /// use", "Cannot assign requested address", "Permission denied").
        case cannotBind(host: String, port: Int, reason: String)
        case alreadyStarted
        /// A TLS file could not be read, or libmicrohttpd refused the certificate or key.
        case tls(String)
        /// This libmicrohttpd was built without TLS.
        case tlsUnsupported
        /// `reloadTLS()` on a server that is not running, or not serving TLS.
        case notServingTLS

        public var description: String {
            switch self {
            case .invalidHost(let host): return "\(host) is not an address this machine can listen on"
            case .cannotBind(let host, let port, let reason):
                return "cannot listen on \(HTTPServer.hostPort(host, port)): \(reason)"
            case .alreadyStarted: return "the server is already running"
            case .tls(let why): return "TLS: \(why)"
            case .tlsUnsupported: return "TLS: this libmicrohttpd was built without TLS support"
            case .notServingTLS: return "the server is not serving TLS"
            }
        }
    }

    public let configuration: Configuration
    private let core: ServerCore
    private let running = Mutex<Running?>(nil)
    private let boundPort = Atomic<Int>(0)

    private let prober = Mutex<(any DispatchSourceTimer)?>(nil)

    private struct Running: @unchecked Sendable {
        // OpaquePointer is not Sendable; the daemon is only touched under `running`'s lock.
        let daemon: OpaquePointer
        /// The PEM text the daemon was started with, kept for as long as it runs.
        let credentials: Credentials?
        /// The `cls` of its connection notifications, kept for as long as it runs.
        let tag: DaemonTag
    }
    /// The generation of the next daemon started.
    private let generations = Atomic<Int>(0)

    /// NUL-terminated PEM certificate and key, as libmicrohttpd takes them.
    private final class Credentials: @unchecked Sendable {
        // Immutable after init; freed with the object.
        let certificate: UnsafeMutablePointer<CChar>
        let key: UnsafeMutablePointer<CChar>

        init(_ tls: TLS) throws {
            guard let certificate = Self.read(tls.certificateFile) else {
                throw StartError.tls("cannot read the certificate file \(tls.certificateFile)")
            }
            guard let key = Self.read(tls.keyFile) else {
                free(certificate)
                throw StartError.tls("cannot read the key file \(tls.keyFile)")
            }
            self.certificate = certificate
            self.key = key
        }

        deinit {
            free(certificate)
            // The key is wiped before its memory goes back to the allocator.
            memset(key, 0, strlen(key))
            free(key)
        }

        /// The whole file as a malloc'ed C string, or nil when unreadable or empty.
        private static func read(_ path: String) -> UnsafeMutablePointer<CChar>? {
            guard let file = fopen(path, "rb") else { return nil }
            defer { fclose(file) }
            var bytes: [CChar] = []
            var chunk = [CChar](repeating: 0, count: 4096)
            while true {
                let n = fread(&chunk, 1, chunk.count, file)
                if n <= 0 { break }
                bytes.append(contentsOf: chunk[0..<n])
                if bytes.count > 1 << 20 { return nil }
            }
            guard !bytes.isEmpty, !bytes.contains(0) else { return nil }
            bytes.append(0)
            return bytes.withUnsafeBufferPointer { strdup($0.baseAddress!) }
        }
    }

    public init(configuration: Configuration, router: Router, logger: Logger = Logger(label: "http")) {
        self.configuration = configuration
        let timeout = Duration.seconds(max(0, configuration.connectionTimeout))
        self.core = ServerCore(
            router: router, logger: logger,
            gate: ConnectionGate(perAddressLimit: configuration.perAddressConnectionLimit, timeout: timeout),
            budget: StreamBudget(limit: configuration.maxQueuedStreamBytes),
            maxQueryParameters: max(0, configuration.maxQueryParameters),
            strictTransportSecurity: configuration.tls?.strictTransportSecurity,
            handlerThreads: configuration.threads, accessLog: configuration.accessLog)
    }

    deinit {
        stop()
    }

    /// Binds and starts serving. Throws when the address cannot be bound, or the TLS files
    /// cannot be read or used.
    public func start() throws {
        try running.withLock { running in
            guard running == nil else { throw StartError.alreadyStarted }
            let address = try Self.socketAddress(host: configuration.host, port: configuration.port)
            let credentials = try configuration.tls.map { tls -> Credentials in
                guard tv_mhd_has_tls() != 0 else { throw StartError.tlsUnsupported }
                return try Credentials(tls)
            }
            let tag = DaemonTag(core: core, generation: generations.add(1, ordering: .relaxed).newValue)
            guard let daemon = startDaemon(address: address, listenSocket: -1, credentials: credentials, tag: tag) else {
                if credentials != nil {
                    throw StartError.tls("libmicrohttpd could not start with the certificate and key (see the log)")
                }
                let reason = Self.bindFailure(address)
                core.logger.error("cannot listen on \(Self.hostPort(configuration.host, configuration.port)): \(reason)")
                throw StartError.cannotBind(host: configuration.host, port: configuration.port, reason: reason)
            }
            running = Running(daemon: daemon, credentials: credentials, tag: tag)
            core.draining.store(false, ordering: .relaxed)
            core.pastDeadline.store(false, ordering: .relaxed)
            core.daemonRunning.store(true, ordering: .relaxed)
            boundPort.store(Int(tv_mhd_bound_port(daemon)), ordering: .relaxed)
        }
        startProbing()
        core.logger.info("HTTP server listening", metadata: [
            "host": "\(configuration.host)", "port": .stringConvertible(port), "tls": .stringConvertible(configuration.tls != nil),
        ])
    }

    /// Starts a daemon on `address`, or on `listenSocket` when it is not -1.
    private func startDaemon(address: SocketAddress, listenSocket: Int32, credentials: Credentials?,
                             tag: DaemonTag) -> OpaquePointer? {
        var flags = MHD_USE_EPOLL_INTERNAL_THREAD.rawValue | MHD_USE_TURBO.rawValue | MHD_ALLOW_SUSPEND_RESUME.rawValue
            | MHD_USE_ERROR_LOG.rawValue
        if address.isIPv6 { flags |= MHD_USE_IPv6.rawValue }
        if credentials != nil { flags |= MHD_USE_TLS.rawValue }
        let coreContext = Unmanaged.passUnretained(core).toOpaque()
        core.daemonRunning.store(false, ordering: .relaxed)
        return address.storage.withUnsafeBytes { storage in
            var config = tv_mhd_config(
                flags: flags,
                address: storage.baseAddress?.assumingMemoryBound(to: sockaddr.self),
                thread_pool_size: UInt32(clamping: max(1, configuration.threads)),
                connection_limit: UInt32(clamping: max(1, configuration.connectionLimit)),
                connection_timeout: UInt32(clamping: max(0, configuration.connectionTimeout)),
                access_handler: accessHandler,
                access_handler_cls: coreContext,
                completed: requestCompleted,
                completed_cls: coreContext,
                uri_log: uriLogged,
                uri_log_cls: coreContext,
                log_sink: core.logSink,
                accept_policy: acceptPolicy,
                accept_policy_cls: coreContext,
                notify_connection: connectionNotified,
                notify_connection_cls: Unmanaged.passUnretained(tag).toOpaque(),
                connection_memory_limit: max(4096, configuration.connectionMemoryLimit),
                listen_socket: listenSocket,
                tls_certificate: credentials?.certificate,
                tls_key: credentials?.key
            )
            return tv_mhd_start(&config)
        }
    }

    /// Reads the certificate and key files again and serves new connections with them.
    ///
    /// libmicrohttpd 0.9.75 cannot swap the credentials of a running daemon (short of a GnuTLS
    /// certificate callback), so a new daemon takes over the listening socket (no moment
    /// without a listener, no connection refused) and the old one is stopped: its requests in
    /// flight finish, its streams end (browsers reconnect to the new one). When the new files
    /// are unreadable or refused, the daemon keeps serving with the old ones and this throws.
    public func reloadTLS() throws {
        try running.withLock { running in
            guard let current = running, current.credentials != nil, let tls = configuration.tls else {
                throw StartError.notServingTLS
            }
            let credentials = try Credentials(tls)
            let address = try Self.socketAddress(host: configuration.host, port: configuration.port)
            let listener = MHD_quiesce_daemon(current.daemon)
            guard listener >= 0 else {
                throw StartError.tls("cannot hand the listening socket over; still serving the old certificate")
            }
            var failure: StartError?
            let tag = DaemonTag(core: core, generation: generations.add(1, ordering: .relaxed).newValue)
            // A daemon that fails to start closes the socket it was given: give it a duplicate,
            // so the listener survives for a second attempt with the old credentials.
            let attempt = { (credentials: Credentials?) -> OpaquePointer? in
                let copy = dup(listener)
                guard copy >= 0 else { return nil }
                return self.startDaemon(address: address, listenSocket: copy, credentials: credentials, tag: tag)
            }
            var next = attempt(credentials)
            if next == nil {
                failure = .tls("libmicrohttpd refused the new certificate or key; still serving the old ones")
                next = attempt(current.credentials)
            }
            // Closed after the old daemon stops, never before (see `stop()`).
            guard let next else {
                // Neither starts: nothing can serve this socket any more.
                stopDaemon(current)
                close(listener)
                running = nil
                throw StartError.tls("cannot serve the listening socket again; the server has stopped")
            }
            core.daemonRunning.store(true, ordering: .relaxed)
            running = Running(daemon: next, credentials: failure == nil ? credentials : current.credentials, tag: tag)
            stopDaemon(current)
            close(listener)
            if let failure { throw failure }
        }
        core.logger.info("TLS certificate and key reloaded")
    }

    /// The bound port (after `start()`).
    public var port: Int { boundPort.load(ordering: .relaxed) }

    /// Streaming bodies currently being served.
    public var activeStreams: Int { core.activeStreams }

    /// Counters for monitoring.
    public var statistics: HTTPStatistics {
        let connections = running.withLock { running in
            running.map { Int(tv_mhd_current_connections($0.daemon)) } ?? 0
        }
        var statistics = core.counters.snapshot(activeConnections: connections, activeStreams: core.activeStreams)
        statistics.refusedPerAddress = core.gate.refused.load(ordering: .relaxed)
        statistics.timedOut = core.gate.timedOut.load(ordering: .relaxed)
        statistics.tooManyQueryParameters = core.tooManyQueryParameters.load(ordering: .relaxed)
        statistics.bodiesTooLarge = core.bodiesTooLarge.load(ordering: .relaxed)
        statistics.bodiesCutOff = core.bodiesCutOff.load(ordering: .relaxed)
        statistics.streamOverflows = core.budget.streamOverflows.load(ordering: .relaxed)
        statistics.totalStreamOverflows = core.budget.totalOverflows.load(ordering: .relaxed)
        statistics.departedStreams = core.budget.departures.load(ordering: .relaxed)
        statistics.queuedStreamBytes = core.budget.bytes
        return statistics
    }

    /// Stops gracefully, then stops the daemon: no new connection is accepted (the listening socket is
    /// closed), a request begun from now on is answered 503 with `Connection: close` and `Retry-After`
    /// without being read, every stream is ended, and requests in flight (a body being received, a handler
    /// running, an answer being sent) may finish for up to `shutdownTimeout`; each answer closes its
    /// connection. Past that, a body that completes is answered 503 without being handled, and after a last
    /// half second the connections left (a client still trickling its body) are closed. An offloaded handler
    /// still waiting for its turn at the deadline is not run: its request is answered 503 too.
    ///
    /// libmicrohttpd aborts the process when stopped with suspended connections, so every stream
    /// is closed and resumed first; its reader then ends the chunked body. Safe to call twice.
    public func stop() {
        guard let current = running.withLock({ running -> Running? in
            defer { running = nil }
            return running
        }) else { return }
        prober.withLock { timer in
            timer?.cancel()
            timer = nil
        }
        let started = ContinuousClock.now
        // Stop accepting first so no new stream can start while the others are ending.
        // The listening socket is shut down (new connections are refused at once, not left in the backlog)
        // but closed only after the daemon stops: its threads take it out of their epoll sets on their own
        // time, and libmicrohttpd aborts the process if the descriptor is gone by then.
        let listener = MHD_quiesce_daemon(current.daemon)
        if listener >= 0 { shutdown(listener, Int32(SHUT_RDWR)) }
        core.draining.store(true, ordering: .relaxed)
        for body in core.beginStopping(current.tag.generation) { body.close() }
        let deadline = started + configuration.shutdownTimeout
        while core.liveRequests.load(ordering: .relaxed) > 0, ContinuousClock.now < deadline {
            usleep(2000)
        }
        // Time is up: bodies that complete from now on are answered 503 unhandled; handlers already running
        // finish (stopping the daemon would wait for them anyway); answers get a moment to go out, and the
        // connections still left (a client trickling its body) are then closed.
        core.pastDeadline.store(true, ordering: .relaxed)
        while core.handling.load(ordering: .relaxed) > 0 { usleep(2000) }
        let flush = ContinuousClock.now + .milliseconds(500)
        while core.liveRequests.load(ordering: .relaxed) > 0, ContinuousClock.now < flush {
            usleep(2000)
        }
        let left = core.liveRequests.load(ordering: .relaxed)
        stopDaemon(current)
        if listener >= 0 { close(listener) }
        core.daemonRunning.store(false, ordering: .relaxed)
        core.logger.info("HTTP server stopped", metadata: [
            "took_ms": .stringConvertible((ContinuousClock.now - started).milliseconds), "unfinished": .stringConvertible(left),
            "refusedWhileStopping": .stringConvertible(core.refusedWhileStopping.load(ordering: .relaxed)),
        ])
    }

    /// Ends `daemon`'s streams, waits for them to finish, then stops it. It no longer accepts.
    private func stopDaemon(_ running: Running) {
        let generation = running.tag.generation
        for body in core.beginStopping(generation) { body.close() }
        let deadline = ContinuousClock.now + configuration.streamShutdownTimeout
        while core.activeStreams(of: generation) > 0, ContinuousClock.now < deadline {
            usleep(1000)
        }
        let left = core.activeStreams(of: generation)
        if left > 0 {
            core.logger.warning("stopping with streams still open", metadata: ["streams": .stringConvertible(left)])
        }
        MHD_stop_daemon(running.daemon)
        core.stopped(generation)
    }

    /// Probes suspended streams for departed clients every `streamProbeInterval`.
    private func startProbing() {
        let interval = configuration.streamProbeInterval
        guard interval > .zero else { return }
        let nanoseconds = Int(interval.components.seconds) * 1_000_000_000 + Int(interval.components.attoseconds / 1_000_000_000)
        prober.withLock { prober in
            let timer = DispatchSource.makeTimerSource(queue: .global(qos: .utility))
            timer.schedule(deadline: .now() + .nanoseconds(nanoseconds), repeating: .nanoseconds(nanoseconds),
                           leeway: .nanoseconds(nanoseconds / 10))
            timer.setEventHandler { [core] in core.probeStreams() }
            timer.resume()
            prober = timer
        }
    }

    /// Test hook: requests whose per-request state is still allocated.
    var liveRequests: Int { core.liveRequests.load(ordering: .relaxed) }

    // MARK: Addresses

    private struct SocketAddress {
        var storage: [UInt8]
        var isIPv6: Bool
    }

    /// `host:port`, an IPv6 host in brackets.
    static func hostPort(_ host: String, _ port: Int) -> String {
        (host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host) + ":\(port)"
    }

    /// Why `address` cannot be bound, found by binding a socket of our own the way libmicrohttpd does
    /// (it reports only "failed to bind", with port 0 when given a socket address).
    private static func bindFailure(_ address: SocketAddress) -> String {
        let family = address.isIPv6 ? AF_INET6 : AF_INET
        #if canImport(Glibc)
        let fd = socket(family, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(family, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { return String(cString: strerror(errno)) }
        defer { close(fd) }
        var on: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
        let result = address.storage.withUnsafeBytes { raw in
            bind(fd, raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t(raw.count))
        }
        if result != 0 { return String(cString: strerror(errno)) }
        return "libmicrohttpd could not start (see the log above)"
    }

    /// Resolves the configured host (numeric IPv4/IPv6, or a name such as `localhost`).
    private static func socketAddress(host: String, port: Int) throws -> SocketAddress {
        guard (0...65535).contains(port) else { throw StartError.invalidHost("\(host):\(port)") }
        var hints = addrinfo()
        hints.ai_flags = AI_PASSIVE
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let lookupHost = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        guard getaddrinfo(lookupHost.isEmpty ? nil : lookupHost, String(port), &hints, &list) == 0, let list else {
            throw StartError.invalidHost(host)
        }
        defer { freeaddrinfo(list) }
        guard let address = list.pointee.ai_addr else { throw StartError.invalidHost(host) }
        let bytes = Array(UnsafeRawBufferPointer(start: address, count: Int(list.pointee.ai_addrlen)))
        return SocketAddress(storage: bytes, isIPv6: list.pointee.ai_family == AF_INET6)
    }
}
