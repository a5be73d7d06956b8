import TeamsReports

/// An agent's day as an inline SVG timeline: a lane of activities, a lane per call (live, held,
/// wrap-up), incidents marked in red; hours on the x axis in the report's time zone.
enum AgentTimeline {
    static let live = "#2563eb", held = "#d97706", wrapup = "#9ca3af", incidentColour = "#dc2626"

    static func svg(spans: [TimelineSpan], incidents: [Incident], day: Range<Int64>, horizon: Int64,
                    zone: ReportZone) -> String {
        let e = ReportChart.escape, fmt = ReportChart.fmt
        let calls = spans.filter { $0.kind == .call }.map(\.ref)
        let lanes = ["Activity"] + calls
        let left = 130.0, right = 10.0, top = 30.0, lane = 22.0, width = 960.0
        let axisY = top + lane * Double(lanes.count)
        let height = axisY + 36
        let plot = width - left - right
        let start = day.lowerBound, end = day.upperBound
        func x(_ t: Int64) -> Double { left + plot * Double(min(max(t, start), end) - start) / Double(end - start) }
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart chart--timeline\" viewBox=\"0 0 \(fmt(width)) \(fmt(height))\" "
            + "role=\"img\" aria-label=\"Timeline of the day\"><title>Timeline of the day</title>"
        // Hour ticks.
        var hour = ReportZone.intervalStart(start / 1_000_000)
        while hour * 1_000_000 <= end {
            let t = hour * 1_000_000
            if t >= start, zone.clock(hour).hasSuffix(":00") {
                let h = Int(zone.clock(hour).prefix(2)) ?? 0
                let px = x(t)
                s += "<line x1=\"\(fmt(px))\" y1=\"\(fmt(top - 4))\" x2=\"\(fmt(px))\" y2=\"\(fmt(axisY))\" stroke=\"#9ca3af\" stroke-width=\"0.5\"/>"
                if h % 2 == 0 {
                    s += "<text x=\"\(fmt(px))\" y=\"\(fmt(axisY + 14))\" text-anchor=\"middle\" font-size=\"11\" fill=\"currentColor\">\(e(zone.clock(hour)))</text>"
                }
            }
            hour += ReportZone.intervalSeconds
        }
        for (i, name) in lanes.enumerated() {
            let y = top + lane * Double(i)
            s += "<text x=\"\(fmt(left - 6))\" y=\"\(fmt(y + 15))\" text-anchor=\"end\" font-size=\"11\" fill=\"currentColor\">\(e(String(name.prefix(18))))</text>"
        }
        var activityColour: [String: String] = [:]
        for span in spans {
            let stop = span.end ?? max(horizon, span.start)
            guard stop > start, span.start < end else { continue }
            let colour: String
            let laneIndex: Int
            switch span.kind {
            case .activity:
                if activityColour[span.ref] == nil {
                    activityColour[span.ref] = ReportChart.palette[(activityColour.count + 2) % ReportChart.palette.count]
                }
                colour = activityColour[span.ref]!
                laneIndex = 0
            case .live: colour = live; laneIndex = 1 + (calls.firstIndex(of: span.ref) ?? 0)
            case .held: colour = held; laneIndex = 1 + (calls.firstIndex(of: span.ref) ?? 0)
            case .wrapup: colour = wrapup; laneIndex = 1 + (calls.firstIndex(of: span.ref) ?? 0)
            case .call: continue
            }
            let y = top + lane * Double(laneIndex) + 3
            let w = max(1, x(stop) - x(span.start))
            let label = span.kind == .activity ? span.ref : "\(span.kind.rawValue) \(span.ref)"
            s += "<rect x=\"\(fmt(x(span.start)))\" y=\"\(fmt(y))\" width=\"\(fmt(w))\" height=\"\(fmt(lane - 6))\" fill=\"\(colour)\">"
                + "<title>\(e(label)): \(e(zone.clock(span.start / 1_000_000)))–\(e(zone.clock(stop / 1_000_000)))</title></rect>"
        }
        for incident in incidents {
            let stop = incident.end ?? max(horizon, incident.start)
            let w = max(2, x(stop) - x(incident.start))
            s += "<rect x=\"\(fmt(x(incident.start)))\" y=\"\(fmt(top - 10))\" width=\"\(fmt(w))\" height=\"6\" fill=\"\(incidentColour)\">"
                + "<title>\(e(incident.kind.rawValue)) \(e(zone.clock(incident.start / 1_000_000)))</title></rect>"
        }
        var lx = left
        let legend = [("Live", live), ("Held", held), ("Wrap-up", wrapup), ("Incident", incidentColour)]
            + activityColour.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        for (name, colour) in legend {
            s += "<rect x=\"\(fmt(lx))\" y=\"\(fmt(axisY + 20))\" width=\"10\" height=\"8\" fill=\"\(colour)\"/>"
            s += "<text x=\"\(fmt(lx + 13))\" y=\"\(fmt(axisY + 28))\" font-size=\"10\" fill=\"currentColor\">\(e(name))</text>"
            lx += 24 + Double(name.count) * 6
        }
        return s + "</svg>"
    }
}
