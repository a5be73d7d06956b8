import Synchronization

/// Counters an application can export (for example on `/metrics`).
public struct HTTPStatistics: Sendable, Equatable {
    /// Requests answered since the server started (every queued response, including errors).
    public var requests: Int
    /// Responses by status class.
    public var responses1xx: Int
    public var responses2xx: Int
    public var responses3xx: Int
    public var responses4xx: Int
    public var responses5xx: Int
    /// Open client connections (idle keep-alive and streaming ones included).
    public var activeConnections: Int
    /// Streaming bodies currently being served.
    public var activeStreams: Int
    /// Connections closed at accept because their address had its limit of connections open.
    public var refusedPerAddress = 0
    /// Requests closed for inactivity while their head or body was arriving, and connections
    /// closed after staying silent for the whole timeout without sending a request line.
    public var timedOut = 0
    /// Requests answered 414 for too many query parameters.
    public var tooManyQueryParameters = 0
    /// Requests answered 413: a body declared (`Content-Length`) or sent (chunked) past its route's limit.
    public var bodiesTooLarge = 0
    /// Connections closed with no answer while a body ran on more than 64 KiB past its route's limit (a
    /// chunked body, whose length is not known before it is read): the server does not read it to its end.
    public var bodiesCutOff = 0
    /// Streams closed because their own queue of unsent bytes was full.
    public var streamOverflows = 0
    /// Streams closed because the bytes queued for all streams together reached the cap.
    public var totalStreamOverflows = 0
    /// Waiting streams ended because their client had closed its end of the connection.
    public var departedStreams = 0
    /// Bytes queued for all streams now.
    public var queuedStreamBytes = 0

    public init(requests: Int = 0, responses1xx: Int = 0, responses2xx: Int = 0, responses3xx: Int = 0,
                responses4xx: Int = 0, responses5xx: Int = 0, activeConnections: Int = 0, activeStreams: Int = 0) {
        self.requests = requests
        self.responses1xx = responses1xx
        self.responses2xx = responses2xx
        self.responses3xx = responses3xx
        self.responses4xx = responses4xx
        self.responses5xx = responses5xx
        self.activeConnections = activeConnections
        self.activeStreams = activeStreams
    }
}

/// Lock-free counters the daemon threads bump on every response.
final class ResponseCounters: Sendable {
    private let requests = Atomic<Int>(0)
    // One counter per status class; Atomic is ~Copyable, so no array of them.
    private let informational = Atomic<Int>(0)
    private let successful = Atomic<Int>(0)
    private let redirection = Atomic<Int>(0)
    private let clientError = Atomic<Int>(0)
    private let serverError = Atomic<Int>(0)

    func count(status: Int) {
        requests.add(1, ordering: .relaxed)
        switch status {
        case ..<200: informational.add(1, ordering: .relaxed)
        case ..<300: successful.add(1, ordering: .relaxed)
        case ..<400: redirection.add(1, ordering: .relaxed)
        case ..<500: clientError.add(1, ordering: .relaxed)
        default: serverError.add(1, ordering: .relaxed)
        }
    }

    func snapshot(activeConnections: Int, activeStreams: Int) -> HTTPStatistics {
        HTTPStatistics(
            requests: requests.load(ordering: .relaxed),
            responses1xx: informational.load(ordering: .relaxed),
            responses2xx: successful.load(ordering: .relaxed),
            responses3xx: redirection.load(ordering: .relaxed),
            responses4xx: clientError.load(ordering: .relaxed),
            responses5xx: serverError.load(ordering: .relaxed),
            activeConnections: activeConnections,
            activeStreams: activeStreams
        )
    }
}
