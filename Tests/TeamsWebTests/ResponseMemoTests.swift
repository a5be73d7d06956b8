import MicroHTTP
import Testing
@testable import TeamsWeb

@Suite("Response memo: a response reused only for the same target, teams and stamp")
struct ResponseMemoTests {
    static func response(_ text: String) -> Response { Response(contentType: "text/plain", text: text) }
    static func text(_ response: Response?) -> String? {
        guard case .bytes(let bytes)? = response?.body else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test("a response is kept for its target and teams at its stamp, and for nothing else")
    func keyedByTargetTeamsAndStamp() {
        let memo = ResponseMemo()
        let stamp = ResponseMemo.Stamp(version: 7, seq: 3, second: 100)
        let all = ResponseMemo.Key(target: "/", teams: "*", teamsOutOfScope: [])
        memo.keep(Self.response("floor"), for: all, at: stamp)
        #expect(Self.text(memo.response(all, at: stamp)) == "floor")
        #expect(memo.response(.init(target: "/", teams: "Team A", teamsOutOfScope: []), at: stamp) == nil,
                "another scope never gets the whole floor's page")
        #expect(memo.response(.init(target: "/", teams: "*", teamsOutOfScope: ["Team B"]), at: stamp) == nil)
        #expect(memo.response(.init(target: "/?team=Sales", teams: "*", teamsOutOfScope: []), at: stamp) == nil)
        for later in [ResponseMemo.Stamp(version: 8, seq: 3, second: 100), .init(version: 7, seq: 4, second: 100),
                      .init(version: 7, seq: 3, second: 101)] {
            #expect(memo.response(all, at: later) == nil, "\(later)")
        }
    }

    @Test("a response of a newer stamp drops the older ones; past its limit the memo starts over")
    func dropsAndLimits() {
        let memo = ResponseMemo(limit: 2)
        let old = ResponseMemo.Stamp(version: 1, seq: 1, second: 1), new = ResponseMemo.Stamp(version: 2, seq: 1, second: 1)
        let a = ResponseMemo.Key(target: "/a", teams: "*", teamsOutOfScope: [])
        let b = ResponseMemo.Key(target: "/b", teams: "*", teamsOutOfScope: [])
        let c = ResponseMemo.Key(target: "/c", teams: "*", teamsOutOfScope: [])
        memo.keep(Self.response("a"), for: a, at: old)
        memo.keep(Self.response("b"), for: b, at: new)
        #expect(memo.response(a, at: old) == nil && memo.response(a, at: new) == nil)
        memo.keep(Self.response("a"), for: a, at: new)
        memo.keep(Self.response("c"), for: c, at: new)
        #expect(Self.text(memo.response(c, at: new)) == "c")
        #expect(memo.response(a, at: new) == nil && memo.response(b, at: new) == nil, "the third response started over")
    }
}
