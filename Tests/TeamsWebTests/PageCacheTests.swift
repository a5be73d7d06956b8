import Testing
@testable import TeamsWeb

@Suite("Page cache: one rendering per view, version and second")
struct PageCacheTests {
    /// Asks `cache` for `key`, rendering `bytes` on a miss; true when it rendered.
    static func rendered(_ cache: PageCache, _ key: PageCache.Key, bytes: Int = 10) -> Bool {
        var rendered = false
        _ = cache.page(key) {
            rendered = true
            return [UInt8](repeating: 0x41, count: bytes)
        }
        return rendered
    }

    @Test("requests in the same second and version share one rendering per view")
    func sharesWithinSecond() {
        let cache = PageCache()
        let a = PageCache.Key(version: 7, second: 100, view: "/"), b = PageCache.Key(version: 7, second: 100, view: "/?team=Sales")
        #expect(Self.rendered(cache, a))
        #expect(Self.rendered(cache, b))
        #expect(!Self.rendered(cache, a))
        #expect(!Self.rendered(cache, b))
    }

    @Test("a page of a later second or version lets go of the older ones at once, not when the cache is full")
    func dropsOlderPages() {
        let cache = PageCache(limit: 32, byteLimit: 1 << 20)
        let old = PageCache.Key(version: 7, second: 100, view: "/")
        #expect(Self.rendered(cache, old))
        #expect(Self.rendered(cache, PageCache.Key(version: 7, second: 101, view: "/?multi=1")))
        #expect(Self.rendered(cache, old), "the older page was dropped when a newer one came in")
        #expect(Self.rendered(cache, PageCache.Key(version: 8, second: 100, view: "/?multi=1")))
        #expect(Self.rendered(cache, old), "a page of an older version is dropped too")
        #expect(cache.byteCount == 10, "only the latest page's bytes are held")
    }

    @Test("past its page or byte limit the cache starts over, and keeps serving")
    func limits() {
        let cache = PageCache(limit: 2, byteLimit: 1 << 20)
        for view in ["/a", "/b", "/c"] { #expect(Self.rendered(cache, .init(version: 1, second: 1, view: view))) }
        #expect(cache.byteCount == 10, "the third page started the cache over")
        #expect(!Self.rendered(cache, .init(version: 1, second: 1, view: "/c")))
        let big = PageCache(limit: 32, byteLimit: 25)
        #expect(Self.rendered(big, .init(version: 1, second: 1, view: "/a"), bytes: 20))
        #expect(Self.rendered(big, .init(version: 1, second: 1, view: "/b"), bytes: 20))
        #expect(big.byteCount == 20)
    }
}
