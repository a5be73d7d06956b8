import CMicroHTTPD
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
        /// Seconds an idle (not streaming) connection is kept.
        public var connectionTimeout: Int
        /// How long `stop()` waits for streams to end before stopping the daemon anyway.
        public var streamShutdownTimeout: Duration = .seconds(2)

        public init(host: String = "127.0.0.1", port: Int = 8080, threads: Int = 2,
                    connectionLimit: Int = 4096, connectionTimeout: Int = 30) {
            self.host = host
            self.port = port
            self.threads = threads
            self.connectionLimit = connectionLimit
            self.connectionTimeout = connectionTimeout
        }
    }

    /// Why `start()` failed.
    public enum StartError: Error, Equatable {
        /// The host is not an address (or resolvable name) this machine can bind.
        case invalidHost(String)
        /// libmicrohttpd could not start, usually because the address is in use or not local.
        case cannotBind(host: String, port: Int)
        case alreadyStarted
    }

    public let configuration: Configuration
    private let core: ServerCore
    private let running = Mutex<Running?>(nil)
    private let boundPort = Atomic<Int>(0)

    private struct Running: @unchecked Sendable {
        // OpaquePointer is not Sendable; the daemon is only touched under `running`'s lock.
        let daemon: OpaquePointer
    }

    public init(configuration: Configuration, router: Router, logger: Logger = Logger(label: "http")) {
        self.configuration = configuration
        self.core = ServerCore(router: router, logger: logger)
    }

    deinit {
        stop()
    }

    /// Binds and starts serving. Throws when the address cannot be bound.
    public func start() throws {
        try running.withLock { running in
            guard running == nil else { throw StartError.alreadyStarted }
            let address = try Self.socketAddress(host: configuration.host, port: configuration.port)
            var flags = MHD_USE_EPOLL_INTERNAL_THREAD.rawValue | MHD_USE_TURBO.rawValue | MHD_ALLOW_SUSPEND_RESUME.rawValue
                | MHD_USE_ERROR_LOG.rawValue
            if address.isIPv6 { flags |= MHD_USE_IPv6.rawValue }
            let coreContext = Unmanaged.passUnretained(core).toOpaque()
            core.beginServing()
            let daemon = address.storage.withUnsafeBytes { storage in
                var config = tv_mhd_config(
                    flags: flags,
                    address: storage.baseAddress?.assumingMemoryBound(to: sockaddr.self),
                    thread_pool_size: UInt32(clamping: max(1, configuration.threads)),
                    connection_limit: UInt32(clamping: max(1, configuration.connectionLimit)),
                    connection_timeout: UInt32(clamping: max(0, configuration.connectionTimeout)),
                    access_handler: accessHandler,
                    access_handler_cls: coreContext,
                    completed: requestCompleted,
                    completed_cls: nil,
                    uri_log: uriLogged,
                    uri_log_cls: coreContext,
                    log_sink: core.logSink
                )
                return tv_mhd_start(&config)
            }
            guard let daemon else {
                throw StartError.cannotBind(host: configuration.host, port: configuration.port)
            }
            running = Running(daemon: daemon)
            core.daemonRunning.store(true, ordering: .relaxed)
            boundPort.store(Int(tv_mhd_bound_port(daemon)), ordering: .relaxed)
        }
        core.logger.info("HTTP server listening", metadata: ["host": "\(configuration.host)", "port": "\(port)"])
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
        return core.counters.snapshot(activeConnections: connections, activeStreams: core.activeStreams)
    }

    /// Ends every stream, waits for them to finish, then stops the daemon.
    ///
    /// libmicrohttpd aborts the process when stopped with suspended connections, so every stream
    /// is closed and resumed first; its reader then ends the chunked body. Safe to call twice.
    public func stop() {
        guard let daemon = running.withLock({ running -> Running? in
            defer { running = nil }
            return running
        })?.daemon else { return }
        // Stop accepting first so no new stream can start while the others are ending.
        let listener = MHD_quiesce_daemon(daemon)
        for body in core.beginStopping() { body.close() }
        let deadline = ContinuousClock.now + configuration.streamShutdownTimeout
        while core.activeStreams > 0, ContinuousClock.now < deadline {
            usleep(1000)
        }
        if core.activeStreams > 0 {
            core.logger.warning("stopping with streams still open", metadata: ["streams": "\(core.activeStreams)"])
        }
        MHD_stop_daemon(daemon)
        core.daemonRunning.store(false, ordering: .relaxed)
        if listener >= 0 { close(listener) }
        core.logger.info("HTTP server stopped")
    }

    /// Test hook: requests whose per-request state is still allocated.
    var liveRequests: Int { core.liveRequests.load(ordering: .relaxed) }

    // MARK: Addresses

    private struct SocketAddress {
        var storage: [UInt8]
        var isIPv6: Bool
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
