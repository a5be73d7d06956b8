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

    private let entries = Mutex<[Key: [UInt8]]>([:])
    private let limit: Int

    init(limit: Int = 32) { self.limit = limit }

    /// The cached page for `key`, or the one `render` makes (which is then cached).
    func page(_ key: Key, render: () -> [UInt8]) -> [UInt8] {
        if let hit = entries.withLock({ $0[key] }) { return hit }
        let bytes = render()
        entries.withLock { cache in
            // Pages of older versions or seconds are never asked for again: drop them first.
            if cache.count >= limit {
                cache = cache.filter { $0.key.version == key.version && $0.key.second == key.second }
                if cache.count >= limit { cache.removeAll() }
            }
            cache[key] = bytes
        }
        return bytes
    }
}
