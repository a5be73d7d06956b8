/// A set of agent indices with O(1) insert, remove and uniform random pick, so routing a call
/// does not scan thousands of agents.
struct AgentPool: Sendable {
    private(set) var members: [Int] = []
    private var position: [Int]

    init(capacity: Int) { position = Array(repeating: -1, count: capacity) }

    var isEmpty: Bool { members.isEmpty }

    func contains(_ agent: Int) -> Bool { position[agent] >= 0 }

    mutating func set(_ agent: Int, _ present: Bool) {
        if present { insert(agent) } else { remove(agent) }
    }

    mutating func insert(_ agent: Int) {
        guard position[agent] < 0 else { return }
        position[agent] = members.count
        members.append(agent)
    }

    mutating func remove(_ agent: Int) {
        let at = position[agent]
        guard at >= 0 else { return }
        let last = members.removeLast()
        if last != agent {
            members[at] = last
            position[last] = at
        }
        position[agent] = -1
    }

    func random(_ rng: inout SplitMix64) -> Int? {
        members.isEmpty ? nil : members[rng.int(0..<members.count)]
    }
}
