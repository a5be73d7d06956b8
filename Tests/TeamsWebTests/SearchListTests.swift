import Testing
import TeamsDomain
@testable import TeamsWeb

@Suite("Search list: new views filter through it and show what a scan of every worker shows")
struct SearchListTests {
    /// Names that take every path: ASCII, accents (the diacritic-blind search), a capital that
    /// folds, a byte 0x00 and a Kelvin sign (K to Foundation, not ASCII), an empty name.
    static let names = ["Agent 12 Example", "José Núñez", "JOSE NUNEZ", "nul\u{0}here", "\u{212A}elvin Smith",
                        "", "Ana Example", "agent 120", "Zoë", "Bob [1]"]

    static func registry() -> Registry {
        let store = RegistryStore()
        let t = Timestamp(microseconds: 1_800_000_000_000_000)
        var events: [Event] = []
        for i in 0..<60 {
            let id = i == 7 ? "wk-é\(i)" : "WK\(100 + i)"
            let team = ["Sales", "Billing", "", "Tech Support"][i % 4]
            events.append(Event(at: t, .worker(id, WorkerProfile(name: names[i % names.count] + (i < 10 ? "" : " \(i)"), team: team,
                                                                  skills: i % 3 == 0 ? ["Spanish"] : []))))
            events.append(Event(at: t, .activity(id, name: ["Available", "Break", "Offline"][i % 3], available: i % 3 == 0)))
            if i % 5 == 0 { events.append(Event(at: t, .callStart(id, CallStart(call: "CA\(i)", queue: "Sales")))) }
        }
        _ = store.apply(events)
        return store.snapshot()
    }

    /// A batch after `registry()`: renames (to names that take every path), moves between teams
    /// and activities; unless only `inPlace`, removals, new workers, a removed one created again.
    static func changed(_ before: Registry, inPlace: Bool = false) -> (registry: Registry, touched: Set<WorkerID>) {
        let store = RegistryStore(before)
        let t = Timestamp(microseconds: 1_800_000_005_000_000)
        var events: [Event] = []
        for i in stride(from: 0, to: 60, by: 7) {
            let id = i == 7 ? "wk-é\(i)" : "WK\(100 + i)"
            events.append(Event(at: t, .worker(id, WorkerProfile(name: names[(i + 3) % names.count] + " \(i)", team: ["Billing", "Sales", "Tech Support", ""][i % 4]))))
        }
        for i in stride(from: 2, to: 60, by: 9) {
            events.append(Event(at: t, .activity("WK\(100 + i)", name: "Break", available: false)))
        }
        for i in [1, 4, 30, 45] where !inPlace { events.append(Event(at: t, .workerRemove("WK\(100 + i)"))) }
        for i in 0..<12 where !inPlace {
            let id = i == 3 ? "WK101" : i == 5 ? "nÉw\(i)" : "NEW\(i)"
            // A second later: WK101 comes back after its removal.
            let later = Timestamp(microseconds: t.microseconds + 1_000_000)
            events.append(Event(at: later, .worker(id, WorkerProfile(name: names[i % names.count] + " new", team: ["Sales", "Retention"][i % 2]))))
            events.append(Event(at: later, .activity(id, name: ["Available", "Break"][i % 2], available: i % 2 == 0)))
        }
        let changes = store.apply(events)
        return (store.snapshot(), changes.changed.union(changes.removed))
    }

    static let queries = [
        "q=agent 1", "q=AGENT", "q=jose", "q=JOSÉ", "q=núñez", "q=kelvin", "q=K", "q=wk10", "q=WK1", "q=é", "q=here", "q=[1]",
        "q=zzz", "q=1 Example", "q=example 1", "team=Sales", "team=Sales&team=", "team=Nobody", "activity=Break",
        "activity=Available&team=Billing&q=a", "q=e&skill=spanish", "q=a&multi=0&call=live", "q=a&presence=offline&sort=time",
        "team=Tech Support&group=none&q=1", "q=a&attention=1",
    ]

    static func query(_ text: String) -> WorkerQuery {
        let parameters = text.split(separator: "&").map { pair -> (name: String, value: String) in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
        }
        return WorkerQuery(parameters: parameters)
    }

    @Test("a board of a query on team, activity or text has the rows of a scan of every worker", arguments: queries)
    func sameRows(query: String) {
        let registry = Self.registry()
        let q = Self.query(query)
        #expect(SearchList.narrows(q))
        let t = Timestamp(microseconds: 1_800_000_010_000_000)
        let key = BoardKey(view: .page, query: q)
        let lists = SearchLists()
        let board = Board(key: key, registry: registry, at: t, seq: 0, grace: 3, searchLists: lists)
        let expected = Set(registry.workers.values.filter { q.matches($0, at: t, grace: 3) }.map(\.id))
        #expect(Set(board.teams.flatMap(\.ids)) == expected)
        #expect(board.count == expected.count)
        // A second board of the snapshot reuses the list and agrees.
        let again = Board(key: key, registry: registry, at: t, seq: 0, grace: 3, searchLists: lists)
        #expect(again.teams.map(\.ids) == board.teams.map(\.ids))
    }

    @Test("after changes, a board read through the list brought up to date, or through the old list and the changed workers, has the rows of a scan",
          arguments: queries)
    func sameRowsAfterChanges(query: String) {
        let before = Self.registry()
        let (after, touched) = Self.changed(before)
        #expect(after.version > before.version)
        let q = Self.query(query)
        let t = Timestamp(microseconds: 1_800_000_010_000_000)
        let key = BoardKey(view: .page, query: q)
        let expected = Set(after.workers.values.filter { q.matches($0, at: t, grace: 3) }.map(\.id))
        let scanned = Board(key: BoardKey(view: .page, query: q), registry: after, at: t, seq: 0, grace: 3)

        // The list moved with the changes (as a flush does): not built again, it keeps the removed workers' slots.
        let advanced = SearchLists()
        _ = advanced.list(for: before)
        advanced.advance(to: after, touched: touched, since: before.version, rescan: false)
        let kept = advanced.list(for: after)
        #expect(kept.changed.isEmpty && kept.list.count > after.workers.count)
        let board = Board(key: key, registry: after, at: t, seq: 0, grace: 3, searchLists: advanced)
        #expect(Set(board.teams.flatMap(\.ids)) == expected)
        #expect(board.teams.map(\.ids) == scanned.teams.map(\.ids))

        // The list of the older snapshot, and the workers changed since read as well (as a page between flushes).
        let old = SearchLists()
        _ = old.list(for: before)
        var asked: [UInt64] = []
        let between = Board(key: key, registry: after, at: t, seq: 0, grace: 3, searchLists: old,
                            changedSince: { asked.append($0); return $0 == before.version ? touched : nil })
        #expect(asked == [before.version])
        #expect(between.teams.map(\.ids) == scanned.teams.map(\.ids))
        #expect(between.count == expected.count)

        // Changes in place only: the list's slots stay the registry's positions, read as such.
        let (moved, touchedInPlace) = Self.changed(before, inPlace: true)
        let inPlace = SearchLists()
        _ = inPlace.list(for: before)
        inPlace.advance(to: moved, touched: touchedInPlace, since: before.version, rescan: false)
        #expect(inPlace.list(for: moved).list.isInTreeOrder)
        #expect(!kept.list.isInTreeOrder)
        let read = Board(key: key, registry: moved, at: t, seq: 0, grace: 3, searchLists: inPlace)
        #expect(Set(read.teams.flatMap(\.ids)) == Set(moved.workers.values.filter { q.matches($0, at: t, grace: 3) }.map(\.id)))
        #expect(read.teams.map(\.ids) == Board(key: key, registry: moved, at: t, seq: 0, grace: 3).teams.map(\.ids))
    }

    @Test("the list only lets through workers whose team, activity and plain text pass; others are read")
    func candidates() {
        let registry = Self.registry()
        let list = SearchList(registry)
        #expect(list.count == registry.workers.count)
        var q = WorkerQuery()
        q.search = "wk10"
        var positions: [Int] = []
        list.candidates(q) { positions.append($0) }
        let ids = registry.workers.keys.enumerated().filter { positions.contains($0.offset) }.map(\.element)
        // WK100...WK109 (WK107 is wk-é7), and the workers the list cannot decide (a name or id not plain ASCII).
        let undecided = registry.workers.values.filter { w in
            !(w.name + w.id).utf8.allSatisfy { $0 != 0 && $0 < 0x80 }
        }.map(\.id)
        let wk10 = (100...109).map { "WK\($0)" }.filter { registry.workers[$0] != nil }
        #expect(wk10.count == 9)
        #expect(Set(ids) == Set(wk10).union(undecided))
        #expect(positions == positions.sorted())
    }

    @Test("on a floor of 17,000 workers a search finds each worker by its id in its own slot, and a renamed one by its new name only")
    func largeFloor() {
        let store = RegistryStore()
        let t = Timestamp(microseconds: 1_800_000_000_000_000)
        let n = 17_000
        _ = store.apply((0..<n).map { Event(at: t, .worker("WK\(100_000 + $0)", WorkerProfile(name: "Agent \($0) Example", team: "Sales"))) })
        let before = store.snapshot()
        var list = SearchList(before)
        let slotOf = Dictionary(uniqueKeysWithValues: (0..<list.count).map { (list.id(at: $0), $0) })
        func found(_ text: String) -> [WorkerID] {
            var q = WorkerQuery()
            q.search = text
            var ids: [WorkerID] = []
            list.candidates(q) { ids.append(list.id(at: $0)) }
            return ids
        }
        // Slots past 127 and 16,383 take more than one byte of their tag.
        for i in [0, 127, 128, 300, 16_383, 16_384, n - 1] {
            let id = "WK\(100_000 + i)"
            #expect(found(id.lowercased()) == [id])
            #expect(found("AGENT \(i) EXAMPLE") == [id])
            #expect(slotOf[id] != nil)
        }
        #expect(found("example").count == n)
        #expect(found("nobody").isEmpty)
        // Renames file new text at the end of the buffer; the old text stays, and is not found.
        let renamed = [5, 200, 16_500]
        _ = store.apply(renamed.map { Event(at: Timestamp(microseconds: t.microseconds + 1_000_000),
                                           .worker("WK\(100_000 + $0)", WorkerProfile(name: "Renamed \($0) Person", team: "Sales"))) })
        let after = store.snapshot()
        list.update(Set(renamed.map { "WK\(100_000 + $0)" }), in: after)
        for i in renamed {
            #expect(found("agent \(i) example").isEmpty)
            #expect(found("renamed \(i) person") == ["WK\(100_000 + i)"])
        }
        #expect(found("example").count == n - renamed.count)
        #expect(found("person").sorted() == renamed.map { "WK\(100_000 + $0)" }.sorted())
    }

    @Test("a list is reused at its snapshot and rebuilt after a change it is not told of")
    func reuse() {
        let store = RegistryStore()
        let t = Timestamp(microseconds: 1_800_000_000_000_000)
        _ = store.apply([Event(at: t, .worker("WK1", WorkerProfile(name: "Ann", team: "Sales")))])
        let lists = SearchLists()
        #expect(lists.list(for: store.snapshot()).list.count == 1)
        _ = store.apply([Event(at: t, .worker("WK2", WorkerProfile(name: "Bob", team: "Sales")))])
        let after = store.snapshot()
        #expect(lists.list(for: after).list.count == 2)
        #expect(lists.list(for: after).list.matches(after))
        var q = WorkerQuery()
        q.search = "bob"
        let board = Board(key: BoardKey(view: .page, query: q), registry: after, at: t, seq: 0, grace: 3, searchLists: lists)
        #expect(board.teams.flatMap(\.ids) == ["WK2"])
    }
}
