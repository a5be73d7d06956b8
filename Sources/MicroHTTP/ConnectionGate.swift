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
    private let open = Mutex<[AddressKey: Int]>([:])
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
        guard perAddressLimit > 0, let key = AddressKey(address) else { return true }
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
        ConnectionRecord(address: perAddressLimit > 0 ? AddressKey(tv_mhd_client_address(connection)) : nil,
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
    func openConnections(from key: AddressKey) -> Int {
        open.withLock { $0[key, default: 0] }
    }
}

/// One connection's bookkeeping, kept in libmicrohttpd's per-connection `socket_context` and
/// touched only by the daemon thread serving the connection.
final class ConnectionRecord {
    let address: AddressKey?
    /// The daemon serving it (`DaemonTag.generation`): a TLS reload runs two for a moment.
    let generation: Int
    let openedAt = ContinuousClock.now
    /// Requests whose request line arrived.
    var requestsStarted = 0

    init(address: AddressKey?, generation: Int) {
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

/// A peer address without its port: 4 bytes for IPv4 (and IPv4-mapped IPv6), 16 for IPv6.
struct AddressKey: Hashable, Sendable {
    let bytes: [UInt8]

    init?(_ address: UnsafePointer<sockaddr>?) {
        guard let address else { return nil }
        switch Int32(address.pointee.sa_family) {
        case AF_INET:
            bytes = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                withUnsafeBytes(of: $0.pointee.sin_addr) { Array($0) }
            }
        case AF_INET6:
            let all = address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
                withUnsafeBytes(of: $0.pointee.sin6_addr) { Array($0) }
            }
            let mappedPrefix: [UInt8] = Array(repeating: 0, count: 10) + [0xff, 0xff]
            bytes = all.starts(with: mappedPrefix) ? Array(all[12...]) : all
        default:
            return nil
        }
    }
}
