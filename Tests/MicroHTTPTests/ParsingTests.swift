import HTTPTypes
import Testing
@testable import MicroHTTP

@Suite struct RequestTargetTests {
    @Test func splitsAndDecodes() throws {
        let target = try #require(RequestTarget(Array("/a/caf%C3%A9//b%2Fc/?x=1+2&y=%26&&z".utf8)))
        #expect(target.path == "/a/café//b/c/")
        #expect(target.segments == ["a", "café", "b/c"])
        #expect(target.query.map(\.name) == ["x", "y", "z"])
        #expect(target.query.map(\.value) == ["1 2", "&", ""])
    }

    @Test func plusIsLiteralInThePath() throws {
        #expect(try #require(RequestTarget(Array("/a+b".utf8))).path == "/a+b")
    }

    @Test(arguments: ["/%", "/%1", "/%zz", "/%FF", "/?a=%C3", "noslash", "*"])
    func rejectsMalformed(raw: String) {
        #expect(RequestTarget(Array(raw.utf8)) == nil)
    }

    @Test func absoluteForm() throws {
        #expect(try #require(RequestTarget(Array("http://h:1/p?q=1".utf8))).path == "/p")
        #expect(try #require(RequestTarget(Array("http://h:1?q=1".utf8))).query.first?.value == "1")
        #expect(try #require(RequestTarget(Array("http://h".utf8))).path == "/")
    }
}

@Suite struct EntityTagTests {
    @Test func weakComparison() {
        #expect(EntityTag.ifNoneMatch("\"a\"", matches: "\"a\""))
        #expect(EntityTag.ifNoneMatch("W/\"a\"", matches: "\"a\""))
        #expect(EntityTag.ifNoneMatch("\"a\"", matches: "W/\"a\""))
        #expect(EntityTag.ifNoneMatch("\"x\",  W/\"y\" ,\"a\"", matches: "\"a\""))
        #expect(EntityTag.ifNoneMatch("*", matches: "\"a\""))
        #expect(EntityTag.ifNoneMatch("\"a,b\"", matches: "\"a,b\""))
    }

    @Test func mismatches() {
        #expect(!EntityTag.ifNoneMatch("\"b\"", matches: "\"a\""))
        #expect(!EntityTag.ifNoneMatch("\"ab\"", matches: "\"a\""))
        #expect(!EntityTag.ifNoneMatch("a", matches: "\"a\""))
        #expect(!EntityTag.ifNoneMatch("", matches: "\"a\""))
        #expect(!EntityTag.ifNoneMatch("\"a", matches: "\"a\""))
        #expect(!EntityTag.ifNoneMatch("\"a\"", matches: "unquoted"))
    }
}

@Suite struct RouterTests {
    static func router() -> Router {
        var router = Router()
        router.get("/") { _ in Response() }
        router.get("/a/:id") { _ in Response() }
        router.post("/a/:id", bodyLimit: 10) { _ in Response() }
        router.get("/files/*") { _ in Response() }
        return router
    }

    @Test func matches() {
        let router = Self.router()
        guard case .found(let route, let parameters) = router.match(.get, ["a", "7"]) else {
            Issue.record("no match"); return
        }
        #expect(route.method == .get)
        #expect(parameters == ["id": "7"])
        guard case .found(let post, _) = router.match(.post, ["a", "7"]) else { Issue.record("no post"); return }
        #expect(post.bodyLimit == 10)
        guard case .found(_, let rest) = router.match(.get, ["files", "x", "y.css"]) else { Issue.record("no rest"); return }
        #expect(rest == ["*": "x/y.css"])
        guard case .found(_, let empty) = router.match(.get, ["files"]) else { Issue.record("no empty rest"); return }
        #expect(empty == ["*": ""])
        guard case .found = router.match(.get, []) else { Issue.record("no root"); return }
    }

    @Test func headFallsBackToGet() {
        guard case .found(let route, _) = Self.router().match(.head, ["a", "1"]) else { Issue.record("no head"); return }
        #expect(route.method == .get)
    }

    @Test func methodNotAllowedListsMethods() {
        guard case .methodNotAllowed(let allowed) = Self.router().match(.delete, ["a", "1"]) else {
            Issue.record("expected 405"); return
        }
        #expect(allowed == [.get, .post, .head])
    }

    @Test func notFound() {
        guard case .notFound = Self.router().match(.get, ["a"]) else { Issue.record("expected 404"); return }
        guard case .notFound = Self.router().match(.get, ["a", "1", "2"]) else { Issue.record("expected 404"); return }
    }
}

@Suite("Query parameter counting")
struct QueryParameterCountTests {
    @Test("non-empty &-separated parts after the first ?, up to any #")
    func counts() {
        let cases: [(String, Int)] = [
            ("/", 0), ("/?", 0), ("/?a", 1), ("/?a=1&b=2", 2), ("/?a&&b&", 2), ("/?a=1?b=2", 1),
            ("/?a#b&c", 1), ("/?=&=", 2),
        ]
        for (target, expected) in cases {
            #expect(ServerCore.queryParameterCount(Array(target.utf8)) == expected, "\(target)")
        }
    }
}
