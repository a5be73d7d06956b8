/// The boards kept up to date: one per view that a page or a stream asked for lately.
///
/// A value kept under the live updater's lock. Boards that no live channel uses are dropped
/// when unused for `linger` seconds, or the least recently used first past `limit`.
struct BoardCache {
    struct Entry {
        var board: Board
        /// Monotonic time of the last request for it.
        var lastUsed: Double
    }

    let limit: Int
    let linger: Double
    private(set) var entries: [BoardKey: Entry] = [:]

    init(limit: Int, linger: Double) {
        self.limit = limit
        self.linger = linger
    }

    var count: Int { entries.count }

    /// The board of a view, noting the use.
    mutating func use(_ key: BoardKey, now mono: Double) -> Board? {
        guard entries[key] != nil else { return nil }
        entries[key]!.lastUsed = mono
        return entries[key]!.board
    }

    func board(_ key: BoardKey) -> Board? { entries[key]?.board }

    /// Keeps a new board unless another one of the view got there first; returns the one kept.
    /// `pinned` views (live channels listen) are never dropped to make room.
    mutating func insert(_ board: Board, now mono: Double, pinned: (BoardKey) -> Bool) -> Board {
        if let existing = entries[board.key] { return existing.board }
        if entries.count >= limit,
           let oldest = entries.filter({ !pinned($0.key) }).min(by: { $0.value.lastUsed < $1.value.lastUsed }) {
            entries[oldest.key] = nil
        }
        entries[board.key] = Entry(board: board, lastUsed: mono)
        return board
    }

    /// Replaces a board with its update, if it is still the one the update started from.
    mutating func replace(_ old: Board, with new: Board) -> Bool {
        guard let e = entries[old.key], e.board.seq == old.seq, e.board.version == old.version else { return false }
        entries[old.key]!.board = new
        return true
    }

    /// Drops boards unused for `linger` seconds that no channel listens to.
    mutating func dropIdle(now mono: Double, pinned: (BoardKey) -> Bool) {
        for (key, e) in entries where mono - e.lastUsed > linger && !pinned(key) { entries[key] = nil }
    }
}
