import JSONOutput
import TeamsReports

/// The JSON of `/api/report` and `/api/incidents` (names fixed: other tools read them).
enum ReportJSON {
    static func figures(_ f: IntervalFigures, into w: inout JSONWriter, activity: Bool = true) {
        for (name, value) in f.fields {
            w.key(name)
            if value == value.rounded() && abs(value) < 1e15 { w.int(Int(value)) } else { w.double(value) }
        }
        if activity {
            w.key("activitySeconds")
            w.beginObject()
            for (name, micros) in f.activity.sorted(by: { $0.key < $1.key }) {
                w.field(name, IntervalFigures.seconds(micros))
            }
            w.endObject()
        }
    }

    /// `{"from","to","timeZone","rows":[{"key","name",figures...,"activitySeconds":{}}],"totals":{figures}}`,
    /// with `"intervals":[{"start",figures...}]` per row when asked.
    static func report(_ rows: [ReportRow], totals: IntervalFigures, from: String, to: String, zone: ReportZone,
                       intervals: Bool) -> [UInt8] {
        var w = JSONWriter()
        w.beginObject()
        w.field("from", from)
        w.field("to", to)
        w.field("timeZone", zone.identifier)
        w.key("rows")
        w.beginArray()
        for row in rows {
            w.beginObject()
            w.field("key", row.key)
            w.field("name", row.name)
            figures(row.figures, into: &w)
            if intervals {
                w.key("intervals")
                w.beginArray()
                for (start, f) in row.intervals {
                    w.beginObject()
                    w.field("start", zone.format(start))
                    figures(f, into: &w)
                    w.endObject()
                }
                w.endArray()
            }
            w.endObject()
        }
        w.endArray()
        w.key("totals")
        w.beginObject()
        figures(totals, into: &w)
        w.endObject()
        w.endObject()
        return w.bytes
    }

    static func incident(_ r: IncidentRecord, zone: ReportZone, into w: inout JSONWriter) {
        let i = r.incident
        w.beginObject()
        w.field("id", i.id)
        w.field("worker", i.worker)
        w.field("workerName", r.workerName)
        w.field("kind", i.kind.rawValue)
        w.field("start", zone.format(i.start / 1_000_000))
        w.field("end", i.end.map { zone.format($0 / 1_000_000) })
        w.key("calls")
        w.beginArray()
        for call in i.calls { w.string(call) }
        w.endArray()
        w.field("queue", i.queue.isEmpty ? nil : i.queue)
        w.field("via", i.via.isEmpty ? nil : i.via)
        w.field("exposureSeconds", IntervalFigures.seconds(i.exposure))
        w.field("acknowledgedBy", r.acknowledgedBy)
        w.field("acknowledgedAt", r.acknowledgedAt.map { zone.format($0 / 1_000_000) })
        w.field("note", r.note)
        w.endObject()
    }

    /// `{"incidents":[{"id","worker","workerName","kind","start","end","calls","queue","via","exposureSeconds",
    /// "acknowledgedBy","acknowledgedAt","note"}]}`
    static func incidents(_ records: [IncidentRecord], zone: ReportZone) -> [UInt8] {
        var w = JSONWriter()
        w.beginObject()
        w.key("incidents")
        w.beginArray()
        for r in records { incident(r, zone: zone, into: &w) }
        w.endArray()
        w.endObject()
        return w.bytes
    }
}
