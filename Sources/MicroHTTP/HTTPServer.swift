import Logging

/// An HTTP/1.1 server on libmicrohttpd.
public final class HTTPServer: Sendable {
    public struct Configuration: Sendable {
        public var host: String
        /// 0 picks a free port; read the bound one from `HTTPServer.port` after `start()`.
        public var port: Int
        public var threads: Int
        public var connectionLimit: Int
        /// Seconds an idle (not streaming) connection is kept.
        public var connectionTimeout: Int

        public init(host: String = "127.0.0.1", port: Int = 8080, threads: Int = 2,
                    connectionLimit: Int = 4096, connectionTimeout: Int = 30) {
            self.host = host
            self.port = port
            self.threads = threads
            self.connectionLimit = connectionLimit
            self.connectionTimeout = connectionTimeout
        }
    }

    public init(configuration: Configuration, router: Router, logger: Logger = Logger(label: "http")) {
        fatalError("TODO")
    }

    /// Binds and starts serving. Throws when the address cannot be bound.
    public func start() throws { fatalError("TODO") }

    /// The bound port (after `start()`).
    public var port: Int { fatalError("TODO") }

    /// Ends every stream, waits for them to finish, then stops the daemon.
    public func stop() { fatalError("TODO") }
}
