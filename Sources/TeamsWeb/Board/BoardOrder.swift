import Foundation
import TeamsDomain

/// The order a new board files its rows in: ``WorkerQuery/teamsPageOrder(_:_:)``, with what it reads of every
/// comparison read once per worker instead: the team as its rank among the board's teams, the query's sort as
/// integers (``WorkerQuery/sortKey(_:activityRank:)``), the name as its key (``NameOrder/appendKey(of:to:)``). Sorting the 1,111 agents of a search on a 20,000-agent floor compared names and
/// teams byte by byte ~12,000 times, ~17% of the first render of the view.
///
/// The keys are the board's, made for the sort and dropped with it: nothing is kept per agent. Names whose keys are
/// level (such as "ada" and "Ada") and names that are equal fall back to `teamsPageOrder`'s own tie-breaks, so the
/// order is the same, agent for agent (`NameOrderTests`).
enum BoardOrder {
    /// The indices of `workers` in `query`'s page order.
    static func sorted(_ workers: [WorkerState], by query: WorkerQuery) -> [Int] {
        var order = Array(workers.indices)
        let byTeam = !query.attention && query.groupByTeam
        var ranks = [Int](repeating: 0, count: workers.count)
        if byTeam {
            var rankOf: [String: Int] = [:]
            for w in workers { rankOf[w.team] = 0 }
            for (rank, team) in rankOf.keys.sorted(by: Board.teamBefore).enumerated() { rankOf[team] = rank }
            for (i, w) in workers.enumerated() { ranks[i] = rankOf[w.team] ?? 0 }
        }
        var keys: [UInt8] = []
        keys.reserveCapacity(workers.count * 16)
        var starts: [Int] = [0]
        starts.reserveCapacity(workers.count + 1)
        // Whether a name is ASCII: then names of different bytes are different names. Other names may be equal as
        // Strings in other bytes ("É" composed or not), and are compared as Strings first, as `teamsPageOrder` does.
        var ascii: [Bool] = []
        ascii.reserveCapacity(workers.count)
        for w in workers {
            NameOrder.appendKey(of: w.name, to: &keys)
            starts.append(keys.count)
            ascii.append(w.name.utf8.allSatisfy { $0 < 0x80 })
        }
        // What the query's sort reads of each worker (its calls' hold and start times, its activity), read once per
        // worker as integers: read in each comparison, it cost a retain per call and field ~300,000 times for the
        // 20,000 agents of a floor-wide sort (0.2-0.6 s for the first render of such a view).
        let sorts = query.attention || query.sort != .name
        var activityRank: [String: Int] = [:]
        if query.sort == .activity {
            for w in workers { activityRank[w.activity] = 0 }
            for (rank, activity) in activityRank.keys.sorted().enumerated() { activityRank[activity] = rank }
        }
        let sortKeys = sorts ? workers.map { query.sortKey($0, activityRank: activityRank) } : []
        // Sorting indices, not the workers themselves: moving a WorkerState costs a retain per field.
        workers.withUnsafeBufferPointer { ws in
            ranks.withUnsafeBufferPointer { rank in
                keys.withUnsafeBufferPointer { key in
                    starts.withUnsafeBufferPointer { start in
                        sortKeys.withUnsafeBufferPointer { sortKey in
                            guard let base = ws.baseAddress else { return }
                            let k = key.baseAddress ?? UnsafePointer(bitPattern: 1)!
                            order.sort { i, j in
                                if rank[i] != rank[j] { return rank[i] < rank[j] }
                                if sorts {
                                    let a = sortKey[i], b = sortKey[j]
                                    if a.attention.rank != b.attention.rank { return a.attention.rank < b.attention.rank }
                                    if a.attention.hold != b.attention.hold { return a.attention.hold < b.attention.hold }
                                    if a.attention.live != b.attention.live { return a.attention.live < b.attention.live }
                                    if a.primary != b.primary { return a.primary < b.primary }
                                }
                                if !(ascii[i] && ascii[j]), base[i].name == base[j].name { return base[i].id < base[j].id }
                                let li = start[i + 1] - start[i], lj = start[j + 1] - start[j]
                                let c = memcmp(k + start[i], k + start[j], min(li, lj))
                                if c != 0 { return c < 0 }
                                if li != lj { return li < lj }
                                let a = base + i, b = base + j
                                if a.pointee.name != b.pointee.name { return a.pointee.name < b.pointee.name }
                                return a.pointee.id < b.pointee.id
                            }
                        }
                    }
                }
            }
        }
        return order
    }
}
