import Synchronization

/// The last few rendered pages, by key.
///
/// A page depends only on the registry version, the second it is rendered in (timers) and its
/// query, so every request within that second for the same view shares one rendering.
final class PageCache: Sendable {
    struct Key: Hashable {
        var version: UInt64
        var second: Int64
        var view: String
    }

    private let entries = Mutex<(pages: [Key: [UInt8]], bytes: Int)>(([:], 0))
    private let limit: Int
    private let byteLimit: Int

    /// At most `limit` pages and `byteLimit` bytes (pages are windows, a few hundred KiB each).
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
            }
            if cache.pages.count >= limit || cache.bytes + bytes.count > byteLimit { cache = ([:], 0) }
            cache.pages[key] = bytes
            cache.bytes += bytes.count
        }
        return bytes
    }
}
