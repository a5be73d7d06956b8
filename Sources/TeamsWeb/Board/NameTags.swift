import TeamsDomain

/// The display names of a kiosk board and the workers that bear each, so workers of one name are told
/// apart: each shows a short tag from the end of its worker id, `Anna Kowalski · 4821` and
/// `Anna Kowalski · 7710` (four characters, more when those of two of them are the same).
///
/// A value kept in the `Board` (kiosk boards only) and moved with it: only a worker that joins, leaves
/// or is renamed changes it.
struct NameTags: Sendable {
    /// Workers by the name they show (`key`), each list in id order. Names of one worker are kept too:
    /// a second worker of that name finds the first.
    private(set) var holders: [String: [WorkerID]] = [:]

    /// Characters of the worker id a tag shows at least.
    static let least = 4

    init() {}

    init(_ workers: [WorkerState]) {
        for w in workers { add(w.id, name: w.name) }
    }

    /// The name as the kiosk shows it: control characters removed, runs of white space one space (an HTML
    /// page draws them so), none at either end.
    static func key(_ name: String) -> String {
        Formatting.clean(name).split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    mutating func add(_ id: WorkerID, name: String) {
        let key = Self.key(name)
        var ids = holders[key, default: []]
        let at = ids.firstIndex { $0 >= id } ?? ids.endIndex
        if at < ids.endIndex, ids[at] == id { return }
        ids.insert(id, at: at)
        holders[key] = ids
    }

    mutating func remove(_ id: WorkerID, name: String) {
        let key = Self.key(name)
        guard var ids = holders[key], let at = ids.firstIndex(of: id) else { return }
        ids.remove(at: at)
        holders[key] = ids.isEmpty ? nil : ids
    }

    /// The workers that show `name`.
    func workers(named name: String) -> [WorkerID] { holders[Self.key(name)] ?? [] }

    /// The tag of worker `id` named `name`: nil when no other worker of the board has that name.
    func tag(of id: WorkerID, name: String) -> String? {
        let ids = workers(named: name)
        guard ids.count > 1, ids.contains(id) else { return nil }
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
