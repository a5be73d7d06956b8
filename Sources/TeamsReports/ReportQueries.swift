import GRDB

/// How report rows are grouped.
public enum ReportGrouping: String, Sendable, CaseIterable {
    case agent, team, queue
}

/// One row of a report: an agent, a team or a queue, with its figures over the range and, when
/// asked, per interval.
public struct ReportRow: Sendable, Hashable {
    /// Worker id, team name (as given) or queue name.
    public var key: String
    /// Display name (the worker's name; the key for teams and queues).
    public var name: String
    public var figures: IntervalFigures
    /// Interval start (Unix seconds) and figures, in time order; empty unless asked.
    public var intervals: [(start: Int64, figures: IntervalFigures)]

    public static func == (a: ReportRow, b: ReportRow) -> Bool {
        a.key == b.key && a.name == b.name && a.figures == b.figures
            && a.intervals.map(\.start) == b.intervals.map(\.start) && a.intervals.map(\.figures) == b.intervals.map(\.figures)
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(key) }
}

/// An incident with its acknowledgement and the worker's name.
public struct IncidentRecord: Sendable, Hashable {
    public var incident: Incident
    public var workerName: String
    public var acknowledgedBy: String?
    /// Microseconds.
    public var acknowledgedAt: Int64?
    public var note: String?
}

extension ReportDatabase {
    private static let sums = """
        SUM(calls_handled), SUM(talk), SUM(hold), SUM(hold_count), MAX(longest_hold), SUM(wrapup), SUM(multi_call),
        MAX(max_concurrent), SUM(transfers_in), SUM(transfers_out), SUM(misroutes), SUM(wrong_call_risk),
        SUM(exposure), SUM(offers_missed)
        """

    private static func figures(_ row: Row, from i: Int) -> IntervalFigures {
        var f = IntervalFigures()
        f.callsHandled = row[i]
        f.talk = row[i + 1]
        f.hold = row[i + 2]
        f.holdCount = row[i + 3]
        f.longestHold = row[i + 4]
        f.wrapup = row[i + 5]
        f.multiCall = row[i + 6]
        f.maxConcurrentCalls = row[i + 7]
        f.transfersIn = row[i + 8]
        f.transfersOut = row[i + 9]
        f.misroutes = row[i + 10]
        f.wrongCallRiskIncidents = row[i + 11]
        f.exposure = row[i + 12]
        f.offersMissed = row[i + 13]
        return f
    }

    /// `AND team IN (?, ...)` for a list of teams (nil: every team), and its arguments.
    static func teamClause(_ teams: [String]?, column: String = "team") -> (sql: String, arguments: StatementArguments) {
        guard let teams else { return ("", []) }
        guard !teams.isEmpty else { return (" AND 0", []) }
        return (" AND \(column) IN (" + teams.map { _ in "?" }.joined(separator: ", ") + ")", StatementArguments(teams))
    }

    /// The report over `[range)` (Unix seconds: whole days in the writer's zone, as `ReportZone.range`
    /// gives them), grouped, sorted by name then key; only what was worked in `teams` when given.
    public func report(_ range: Range<Int64>, by grouping: ReportGrouping, intervals: Bool,
                       teams: [String]? = nil) throws -> [ReportRow] {
        let group: String
        let rowsOf: String
        switch grouping {
        case .agent: group = "worker"; rowsOf = "queue = ''"
        case .team: group = "team"; rowsOf = "queue = ''"
        case .queue: group = "queue"; rowsOf = "queue <> ''"
        }
        let scope = Self.teamClause(teams)
        let args: StatementArguments = [range.lowerBound, range.upperBound] + scope.arguments
        let filter = rowsOf + scope.sql
        return try writer.read { db in
            var rows: [String: ReportRow] = [:]
            // Whole days from the daily rollup: one row per agent (and queue) and day, not per interval.
            for row in try Row.fetchAll(db, sql: """
                SELECT \(group), \(Self.sums) FROM day_figures WHERE day >= ? AND day < ? AND \(filter) GROUP BY \(group)
                """, arguments: args) {
                let key: String = row[0]
                rows[key] = ReportRow(key: key, name: key, figures: Self.figures(row, from: 1), intervals: [])
            }
            if grouping != .queue {
                for row in try Row.fetchAll(db, sql: """
                    SELECT \(group), activity, SUM(micros) FROM day_activity WHERE day >= ? AND day < ?\(scope.sql)
                    GROUP BY \(group), activity
                    """, arguments: args) {
                    let key: String = row[0]
                    rows[key, default: ReportRow(key: key, name: key, figures: IntervalFigures(), intervals: [])]
                        .figures.activity[row[1]] = row[2]
                }
            }
            if intervals {
                var byKey: [String: [Int64: IntervalFigures]] = [:]
                for row in try Row.fetchAll(db, sql: """
                    SELECT \(group), start, \(Self.sums) FROM intervals WHERE start >= ? AND start < ? AND \(filter)
                    GROUP BY \(group), start
                    """, arguments: args) {
                    byKey[row[0], default: [:]][row[1]] = Self.figures(row, from: 2)
                }
                if grouping != .queue {
                    for row in try Row.fetchAll(db, sql: """
                        SELECT \(group), start, activity, SUM(micros) FROM interval_activity WHERE start >= ? AND start < ?\(scope.sql)
                        GROUP BY \(group), start, activity
                        """, arguments: args) {
                        byKey[row[0], default: [:]][row[1], default: IntervalFigures()].activity[row[2]] = row[3]
                    }
                }
                for (key, list) in byKey {
                    rows[key]?.intervals = list.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
                }
            }
            if grouping == .agent {
                for row in try Row.fetchAll(db, sql: "SELECT id, name FROM workers") {
                    let id: String = row[0]
                    rows[id]?.name = row[1]
                }
            }
            return rows.values.sorted { ($0.name, $0.key) < ($1.name, $1.key) }
        }
    }

    private static let incidentColumns = """
        i.id, i.worker, i.kind, i.start, i.ends, i.calls, i.queue, i.via, i.exposure, COALESCE(w.name, i.worker),
        a.by, a.at, a.note
        """

    private static func record(_ row: Row) -> IncidentRecord {
        let calls: String = row[5]
        let incident = Incident(id: row[0], worker: row[1], kind: Incident.Kind(rawValue: row[2]) ?? .misroute,
                                start: row[3], end: row[4],
                                calls: calls.split(separator: callSeparator).map(String.init),
                                queue: row[6], via: row[7], exposure: row[8])
        return IncidentRecord(incident: incident, workerName: row[9], acknowledgedBy: row[10], acknowledgedAt: row[11],
                              note: row[12])
    }

    /// Incidents that started in `[range)` (microseconds), newest first, optionally of one worker,
    /// one kind, acknowledged or not, of workers of `teams` (nil: every team).
    public func incidents(_ range: Range<Int64>, worker: String? = nil, kind: Incident.Kind? = nil,
                          acknowledged: Bool? = nil, teams: [String]? = nil, limit: Int = 10_000) throws -> [IncidentRecord] {
        var sql = """
            SELECT \(Self.incidentColumns) FROM incidents i LEFT JOIN workers w ON w.id = i.worker
            LEFT JOIN acknowledgements a ON a.incident = i.id WHERE i.start >= ? AND i.start < ?
            """
        var args: StatementArguments = [range.lowerBound, range.upperBound]
        if let worker { sql += " AND i.worker = ?"; args += [worker] }
        if let kind { sql += " AND i.kind = ?"; args += [kind.rawValue] }
        if let acknowledged { sql += acknowledged ? " AND a.incident IS NOT NULL" : " AND a.incident IS NULL" }
        let scope = Self.teamClause(teams, column: "w.team")
        sql += scope.sql
        args += scope.arguments
        sql += " ORDER BY i.start DESC, i.id LIMIT ?"
        args += [limit]
        let query = sql
        let arguments = args
        return try writer.read { db in try Row.fetchAll(db, sql: query, arguments: arguments).map(Self.record) }
    }

    /// How many incidents started in `[range)` (microseconds), acknowledged or not (nil: either), of workers
    /// of `teams` (nil: every team).
    public func incidentCount(_ range: Range<Int64>, acknowledged: Bool? = nil, teams: [String]? = nil) throws -> Int {
        var sql = """
            SELECT COUNT(*) FROM incidents i LEFT JOIN workers w ON w.id = i.worker
            LEFT JOIN acknowledgements a ON a.incident = i.id WHERE i.start >= ? AND i.start < ?
            """
        var args: StatementArguments = [range.lowerBound, range.upperBound]
        if let acknowledged { sql += acknowledged ? " AND a.incident IS NOT NULL" : " AND a.incident IS NULL" }
        let scope = Self.teamClause(teams, column: "w.team")
        sql += scope.sql
        args += scope.arguments
        let query = sql
        let arguments = args
        return try writer.read { db in try Int.fetchOne(db, sql: query, arguments: arguments) ?? 0 }
    }

    /// One incident by id.
    public func incident(_ id: String) throws -> IncidentRecord? {
        try writer.read { db in
            try Row.fetchOne(db, sql: """
                SELECT \(Self.incidentColumns) FROM incidents i LEFT JOIN workers w ON w.id = i.worker
                LEFT JOIN acknowledgements a ON a.incident = i.id WHERE i.id = ?
                """, arguments: [id]).map(Self.record)
        }
    }

    /// Every team a worker was last seen in (the unnamed team too), in no particular order.
    public func teams() throws -> [String] {
        try writer.read { db in try String.fetchAll(db, sql: "SELECT DISTINCT team FROM workers") }
    }

    /// The team a worker was last seen in, nil for a worker never seen.
    public func team(of worker: String) throws -> String? {
        try writer.read { db in try String.fetchOne(db, sql: "SELECT team FROM workers WHERE id = ?", arguments: [worker]) }
    }

    /// The worker's spans overlapping `[range)` (microseconds), in start order, and their name.
    public func timeline(of worker: String, _ range: Range<Int64>) throws -> (name: String?, spans: [TimelineSpan]) {
        try writer.read { db in
            let name = try String.fetchOne(db, sql: "SELECT name FROM workers WHERE id = ?", arguments: [worker])
            let spans = try Row.fetchAll(db, sql: """
                SELECT kind, ref, queue, start, ends FROM spans WHERE worker = ? AND start < ? AND (ends IS NULL OR ends > ?)
                ORDER BY start
                """, arguments: [worker, range.upperBound, range.lowerBound]).compactMap { row -> TimelineSpan? in
                guard let kind = TimelineSpan.Kind(rawValue: row[0]) else { return nil }
                return TimelineSpan(kind: kind, ref: row[1], queue: row[2], start: row[3], end: row[4])
            }
            return (name, spans)
        }
    }

    /// Every agent's figures summed per interval over `[range)` (Unix seconds), by interval start; maxima
    /// (longest hold, most concurrent calls) are not kept floor-wide and are 0.
    public func intervalTotals(_ range: Range<Int64>) throws -> [Int64: IntervalFigures] {
        try writer.read { db in
            var totals: [Int64: IntervalFigures] = [:]
            // From the floor rollup: one row per interval.
            for row in try Row.fetchAll(db, sql: """
                SELECT start, calls_handled, talk, hold, hold_count, 0, wrapup, multi_call, 0, transfers_in, transfers_out,
                misroutes, wrong_call_risk, exposure, offers_missed FROM floor_figures WHERE start >= ? AND start < ?
                """, arguments: [range.lowerBound, range.upperBound]) {
                totals[row[0]] = Self.figures(row, from: 1)
            }
            for row in try Row.fetchAll(db, sql: """
                SELECT start, activity, micros FROM floor_activity WHERE start >= ? AND start < ?
                """, arguments: [range.lowerBound, range.upperBound]) {
                totals[row[0], default: IntervalFigures()].activity[row[1]] = row[2]
            }
            return totals
        }
    }

    /// When the figures of the interval starting at `start` (Unix seconds) begin, in Unix seconds: `start` when an
    /// agent's activity ran into it from before, else the first timeline span begun in it (the feed, or the server,
    /// began part-way through it); nil when no span begins in it. Reads `spans_by_kind_end` and `spans_by_start`.
    public func figuresBegin(inIntervalAt start: Int64) throws -> Int64? {
        let micros = start * 1_000_000, end = (start + ReportZone.intervalSeconds) * 1_000_000
        return try writer.read { db in
            // Two index ranges (open spans; spans ending after `start`), not one OR that would walk every day's spans.
            for sql in ["SELECT 1 FROM spans WHERE kind = 'activity' AND ends IS NULL AND start < ?1 LIMIT 1",
                        "SELECT 1 FROM spans WHERE kind = 'activity' AND ends > ?1 AND start < ?1 LIMIT 1"] {
                if try Int64.fetchOne(db, sql: sql, arguments: [micros]) != nil { return start }
            }
            let first = try Int64.fetchOne(db, sql: "SELECT MIN(start) FROM spans WHERE start >= ? AND start < ?",
                                           arguments: [micros, end])
            return first.map { $0 / 1_000_000 }
        }
    }

    /// Holds that ended in `[range)` (Unix seconds, interval starts), counted per `holdBuckets` entry.
    public func holdHistogram(_ range: Range<Int64>) throws -> [Int] {
        try writer.read { db in
            var counts = [Int](repeating: 0, count: Self.holdBuckets.count)
            for row in try Row.fetchAll(db, sql: """
                SELECT bucket, SUM(holds) FROM floor_holds WHERE start >= ? AND start < ? GROUP BY bucket
                """, arguments: [range.lowerBound, range.upperBound]) {
                let bucket: Int = row[0]
                if counts.indices.contains(bucket) { counts[bucket] = row[1] }
            }
            return counts
        }
    }

    /// The newest event time written (microseconds).
    public func horizon() throws -> Int64? {
        try writer.read { db in try Int64.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'horizon'") }
    }
}
