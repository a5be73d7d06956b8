import HTTPTypes
import JSONOutput
import MicroHTTP
import TeamsDomain
import TeamsIngest

/// What the server says about keeping the floor across restarts: `/readyz`, the `durability` object of
/// `/api/status`, its `/metrics` lines and the status page tile. Facts come from the restore
/// (``RestoreProgress``) and the write-ahead log's writer (``WriteAheadLog/Figures``).
public struct Durability: Sendable {
    public let restore: RestoreProgress
    public let journal: WriteAheadLog?

    public init(restore: RestoreProgress, journal: WriteAheadLog?) {
        self.restore = restore
        self.journal = journal
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
    /// `log` (path, bytes, records appended, syncs, mean and longest sync in ms, write errors, last error),
    /// `restored` (records, events, bytes, torn bytes, seconds), `refusedNotReady`, `refusedNotWritten`.
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
            j.endObject()
        }
        if let r = restore.figures {
            j.key("restored")
            j.beginObject()
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
            sample("teamsview_restore_seconds", "gauge", "Seconds the replay took.", String(r.seconds))
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
        guard let journal else { return ("in memory: the floor is lost on a restart", "no write-ahead log (--in-memory)") }
        let f = journal.currentFigures
        var parts: [String] = []
        if let r = restore.figures {
            parts.append("restored \(r.records) records (\(r.events) events) in \(rounded(r.seconds)) s")
            if r.tornBytes > 0 { parts.append("cut a torn tail of \(r.tornBytes) bytes") }
        } else {
            parts.append("restoring…")
        }
        parts.append("log \(f.fileBytes) bytes")
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
