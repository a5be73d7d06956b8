import MicroHTTP
import Synchronization

/// The last response given to each request target, reused while nothing it shows can have changed.
///
/// A page depends on the registry version, the live sequence (its cursor and the flags timers raise),
/// the second it is rendered in (timers), the request target (view, window, theme) and who asks (their
/// teams). A request matching all of these gets the same response, headers included, without parsing
/// its query or finding its board again: the steady-state cost of `GET /` on a busy wall of browsers.
/// Everything else (the feed's staleness, the incidents strip) is as fresh as ``PageCache``'s, which
/// also renders a page once per second and version.
final class ResponseMemo: Sendable {
    struct Key: Hashable {
        var target: String
        var teams: String
        var teamsOutOfScope: [String]
    }

    /// What a response was made from.
    struct Stamp: Equatable {
        var version: UInt64
        var seq: UInt64
        var second: Int64
    }

    private let entries = Mutex<(stamp: Stamp?, responses: [Key: Response])>((nil, [:]))
    private let limit: Int

    /// At most `limit` responses (each shares its body with ``PageCache``).
    init(limit: Int = 64) {
        self.limit = limit
    }

    /// The response kept for `key` at `stamp`, if any.
    func response(_ key: Key, at stamp: Stamp) -> Response? {
        entries.withLock { $0.stamp == stamp ? $0.responses[key] : nil }
    }

    /// Keeps `response` for `key` at `stamp`; responses of another stamp are dropped.
    func keep(_ response: Response, for key: Key, at stamp: Stamp) {
        entries.withLock { memo in
            if memo.stamp != stamp || memo.responses.count >= limit { memo = (stamp, [:]) }
            memo.responses[key] = response
        }
    }
}
