import HTTPTypes
import JSONOutput
import MicroHTTP
import TeamsDomain
import TeamsIngest

/// What the server says about keeping the floor across restarts: `/readyz`, the `durability` object of
/// `/api/status`, its `/metrics` lines and the status page tile. Facts come from the restore
/// (``RestoreProgress``), the write-ahead log's writer (``WriteAheadLog/Figures``) and the snapshots of the
/// floor (``FloorSnapshotter/Figures``).
public struct Durability: Sendable {
    public let restore: RestoreProgress
    public let journal: WriteAheadLog?
    public let snapshots: FloorSnapshotter?

    public init(restore: RestoreProgress, journal: WriteAheadLog?, snapshots: FloorSnapshotter? = nil) {
        self.restore = restore
        self.journal = journal
        self.snapshots = snapshots
    }

    /// `GET /readyz`: 503 while the floor is being restored from the data directory, then 200.
    func readyz() -> Response {
        if restore.isReady { return Response(contentType: "text/plain; charset=utf-8", text: "ready\n") }
        var r = Response(status: .serviceUnavailable, contentType: "text/plain; charset=utf-8",
                         text: "restoring the floor from the data directory\n")
        r.headerFields[.retryAfter] = "1"
        return r
    }

    /// The `durability` object of `/api/status`: `mode` ("write-ahead log" or "in memory"), `ready`,
    /// `log` (path, bytes, records appended, syncs, mean and longest sync in ms, write errors, last error,
    /// generation, compactions, droppedBytes), `snapshot` (path, taken, failures, lastError, lastAt (RFC 3339),
    /// lastBytes, lastWriteSeconds, lastPauseSeconds: ingest waited this long for the cut, lastDroppedBytes:
    /// log bytes its compaction dropped, intervalSeconds, logBytesLimit), `restored` (fromSnapshot,
    /// snapshotTakenAt, snapshotBytes, snapshotSeconds; records replayed after it, events, bytes, torn bytes,
    /// seconds in all), `refusedNotReady`, `refusedNotWritten`.
    func write(into j: inout JSONWriter, refusedNotReady: Int, refusedNotWritten: Int) {
        j.key("durability")
        j.beginObject()
        j.field("mode", journal == nil ? "in memory" : "write-ahead log")
        j.field("ready", restore.isReady)
        if let journal {
            let f = journal.currentFigures
            j.key("log")
            j.beginObject()
            j.field("path", journal.path)
            j.field("bytes", f.fileBytes)
            j.field("recordsAppended", Int(f.records))
            j.field("syncs", f.syncs)
            j.field("meanSyncMs", f.syncs == 0 ? 0 : f.syncSeconds / Double(f.syncs) * 1000)
            j.field("longestSyncMs", f.longestSync * 1000)
            j.field("writeErrors", f.writeErrors)
            j.field("lastError", f.lastError)
            j.field("generation", Int(f.generation))
            j.field("compactions", f.compactions)
            j.field("droppedBytes", f.droppedBytes)
            j.endObject()
        }
        if let snapshots {
            let s = snapshots.figures
            j.key("snapshot")
            j.beginObject()
            j.field("path", FloorSnapshot.path(in: snapshots.directory))
            j.field("taken", s.snapshots)
            j.field("failures", s.failures)
            j.field("lastError", s.lastError)
            j.field("lastAt", s.lastAt.map(RFC3339.format))
            j.field("lastBytes", s.lastBytes)
            j.field("lastWriteSeconds", s.lastWriteSeconds)
            j.field("lastPauseSeconds", s.lastPauseSeconds)
            j.field("lastDroppedBytes", s.lastDroppedBytes)
            j.field("intervalSeconds", snapshots.settings.interval)
            j.field("logBytesLimit", snapshots.settings.logBytes)
            j.endObject()
        }
        if let r = restore.figures {
            j.key("restored")
            j.beginObject()
            j.field("fromSnapshot", r.fromSnapshot)
            j.field("snapshotTakenAt", r.snapshotTakenAt.map(RFC3339.format))
            j.field("snapshotBytes", r.snapshotBytes)
            j.field("snapshotSeconds", r.snapshotSeconds)
            j.field("records", r.records)
            j.field("events", r.events)
            j.field("bytes", r.bytes)
            j.field("tornBytes", r.tornBytes)
            j.field("tornReason", r.tornReason)
            j.field("seconds", r.seconds)
            j.endObject()
        }
        j.field("refusedNotReady", refusedNotReady)
        j.field("refusedNotWritten", refusedNotWritten)
        j.endObject()
    }

    /// Prometheus text lines for `/metrics`.
    func metricsText(refusedNotReady: Int, refusedNotWritten: Int) -> String {
        var out = ""
        func sample(_ name: String, _ type: String, _ help: String, _ value: String) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n\(name) \(value)\n"
        }
        sample("teamsview_ready", "gauge", "1 once the floor is restored from the data directory.", restore.isReady ? "1" : "0")
        sample("teamsview_ingest_refused_not_ready_total", "counter",
               "POST /ingest refused (503) while the floor was being restored.", String(refusedNotReady))
        sample("teamsview_ingest_refused_not_written_total", "counter",
               "POST /ingest refused (503) because the write-ahead log could not be written (full disk).", String(refusedNotWritten))
        if let r = restore.figures {
            sample("teamsview_restore_records", "gauge", "Write-ahead log records replayed at start.", String(r.records))
            sample("teamsview_restore_events", "gauge", "Events applied by the replay at start.", String(r.events))
            sample("teamsview_restore_torn_bytes", "gauge", "Bytes of a torn log tail cut at start.", String(r.tornBytes))
            sample("teamsview_restore_seconds", "gauge", "Seconds the restore took (snapshot and replay).", String(r.seconds))
            sample("teamsview_restore_from_snapshot", "gauge", "1 when the floor was restored from a snapshot first.",
                   r.fromSnapshot ? "1" : "0")
            sample("teamsview_restore_snapshot_seconds", "gauge", "Seconds reading and decoding the snapshot took.",
                   String(r.snapshotSeconds))
        }
        if let snapshots {
            let s = snapshots.figures
            sample("teamsview_snapshots_total", "counter", "Snapshots of the floor written.", String(s.snapshots))
            sample("teamsview_snapshot_failures_total", "counter", "Snapshots of the floor that failed.", String(s.failures))
            sample("teamsview_snapshot_last_timestamp_seconds", "gauge", "When the last snapshot was taken (Unix time).",
                   String(s.lastAt?.seconds ?? 0))
            sample("teamsview_snapshot_last_bytes", "gauge", "Size of the last snapshot.", String(s.lastBytes))
            sample("teamsview_snapshot_last_write_seconds", "gauge", "Seconds encoding and writing the last snapshot took.",
                   String(s.lastWriteSeconds))
            sample("teamsview_snapshot_last_pause_seconds", "gauge", "Seconds ingest waited for the last snapshot's cut.",
                   String(s.lastPauseSeconds))
        }
        if let journal {
            let f = journal.currentFigures
            sample("teamsview_journal_bytes", "gauge", "Written length of the write-ahead log.", String(f.fileBytes))
            sample("teamsview_journal_records_total", "counter", "Records appended to the write-ahead log.", String(f.records))
            sample("teamsview_journal_syncs_total", "counter", "fdatasync calls of the write-ahead log.", String(f.syncs))
            sample("teamsview_journal_sync_seconds_total", "counter", "Seconds spent in fdatasync.", String(f.syncSeconds))
            sample("teamsview_journal_sync_seconds_max", "gauge", "Longest fdatasync.", String(f.longestSync))
            sample("teamsview_journal_write_errors_total", "counter", "Failed writes or syncs of the write-ahead log.",
                   String(f.writeErrors))
        }
        return out
    }

    /// The status page tile: where the floor is kept, and what the restore and the log did.
    func statusTile() -> (storage: String, figures: String) {
        guard let journal else { return ("none: the floor is lost on a restart (kept in memory only)", "no write-ahead log (--in-memory, or --demo)") }
        let f = journal.currentFigures
        var parts: [String] = []
        if let r = restore.figures {
            if r.fromSnapshot { parts.append("restored a snapshot of \(r.snapshotBytes) bytes") }
            parts.append("restored \(r.records) records (\(r.events) events) in \(rounded(r.seconds)) s")
            if r.tornBytes > 0 { parts.append("cut a torn tail of \(r.tornBytes) bytes") }
        } else {
            parts.append("restoring…")
        }
        parts.append("log \(f.fileBytes) bytes")
        if let s = snapshots?.figures, s.snapshots > 0 {
            parts.append("\(s.snapshots) snapshots, last \(s.lastBytes) bytes in \(rounded(s.lastWriteSeconds)) s")
        }
        if let s = snapshots?.figures, let why = s.lastError { parts.append("snapshot failed: \(why)") }
        let mean = f.syncs == 0 ? 0 : f.syncSeconds / Double(f.syncs) * 1000
        parts.append("\(f.syncs) syncs, mean \(rounded(mean)) ms")
        if f.writeErrors > 0 { parts.append("\(f.writeErrors) write errors: \(f.lastError ?? "")") }
        return ("write-ahead log " + journal.path, parts.joined(separator: " · "))
    }
}

/// `x` rounded to hundredths, for people to read.
private func rounded(_ x: Double) -> String {
    String((x * 100).rounded() / 100)
}
