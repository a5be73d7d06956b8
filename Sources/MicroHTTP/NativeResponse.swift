import CMicroHTTPD
import Synchronization

/// libmicrohttpd's response object for a ``Response`` sent many times (see ``Response/reusable()``): made,
/// with its header fields, on the first send and queued as it is by every later one, on any connection
/// (libmicrohttpd counts the connections using it). It is destroyed when the last copy of the
/// `Response` goes; a connection still sending it keeps libmicrohttpd's object, and the bytes, alive.
final class NativeResponse: Sendable {
    /// The object and the server that made it: another server (plain HTTP beside HTTPS) may add other fields.
    private let made = Mutex<(server: Int, response: OpaquePointer)?>(nil)

    /// The object for `server` (``ServerCore/identity``), made by `make` on the first call; nil when `make` fails or another server made it.
    func response(for server: Int, make: () -> OpaquePointer?) -> OpaquePointer? {
        made.withLock { made in
            if let made { return made.server == server ? made.response : nil }
            guard let response = make() else { return nil }
            made = (server, response)
            return response
        }
    }

    deinit {
        if let made = made.withLock({ $0 }) { MHD_destroy_response(made.response) }
    }
}
