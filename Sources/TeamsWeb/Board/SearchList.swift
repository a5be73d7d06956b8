import Synchronization
import TeamsDomain

/// The floor at one registry version as new views' filters read it: every worker's name and id
/// (case-folded), team and activity, in contiguous arrays, so a filter on team, activity or text
/// (`team=`, `activity=`, `q=`) scans these and reads only the workers that pass
/// (`candidates(_:_:)`), never the whole floor's worker records.
///
/// Shapes: each worker has a slot `i` (`id(at:)`); built from a registry, slot `i` is its `i`-th
/// worker in iteration order (`isInTreeOrder`), and a worker created later takes a new slot at
/// the end (`update(_:in:)`). Its text is `text[starts[i] ..< ends[i]]`, `name 0x00 id 0x00` with ASCII
/// capitals folded to small ones, followed by its slot number in 4 bytes of 0x80...0xFF (a tag no
/// ASCII needle matches): a text search runs over the whole buffer with `memchr` on the needle's
/// rarest byte and reads the slot of each hit from the tag after it. `teams[team[i]]` is its team
/// and `activities[activity[i]]` its activity. `plain[i]` is false when the name or the id has a byte outside 0x01...0x7F (or the
/// text would not fit a `UInt32` offset): no text is kept for it and a search always reads that
/// worker, so `WorkerQuery.contains` decides, diacritic-blind. A removed worker's slot stays, with
/// no text, as plain: a search passes over it, a filter on team or activity may name it, and the
/// reader finds no such worker. `facts[i]` is what the orders read of it (`WorkerQuery.SortFacts`), so a new
/// order of the whole floor is filed from the list (`BoardOrder.filed(_:changed:registry:by:)`); `present[i]` is
/// false for a removed worker. About 100 bytes a worker.
struct SearchList: Sendable {
    /// What identifies the snapshot the list reflects: its version, worker count and newest event
    /// (a restored floor may reuse a version, hardly with the same count and time).
    struct Stamp: Hashable, Sendable {
        var version: UInt64
        var count: Int
        var lastEventAt: Timestamp?

        init(_ registry: Registry) {
            version = registry.version
            count = registry.workers.count
            lastEventAt = registry.lastEventAt
        }
    }

    private(set) var stamp: Stamp
    private(set) var ids: [WorkerID] = []
    private(set) var text: [UInt8] = []
    private(set) var starts: [UInt32] = []
    private var ends: [UInt32] = []
    private var plain: [Bool] = []
    /// Slots whose `plain` is false: a search reads them whatever their text.
    private(set) var opaque = 0
    private(set) var facts: [WorkerQuery.SortFacts] = []
    private(set) var present: [Bool] = []
    /// How often each ASCII byte occurs in `text` (stale text included): a search looks for the
    /// needle's rarest byte.
    private var byteCounts = [Int](repeating: 0, count: 128)
    private(set) var team: [UInt32] = []
    private(set) var activity: [UInt32] = []
    private(set) var teams: [String] = []
    private(set) var activities: [String] = []
    private var teamIndex: [String: UInt32] = [:]
    private var activityIndex: [String: UInt32] = [:]
    /// Each worker's slot; built on the first `update`, so a list only read never hashes every id.
    private var slots: [WorkerID: Int] = [:]
    /// Bytes of `text` no slot refers to any more, and slots of removed workers.
    private var stale = 0, removed = 0
    /// Whether slot `i` is still the `i`-th worker of the snapshot's `workers`: no worker was created
    /// or removed since the list was built (a change in place keeps a worker's position).
    private(set) var isInTreeOrder = true

    /// Slots, the removed workers' included.
    var count: Int { plain.count }

    /// Reads every worker of `registry` once. O(workers + bytes of their names and ids).
    init(_ registry: Registry) {
        stamp = Stamp(registry)
        let n = registry.workers.count
        ids.reserveCapacity(n)
        text.reserveCapacity(n * 32)
        starts.reserveCapacity(n)
        ends.reserveCapacity(n)
        plain.reserveCapacity(n)
        team.reserveCapacity(n)
        activity.reserveCapacity(n)
        facts.reserveCapacity(n)
        present.reserveCapacity(n)
        for (id, w) in registry.workers {
            ids.append(id)
            facts.append(WorkerQuery.SortFacts(w))
            present.append(true)
            team.append(Self.intern(w.team, &teams, &teamIndex))
            activity.append(Self.intern(w.activity, &activities, &activityIndex))
            starts.append(0)
            ends.append(0)
            plain.append(false)
            opaque += 1
            setText(plain.count - 1, w)
        }
        // Names longer than reserved for grew the text by doubling: keep only what it holds.
        if text.capacity > text.count + text.count / 4 {
            text = [UInt8](unsafeUninitializedCapacity: text.count) { buffer, count in
                count = buffer.initialize(fromContentsOf: text)
            }
        }
    }

    /// The id of the worker in slot `i`.
    func id(at i: Int) -> WorkerID { ids[i] }

    /// Whether the list reflects this snapshot, so it needs no changes filed in to read it.
    func matches(_ registry: Registry) -> Bool { stamp == Stamp(registry) }

    /// Files in the workers `touched` (changed, created or removed) as `registry` holds them,
    /// and takes its stamp: the list then reflects `registry`, provided it reflected one that
    /// differed from it only in `touched`. O(touched + bytes of their names and ids), the first
    /// call O(workers) more (the slots by id).
    mutating func update(_ touched: Set<WorkerID>, in registry: Registry) {
        if slots.isEmpty, !ids.isEmpty {
            slots.reserveCapacity(ids.count)
            for (i, id) in ids.enumerated() { slots[id] = i }
        }
        for id in touched {
            guard let w = registry.workers[id] else {
                if let i = slots.removeValue(forKey: id) {
                    isInTreeOrder = false
                    stale += Int(ends[i] - starts[i])
                    starts[i] = 0
                    ends[i] = 0
                    setPlain(i, true)
                    present[i] = false
                    removed += 1
                }
                continue
            }
            let i: Int
            if let known = slots[id] {
                i = known
            } else {
                isInTreeOrder = false
                i = plain.count
                slots[id] = i
                ids.append(id)
                facts.append(WorkerQuery.SortFacts(w))
                present.append(true)
                team.append(0)
                activity.append(0)
                starts.append(0)
                ends.append(0)
                plain.append(false)
                opaque += 1
            }
            team[i] = Self.intern(w.team, &teams, &teamIndex)
            activity[i] = Self.intern(w.activity, &activities, &activityIndex)
            facts[i] = WorkerQuery.SortFacts(w)
            present[i] = true
            setText(i, w)
        }
        stamp = Stamp(registry)
    }

    /// Whether the list holds more dead weight (text of old names, slots of removed workers) than
    /// live: then building it anew is worth it.
    var isWasteful: Bool { stale > text.count / 2 + 4096 || removed > count / 2 + 64 }

    /// Sets slot `i`'s text to `w`'s name and id, folded; keeps the text there when it is unchanged.
    private mutating func setText(_ i: Int, _ w: WorkerState) {
        let mark = text.count
        var ok = Self.appendFolded(w.name, to: &text)
        ok = ok && Self.appendFolded(w.id, to: &text)
        if !ok || text.count + Self.tagLength > Int(UInt32.max) || i >= 1 << 28 {
            text.removeSubrange(mark...)
            stale += Int(ends[i] - starts[i])
            starts[i] = 0
            ends[i] = 0
            setPlain(i, false)
            return
        }
        let old = Int(starts[i])..<Int(ends[i])
        if plain[i], text[old].elementsEqual(text[mark...]) {
            text.removeSubrange(mark...)
            return
        }
        for b in text[mark...] { byteCounts[Int(b)] += 1 }
        stale += old.isEmpty ? 0 : old.count + Self.tagLength
        starts[i] = UInt32(mark)
        ends[i] = UInt32(text.count)
        for shift in stride(from: 7 * (Self.tagLength - 1), through: 0, by: -7) {
            text.append(0x80 | UInt8(truncatingIfNeeded: i >> shift) & 0x7F)
        }
        setPlain(i, true)
    }

    /// Bytes of the slot tag after each text.
    private static let tagLength = 4

    private mutating func setPlain(_ i: Int, _ value: Bool) {
        if plain[i] != value { opaque += value ? -1 : 1 }
        plain[i] = value
    }

    /// Whether `query` filters on what the list holds (team, activity or text): otherwise
    /// `candidates` is every worker and there is nothing to gain from the list.
    static func narrows(_ query: WorkerQuery) -> Bool {
        !query.teams.isEmpty || !query.activities.isEmpty || query.search != nil
    }

    /// Slots (ascending) of the workers that may pass `query`: exactly those that pass its
    /// team, activity and (for plain workers) text filters; its other filters are not looked at.
    /// `body` gets each slot in turn.
    func candidates(_ query: WorkerQuery, _ body: (Int) -> Void) {
        let wantedTeams = query.teams.isEmpty ? nil : teams.map { query.teams.contains($0) }
        let wantedActivities = query.activities.isEmpty ? nil : activities.map { query.activities.contains($0) }
        // A needle of ASCII without 0x00, folded; nil when the list cannot decide (every worker reads).
        var needle: [UInt8]?
        if let search = query.search {
            let bytes = Array(search.utf8)
            if bytes.allSatisfy({ $0 != 0 && $0 < 0x80 }) { needle = bytes.map(Self.fold) }
        }
        func passes(_ i: Int) -> Bool {
            if let wantedTeams, !wantedTeams[Int(team[i])] { return false }
            if let wantedActivities, !wantedActivities[Int(activity[i])] { return false }
            return true
        }
        guard let needle, !needle.isEmpty else {
            for i in 0..<plain.count where passes(i) { body(i) }
            return
        }
        // Slots to read, one bit each: those whose text holds the needle, and those with no text kept.
        var wanted = [UInt64](repeating: 0, count: plain.count / 64 + 1)
        if opaque > 0 {
            for i in 0..<plain.count where !plain[i] { wanted[i >> 6] |= 1 << UInt64(i & 63) }
        }
        markHits(of: needle, in: &wanted)
        for (word, var bits) in wanted.enumerated() {
            while bits != 0 {
                let i = word << 6 | bits.trailingZeroBitCount
                bits &= bits - 1
                if passes(i) { body(i) }
            }
        }
    }

    /// Sets the bit of each slot whose current text holds `needle` (folded, ASCII, no 0x00, not empty):
    /// one pass over `text` with `memchr` on the needle's rarest byte; a hit in an old text is passed over.
    private func markHits(of needle: [UInt8], in wanted: inout [UInt64]) {
        let n = needle.count
        // The position in the needle of its least frequent byte.
        var k = 0
        for j in 1..<n where byteCounts[Int(needle[j])] < byteCounts[Int(needle[k])] { k = j }
        text.withUnsafeBufferPointer { t in
            needle.withUnsafeBufferPointer { nb in
                var from = 0
                while let at = ByteSearch.firstOffset(of: nb, in: t, from: from, pivot: k) {
                    // The tag after the text holding the hit names its slot.
                    var tag = at + n
                    while tag < t.count, t[tag] < 0x80 { tag += 1 }
                    guard tag + Self.tagLength <= t.count else { return }
                    var i = 0
                    for j in 0..<Self.tagLength { i = i << 7 | Int(t[tag + j] & 0x7F) }
                    if i < plain.count, plain[i], Int(starts[i]) <= at, at + n <= Int(ends[i]) {
                        wanted[i >> 6] |= 1 << UInt64(i & 63)
                    }
                    from = tag + Self.tagLength
                }
            }
        }
    }

    @inline(__always)
    private static func fold(_ b: UInt8) -> UInt8 { b &- 0x41 < 26 ? b | 0x20 : b }

    /// Appends `s` folded and a 0x00; false (text partly appended) when a byte is outside 0x01...0x7F.
    private static func appendFolded(_ s: String, to text: inout [UInt8]) -> Bool {
        for b in s.utf8 {
            guard b != 0, b < 0x80 else { return false }
            text.append(fold(b))
        }
        text.append(0)
        return true
    }

    private static func intern(_ s: String, _ table: inout [String], _ index: inout [String: UInt32]) -> UInt32 {
        if let i = index[s] { return i }
        let i = UInt32(table.count)
        table.append(s)
        index[s] = i
        return i
    }
}

/// The search list new views read the floor through, shared by them: built on first use, kept
/// in step with the registry by the live updater's flushes (`advance`), built anew when a view
/// asks at a snapshot it cannot be brought to, dropped when unused for a while (`dropIdle`).
/// Thread-safe; building holds the lock, so views asking at once wait for one build rather than
/// each doing it.
final class SearchLists: Sendable {
    private struct Kept {
        var list: SearchList
        var lastUsed: Double
    }

    private let kept = Mutex<Kept?>(nil)

    init() {}

    /// A list to read `registry`'s snapshot through, and the workers changed since the list's:
    /// those may pass the query whatever the list says, and read from `registry` as well. The kept
    /// list, with `changedSince(its version)` (nil: not known, then the list is built now, with
    /// no changes); built now when none is kept. A list is kept unless the registry is older than
    /// the kept one.
    func list(for registry: Registry, changedSince: (UInt64) -> Set<WorkerID>? = { _ in nil })
        -> (list: SearchList, changed: Set<WorkerID>) {
        let mono = WallClock.monotonicSeconds()
        return kept.withLock { kept in
            if let k = kept {
                if k.list.matches(registry) {
                    kept!.lastUsed = mono
                    return (k.list, [])
                }
                if k.list.stamp.version < registry.version, let changed = changedSince(k.list.stamp.version) {
                    kept!.lastUsed = mono
                    return (k.list, changed)
                }
                if k.list.stamp.version > registry.version { return (SearchList(registry), []) }
            }
            let list = SearchList(registry)
            kept = Kept(list: list, lastUsed: mono)
            return (list, [])
        }
    }

    /// As ``list(for:changedSince:)``, but nil where that builds a list it does not keep (the kept one is newer
    /// than `registry`): a new order of the floor is then filed from its workers instead.
    func keptList(for registry: Registry, changedSince: (UInt64) -> Set<WorkerID>?) -> (list: SearchList, changed: Set<WorkerID>)? {
        if let version = kept.withLock({ $0?.list.stamp.version }), version > registry.version { return nil }
        return list(for: registry, changedSince: changedSince)
    }

    /// Brings the kept list to `registry`, which differs from the snapshot at version `since` in
    /// `touched` only (`rescan`: a restored floor, any worker may differ, so the list is dropped).
    /// A list older than `since` is dropped; one at `registry` or newer is left as it is.
    func advance(to registry: Registry, touched: Set<WorkerID>, since: UInt64, rescan: Bool) {
        kept.withLock { kept in
            guard let version = kept?.list.stamp.version else { return }
            if rescan || version < since {
                kept = nil
            } else if version < registry.version {
                kept!.list.update(touched, in: registry)
                if kept!.list.isWasteful { kept!.list = SearchList(registry) }
            }
        }
    }

    /// Drops the kept list when unused for `linger` seconds.
    func dropIdle(now mono: Double, linger: Double) {
        kept.withLock { if let k = $0, mono - k.lastUsed > linger { $0 = nil } }
    }
}
