import TeamsDomain

/// The filters and sort order of a Teams View, as carried in the query string
/// (`team`, `activity`, `skill`, `q`, `multi=1`, `flagged=1`, `call`, `sort`, `group=none`, `attention=1`),
/// so a view is a shareable URL.
public struct WorkerQuery: Sendable, Hashable {
    public enum Sort: String, Sendable, CaseIterable {
        /// `time`: the longest in their activity first; `calls`: the most calls first.
        case name, activity, time, calls
        /// The agent whose hold in progress began first (the longest on hold) first, agents not on hold last;
        /// the same order as `hold-time`, kept for links that name it.
        case hold
        /// The longest on hold first, as `hold` (with `group=none`, across the floor): the Sort choice of both.
        case holdTime = "hold-time"
        /// The longest live call first.
        case callTime = "call-time"

        /// What the Sort choice says: what comes first.
        var label: String {
            switch self {
            case .name: return "Name"
            case .activity: return "Activity"
            case .time: return "Longest in activity first"
            case .calls: return "Most calls first"
            case .hold, .holdTime: return "Longest on hold first"
            case .callTime: return "Longest call first"
            }
        }

        /// The Sort choices, one per order (`hold` is shown as `hold-time`, which sorts the same).
        static let choices: [Sort] = allCases.filter { $0 != .hold }

        /// The choice that shows this order.
        var choice: Sort { self == .hold ? .holdTime : self }
    }

    public var teams: Set<String> = []
    public var activities: Set<String> = []
    public var skill: String?
    public var search: String?
    public var multiCallOnly = false
    public var flaggedOnly = false
    public var sort: Sort = .name
    /// `?call=`: only agents with a call in this condition (what a summary tile counts).
    public var call: CallFilter?
    /// `group=none`: one list across the floor instead of one per team.
    public var groupByTeam = true
    /// `attention=1`: problems first across the floor: agents with a flag (or its condition), then
    /// the longest holds, then the longest live calls.
    public var attention = false
    /// `?presence=`: a presence (`on-call`...) or a group (`idle`, `busy`, `away`, `offline`).
    public var presence: String?

    /// The agents behind a summary tile.
    public enum CallFilter: String, Sendable, CaseIterable {
        case live, held, wrapup, muted, misroute, risk
    }

    public init() {}

    /// Reads the query parameters; unknown or malformed values fall back to "no filter".
    public init(parameters: [(name: String, value: String)]) {
        for (name, raw) in parameters {
            // Control characters have no place in a filter, and in a page they could pose as timer markers.
            let value = Formatting.clean(raw).trimmingCharacters(in: .whitespaces)
            switch name {
            case "team": if !value.isEmpty { teams.insert(value) }
            case "activity": if !value.isEmpty { activities.insert(value) }
            case "skill": skill = value.isEmpty ? nil : value
            case "q": search = value.isEmpty ? nil : String(value.prefix(100))
            case "multi": multiCallOnly = value == "1" || value == "true" || value == "on"
            case "flagged": flaggedOnly = value == "1" || value == "true" || value == "on"
            // `sort=attention` is what the page's Sort choice "Problems first" sends: `attention=1`.
            case "sort": if value == Self.attentionSort { attention = true } else { sort = Sort(rawValue: value) ?? .name }
            case "call": call = CallFilter(rawValue: value)
            case "group": groupByTeam = value != "none"
            case "attention": attention = value == "1" || value == "true" || value == "on"
            case "presence": presence = Presence(rawValue: value) != nil || value == "busy" ? value : nil
            default: break
            }
        }
    }

    /// The Sort choice that stands for `attention=1` (problems first).
    static let attentionSort = "attention"

    /// Whether anything is set: a filter, a sort, `group=none` or `attention=1` (the page offers "Clear filters").
    public var isSet: Bool { isFiltering || sort != .name || !groupByTeam || attention }

    public var isFiltering: Bool {
        !teams.isEmpty || !activities.isEmpty || skill != nil || search != nil || multiCallOnly || flaggedOnly
            || call != nil || presence != nil
    }

    /// Whether rows are grouped by team (not with `group=none` or `attention=1`).
    public var groupsByTeam: Bool { groupByTeam && !attention }

    /// The query with its order taken away (sort by name, grouped by team, no `attention`): two queries with equal
    /// filters show the same agents, in their own orders.
    var filters: WorkerQuery {
        var q = self
        q.sort = .name
        q.groupByTeam = true
        q.attention = false
        return q
    }

    /// Whether a worker passes the filters at `now` (the "flagged" filter depends on time).
    public func matches(_ worker: WorkerState, at now: Timestamp, grace: Double, offlineActivity: String = "Offline") -> Bool {
        if let presence {
            let p = worker.presence(offlineActivity: offlineActivity)
            if p.rawValue != presence && p.group != presence { return false }
        }
        if !teams.isEmpty && !teams.contains(worker.team) { return false }
        if !activities.isEmpty && !activities.contains(worker.activity) { return false }
        if let skill, !worker.skills.contains(where: { $0.caseInsensitiveCompare(skill) == .orderedSame }) { return false }
        if let search, !Self.contains(worker.name, search, diacriticInsensitive: true), !Self.contains(worker.id, search) {
            return false
        }
        if multiCallOnly && worker.callCount(at: now) < 2 { return false }
        if flaggedOnly && worker.callFlags(at: now, grace: grace).allSatisfy({ $0.intersection(.alerts).isEmpty }) { return false }
        if let call, !Self.has(call, worker, at: now, grace: grace) { return false }
        return true
    }

    /// Whether `text` contains `needle`, ignoring case (and diacritics when asked). ASCII text and
    /// needles, the usual case, are compared byte by byte: a search runs over the whole floor.
    static func contains(_ text: String, _ needle: String, diacriticInsensitive: Bool = false) -> Bool {
        let fast = text.utf8.withContiguousStorageIfAvailable { t in
            needle.utf8.withContiguousStorageIfAvailable { n -> Bool? in
                if n.isEmpty { return true }
                func fold(_ b: UInt8) -> UInt8 { b &- 0x41 < 26 ? b | 0x20 : b }
                var ascii = true
                for b in n where b >= 0x80 { ascii = false }
                for b in t where b >= 0x80 { ascii = false }
                guard ascii else { return nil }
                guard t.count >= n.count else { return false }
                let first = fold(n[0])
                var i = 0
                while i <= t.count - n.count {
                    if fold(t[i]) == first {
                        var j = 1
                        while j < n.count, fold(t[i + j]) == fold(n[j]) { j += 1 }
                        if j == n.count { return true }
                    }
                    i += 1
                }
                return false
            } ?? nil
        } ?? nil
        if let fast { return fast }
        let options: String.CompareOptions = diacriticInsensitive ? [.caseInsensitive, .diacriticInsensitive] : .caseInsensitive
        return text.range(of: needle, options: options) != nil
    }

    static func has(_ filter: CallFilter, _ w: WorkerState, at now: Timestamp, grace: Double) -> Bool {
        // By index, each call's field read in place: a closure over the calls copies every call.
        // A call whose end the registry marked overdue is over: no filter finds it (`CallState.isEndOverdue`).
        let calls = w.calls
        switch filter {
        case .live: return calls.indices.contains { calls[$0].phase == .live && !calls[$0].isEndOverdue }
        case .held: return calls.indices.contains { calls[$0].phase == .held && !calls[$0].isEndOverdue }
        case .wrapup: return calls.indices.contains { calls[$0].phase == .wrapup }
        case .muted: return calls.indices.contains { calls[$0].muted == true && !calls[$0].isEndOverdue }
        case .misroute: return calls.indices.contains { calls[$0].misroute && !calls[$0].isEndOverdue }
        case .risk: return w.hasWrongCallRisk(at: now, grace: grace)
        }
    }

    /// The group a worker's row is filed under: its team, or "" for all when not grouped by team.
    func group(of w: WorkerState) -> String { groupsByTeam ? w.team : "" }

    /// Rank for `attention=1`: 0 an agent with a misroute or the condition behind wrong-call risk
    /// (which turns into the flag after the grace period: the order does not depend on the clock),
    /// 1 on hold, 2 on a live call, 3 the rest. Every order leaves out calls whose end the registry marked overdue
    /// (`CallState.isEndOverdue`), as the flags do: a lost end neither ranks nor times an agent.
    static func attentionRank(_ w: WorkerState) -> Int {
        var rank = 3
        let calls = w.calls
        for i in calls.indices where !calls[i].isEndOverdue {
            if calls[i].misroute || w.wrongCallRiskStart(ofCallAt: i) != nil { return 0 }
            if calls[i].phase == .held { rank = min(rank, 1) } else if calls[i].phase == .live { rank = min(rank, 2) }
        }
        return rank
    }

    /// Start of the agent's longest hold in progress (nil: none).
    static func holdStart(_ w: WorkerState) -> Timestamp? {
        earliest(w, .held) { $0.holdSince }
    }

    /// Start of the agent's longest live call (nil: none).
    static func liveCallStart(_ w: WorkerState) -> Timestamp? {
        earliest(w, .live) { $0.startedAt }
    }

    /// The earliest `time` of the worker's calls in `phase`, read in place (no call copied).
    private static func earliest(_ w: WorkerState, _ phase: CallState.Phase, _ time: (CallState) -> Timestamp?) -> Timestamp? {
        let calls = w.calls
        var first: Timestamp?
        for i in calls.indices where calls[i].phase == phase && !calls[i].isEndOverdue {
            if let t = time(calls[i]), first.map({ t < $0 }) ?? true { first = t }
        }
        return first
    }

    /// Page order: by team (no team last), then the query's sort, then name. Takes pointers so that sorting
    /// thousands of workers reads fields in place instead of copying each WorkerState per comparison.
    func teamsPageOrder(_ a: UnsafePointer<WorkerState>, _ b: UnsafePointer<WorkerState>) -> Bool {
        if !attention, groupByTeam, a.pointee.team != b.pointee.team { return Board.teamBefore(a.pointee.team, b.pointee.team) }
        if let before = sortOrder(a, b) { return before }
        // Natural order ("Agent 2" before "Agent 10"), the same on every page and the API.
        if a.pointee.name != b.pointee.name { return NameOrder.precedes(a.pointee.name, b.pointee.name) }
        return a.pointee.id < b.pointee.id
    }

    /// The part of page order between the team and the name: `attention=1` (which orders across teams), then the
    /// query's sort. Whether `a` comes before `b` by it; nil when it puts them level. Compares their
    /// ``sortKey(_:activityRank:)``s, and activity names as Strings (a board ranks them once instead).
    func sortOrder(_ a: UnsafePointer<WorkerState>, _ b: UnsafePointer<WorkerState>) -> Bool? {
        let ka = sortKey(a.pointee, activityRank: [:]), kb = sortKey(b.pointee, activityRank: [:])
        if let before = ka.before(kb) { return before }
        if sort == .activity, a.pointee.activity != b.pointee.activity { return Self.activityBefore(a.pointee.activity, b.pointee.activity) }
        return nil
    }

    /// What ``sortOrder(_:_:)`` reads of one worker, as integers compared in the same order: for `attention=1` its
    /// rank, hold start and live call start; for the sort, one number (`activityRank`: the rank of each activity
    /// name in `<` order, for `sort=activity`; 0 for every activity without ranks). Earlier times first, a time
    /// absent last (`Int64.max`); more calls first.
    struct SortKey {
        var attention: (rank: Int, hold: Int64, live: Int64) = (0, 0, 0)
        var primary: Int64 = 0

        /// Whether this key comes before `other`; nil when they are level.
        @inline(__always)
        func before(_ other: SortKey) -> Bool? {
            if attention.rank != other.attention.rank { return attention.rank < other.attention.rank }
            if attention.hold != other.attention.hold { return attention.hold < other.attention.hold }
            if attention.live != other.attention.live { return attention.live < other.attention.live }
            if primary != other.primary { return primary < other.primary }
            return nil
        }
    }

    /// What every order reads of a worker besides its activity's name, as integers, read once: the `attention=1`
    /// rank, starts of its longest hold and longest live call (absent: `Int64.max`), the earliest hold of any call
    /// (`sort=hold`), its calls not ringing (`sort=calls`), since when it is in its activity (`sort=time`; no activity
    /// reported: `Int64.max`, last) and whether it has one. A floor's search list keeps them per worker
    /// (`SearchList`), so a new order of the floor reads no worker.
    struct SortFacts: Sendable, Equatable {
        var attentionRank: Int8
        var hasActivity: Bool
        var calls: Int32
        var holdStart: Int64, liveStart: Int64, anyHold: Int64
        var activitySince: Int64

        init(_ w: WorkerState) {
            attentionRank = Int8(WorkerQuery.attentionRank(w))
            hasActivity = w.hasActivity
            calls = Int32(clamping: Self.calls(w))
            holdStart = Self.last(WorkerQuery.holdStart(w))
            liveStart = Self.last(WorkerQuery.liveCallStart(w))
            anyHold = Self.anyHold(w)
            activitySince = Self.activitySince(w)
        }

        /// A time as sorted: absent last.
        static func last(_ t: Timestamp?) -> Int64 { t.map { min($0.microseconds, .max - 1) } ?? .max }

        /// `sort=hold`: the earliest hold of any of the worker's calls (none: `Int64.max`).
        static func anyHold(_ w: WorkerState) -> Int64 {
            (w.calls.lazy.filter { !$0.isEndOverdue }.compactMap(\.holdSince).min() ?? .init(microseconds: .max)).microseconds
        }

        /// `sort=calls`: the worker's calls, ringing ones not counted (as `callCount` leaves them out).
        static func calls(_ w: WorkerState) -> Int {
            let calls = w.calls
            return calls.indices.count { calls[$0].phase != .offered && !calls[$0].isEndOverdue }
        }

        /// `sort=time`: since when the worker is in its activity; with none reported, last.
        static func activitySince(_ w: WorkerState) -> Int64 {
            w.hasActivity ? w.activitySince.microseconds : .max
        }
    }

    /// ``sortKey(_:activityRank:)`` read from the worker: only what this query's order reads of it (the list's
    /// ``SortFacts`` hold all of it, for any order). `activityRank` ranks activity names (`sort=activity`); an
    /// activity it does not rank is level with every other (0), and a worker with no activity reported is last.
    func sortKey(_ w: WorkerState, activityRank: [String: Int]) -> SortKey {
        var key = SortKey()
        if attention {
            key.attention = (Self.attentionRank(w), SortFacts.last(Self.holdStart(w)), SortFacts.last(Self.liveCallStart(w)))
        }
        switch sort {
        case .name: break
        case .activity: key.primary = w.hasActivity ? Int64(activityRank[w.activity] ?? 0) : .max
        case .time: key.primary = SortFacts.activitySince(w)
        case .calls: key.primary = -Int64(SortFacts.calls(w))
        case .hold: key.primary = SortFacts.anyHold(w)
        case .holdTime: key.primary = SortFacts.last(Self.holdStart(w))
        case .callTime: key.primary = SortFacts.last(Self.liveCallStart(w))
        }
        return key
    }

    /// ``sortKey(_:activityRank:)`` from a worker's facts and its activity's rank.
    func sortKey(_ f: SortFacts, activityRank: Int) -> SortKey {
        var key = SortKey()
        if attention { key.attention = (Int(f.attentionRank), f.holdStart, f.liveStart) }
        switch sort {
        case .name: break
        case .activity: key.primary = f.hasActivity ? Int64(activityRank) : .max
        case .time: key.primary = f.activitySince
        case .calls: key.primary = -Int64(f.calls)
        case .hold: key.primary = f.anyHold
        case .holdTime: key.primary = f.holdStart
        case .callTime: key.primary = f.liveStart
        }
        return key
    }

    /// Activities in natural order, as names and teams (``NameOrder``): "Break 2" before "Break 10", case ignored.
    static func activityBefore(_ a: String, _ b: String) -> Bool { NameOrder.precedes(a, b) }

    /// Orders two workers as the page does (team, then the query's sort, then name).
    func areInOrder(_ a: WorkerState, _ b: WorkerState) -> Bool {
        withUnsafePointer(to: a) { pa in withUnsafePointer(to: b) { pb in teamsPageOrder(pa, pb) } }
    }

    /// The query string that reproduces this query (empty when nothing is set).
    public var queryString: String {
        var items = teamItems
        for a in activities.sorted() { items.append(("activity", a)) }
        if let skill { items.append(("skill", skill)) }
        if let search { items.append(("q", search)) }
        if multiCallOnly { items.append(("multi", "1")) }
        if flaggedOnly { items.append(("flagged", "1")) }
        if let call { items.append(("call", call.rawValue)) }
        if let presence { items.append(("presence", presence)) }
        if sort != .name { items.append(("sort", sort.rawValue)) }
        if !groupByTeam { items.append(("group", "none")) }
        if attention { items.append(("attention", "1")) }
        return Self.encode(items)
    }

    /// The team filter alone (`team=A&team=B`; empty for every team): what the incidents strip asks for.
    public var teamQueryString: String { Self.encode(teamItems) }

    private var teamItems: [(String, String)] { teams.sorted().map { ("team", $0) } }

    private static func encode(_ items: [(String, String)]) -> String {
        items.map { "\(percentEncode($0.0))=\(percentEncode($0.1))" }.joined(separator: "&")
    }
}

func percentEncode(_ s: String) -> String {
    var out = ""
    for byte in s.utf8 {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
            out.unicodeScalars.append(Unicode.Scalar(byte))
        default:
            let hex = Array("0123456789ABCDEF".utf8)
            out += "%"
            out.unicodeScalars.append(Unicode.Scalar(hex[Int(byte >> 4)]))
            out.unicodeScalars.append(Unicode.Scalar(hex[Int(byte & 15)]))
        }
    }
    return out
}
