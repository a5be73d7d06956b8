/// A figure row's key: interval start (Unix seconds) and queue (empty for the agent's own row).
struct IntervalKey: Sendable, Hashable {
    var start: Int64
    var queue: SharedName
}

/// An agent's figure rows, in the order they were first touched, each marked when changed since written.
///
/// A short array searched from its end, not a dictionary: an agent holds the rows of the interval it is in
/// (its own and one per queue), a few dozen only while replaying, and the newest is nearly always the one
/// wanted. Rows are nearly always touched in time order; while they are (`ordered`), a search stops at the
/// first earlier interval, so a long advance (up to `AgentMachine.maxGap`, 672 intervals) stays linear.
struct IntervalTable: Sendable {
    struct Entry: Sendable {
        var key: IntervalKey
        /// Changed since last written. Declared before `figures` so it takes the key's padding (136 bytes an
        /// entry, not 144).
        var dirty: Bool
        var figures: IntervalFigures
    }

    private(set) var entries: [Entry] = []
    /// Entries are in non-decreasing interval order.
    private var ordered = true

    /// Changes a row (a new one starts empty) and marks it dirty.
    mutating func update(_ key: IntervalKey, _ change: (inout IntervalFigures) -> Void) {
        if let i = index(of: key) {
            change(&entries[i].figures)
            entries[i].dirty = true
        } else {
            var figures = IntervalFigures()
            change(&figures)
            if let last = entries.last, last.key.start > key.start { ordered = false }
            entries.reserveOneMore()
            entries.append(Entry(key: key, dirty: true, figures: figures))
        }
    }

    private func index(of key: IntervalKey) -> Int? {
        var i = entries.endIndex
        while i > entries.startIndex {
            i -= 1
            let k = entries[i].key
            if k.start == key.start && k.queue == key.queue { return i }
            if ordered && k.start < key.start { return nil }
        }
        return nil
    }

    /// Marks every row written.
    mutating func markWritten() {
        for i in entries.indices where entries[i].dirty { entries[i].dirty = false }
    }

    /// Forgets the rows of intervals starting before `start` (Unix seconds).
    mutating func removeAll(before start: Int64) {
        guard entries.contains(where: { $0.key.start < start }) else { return }
        entries.removeAll { $0.key.start < start }
        // A block sized for the rows of two intervals would stay so all through the next: at every boundary an
        // agent holds the rows of the interval ending and of the one starting until the first is written.
        if entries.capacity > entries.count {
            var kept: [Entry] = []
            kept.reserveCapacity(entries.count)
            kept.append(contentsOf: entries)
            entries = kept
        }
        if !ordered { ordered = zip(entries, entries.dropFirst()).allSatisfy { $0.key.start <= $1.key.start } }
    }
}
