import MicroHTTP
import Testing
@testable import TeamsWeb

@Suite("Page cache: one rendering per view, version and second; a response reused only for the same request and stamp")
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

    static func response(_ text: String) -> Response { Response(contentType: "text/plain", text: text) }
    static func text(_ response: Response?) -> String? {
        guard case .bytes(let bytes)? = response?.body else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test("a response is kept for its target and teams at its stamp, and for nothing else")
    func responsesKeyedByRequestAndStamp() {
        let cache = PageCache()
        let page = PageCache.Key(version: 7, second: 100, view: "/")
        #expect(Self.rendered(cache, page))
        let stamp = PageCache.Stamp(version: 7, seq: 3, second: 100)
        let all = PageCache.Asking(target: "/", teams: "*", teamsOutOfScope: [])
        cache.keep(Self.response("floor"), of: page, for: all, at: stamp)
        #expect(Self.text(cache.response(all, at: stamp)) == "floor")
        #expect(cache.response(.init(target: "/", teams: "Team A", teamsOutOfScope: []), at: stamp) == nil,
                "another scope never gets the whole floor's page")
        #expect(cache.response(.init(target: "/", teams: "*", teamsOutOfScope: ["Team B"]), at: stamp) == nil)
        #expect(cache.response(.init(target: "/?team=Sales", teams: "*", teamsOutOfScope: []), at: stamp) == nil)
        for later in [PageCache.Stamp(version: 8, seq: 3, second: 100), .init(version: 7, seq: 4, second: 100),
                      .init(version: 7, seq: 3, second: 101)] {
            #expect(cache.response(all, at: later) == nil, "\(later)")
        }
    }

    @Test("a response is held only while its page is: never more memory than the pages' limits")
    func responsesGoWithTheirPages() {
        let cache = PageCache(limit: 32, byteLimit: 25)
        let stamp = PageCache.Stamp(version: 1, seq: 1, second: 1)
        let a = PageCache.Key(version: 1, second: 1, view: "/a"), b = PageCache.Key(version: 1, second: 1, view: "/b")
        let askA = PageCache.Asking(target: "/a", teams: "*", teamsOutOfScope: [])
        #expect(Self.rendered(cache, a, bytes: 20))
        cache.keep(Self.response("a"), of: a, for: askA, at: stamp)
        #expect(cache.response(askA, at: stamp) != nil)
        #expect(Self.rendered(cache, b, bytes: 20))
        #expect(cache.response(askA, at: stamp) == nil, "page a was dropped past the byte limit, and its response with it")
        cache.keep(Self.response("a"), of: a, for: askA, at: stamp)
        #expect(cache.response(askA, at: stamp) == nil, "a response whose page is gone is not kept")
        #expect(Self.rendered(cache, .init(version: 2, second: 1, view: "/b")))
        let askB = PageCache.Asking(target: "/b", teams: "*", teamsOutOfScope: [])
        cache.keep(Self.response("b"), of: .init(version: 2, second: 1, view: "/b"), for: askB, at: .init(version: 2, seq: 1, second: 1))
        #expect(cache.response(askB, at: .init(version: 2, seq: 1, second: 1)) != nil)
        #expect(Self.rendered(cache, .init(version: 3, second: 1, view: "/c")))
        #expect(cache.response(askB, at: .init(version: 2, seq: 1, second: 1)) == nil, "a newer version's page let the older responses go")
    }
}
