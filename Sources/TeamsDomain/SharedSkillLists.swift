/// One copy of each distinct skill list the registry holds: agents of a team mostly share one list
/// (`["billing", "spanish"]`), so workers keep a reference to the shared array rather than an array each
/// (64 bytes and more a worker).
///
/// Bounded: past ``limit`` distinct lists the table starts over (lists already handed out stay valid; only
/// sharing restarts), so a feed of ever-new lists cannot grow it without end.
struct SharedSkillLists: Sendable {
    static let limit = 1024
    private var lists: Set<[String]> = []

    /// Distinct lists held.
    var count: Int { lists.count }

    /// `skills`, or an equal list already held.
    mutating func shared(_ skills: [String]) -> [String] {
        if let held = lists.firstIndex(of: skills) { return lists[held] }
        if lists.count >= Self.limit { lists = [] }
        lists.insert(skills)
        return skills
    }
}
