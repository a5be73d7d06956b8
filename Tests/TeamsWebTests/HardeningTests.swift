import Foundation
import Testing
@testable import TeamsWeb

@Suite("Names, ids and tokens that cannot be turned against the page")
struct HardeningTests {
    @Test("team ids keep apart names with one slug, non-Latin names included, and stay the same")
    func teamIDs() {
        let names = ["Tech Support", "tech-support!", "Tech  Support", "Поддержка", "Продажи", "支持", "", "No team"]
        let ids = names.map(Formatting.teamID)
        #expect(Set(ids).count == names.count)
        #expect(ids[0].hasPrefix("tech-support-") && ids[1].hasPrefix("tech-support-"))
        #expect(ids.allSatisfy { $0.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") } })
        #expect(Formatting.teamID("Tech Support") == ids[0])
        #expect(TeamHeading(team: "Tech Support").slug == ids[0])
    }

    @Test("bidirectional controls are stripped from shown text; other text is kept")
    func bidi() {
        #expect(Formatting.clean("Eve \u{202E}EVIL\u{202C} Doe") == "Eve EVIL Doe")
        #expect(Formatting.clean("\u{2066}a\u{2069}\u{200F}b\u{061C}") == "ab")
        #expect(Formatting.clean("שלום Ada") == "שלום Ada")
    }

    @Test("a repeated token parameter is refused, even when one of them is right")
    func repeatedToken() async throws {
        let server = try await TestServer(seeds: [], now: "2026-11-25T09:05:00Z", token: "right")
        let line = Array(#"{"type":"worker","at":"2026-11-25T09:00:00Z","worker":"WK01"}"#.utf8) + [0x0A]
        let headers = ["Content-Type": "application/x-ndjson"]
        let twice = try server.client.send("POST", "/ingest?token=right&token=wrong", headers: headers, body: line)
        #expect(twice.status == 400)
        #expect(try twice.json()["error"] as? String == "token given 2 times; give it once")
        let once = try server.client.send("POST", "/ingest?token=right", headers: headers, body: line)
        #expect(once.status == 200)
    }
}
