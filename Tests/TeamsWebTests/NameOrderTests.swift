import Foundation
import Testing
import TeamsDomain
@testable import TeamsWeb

/// Names a sort must survive: case, accents (composed and not, and the letters with none: ×, ÷), digit runs with
/// leading zeros, runs of 255 digits and more, digits against punctuation and letters, an 0xC3 byte at the end, empty.
private let hostileNames: [String] = [
    "Agent 10", "agent 3", "Zoë", "Agent 1", "Emma", "Émile", "E\u{301}mile", "Agent 100", "Agent 2", "Ella", "ada", "Ada",
    "ADA", "Agent 02", "Agent 002", "Agent 2a", "Agent 2 a", "Agent 2-b", "Bo", "Agent", "A-gent", "Ägent 9", "agent 9",
    "日本", "日本 2", "", " ", "0", "00", "9", "10", "x0y", "x00y", "x0001", "x1", "a×b", "a÷b", "axb", "Ã", "a\u{C3}",
    "Ø", "ø", "o", "ß", "ss", "þ", "Þorn", "#1", "!", "~", "Agent 1 Example", "Agent 10 Example", "Agent 1a0",
    String(repeating: "9", count: 254), String(repeating: "9", count: 255), "1" + String(repeating: "0", count: 300),
    "0" + String(repeating: "1", count: 256), String(repeating: "1", count: 256) + "a", "a\"b", "<b>", "Åsa", "Asa",
    "\u{1F600}", "Agent 1\u{1F600}",
]

/// A registry of one agent per hostile name over a few teams (one unnamed), with calls of every kind.
private func hostileFloor(_ names: [String] = hostileNames) -> [WorkerState] {
    hostileRegistry(names).workers.map(\.value)
}

/// The registry of `hostileFloor`.
private func hostileRegistry(_ names: [String] = hostileNames) -> Registry {
    let at = Timestamp(microseconds: 1_764_000_000_000_000)
    let teams = ["Team 10", "Team 2", "", "team 2", "Équipe", "Equipe"]
    var registry = Registry()
    var events: [Event] = []
    for (i, name) in names.enumerated() {
        let id = "W\(1000 - i * 7 % 97)-\(i)"
        let kinds: [Event.Kind] = [
            .worker(id, WorkerProfile(name: name, team: teams[i % teams.count])),
            .activity(id, name: i % 3 == 0 ? "Available" : "Break", available: i % 3 == 0),
        ] + (i % 4 == 0 ? [] : [.callStart(id, CallStart(call: "C\(i)", from: "+1555\(i)", queue: "Q"))])
          + (i % 4 == 2 ? [.call(id, "C\(i)", .hold)] : [])
          // A second call from a queue while on one (a misroute), held or live: attention's first rank.
          + (i % 6 == 1 ? [.callStart(id, CallStart(call: "D\(i)", queue: "Q"))] : [])
          + (i % 12 == 1 ? [.call(id, "D\(i)", .hold)] : [])
        for (k, kind) in kinds.enumerated() { events.append(Event(at: at.adding(seconds: Double(i % 5 + k)), kind)) }
    }
    // The same name twice, and names level but for case: the tie-breaks of the order.
    events.append(Event(at: at, .worker("W-dup", WorkerProfile(name: "Ada", team: "Team 2"))))
    events.append(Event(at: at, .worker("W-dup2", WorkerProfile(name: "ada", team: "Team 2"))))
    for e in events { _ = registry.apply(e) }
    return registry
}

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

    @Test("a name's key compares as the names do, on hostile names")
    func keys() {
        func key(_ name: String) -> [UInt8] {
            var k: [UInt8] = []
            NameOrder.appendKey(of: name, to: &k)
            return k
        }
        func sign(_ x: Int) -> Int { x < 0 ? -1 : (x > 0 ? 1 : 0) }
        for a in hostileNames {
            for b in hostileNames {
                let natural = NameOrder.compare(Array(a.utf8)[...], Array(b.utf8)[...])
                let ka = key(a), kb = key(b)
                let byKey = ka.lexicographicallyPrecedes(kb) ? -1 : (kb.lexicographicallyPrecedes(ka) ? 1 : 0)
                #expect(sign(natural) == byKey, "\(a.debugDescription) \(b.debugDescription)")
            }
        }
    }

    @Test("the whole floor filed from its search list and the workers changed since is the floor filed from its workers")
    func boardOrderFromTheList() {
        let ascii = hostileNames.filter { $0.utf8.allSatisfy { $0 < 0x80 && $0 != 0 } }
        var registry = hostileRegistry(ascii)
        let list = SearchList(registry)
        // After the list: a rename to a name another agent has, a move to another team and a new one, a hold, a new
        // agent, a removal; and one id named changed that did not change (what the live updater hands is a superset).
        let at = Timestamp(microseconds: 1_764_000_100_000_000)
        let ids = registry.workers.keys.sorted()
        let events: [Event] = [
            Event(at: at, .worker(ids[3], WorkerProfile(name: "Agent 2", team: "Team 2"))),
            Event(at: at, .worker(ids[5], WorkerProfile(name: "Zed", team: "Team 99"))),
            Event(at: at, .callStart(ids[7], CallStart(call: "N7", queue: "Q"))),
            Event(at: at.adding(seconds: 1), .call(ids[7], "N7", .hold)),
            Event(at: at, .worker("W-new", WorkerProfile(name: "ada", team: "Team 10"))),
            Event(at: at, .activity("W-new", name: "Lunch", available: false)),
            Event(at: at, .workerRemove(ids[9])),
        ]
        for e in events { _ = registry.apply(e) }
        let changed: Set<WorkerID> = [ids[3], ids[5], ids[7], "W-new", ids[9], ids[11]]
        var updated = list
        updated.update(changed, in: registry)
        let workers = registry.workers.map(\.value)
        for sort in WorkerQuery.Sort.allCases {
            for (grouped, attention) in [(true, false), (false, false), (true, true)] {
                var query = WorkerQuery()
                query.sort = sort
                query.groupByTeam = grouped
                query.attention = attention
                let expected = BoardOrder.filed(workers, by: query)
                let rows = expected.order.map { expected.ids[$0] }
                let groups = expected.order.map { expected.groups[expected.ranks[$0]] }
                for (from, since) in [(list, changed), (updated, Set<WorkerID>())] {
                    guard let filed = BoardOrder.filed(from, changed: since, registry: registry, by: query) else {
                        Issue.record("no filing from the list for \(query.queryString)")
                        continue
                    }
                    #expect(filed.order.map { filed.ids[$0] } == rows, "\(query.queryString), \(since.count) changed")
                    #expect(filed.order.map { filed.groups[filed.ranks[$0]] } == groups, "\(query.queryString)")
                }
            }
        }
        #expect(rowsHaveTiesOfName(workers))
        // A name outside ASCII: its class among equal names needs its worker, so the list does not file it.
        _ = registry.apply(Event(at: at, .worker("W-e", WorkerProfile(name: "Émile", team: "Team 2"))))
        #expect(BoardOrder.filed(updated, changed: ["W-e"], registry: registry, by: WorkerQuery()) == nil)
        #expect(BoardOrder.filed(SearchList(registry), changed: [], registry: registry, by: WorkerQuery()) == nil)
    }

    @Test("most calls leaves ringing calls out; time in activity and activity put agents with none reported last; activities in natural order")
    func sortsAsTheirChoicesSay() {
        let t0 = Timestamp(microseconds: 1_764_000_000_000_000)
        var registry = Registry()
        let events: [Event] = [
            Event(at: t0, .worker("W1", WorkerProfile(name: "Ann", team: "Floor"))),
            Event(at: t0, .worker("W2", WorkerProfile(name: "Bea", team: "Floor"))),
            Event(at: t0, .worker("W3", WorkerProfile(name: "Cy", team: "Floor"))),
            Event(at: t0, .worker("W4", WorkerProfile(name: "Dee", team: "Floor"))),
            Event(at: t0, .activity("W1", name: "Break 10", available: false)),
            Event(at: t0.adding(seconds: 10), .activity("W2", name: "Break 2", available: false)),
            Event(at: t0.adding(seconds: 5), .activity("W4", name: "admin", available: false)),
            // Ann: one call taken and one ringing; Bea: two taken, one held; Cy: no activity reported, a call ringing.
            Event(at: t0.adding(seconds: 20), .callStart("W1", CallStart(call: "A1", queue: "Q"))),
            Event(at: t0.adding(seconds: 21), .callOffer("W1", CallStart(call: "A2", queue: "Q"))),
            Event(at: t0.adding(seconds: 20), .callStart("W2", CallStart(call: "B1", queue: "Q"))),
            Event(at: t0.adding(seconds: 22), .call("W2", "B1", .hold)),
            Event(at: t0.adding(seconds: 23), .callStart("W2", CallStart(call: "B2", queue: "Q"))),
            Event(at: t0.adding(seconds: 24), .callOffer("W3", CallStart(call: "C1", queue: "Q"))),
        ]
        for e in events { _ = registry.apply(e) }
        let workers = registry.workers.map(\.value)
        let list = SearchList(registry)
        for (sort, expected) in [(WorkerQuery.Sort.calls, ["W2", "W1", "W3", "W4"]), (.time, ["W1", "W4", "W2", "W3"]),
                                 (.activity, ["W4", "W2", "W1", "W3"])] {
            var query = WorkerQuery()
            query.sort = sort
            query.groupByTeam = false
            let filed = BoardOrder.filed(workers, by: query)
            #expect(filed.order.map { filed.ids[$0] } == expected, "\(sort)")
            let listed = BoardOrder.filed(list, changed: [], registry: registry, by: query)
            #expect(listed.map { f in f.order.map { f.ids[$0] } } == expected, "\(sort) from the list")
            #expect(workers.sorted { query.areInOrder($0, $1) }.map(\.id) == expected, "\(sort) compared pairwise")
        }
    }

    /// Whether the floor has names level but for case or equal outright: the ties the list's filing reads names for.
    private func rowsHaveTiesOfName(_ workers: [WorkerState]) -> Bool {
        let names = workers.map(\.name)
        return names.contains("Ada") && names.contains("ada") && names.filter { $0 == "Ada" }.count > 1
    }

    @Test("a board sorts with keys in the order of teamsPageOrder, for every sort, grouped or not, attention or not",
          arguments: [false, true])
    func boardOrder(asciiOnly: Bool) {
        // With ASCII names only, no name is numbered: equal names and level keys decide alone.
        let workers = hostileFloor(asciiOnly ? hostileNames.filter { $0.utf8.allSatisfy { $0 < 0x80 } } : hostileNames)
        #expect(workers.count > 40)
        for sort in WorkerQuery.Sort.allCases {
            for grouped in [true, false] {
                for attention in [false, true] {
                    var query = WorkerQuery()
                    query.sort = sort
                    query.groupByTeam = grouped
                    query.attention = attention
                    let expected = workers.indices.sorted { query.areInOrder(workers[$0], workers[$1]) }
                    let sorted = BoardOrder.sorted(workers, by: query)
                    #expect(sorted.map { workers[$0].id } == expected.map { workers[$0].id }, "\(sort) grouped \(grouped) attention \(attention)")
                }
            }
        }
    }
}
