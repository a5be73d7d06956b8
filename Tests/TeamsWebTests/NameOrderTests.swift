import Foundation
import Testing
@testable import TeamsWeb

@Suite("Names in natural order")
struct NameOrderTests {
    @Test("numbers as numbers, case ignored, accented Latin letters with their plain letter; a total order")
    func order() {
        let names = ["Agent 10", "agent 3", "Zoë", "Agent 1", "Emma", "Émile", "Agent 100", "Agent 2", "Ella", "ada",
                     "Ada", "Agent 02", "Bo"]
        let sorted = names.sorted(by: NameOrder.precedes)
        #expect(sorted == ["Ada", "ada", "Agent 1", "Agent 02", "Agent 2", "agent 3", "Agent 10", "Agent 100", "Bo",
                           "Ella", "Émile", "Emma", "Zoë"], "\(sorted)")
        // Irreflexive, asymmetric and transitive over every triple (strings of digits, letters, accents, punctuation).
        let sample = names + ["Agent", "Agent 1a", "Agent 1 b", "A-gent", "Ägent 9", "Agent 9", "日本", "", "9", "10"]
        for a in sample {
            #expect(!NameOrder.precedes(a, a))
            for b in sample where NameOrder.precedes(a, b) {
                #expect(!NameOrder.precedes(b, a), "\(a) \(b)")
                for c in sample where NameOrder.precedes(b, c) { #expect(NameOrder.precedes(a, c), "\(a) \(b) \(c)") }
            }
        }
    }

    @Test("the Teams View, the kiosk and /api/workers list names in that order")
    func pagesAndAPI() async throws {
        let server = try await TestServer(seeds: [], now: "2026-11-25T09:05:00Z")
        let names = ["Agent 10", "Agent 1", "Agent 100", "Agent 2", "agent 3"]
        let lines = names.enumerated().map { i, name in
            #"{"type":"worker","at":"2026-11-25T09:00:00Z","worker":"W\#(i)","name":"\#(name)","team":"Floor"}"#
        }
        _ = server.pipeline.ingest(body: Array(lines.joined(separator: "\n").utf8), source: "test")
        let expected = ["Agent 1", "Agent 2", "agent 3", "Agent 10", "Agent 100"]
        let ids = expected.map { "W\(names.firstIndex(of: $0)!)" }
        let api = try server.client.get("/api/workers").json()
        #expect((api["workers"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == expected)
        for path in ["/", "/kiosk", "/?group=none"] {
            let html = try server.client.get(path).text
            let positions = ids.map { html.range(of: "id=\"w-\($0)\"")?.lowerBound }
            #expect(!positions.contains(nil) && positions.compactMap { $0 } == positions.compactMap { $0 }.sorted(), "\(path)")
        }
    }
}
