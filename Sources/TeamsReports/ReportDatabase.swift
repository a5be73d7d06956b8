import Foundation
import GRDB
import GRDBSQLite

/// The reports' SQLite database (GRDB): schema, migrations, the writer's transactions and the
/// pages' queries.
///
/// On disk it is a WAL database read by a pool of connections while one connection writes; in memory
/// (`--in-memory`) a single connection serves both. Times are Unix microseconds, interval starts
/// Unix seconds, durations microseconds.
public final class ReportDatabase: Sendable, EventStore {
    let writer: any DatabaseWriter
    /// The file, or `nil` in memory.
    public let path: String?

    /// Page cache of the writing connection, in KiB: rows are appended or updated in place (one agent's
    /// intervals, spans and checkpoint at a time), so a flush touches few pages beyond the B-trees' upper
    /// levels; pages it does not keep are read again from the operating system's cache. Fixed, whatever
    /// the number of agents.
    public static let writerCacheKiB = 1024
    /// Bytes the write-ahead log file (`reports.sqlite-wal`) is cut back to after a checkpoint.
    public static let walLimitBytes = 16 << 20
    /// Page cache of each reading connection (report pages, timelines), in KiB.
    public static let readerCacheKiB = 1024

    /// Opens (creating) `directory/reports.sqlite`, or an in-memory database when `directory` is `nil`.
    /// - Throws: GRDB's `DatabaseError` when the file cannot be opened or migrated.
    public init(directory: String?) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        if let directory {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let path = directory + "/reports.sqlite"
            configuration.prepareDatabase { db in
                // Every connection: no memory-mapped reads (the file's pages would count in the process's
                // resident set), a small page cache (raised for the writer below).
                // The log file is cut back to `walLimitBytes` after a checkpoint: a burst (a restart's rewrite, a
                // backlog) would otherwise leave it at its largest for good, and read whole at the next open.
                try db.execute(sql: "PRAGMA synchronous = NORMAL; PRAGMA mmap_size = 0; PRAGMA cache_size = -\(Self.readerCacheKiB); "
                               + "PRAGMA journal_size_limit = \(Self.walLimitBytes)")
            }
            writer = try DatabasePool(path: path, configuration: configuration)
            self.path = path
        } else {
            writer = try DatabaseQueue(configuration: configuration)
            path = nil
        }
        try Self.migrator.migrate(writer)
        // In memory the "cache" is the database itself: its size is not capped.
        let cache = path == nil ? "" : "PRAGMA cache_size = -\(Self.writerCacheKiB); "
        try writer.writeWithoutTransaction { db in
            try db.execute(sql: cache + "PRAGMA temp_store = MEMORY; PRAGMA recursive_triggers = ON")
        }
    }

    /// Copies the write-ahead log into the database and empties its file (`PRAGMA wal_checkpoint(TRUNCATE)`), so the
    /// next open does not read it through: after a start's rewrite and at a stop. Waits up to the busy timeout for
    /// readers; a checkpoint that cannot finish leaves the log as it is (nothing is lost).
    func checkpoint() throws {
        guard path != nil else { return }
        try writer.writeWithoutTransaction { db in
            _ = try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)")
        }
    }

    /// Bytes SQLite has allocated now, every connection together (page caches, statements, schemas).
    public static var sqliteMemoryBytes: Int { Int(sqlite3_memory_used()) }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL);
                CREATE TABLE workers(id TEXT PRIMARY KEY, name TEXT NOT NULL, team TEXT NOT NULL);
                CREATE TABLE events(id INTEGER PRIMARY KEY, worker TEXT NOT NULL, at INTEGER NOT NULL,
                    kind INTEGER NOT NULL, ref TEXT NOT NULL, queue TEXT NOT NULL, via TEXT NOT NULL,
                    UNIQUE(worker, at, kind, ref));
                CREATE TABLE checkpoints(worker TEXT PRIMARY KEY, at INTEGER NOT NULL, state BLOB NOT NULL);
                CREATE TABLE intervals(worker TEXT NOT NULL, start INTEGER NOT NULL, queue TEXT NOT NULL,
                    team TEXT NOT NULL, calls_handled INTEGER NOT NULL, talk INTEGER NOT NULL, hold INTEGER NOT NULL,
                    hold_count INTEGER NOT NULL, longest_hold INTEGER NOT NULL, wrapup INTEGER NOT NULL,
                    multi_call INTEGER NOT NULL, max_concurrent INTEGER NOT NULL, transfers_in INTEGER NOT NULL,
                    transfers_out INTEGER NOT NULL, misroutes INTEGER NOT NULL, wrong_call_risk INTEGER NOT NULL,
                    exposure INTEGER NOT NULL, offers_missed INTEGER NOT NULL,
                    PRIMARY KEY(worker, start, queue)) WITHOUT ROWID;
                CREATE INDEX intervals_by_start ON intervals(start);
                CREATE TABLE interval_activity(worker TEXT NOT NULL, start INTEGER NOT NULL, team TEXT NOT NULL,
                    activity TEXT NOT NULL, micros INTEGER NOT NULL, PRIMARY KEY(worker, start, activity)) WITHOUT ROWID;
                CREATE INDEX interval_activity_by_start ON interval_activity(start);
                CREATE TABLE spans(worker TEXT NOT NULL, start INTEGER NOT NULL, kind TEXT NOT NULL, ref TEXT NOT NULL,
                    ends INTEGER, queue TEXT NOT NULL, PRIMARY KEY(worker, start, kind, ref)) WITHOUT ROWID;
                CREATE INDEX spans_by_start ON spans(start);
                CREATE TABLE incidents(id TEXT PRIMARY KEY, worker TEXT NOT NULL, kind TEXT NOT NULL,
                    start INTEGER NOT NULL, ends INTEGER, calls TEXT NOT NULL, queue TEXT NOT NULL, via TEXT NOT NULL,
                    exposure INTEGER NOT NULL);
                CREATE INDEX incidents_by_start ON incidents(start);
                CREATE INDEX incidents_by_worker ON incidents(worker, start);
                CREATE TABLE acknowledgements(incident TEXT PRIMARY KEY, by TEXT NOT NULL, at INTEGER NOT NULL,
                    note TEXT NOT NULL);
                """)
        }
        // Hold lengths by the time they ended (`holdLengths`): a covering index, not a walk over every span.
        migrator.registerMigration("v2") { db in
            try db.execute(sql: "CREATE INDEX spans_by_kind_end ON spans(kind, ends)")
        }
        // Daily and floor-wide rollups kept by triggers, so a day's report reads one row per agent (and
        // a chart one row per interval) instead of every interval. `day` (local midnight, Unix seconds,
        // in the writer's zone) is set by the writer; `rollUp(zone:)` fills it for older rows.
        migrator.registerMigration("v3") { db in
            let figures = (sumColumns + maxColumns).map { "\($0) INTEGER NOT NULL DEFAULT 0" }.joined(separator: ", ")
            let sums = sumColumns.map { "\($0) INTEGER NOT NULL DEFAULT 0" }.joined(separator: ", ")
            try db.execute(sql: """
                ALTER TABLE intervals ADD COLUMN day INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE interval_activity ADD COLUMN day INTEGER NOT NULL DEFAULT 0;
                CREATE TABLE day_figures(day INTEGER NOT NULL, worker TEXT NOT NULL, queue TEXT NOT NULL,
                    team TEXT NOT NULL, \(figures), PRIMARY KEY(day, worker, queue, team)) WITHOUT ROWID;
                CREATE TABLE day_activity(day INTEGER NOT NULL, worker TEXT NOT NULL, team TEXT NOT NULL,
                    activity TEXT NOT NULL, micros INTEGER NOT NULL, PRIMARY KEY(day, worker, team, activity)) WITHOUT ROWID;
                CREATE TABLE floor_figures(start INTEGER PRIMARY KEY, \(sums));
                CREATE TABLE floor_activity(start INTEGER NOT NULL, activity TEXT NOT NULL, micros INTEGER NOT NULL,
                    PRIMARY KEY(start, activity)) WITHOUT ROWID;
                CREATE TABLE zones(role TEXT PRIMARY KEY, name TEXT NOT NULL);
                INSERT OR REPLACE INTO meta VALUES ('rollup_zone_missing', 1);
                """)
            try db.execute(sql: rollupTriggers)
        }
        // Holds counted by length bucket and the interval they ended in, kept by triggers on spans (an
        // INSERT OR REPLACE of a span fires the delete trigger too: `recursive_triggers` is on).
        migrator.registerMigration("v4") { db in
            let seconds = "((X.ends - X.start) / 1000000)"
            let bucket = "CASE " + holdBuckets.dropLast().enumerated().map { "WHEN \(seconds) < \($0.element.below) THEN \($0.offset)" }
                .joined(separator: " ") + " ELSE \(holdBuckets.count - 1) END"
            let interval = "((X.ends / 1000000) - ((X.ends / 1000000) % 900))"
            func x(_ t: String, _ r: String) -> String { t.replacingOccurrences(of: "X.", with: r + ".") }
            try db.execute(sql: """
                CREATE TABLE floor_holds(start INTEGER NOT NULL, bucket INTEGER NOT NULL, holds INTEGER NOT NULL,
                    PRIMARY KEY(start, bucket)) WITHOUT ROWID;
                INSERT INTO floor_holds SELECT \(x(interval, "spans")), \(x(bucket, "spans")), COUNT(*) FROM spans
                    WHERE kind = 'held' AND ends IS NOT NULL AND ends >= 0 GROUP BY 1, 2;
                CREATE TRIGGER spans_holds_insert AFTER INSERT ON spans
                    WHEN NEW.kind = 'held' AND NEW.ends IS NOT NULL AND NEW.ends >= 0 BEGIN
                    INSERT INTO floor_holds VALUES (\(x(interval, "NEW")), \(x(bucket, "NEW")), 1)
                        ON CONFLICT(start, bucket) DO UPDATE SET holds = holds + 1;
                END;
                CREATE TRIGGER spans_holds_delete AFTER DELETE ON spans
                    WHEN OLD.kind = 'held' AND OLD.ends IS NOT NULL AND OLD.ends >= 0 BEGIN
                    UPDATE floor_holds SET holds = holds - 1 WHERE start = \(x(interval, "OLD")) AND bucket = \(x(bucket, "OLD"));
                END;
                """)
        }
        return migrator
    }

    /// The hold-length buckets of `holdHistogram`: label and the length (seconds) each stays below.
    public static let holdBuckets: [(label: String, below: Int64)] = [
        ("<30 s", 30), ("30 s–1 min", 60), ("1–2 min", 120), ("2–5 min", 300), ("5–10 min", 600), ("≥10 min", .max),
    ]

    /// Figures summed over intervals, and those whose maximum is kept (`longest_hold`, `max_concurrent`).
    static let sumColumns = ["calls_handled", "talk", "hold", "hold_count", "wrapup", "multi_call", "transfers_in",
                             "transfers_out", "misroutes", "wrong_call_risk", "exposure", "offers_missed"]
    static let maxColumns = ["longest_hold", "max_concurrent"]

    /// Triggers keeping `day_figures`, `day_activity`, `floor_figures` and `floor_activity` equal to sums
    /// over `intervals` and `interval_activity`. Maxima are raised as rows grow and recomputed from the
    /// day's intervals when a row shrinks or goes (a late event's replay).
    static var rollupTriggers: String {
        let all = sumColumns + maxColumns
        let dayKey = "day = X.day AND worker = X.worker AND queue = X.queue AND team = X.team"
        func addDay(_ x: String) -> String {
            """
            INSERT INTO day_figures(day, worker, queue, team, \(all.joined(separator: ", ")))
                VALUES (\(x).day, \(x).worker, \(x).queue, \(x).team, \(all.map { "\(x).\($0)" }.joined(separator: ", ")))
                ON CONFLICT(day, worker, queue, team) DO UPDATE SET
                \((sumColumns.map { "\($0) = \($0) + excluded.\($0)" } + maxColumns.map { "\($0) = MAX(\($0), excluded.\($0))" }).joined(separator: ", "));
            """
        }
        func subtractDay(_ x: String) -> String {
            "UPDATE day_figures SET \(sumColumns.map { "\($0) = \($0) - \(x).\($0)" }.joined(separator: ", ")) WHERE "
                + dayKey.replacingOccurrences(of: "X.", with: "\(x).") + ";"
        }
        func recomputeDayMaxima(_ x: String) -> String {
            let source = "FROM intervals i WHERE i.worker = \(x).worker AND i.start >= \(x).day AND i.start < \(x).day + 90000 "
                + "AND i.day = \(x).day AND i.queue = \(x).queue AND i.team = \(x).team"
            return "UPDATE day_figures SET "
                + maxColumns.map { "\($0) = (SELECT COALESCE(MAX(i.\($0)), 0) \(source))" }.joined(separator: ", ")
                + " WHERE " + dayKey.replacingOccurrences(of: "X.", with: "\(x).") + ";"
        }
        func addFloor(_ x: String) -> String {
            """
            INSERT INTO floor_figures(start, \(sumColumns.joined(separator: ", ")))
                SELECT \(x).start, \(sumColumns.map { "\(x).\($0)" }.joined(separator: ", ")) WHERE \(x).queue = ''
                ON CONFLICT(start) DO UPDATE SET \(sumColumns.map { "\($0) = \($0) + excluded.\($0)" }.joined(separator: ", "));
            """
        }
        func subtractFloor(_ x: String) -> String {
            "UPDATE floor_figures SET \(sumColumns.map { "\($0) = \($0) - \(x).\($0)" }.joined(separator: ", ")) "
                + "WHERE start = \(x).start AND \(x).queue = '';"
        }
        func addActivity(_ x: String) -> String {
            """
            INSERT INTO day_activity VALUES (\(x).day, \(x).worker, \(x).team, \(x).activity, \(x).micros)
                ON CONFLICT(day, worker, team, activity) DO UPDATE SET micros = micros + excluded.micros;
            INSERT INTO floor_activity VALUES (\(x).start, \(x).activity, \(x).micros)
                ON CONFLICT(start, activity) DO UPDATE SET micros = micros + excluded.micros;
            """
        }
        func subtractActivity(_ x: String) -> String {
            """
            UPDATE day_activity SET micros = micros - \(x).micros
                WHERE day = \(x).day AND worker = \(x).worker AND team = \(x).team AND activity = \(x).activity;
            UPDATE floor_activity SET micros = micros - \(x).micros WHERE start = \(x).start AND activity = \(x).activity;
            """
        }
        let shrank = "(NEW.longest_hold < OLD.longest_hold OR NEW.max_concurrent < OLD.max_concurrent "
            + "OR NEW.day <> OLD.day OR NEW.team <> OLD.team)"
        return """
            CREATE TRIGGER intervals_rollup_insert AFTER INSERT ON intervals BEGIN
                \(addDay("NEW")) \(addFloor("NEW"))
            END;
            CREATE TRIGGER intervals_rollup_update AFTER UPDATE ON intervals BEGIN
                \(subtractDay("OLD")) \(subtractFloor("OLD")) \(addDay("NEW")) \(addFloor("NEW"))
            END;
            CREATE TRIGGER intervals_rollup_update_maxima AFTER UPDATE ON intervals WHEN \(shrank) BEGIN
                \(recomputeDayMaxima("OLD"))
            END;
            CREATE TRIGGER intervals_rollup_delete AFTER DELETE ON intervals BEGIN
                \(subtractDay("OLD")) \(subtractFloor("OLD"))
            END;
            CREATE TRIGGER intervals_rollup_delete_maxima AFTER DELETE ON intervals
                WHEN OLD.longest_hold > 0 OR OLD.max_concurrent > 0 BEGIN
                \(recomputeDayMaxima("OLD"))
            END;
            CREATE TRIGGER interval_activity_rollup_insert AFTER INSERT ON interval_activity BEGIN
                \(addActivity("NEW"))
            END;
            CREATE TRIGGER interval_activity_rollup_update AFTER UPDATE ON interval_activity BEGIN
                \(subtractActivity("OLD")) \(addActivity("NEW"))
            END;
            CREATE TRIGGER interval_activity_rollup_delete AFTER DELETE ON interval_activity BEGIN
                \(subtractActivity("OLD"))
            END;
            """
    }

    static let rollupTriggerNames = ["intervals_rollup_insert", "intervals_rollup_update", "intervals_rollup_update_maxima",
                                     "intervals_rollup_delete", "intervals_rollup_delete_maxima",
                                     "interval_activity_rollup_insert", "interval_activity_rollup_update",
                                     "interval_activity_rollup_delete"]

    /// Sets `day` of every interval in `zone` and rebuilds the rollups from the intervals when the
    /// database was rolled up in another zone (or before rollups existed). Cheap when nothing changed.
    func rollUp(zone: ReportZone) throws {
        try writer.write { db in
            let missing = try Int64.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'rollup_zone_missing'") != nil
            let current = try String.fetchOne(db, sql: "SELECT name FROM zones WHERE role = 'rollup'")
            guard missing || current != zone.identifier else { return }
            for name in Self.rollupTriggerNames { try db.execute(sql: "DROP TRIGGER IF EXISTS \(name)") }
            var days: [Int64: Int64] = [:]
            for start in try Int64.fetchAll(db, sql: "SELECT DISTINCT start FROM intervals UNION SELECT DISTINCT start FROM interval_activity") {
                days[start] = zone.start(of: zone.day(at: start))
            }
            for (start, day) in days {
                try db.execute(sql: "UPDATE intervals SET day = ? WHERE start = ?", arguments: [day, start])
                try db.execute(sql: "UPDATE interval_activity SET day = ? WHERE start = ?", arguments: [day, start])
            }
            let all = (Self.sumColumns + Self.maxColumns).joined(separator: ", ")
            let sums = Self.sumColumns.map { "SUM(\($0))" } + Self.maxColumns.map { "MAX(\($0))" }
            try db.execute(sql: """
                DELETE FROM day_figures; DELETE FROM day_activity; DELETE FROM floor_figures; DELETE FROM floor_activity;
                INSERT INTO day_figures(day, worker, queue, team, \(all))
                    SELECT day, worker, queue, team, \(sums.joined(separator: ", ")) FROM intervals GROUP BY day, worker, queue, team;
                INSERT INTO day_activity SELECT day, worker, team, activity, SUM(micros) FROM interval_activity
                    GROUP BY day, worker, team, activity;
                INSERT INTO floor_figures(start, \(Self.sumColumns.joined(separator: ", ")))
                    SELECT start, \(Self.sumColumns.map { "SUM(\($0))" }.joined(separator: ", ")) FROM intervals
                    WHERE queue = '' GROUP BY start;
                INSERT INTO floor_activity SELECT start, activity, SUM(micros) FROM interval_activity GROUP BY start, activity;
                DELETE FROM meta WHERE key = 'rollup_zone_missing';
                """)
            try db.execute(sql: "INSERT OR REPLACE INTO zones VALUES ('rollup', ?)", arguments: [zone.identifier])
            try db.execute(sql: Self.rollupTriggers)
        }
    }

    /// Inserts events (one already there, same worker, time, kind and ref, is left).
    ///
    /// Inserts in the workers' order, each worker's events in the order taken (their ids keep it for `ORDER BY at,
    /// id`): the unique index begins with the worker, so each of its pages is read and written once a transaction.
    /// In the order taken, a floor's events touched the index's pages at random through the small page cache (the
    /// rows of `write` go in the workers' order too: `ReportEngine.collect`). A 20,000-agent shift file was reported
    /// in 117 s before, 73 s after (with 50,000-event transactions).
    private static func insert(_ events: [(worker: String, event: ReportEvent)], _ db: Database) throws {
        let statement = try db.cachedStatement(sql: """
            INSERT OR IGNORE INTO events(worker, at, kind, ref, queue, via) VALUES (?, ?, ?, ?, ?, ?)
            """)
        let ordered = events.indices.sorted { (events[$0].worker, $0) < (events[$1].worker, $1) }
        for (worker, e) in ordered.lazy.map({ events[$0] }) {
            try statement.execute(arguments: [worker, e.at, Int(e.kind.rawValue), e.ref, e.queue, e.via])
        }
    }

    /// Separates call ids in `incidents.calls`.
    static let callSeparator: Character = "\u{1F}"

    // MARK: Writing (the `ReportWriter` thread only, and acknowledgements)

    func write(_ batch: WriteBatch, zone: ReportZone) throws {
        let encoder = JSONEncoder()
        try writer.write { db in
            for p in batch.profiles {
                if let name = p.name {
                    try db.cachedStatement(sql: "INSERT OR REPLACE INTO workers(id, name, team) VALUES (?, ?, ?)")
                        .execute(arguments: [p.id, name, p.team])
                } else {
                    try db.cachedStatement(sql: "UPDATE workers SET team = ? WHERE id = ?").execute(arguments: [p.team, p.id])
                }
            }
            try Self.insert(batch.events, db)
            // Prepared once a transaction, not once a worker: a restart rewrites every agent, and compiling the
            // four statements (with their rollup triggers) 20,000 times took most of a 20-second start.
            let rewrites = try [
                "DELETE FROM intervals WHERE worker = ? AND start >= ?",
                "DELETE FROM interval_activity WHERE worker = ? AND start >= ?",
                "DELETE FROM spans WHERE worker = ? AND (ends IS NULL OR ends >= ?)",
                "DELETE FROM incidents WHERE worker = ? AND (ends IS NULL OR ends >= ?)",
            ].map { try db.cachedStatement(sql: $0) }
            for r in batch.rewrites {
                try rewrites[0].execute(arguments: [r.worker, r.seconds])
                try rewrites[1].execute(arguments: [r.worker, r.seconds])
                try rewrites[2].execute(arguments: [r.worker, r.micros])
                try rewrites[3].execute(arguments: [r.worker, r.micros])
            }
            var days: [Int64: Int64] = [:]
            func day(_ start: Int64) -> Int64 {
                if let d = days[start] { return d }
                let d = zone.start(of: zone.day(at: start))
                days[start] = d
                return d
            }
            // Upserts, not INSERT OR REPLACE: the rollup triggers see an update (old and new figures).
            let columns = Self.sumColumns + Self.maxColumns
            let insertInterval = try db.cachedStatement(sql: """
                INSERT INTO intervals(worker, start, queue, team, day, \(columns.joined(separator: ", ")))
                VALUES (?, ?, ?, ?, ?, \(columns.map { _ in "?" }.joined(separator: ", ")))
                ON CONFLICT(worker, start, queue) DO UPDATE SET team = excluded.team, day = excluded.day,
                \(columns.map { "\($0) = excluded.\($0)" }.joined(separator: ", "))
                """)
            let upsertActivity = try db.cachedStatement(sql: """
                INSERT INTO interval_activity(worker, start, team, activity, micros, day) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT(worker, start, activity) DO UPDATE SET team = excluded.team, micros = excluded.micros,
                day = excluded.day
                """)
            for row in batch.intervals {
                let f = row.figures
                let d = day(row.start)
                try insertInterval.execute(arguments: [
                    row.worker, row.start, row.queue, row.team, d,
                    f.callsHandled, f.talk, f.hold, f.holdCount, f.wrapup, f.multiCall, f.transfersIn, f.transfersOut,
                    f.misroutes, f.wrongCallRiskIncidents, f.exposure, f.offersMissed, f.longestHold, f.maxConcurrentCalls,
                ])
                if row.queue.isEmpty {
                    for (name, micros) in f.activity {
                        try upsertActivity.execute(arguments: [row.worker, row.start, row.team, name, micros, d])
                    }
                }
            }
            let insertSpan = try db.cachedStatement(sql: "INSERT OR REPLACE INTO spans VALUES (?, ?, ?, ?, ?, ?)")
            for (worker, spans) in batch.spans {
                for s in spans {
                    try insertSpan.execute(arguments: [worker, s.start, s.kind.rawValue, s.ref, s.end, s.queue])
                }
            }
            let insertIncident = try db.cachedStatement(sql: "INSERT OR REPLACE INTO incidents VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
            for i in batch.incidents {
                try insertIncident.execute(arguments: [
                    i.id, i.worker, i.kind.rawValue, i.start, i.end,
                    i.calls.joined(separator: String(Self.callSeparator)), i.queue, i.via, i.exposure,
                ])
            }
            for (worker, state) in batch.checkpoints {
                try db.cachedStatement(sql: "INSERT OR REPLACE INTO checkpoints VALUES (?, ?, ?)")
                    .execute(arguments: [worker, state.clock, try encoder.encode(state)])
            }
            for (worker, before) in batch.prunes {
                try db.cachedStatement(sql: "DELETE FROM events WHERE worker = ? AND at < ?").execute(arguments: [worker, before])
            }
            if batch.horizon != .min {
                try db.cachedStatement(sql: "INSERT OR REPLACE INTO meta VALUES ('horizon', ?)").execute(arguments: [batch.horizon])
            }
        }
    }

    /// Deletes figures, spans and incidents older than `before` (Unix seconds).
    func expire(before: Int64) throws {
        try writer.write { db in
            try db.execute(sql: "DELETE FROM intervals WHERE start < ?", arguments: [before])
            try db.execute(sql: "DELETE FROM interval_activity WHERE start < ?", arguments: [before])
            try db.execute(sql: "DELETE FROM spans WHERE ends < ?", arguments: [before * 1_000_000])
            try db.execute(sql: """
                DELETE FROM acknowledgements WHERE incident IN (SELECT id FROM incidents WHERE ends < ?)
                """, arguments: [before * 1_000_000])
            try db.execute(sql: "DELETE FROM incidents WHERE ends < ?", arguments: [before * 1_000_000])
            // Days wholly before the cut (their rows were emptied by the triggers) and the floor's intervals.
            try db.execute(sql: "DELETE FROM day_figures WHERE day < ?", arguments: [before - 90_000])
            try db.execute(sql: "DELETE FROM day_activity WHERE day < ?", arguments: [before - 90_000])
            try db.execute(sql: "DELETE FROM floor_figures WHERE start < ?", arguments: [before])
            try db.execute(sql: "DELETE FROM floor_activity WHERE start < ?", arguments: [before])
            try db.execute(sql: "DELETE FROM floor_holds WHERE start < ?", arguments: [before])
        }
    }

    /// Loads checkpoints, profiles, events since the checkpoints and the newest event time into `engine`.
    func restore(into engine: ReportEngine) throws {
        let decoder = JSONDecoder()
        try writer.read { db in
            for row in try Row.fetchAll(db, sql: "SELECT id, name, team FROM workers") {
                engine.restore(profile: row[0], name: row[1], team: row[2])
            }
            for row in try Row.fetchAll(db, sql: "SELECT worker, state FROM checkpoints") {
                let data: Data = row[1]
                // A checkpoint this version cannot read: the agent starts afresh from its next event.
                guard let base = try? decoder.decode(AgentState.self, from: data) else { continue }
                engine.restore(worker: row[0], base: base)
            }
            let cursor = try Row.fetchCursor(db, sql: "SELECT worker, at, kind, ref, queue, via FROM events ORDER BY at, id")
            while let row = try cursor.next() {
                guard let kind = ReportEvent.Kind(rawValue: UInt8(clamping: row[2] as Int)) else { continue }
                engine.ingest(worker: row[0], ReportEvent(at: row[1], kind: kind, ref: row[3], queue: row[4], via: row[5]),
                              restoring: true)
            }
            if let horizon = try Int64.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'horizon'") {
                engine.restore(horizon: horizon)
            }
        }
    }

    /// Reads the events table through the writer's connection (the reports' thread, between its transactions): it
    /// sees what that thread just kept, and no reader connection (with its own page cache) is opened for it.
    func keep(_ events: [(worker: String, event: ReportEvent)]) throws {
        guard !events.isEmpty else { return }
        try writer.write { db in try Self.insert(events, db) }
    }

    func events(of worker: String, since: Int64) throws -> [ReportEvent] {
        try writer.writeWithoutTransaction { db in
            let rows = try Row.fetchCursor(db.cachedStatement(sql: """
                SELECT at, kind, ref, queue, via FROM events WHERE worker = ? AND at >= ? ORDER BY at, id
                """), arguments: [worker, since])
            var events: [ReportEvent] = []
            while let row = try rows.next() {
                guard let kind = ReportEvent.Kind(rawValue: UInt8(clamping: row[1] as Int)) else { continue }
                events.append(ReportEvent(at: row[0], kind: kind, ref: row[2], queue: row[3], via: row[4]))
            }
            return events
        }
    }

    func contains(worker: String, at: Int64, kind: ReportEvent.Kind, ref: String) throws -> Bool {
        try writer.writeWithoutTransaction { db in
            try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM events WHERE worker = ? AND at = ? AND kind = ? AND ref = ?"),
                              arguments: [worker, at, Int(kind.rawValue), ref]) != nil
        }
    }

    /// Records an acknowledgement; false when the incident does not exist or is already acknowledged.
    public func acknowledge(incident id: String, by: String, note: String, at: Int64) throws -> Bool {
        try writer.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM incidents WHERE id = ?", arguments: [id]) != nil else { return false }
            try db.execute(sql: "INSERT OR IGNORE INTO acknowledgements VALUES (?, ?, ?, ?)", arguments: [id, by, at, note])
            return db.changesCount > 0
        }
    }

    /// Bytes the database uses (pages × page size), WAL excluded.
    public func sizeBytes() throws -> Int64 {
        try writer.read { db in
            let pages = try Int64.fetchOne(db, sql: "PRAGMA page_count") ?? 0
            let size = try Int64.fetchOne(db, sql: "PRAGMA page_size") ?? 0
            return pages * size
        }
    }
}
