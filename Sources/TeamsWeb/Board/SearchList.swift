import Synchronization
import TeamsDomain

/// The floor at one registry version as new views' filters read it: every worker's name and id
/// (case-folded), team and activity, in contiguous arrays, so a filter on team, activity or text
/// (`team=`, `activity=`, `q=`) scans these and reads only the workers that pass
/// (`candidates(_:_:)`), never the whole floor's worker records.
///
/// Shapes: worker `i` is the `i`-th of the registry's `workers` in their iteration order (the
/// list is valid for that snapshot only, see `matches(_:)`). Its text is
/// `text[starts[i] ..< starts[i + 1]]`, `name 0x00 id 0x00` with ASCII capitals folded to small
/// ones; `teams[team[i]]` is its team and `activities[activity[i]]` its activity. `plain[i]` is
/// false when the name or the id has a byte outside 0x01...0x7F (or the text would not fit a
/// `UInt32` offset): no text is kept for it and a search always reads that worker, so
/// `WorkerQuery.contains` decides, diacritic-blind. About 40 bytes a worker.
struct SearchList: Sendable {
    /// What identifies the snapshot the list was built from: its version, worker count and
    /// newest event (a restored floor may reuse a version, hardly with the same count and time).
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

    let stamp: Stamp
    private var text: [UInt8] = []
    private var starts: [UInt32] = [0]
    private var plain: [Bool] = []
    private var team: [UInt32] = []
    private var activity: [UInt32] = []
    private var teams: [String] = []
    private var activities: [String] = []

    var count: Int { plain.count }

    /// Reads every worker of `registry` once. O(workers + bytes of their names and ids).
    init(_ registry: Registry) {
        stamp = Stamp(registry)
        let n = registry.workers.count
        text.reserveCapacity(n * 32)
        starts.reserveCapacity(n + 1)
        plain.reserveCapacity(n)
        team.reserveCapacity(n)
        activity.reserveCapacity(n)
        var teamIndex: [String: UInt32] = [:], activityIndex: [String: UInt32] = [:]
        for (id, w) in registry.workers {
            team.append(Self.intern(w.team, &teams, &teamIndex))
            activity.append(Self.intern(w.activity, &activities, &activityIndex))
            let mark = text.count
            var ok = Self.appendFolded(w.name, to: &text)
            ok = ok && Self.appendFolded(id, to: &text)
            if !ok || text.count > Int(UInt32.max) {
                text.removeSubrange(mark...)
                ok = false
            }
            plain.append(ok)
            starts.append(UInt32(text.count))
        }
        // Names longer than reserved for grew the text by doubling: keep only what it holds.
        if text.capacity > text.count + text.count / 4 {
            text = [UInt8](unsafeUninitializedCapacity: text.count) { buffer, count in
                count = buffer.initialize(fromContentsOf: text)
            }
        }
    }

    /// Whether the list was built from this snapshot, so its positions are the snapshot's.
    func matches(_ registry: Registry) -> Bool { stamp == Stamp(registry) }

    /// Whether `query` filters on what the list holds (team, activity or text): otherwise
    /// `candidates` is every worker and there is nothing to gain from the list.
    static func narrows(_ query: WorkerQuery) -> Bool {
        !query.teams.isEmpty || !query.activities.isEmpty || query.search != nil
    }

    /// Positions (ascending) of the workers that may pass `query`: exactly those that pass its
    /// team, activity and (for plain workers) text filters; its other filters are not looked at.
    /// `body` gets each position in turn.
    func candidates(_ query: WorkerQuery, _ body: (Int) -> Void) {
        let wantedTeams = query.teams.isEmpty ? nil : teams.map { query.teams.contains($0) }
        let wantedActivities = query.activities.isEmpty ? nil : activities.map { query.activities.contains($0) }
        // A needle of ASCII without 0x00, folded; nil when the list cannot decide (every worker reads).
        var needle: [UInt8]?
        if let search = query.search {
            let bytes = Array(search.utf8)
            if bytes.allSatisfy({ $0 != 0 && $0 < 0x80 }) { needle = bytes.map(Self.fold) }
        }
        let searching = query.search != nil
        text.withUnsafeBufferPointer { t in
            starts.withUnsafeBufferPointer { s in
                for i in 0..<plain.count {
                    if let wantedTeams, !wantedTeams[Int(team[i])] { continue }
                    if let wantedActivities, !wantedActivities[Int(activity[i])] { continue }
                    if searching, plain[i], let needle, !Self.find(needle, in: t, from: Int(s[i]), to: Int(s[i + 1])) { continue }
                    body(i)
                }
            }
        }
    }

    /// Whether `needle` (folded) occurs in `t[lower..<upper]`; an empty one always does.
    private static func find(_ needle: [UInt8], in t: UnsafeBufferPointer<UInt8>, from lower: Int, to upper: Int) -> Bool {
        let n = needle.count
        guard n > 0 else { return true }
        guard upper - lower >= n else { return false }
        let first = needle[0]
        var i = lower
        while i <= upper - n {
            if t[i] == first {
                var j = 1
                while j < n, t[i + j] == needle[j] { j += 1 }
                if j == n { return true }
            }
            i += 1
        }
        return false
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

/// The search list of the latest registry snapshot a new view was built at, shared by the new
/// views of that snapshot: built on first use, replaced when a view asks at another snapshot,
/// dropped when unused for a while (`dropIdle`). Thread-safe; building holds the lock, so views
/// asking at once wait for one build rather than each doing it.
final class SearchLists: Sendable {
    private struct Kept {
        var list: SearchList
        var lastUsed: Double
    }

    private let kept = Mutex<Kept?>(nil)

    init() {}

    /// The list of `registry`'s snapshot, built now unless kept.
    func list(for registry: Registry) -> SearchList {
        let mono = WallClock.monotonicSeconds()
        return kept.withLock { kept in
            if let k = kept, k.list.matches(registry) {
                kept!.lastUsed = mono
                return k.list
            }
            kept = nil
            let list = SearchList(registry)
            kept = Kept(list: list, lastUsed: mono)
            return list
        }
    }

    /// Drops the kept list when unused for `linger` seconds.
    func dropIdle(now mono: Double, linger: Double) {
        kept.withLock { if let k = $0, mono - k.lastUsed > linger { $0 = nil } }
    }
}
