import TeamsDomain

/// The display names of a kiosk board and the workers that bear each, so workers of one name are told
/// apart: each shows a short tag from the end of its worker id, `Anna Kowalski · 4821` and
/// `Anna Kowalski · 7710` (four characters, more when those of two of them are the same).
///
/// A value kept in the `Board` (kiosk boards only) and moved with it: only a worker that joins, leaves
/// or is renamed changes it.
struct NameTags: Sendable {
    /// The worker of each name that one worker alone shows (`key`): nearly every name on a floor. Kept
    /// apart from `shared` so a name of one worker costs a table slot, not an array of its own.
    private var single: [String: WorkerID] = [:]
    /// Workers by a name two or more of them show, each list in id order.
    private var shared: [String: [WorkerID]] = [:]

    /// Characters of the worker id a tag shows at least.
    static let least = 4

    init() {}

    init(_ workers: [WorkerState]) {
        single.reserveCapacity(workers.count)
        for w in workers { add(w.id, name: w.name) }
    }

    /// The name as the kiosk shows it: control characters removed, runs of white space one space (an HTML
    /// page draws them so), none at either end. A name that is so already is returned as it is (no copy).
    static func key(_ name: String) -> String {
        let cleaned = Formatting.clean(name)
        if isTidy(cleaned) { return cleaned }
        return cleaned.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// True when `name` has no white space but single spaces between other characters.
    private static func isTidy(_ name: String) -> Bool {
        var previousIsSpace = true
        for c in name {
            guard c.isWhitespace else { previousIsSpace = false; continue }
            if previousIsSpace || c != " " { return false }
            previousIsSpace = true
        }
        return !previousIsSpace || name.isEmpty
    }

    mutating func add(_ id: WorkerID, name: String) {
        let key = Self.key(name)
        if var ids = shared[key] {
            let at = ids.firstIndex { $0 >= id } ?? ids.endIndex
            if at < ids.endIndex, ids[at] == id { return }
            ids.insert(id, at: at)
            shared[key] = ids
        } else if let other = single[key] {
            guard other != id else { return }
            single[key] = nil
            shared[key] = other < id ? [other, id] : [id, other]
        } else {
            single[key] = id
        }
    }

    mutating func remove(_ id: WorkerID, name: String) {
        let key = Self.key(name)
        if var ids = shared[key] {
            guard let at = ids.firstIndex(of: id) else { return }
            ids.remove(at: at)
            if ids.count == 1 {
                shared[key] = nil
                single[key] = ids[0]
            } else {
                shared[key] = ids
            }
        } else if single[key] == id {
            single[key] = nil
        }
    }

    /// The workers that show `name`, in id order.
    func workers(named name: String) -> [WorkerID] {
        let key = Self.key(name)
        return shared[key] ?? single[key].map { [$0] } ?? []
    }

    /// The tag of worker `id` named `name`: nil when no other worker of the board has that name.
    func tag(of id: WorkerID, name: String) -> String? {
        guard let ids = shared[Self.key(name)], ids.contains(id) else { return nil }
        return Self.tags(ids)[id]
    }

    /// Tags for workers of one name: the last `least` characters of each id (cleaned for display), or as many
    /// more as it takes to make every tag of the group different (the whole id at most).
    static func tags(_ ids: [WorkerID]) -> [WorkerID: String] {
        let shown = ids.map { Array(Formatting.clean($0)) }
        let longest = shown.map(\.count).max() ?? 0
        var length = least
        while true {
            let tags = shown.map { String($0.suffix(length)) }
            if length >= longest || Set(tags).count == tags.count {
                return Dictionary(zip(ids, tags), uniquingKeysWith: { first, _ in first })
            }
            length += 1
        }
    }
}
