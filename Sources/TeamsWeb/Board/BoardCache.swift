/// The boards kept up to date: one per view that a page or a stream asked for lately.
///
/// A value kept under the live updater's lock. Boards that no live channel uses are dropped
/// when unused for `linger` seconds, or the least recently used first past `limit`; past
/// `limit` with every board pinned, a new one is not kept. Boards of any kind are evicted over
/// the memory budget (`ViewBudget`).
struct BoardCache {
    struct Entry {
        var board: Board
        /// Monotonic time of the last request for it.
        var lastUsed: Double
    }

    let limit: Int
    let linger: Double
    private(set) var entries: [BoardKey: Entry] = [:]
    /// The search list new boards filter with, shared by those of one registry snapshot.
    let searchLists = SearchLists()

    init(limit: Int, linger: Double) {
        self.limit = limit
        self.linger = linger
    }

    var count: Int { entries.count }

    /// The board of a view, noting the use.
    mutating func use(_ key: BoardKey, now mono: Double) -> Board? {
        // One hash of the key (a query with sets), not three: this runs for every page.
        guard let i = entries.index(forKey: key) else { return nil }
        entries.values[i].lastUsed = mono
        return entries.values[i].board
    }

    func board(_ key: BoardKey) -> Board? { entries[key]?.board }

    /// A kept board of the agents `key` shows, in another order, for `Board(key:reordering:)`: one that groups as
    /// `key` does if kept, else one grouped by team. O(kept boards).
    func sibling(of key: BoardKey) -> Board? {
        guard key.view != .kiosk else { return nil }
        let filters = key.query.filters
        var found: Board?
        var i = entries.startIndex
        while i != entries.endIndex {
            let q = entries.keys[i].query
            if entries.keys[i].view == key.view, q.filters == filters, q.groupsByTeam || !key.query.groupsByTeam {
                if q.groupsByTeam == key.query.groupsByTeam { return entries.values[i].board }
                found = found ?? entries.values[i].board
            }
            entries.formIndex(after: &i)
        }
        return found
    }

    /// Keeps a new board unless another one of the view got there first; returns the one kept,
    /// or `board` itself, not kept, when `limit` boards are kept and all are pinned.
    /// `pinned` views (live channels listen) are never dropped to make room.
    mutating func insert(_ board: Board, now mono: Double, pinned: (BoardKey) -> Bool) -> Board {
        if let existing = entries[board.key] { return existing.board }
        if entries.count >= limit {
            // The least recently used unpinned board, read in place: copying an entry retains its board's every field.
            var oldest: (index: [BoardKey: Entry].Index, lastUsed: Double)?
            var i = entries.startIndex
            while i != entries.endIndex {
                let used = entries.values[i].lastUsed
                if used < (oldest?.lastUsed ?? .infinity), !pinned(entries.keys[i]) { oldest = (i, used) }
                entries.formIndex(after: &i)
            }
            guard let oldest else { return board }
            entries.remove(at: oldest.index)
        }
        entries[board.key] = Entry(board: board, lastUsed: mono)
        return board
    }

    /// Whether a new board would be kept: fewer than `limit`, or one that is not pinned.
    func hasRoom(pinned: (BoardKey) -> Bool) -> Bool {
        entries.count < limit || entries.keys.contains { !pinned($0) }
    }

    /// Drops a board (evicted over the memory budget).
    mutating func remove(_ key: BoardKey) {
        entries[key] = nil
    }

    /// Replaces a board with its update, if it is still the one the update started from.
    mutating func replace(_ old: Board, with new: Board) -> Bool {
        guard let e = entries[old.key], e.board.seq == old.seq, e.board.version == old.version else { return false }
        entries[old.key]!.board = new
        return true
    }

    /// Drops boards unused for `linger` seconds that no channel listens to, and the search list.
    mutating func dropIdle(now mono: Double, pinned: (BoardKey) -> Bool) {
        for (key, e) in entries where mono - e.lastUsed > linger && !pinned(key) { entries[key] = nil }
        searchLists.dropIdle(now: mono, linger: linger)
    }
}
