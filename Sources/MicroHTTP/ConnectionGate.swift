import CMicroHTTPD
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Admits connections under a per-address limit and counts the ones that went wrong (refused,
/// timed out). Fed by libmicrohttpd's accept-policy and connection-notification callbacks.
///
/// libmicrohttpd's own `MHD_OPTION_PER_IP_CONNECTION_LIMIT` refuses silently; counting here
/// gives `/metrics` the refusals. A connection is counted from the moment it is admitted to its
/// close, so a peer cannot exceed the limit by opening many at once.
final class ConnectionGate: Sendable {
    /// Most open connections from one address (IPv4, or IPv6 with IPv4-mapped folded to IPv4); 0: no limit.
    let perAddressLimit: Int
    /// libmicrohttpd's inactivity timeout, for telling a timed-out silent connection from a short one.
    let timeout: Duration
    private let open = Mutex<[PeerAddress: Int]>([:])
    /// Connections refused at accept because their address had `perAddressLimit` open.
    let refused = Atomic<Int>(0)
    /// Requests (or connections that never sent a whole request line) closed for inactivity.
    let timedOut = Atomic<Int>(0)

    init(perAddressLimit: Int, timeout: Duration) {
        self.perAddressLimit = max(0, perAddressLimit)
        self.timeout = timeout
    }

    /// Called before accepting a connection: false refuses it (closed unanswered, as no request
    /// has been read yet).
    func admit(_ address: UnsafePointer<sockaddr>?) -> Bool {
        guard perAddressLimit > 0, let key = PeerAddress(address) else { return true }
        let admitted = open.withLock { open in
            let count = open[key, default: 0]
            guard count < perAddressLimit else { return false }
            open[key] = count + 1
            return true
        }
        if !admitted { refused.add(1, ordering: .relaxed) }
        return admitted
    }

    /// A connection admitted by `admit` opened on the daemon `generation`.
    func opened(_ connection: OpaquePointer, generation: Int) -> ConnectionRecord {
        ConnectionRecord(address: perAddressLimit > 0 ? PeerAddress(tv_mhd_client_address(connection)) : nil,
                         generation: generation)
    }

    /// A connection closed: frees its address's slot and counts a silent one that timed out.
    func closed(_ record: ConnectionRecord) {
        if record.requestsStarted == 0, ContinuousClock.now - record.openedAt >= timeout, timeout > .zero {
            timedOut.add(1, ordering: .relaxed)
        }
        guard let key = record.address else { return }
        open.withLock { open in
            switch open[key] {
            case .some(let count) where count > 1: open[key] = count - 1
            default: open[key] = nil
            }
        }
    }

    /// Open connections counted against `address`'s limit (tests).
    func openConnections(from key: PeerAddress) -> Int {
        open.withLock { $0[key, default: 0] }
    }
}

/// One connection's bookkeeping, kept in libmicrohttpd's per-connection `socket_context` and
/// touched only by the daemon thread serving the connection.
final class ConnectionRecord {
    let address: PeerAddress?
    /// The daemon serving it (`DaemonTag.generation`): a TLS reload runs two for a moment.
    let generation: Int
    let openedAt = ContinuousClock.now
    /// Requests whose request line arrived.
    var requestsStarted = 0

    init(address: PeerAddress?, generation: Int) {
        self.address = address
        self.generation = generation
    }
}

/// Names one daemon of a server: the `cls` of its connection notifications, so each connection
/// knows which daemon serves it (libmicrohttpd reports a pool thread's daemon, not the one
/// started).
final class DaemonTag: Sendable {
    let core: ServerCore
    let generation: Int

    init(core: ServerCore, generation: Int) {
        self.core = core
        self.generation = generation
    }
}
