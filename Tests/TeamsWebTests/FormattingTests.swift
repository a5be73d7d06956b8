import Testing
@testable import TeamsWeb

@Suite("Formatting")
struct FormattingTests {
    @Test("a count's noun is singular for exactly one, plural for none and for more, with the count or alone")
    func plural() {
        #expect(Formatting.plural(0, "worker") == "0 workers")
        #expect(Formatting.plural(1, "worker") == "1 worker")
        #expect(Formatting.plural(2, "more column") == "2 more columns")
        #expect(Formatting.noun("worker", count: 0) == "workers")
        #expect(Formatting.noun("worker", count: 1) == "worker")
        #expect(Formatting.noun("agent", count: 12) == "agents")
    }
}
