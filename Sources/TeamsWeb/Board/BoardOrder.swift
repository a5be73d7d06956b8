import Foundation
import TeamsDomain

/// The order a new board files its rows in: ``WorkerQuery/teamsPageOrder(_:_:)``, with what it reads of every
/// comparison read once per worker instead: the team as its rank among the board's teams, the query's sort as
/// integers (``WorkerQuery/sortKey(_:activityRank:)``, activities ranked), the name as its key
/// (``NameOrder/appendKey(of:to:)``) and its class of equal names. Sorting the 1,111 agents of a search on a
/// 20,000-agent floor compared names and teams byte by byte ~12,000 times, ~17% of the first render of the view.
///
/// The keys are the board's, made for the sort and dropped with it: nothing is kept per agent. Names whose keys are
/// level (such as "ada" and "Ada") and names that are equal fall back to `teamsPageOrder`'s own tie-breaks, so the
/// order is the same, agent for agent (`NameOrderTests`). Equal names are numbered only when a name is not ASCII.
///
/// The whole floor can also be filed from its search list (`filed(_:changed:registry:by:)`), which keeps each
/// worker's team, folded name and sort facts in arrays: a new order of a 20,000-agent floor then reads no worker's
/// record, where reading them (a few cache misses each) was most of its making.
enum BoardOrder {
    /// The workers of a board in page order, with what the board files them by, read once.
    struct Filing {
        /// Indices into the workers, in page order.
        var order: [Int]
        /// Each worker's id, by index into the workers.
        var ids: [WorkerID]
        /// Each worker's group (`WorkerQuery.group(of:)`) as an index into `groups`, by index into the workers.
        var ranks: [Int]
        /// The groups in page order: the teams (`Board.teamBefore`), or one unnamed group when the view is not
        /// grouped by team.
        var groups: [String]
    }

    /// The indices of `workers` in `query`'s page order.
    static func sorted(_ workers: [WorkerState], by query: WorkerQuery) -> [Int] { filed(workers, by: query).order }

    /// Strings numbered by equality (as Strings), in order of first appearance.
    private struct Classes {
        private var numbers: [String: Int] = [:]
        /// Each class's string, by number.
        private(set) var members: [String] = []
        /// Up to this many classes, a string is compared with each instead of looked up by hash.
        private static let compared = 8

        mutating func number(_ string: String) -> Int {
            // A few classes (a floor's teams) are compared, not hashed: hashing each worker's team was ~3% of a
            // floor-wide board's making.
            if members.count <= Self.compared {
                if let n = members.firstIndex(of: string) { return n }
                if members.count < Self.compared {
                    members.append(string)
                    return members.count - 1
                }
                for (n, m) in members.enumerated() { numbers[m] = n }
            }
            if let n = numbers[string] { return n }
            numbers[string] = members.count
            members.append(string)
            return members.count - 1
        }
    }

    /// Every worker of the floor (a view with no filter) in `query`'s page order, read from `list`, the floor at a
    /// snapshot, and `changed`, the workers changed since then, read from `registry`: no other worker is read. The
    /// team, the sort's facts (`WorkerQuery.SortFacts`), the activity and the name's key (from the folded text) come
    /// from the list's arrays; the names themselves are read only where two keys are level. Nil when a worker's name
    /// or id is not ASCII: a name's class among equal names then needs its worker (`filed(_:by:)` reads them).
    static func filed(_ list: SearchList, changed: Set<WorkerID>, registry: Registry, by query: WorkerQuery) -> Filing? {
        guard list.opaque == 0 else { return nil }
        let tree = registry.workers
        var extra: [WorkerState] = []
        for id in changed {
            guard let w = tree[id] else { continue }
            guard w.name.utf8.allSatisfy({ $0 < 0x80 && $0 != 0 }) else { return nil }
            extra.append(w)
        }
        let byTeam = query.groupsByTeam
        // Groups and activities ranked by name, once per name rather than per worker.
        var groups = [""]
        var rankOfTeam: [Int] = []
        var rankOfName: [String: Int] = [:]
        if byTeam {
            var names = Set(list.teams)
            for w in extra { names.insert(w.team) }
            groups = names.sorted(by: Board.teamBefore)
            for (rank, name) in groups.enumerated() { rankOfName[name] = rank }
            rankOfTeam = list.teams.map { rankOfName[$0]! }
        }
        var activityRankOfName: [String: Int] = [:]
        var activityRank: [Int] = []
        if query.sort == .activity {
            var names = Set(list.activities)
            for w in extra { names.insert(w.activity) }
            for (rank, name) in names.sorted(by: WorkerQuery.activityBefore).enumerated() { activityRankOfName[name] = rank }
            activityRank = list.activities.map { activityRankOfName[$0]! }
        }
        let sorts = query.attention || query.sort != .name
        var ids: [WorkerID] = [], ranks: [Int] = [], sortKeys: [WorkerQuery.SortKey] = []
        var keys: [UInt8] = [], starts: [Int] = [0]
        ids.reserveCapacity(list.count + extra.count)
        ranks.reserveCapacity(list.count + extra.count)
        starts.reserveCapacity(list.count + extra.count + 1)
        keys.reserveCapacity(list.text.count)
        if sorts { sortKeys.reserveCapacity(list.count + extra.count) }
        list.text.withUnsafeBufferPointer { text in
            for i in 0..<list.count where list.present[i] {
                if !changed.isEmpty, changed.contains(list.ids[i]) { continue }
                ids.append(list.ids[i])
                ranks.append(byTeam ? rankOfTeam[Int(list.team[i])] : 0)
                // The name's folded text, up to its 0x00: folding changes no key.
                let from = Int(list.starts[i])
                var end = from
                while text[end] != 0 { end += 1 }
                NameOrder.appendKey(text[from..<end], to: &keys)
                starts.append(keys.count)
                if sorts {
                    sortKeys.append(query.sortKey(list.facts[i], activityRank: activityRank.isEmpty ? 0 : activityRank[Int(list.activity[i])]))
                }
            }
        }
        for w in extra {
            ids.append(w.id)
            ranks.append(byTeam ? rankOfName[w.team]! : 0)
            NameOrder.appendKey(of: w.name, to: &keys)
            starts.append(keys.count)
            if sorts { sortKeys.append(query.sortKey(WorkerQuery.SortFacts(w), activityRank: activityRankOfName[w.activity] ?? 0)) }
        }
        var order = Array(ids.indices)
        /// Whether `i` and `j` are level up to their names: same group, sort and name key.
        func level(_ i: Int, _ j: Int) -> Bool {
            ranks[i] == ranks[j] && (!sorts || sortKeys[i].before(sortKeys[j]) == nil)
                && keys[starts[i]..<starts[i + 1]].elementsEqual(keys[starts[j]..<starts[j + 1]])
        }
        sort(&order, ranks: ranks, sortKeys: sorts ? sortKeys : nil, keys: keys, starts: starts) { i, j in i < j }
        // Runs level up to their names ("Ada" and "ada", or one name twice): by name, then id, as `filed(_:by:)`
        // puts ASCII names. Their workers are read here, and only theirs.
        var start = 0
        while start < order.count {
            var end = start + 1
            while end < order.count, level(order[start], order[end]) { end += 1 }
            if end - start > 1 {
                let names = order[start..<end].map { tree[ids[$0]]?.name ?? "" }
                let run = Array(order[start..<end])
                let sortedRun = run.indices.sorted { a, b in
                    names[a] != names[b] ? names[a] < names[b] : ids[run[a]] < ids[run[b]]
                }
                for (offset, r) in sortedRun.enumerated() { order[start + offset] = run[r] }
            }
            start = end
        }
        return Filing(order: order, ids: ids, ranks: ranks, groups: groups)
    }

    /// `workers` filed in `query`'s page order.
    static func filed(_ workers: [WorkerState], by query: WorkerQuery) -> Filing {
        var order = Array(workers.indices)
        let byTeam = query.groupsByTeam
        var ranks = [Int](repeating: 0, count: workers.count)
        var groups = [""]
        if byTeam {
            // Each team read once: its class first (in order of appearance), then the classes ranked by name.
            var classes = Classes()
            for (i, w) in workers.enumerated() { ranks[i] = classes.number(w.team) }
            let teams = classes.members
            let byName = teams.indices.sorted { Board.teamBefore(teams[$0], teams[$1]) }
            var rankOfClass = [Int](repeating: 0, count: teams.count)
            for (rank, c) in byName.enumerated() { rankOfClass[c] = rank }
            for i in ranks.indices { ranks[i] = rankOfClass[ranks[i]] }
            groups = byName.map { teams[$0] }
        }
        var keys: [UInt8] = []
        keys.reserveCapacity(workers.count * 16)
        var starts: [Int] = [0]
        starts.reserveCapacity(workers.count + 1)
        // Names and ids are read here once, not through each worker in every comparison (a retain each).
        var names: [String] = []
        var ids: [WorkerID] = []
        names.reserveCapacity(workers.count)
        ids.reserveCapacity(workers.count)
        var ascii = true
        for w in workers {
            let name = w.name
            NameOrder.appendKey(of: name, to: &keys)
            starts.append(keys.count)
            if ascii { ascii = name.utf8.withContiguousStorageIfAvailable { $0.allSatisfy { $0 < 0x80 } } ?? false }
            names.append(name)
            ids.append(w.id)
        }
        // Each name's class when a name is not ASCII: names equal as Strings share one, even in other bytes ("É"
        // composed or not), and the workers of one name go in id order, as `teamsPageOrder` puts them. ASCII names are
        // equal as Strings only when their bytes are, so level keys and equal names say the same there (numbering
        // the names of a floor was ~20% of a floor-wide board's making).
        var nameClass: [Int] = []
        if !ascii {
            var nameClasses = Classes()
            nameClass = names.map { nameClasses.number($0) }
        }
        // What the query's sort reads of each worker (its calls' hold and start times, its activity), read once per
        // worker as integers: read in each comparison, it cost a retain per call and field ~300,000 times for the
        // 20,000 agents of a floor-wide sort (0.2-0.6 s for the first render of such a view).
        let sorts = query.attention || query.sort != .name
        var activityRank: [String: Int] = [:]
        if query.sort == .activity {
            for w in workers { activityRank[w.activity] = 0 }
            for (rank, activity) in activityRank.keys.sorted(by: WorkerQuery.activityBefore).enumerated() { activityRank[activity] = rank }
        }
        let sortKeys = sorts ? workers.map { query.sortKey($0, activityRank: activityRank) } : []
        // Sorting indices, not the workers themselves: moving a WorkerState costs a retain per field.
        names.withUnsafeBufferPointer { name in
            ids.withUnsafeBufferPointer { id in
                nameClass.withUnsafeBufferPointer { nameClass in
                    // Names equal as Strings go in id order, whatever their keys.
                    let sameName: ((Int, Int) -> Bool?)? = ascii ? nil : { i, j in nameClass[i] == nameClass[j] ? id[i] < id[j] : nil }
                    sort(&order, ranks: ranks, sortKeys: sorts ? sortKeys : nil, keys: keys, starts: starts, sameName: sameName) { i, j in
                        // Keys level: ASCII names equal (then by id), or names not equal ("ada" and "Ada").
                        if ascii, name[i] == name[j] { return id[i] < id[j] }
                        return name[i] < name[j]
                    }
                }
            }
        }
        return Filing(order: order, ids: ids, ranks: ranks, groups: groups)
    }

    /// Sorts row indices by group rank, then sort key (nil: the query sorts by name alone), then name key
    /// (`keys[starts[i] ..< starts[i + 1]]`, compared byte by byte, a prefix first). `sameName`, when given, decides
    /// first between rows whose names are equal as Strings; `level` decides between rows level on all three.
    private static func sort(_ order: inout [Int], ranks: [Int], sortKeys: [WorkerQuery.SortKey]?, keys: [UInt8], starts: [Int],
                             sameName: ((Int, Int) -> Bool?)? = nil, level: (Int, Int) -> Bool) {
        let sorts = sortKeys != nil
        let sortKeys = sortKeys ?? []
        ranks.withUnsafeBufferPointer { rank in
            keys.withUnsafeBufferPointer { key in
                starts.withUnsafeBufferPointer { start in
                    sortKeys.withUnsafeBufferPointer { sortKey in
                        let k = key.baseAddress ?? UnsafePointer(bitPattern: 1)!
                        order.sort { i, j in
                            if rank[i] != rank[j] { return rank[i] < rank[j] }
                            if sorts, let before = sortKey[i].before(sortKey[j]) { return before }
                            if let sameName, let before = sameName(i, j) { return before }
                            let li = start[i + 1] - start[i], lj = start[j + 1] - start[j]
                            let c = memcmp(k + start[i], k + start[j], min(li, lj))
                            if c != 0 { return c < 0 }
                            if li != lj { return li < lj }
                            return level(i, j)
                        }
                    }
                }
            }
        }
    }
}
