import MicroHTTP
import Synchronization

/// The last few rendered pages, by key, and the responses made of them, by request.
///
/// A page depends only on the registry version, the second it is rendered in (timers) and its
/// query, so every request within that second for the same view shares one rendering.
///
/// A response is kept for the request that asked for it (its target and who asked), so the next
/// identical request gets it back, headers included, without parsing its query or finding its board:
/// the steady-state cost of `GET /` on a busy wall of browsers. It is kept only while its page is, so
/// the responses never hold more memory than the pages' limits.
final class PageCache: Sendable {
    struct Key: Hashable {
        var version: UInt64
        var second: Int64
        var view: String
    }

    /// A request, as far as its response depends on it: the target as sent and the teams of who asks.
    struct Asking: Hashable {
        var target: String
        var teams: String
        var teamsOutOfScope: [String]
    }

    /// What a response was made from: the registry version, the live sequence (a page carries its cursor,
    /// and timers raise flags between events) and the second. Read before the board, so what a response
    /// shows is at its stamp or newer.
    struct Stamp: Equatable {
        var version: UInt64
        var seq: UInt64
        var second: Int64
    }

    private struct Entries {
        var pages: [Key: [UInt8]] = [:]
        var bytes = 0
        var stamp: Stamp?
        var responses: [Asking: Response] = [:]
    }

    private let entries = Mutex(Entries())
    private let limit: Int
    private let byteLimit: Int

    /// At most `limit` pages and `byteLimit` bytes (pages are windows, a few hundred KiB each), and as many
    /// responses.
    init(limit: Int = 32, byteLimit: Int = 4 << 20) {
        self.limit = limit
        self.byteLimit = byteLimit
    }

    /// Bytes of the pages held.
    var byteCount: Int { entries.withLock { $0.bytes } }

    /// The cached page for `key`, or the one `render` makes (which is then cached).
    func page(_ key: Key, render: () -> [UInt8]) -> [UInt8] {
        if let hit = entries.withLock({ $0.pages[key] }) { return hit }
        let bytes = render()
        entries.withLock { cache in
            // Pages of older versions or seconds are never asked for again: drop them now, so the cache
            // holds only the pages of the latest second (the memory of the others goes back at once).
            if cache.pages.keys.contains(where: { $0.version != key.version || $0.second != key.second }) {
                cache.pages = cache.pages.filter { $0.key.version == key.version && $0.key.second == key.second }
                cache.bytes = cache.pages.values.reduce(0) { $0 + $1.count }
                cache.responses = [:]
            }
            if cache.pages.count >= limit || cache.bytes + bytes.count > byteLimit { cache = Entries() }
            cache.pages[key] = bytes
            cache.bytes += bytes.count
        }
        return bytes
    }

    /// The response kept for `asking` at `stamp`, if any.
    func response(_ asking: Asking, at stamp: Stamp) -> Response? {
        entries.withLock { $0.stamp == stamp ? $0.responses[asking] : nil }
    }

    /// Keeps `response`, whose body is the page of `key`, for `asking` at `stamp`, while that page is held;
    /// responses of another stamp are dropped.
    func keep(_ response: Response, of key: Key, for asking: Asking, at stamp: Stamp) {
        entries.withLock { cache in
            guard cache.pages[key] != nil else { return }
            if cache.stamp != stamp || cache.responses.count >= limit {
                cache.stamp = stamp
                cache.responses = [:]
            }
            cache.responses[asking] = response
        }
    }
}
