import Foundation
import GRDB

/// The reports' SQLite database (GRDB): schema, migrations, the writer's transactions and the
/// pages' queries.
///
/// On disk it is a WAL database read by a pool of connections while one connection writes; in memory
/// (`--in-memory`) a single connection serves both. Times are Unix microseconds, interval starts
/// Unix seconds, durations microseconds.
public final class ReportDatabase: Sendable {
    let writer: any DatabaseWriter
    /// The file, or `nil` in memory.
    public let path: String?

    /// Opens (creating) `directory/reports.sqlite`, or an in-memory database when `directory` is `nil`.
    /// - Throws: GRDB's `DatabaseError` when the file cannot be opened or migrated.
    public init(directory: String?) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        if let directory {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let path = directory + "/reports.sqlite"
            configuration.prepareDatabase { db in
                try db.execute(sql: "PRAGMA synchronous = NORMAL")
            }
            writer = try DatabasePool(path: path, configuration: configuration)
            self.path = path
        } else {
            writer = try DatabaseQueue(configuration: configuration)
            path = nil
        }
        try Self.migrator.migrate(writer)
    }

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
        return migrator
    }

    /// Separates call ids in `incidents.calls`.
    static let callSeparator: Character = "\u{1F}"

    // MARK: Writing (the `ReportWriter` thread only, and acknowledgements)

    func write(_ batch: WriteBatch) throws {
        let encoder = JSONEncoder()
        try writer.write { db in
            for p in batch.profiles {
                try db.cachedStatement(sql: "INSERT OR REPLACE INTO workers(id, name, team) VALUES (?, ?, ?)")
                    .execute(arguments: [p.id, p.name, p.team])
            }
            let insertEvent = try db.cachedStatement(sql: """
                INSERT OR IGNORE INTO events(worker, at, kind, ref, queue, via) VALUES (?, ?, ?, ?, ?, ?)
                """)
            for (worker, events) in batch.events {
                for e in events {
                    try insertEvent.execute(arguments: [worker, e.at, Int(e.kind.rawValue), e.ref, e.queue, e.via])
                }
            }
            for r in batch.rewrites {
                try db.execute(sql: "DELETE FROM intervals WHERE worker = ? AND start >= ?", arguments: [r.worker, r.seconds])
                try db.execute(sql: "DELETE FROM interval_activity WHERE worker = ? AND start >= ?",
                               arguments: [r.worker, r.seconds])
                try db.execute(sql: "DELETE FROM spans WHERE worker = ? AND (ends IS NULL OR ends >= ?)",
                               arguments: [r.worker, r.micros])
                try db.execute(sql: "DELETE FROM incidents WHERE worker = ? AND (ends IS NULL OR ends >= ?)",
                               arguments: [r.worker, r.micros])
            }
            let insertInterval = try db.cachedStatement(sql: """
                INSERT OR REPLACE INTO intervals VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            let clearActivity = try db.cachedStatement(sql: "DELETE FROM interval_activity WHERE worker = ? AND start = ?")
            let insertActivity = try db.cachedStatement(sql: "INSERT INTO interval_activity VALUES (?, ?, ?, ?, ?)")
            for row in batch.intervals {
                let f = row.figures
                try insertInterval.execute(arguments: [
                    row.worker, row.start, row.queue, row.team, f.callsHandled, f.talk, f.hold, f.holdCount,
                    f.longestHold, f.wrapup, f.multiCall, f.maxConcurrentCalls, f.transfersIn, f.transfersOut,
                    f.misroutes, f.wrongCallRiskIncidents, f.exposure, f.offersMissed,
                ])
                if row.queue.isEmpty {
                    try clearActivity.execute(arguments: [row.worker, row.start])
                    for (name, micros) in f.activity {
                        try insertActivity.execute(arguments: [row.worker, row.start, row.team, name, micros])
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
