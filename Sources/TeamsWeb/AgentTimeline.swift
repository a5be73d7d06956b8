import TeamsReports

/// An agent's day as an inline SVG timeline: a lane of activities, a lane per call (live, held,
/// wrap-up), incidents marked in red; hours on the x axis in the report's time zone.
///
/// The axis spans the whole hours that have data (the working part of the day, 08:00 to 18:00, when there
/// is none), not the whole 24 hours. Every colour is its own, and each is named in the legend: call states
/// and incidents have fixed colours, activities take theirs from a palette none of those are in.
enum AgentTimeline {
    static let live = "#2563eb", held = "#d97706", wrapup = "#9ca3af", incidentColour = "#dc2626"
    /// Activities' colours: none is a call state's or the incidents' colour. The first is Available's.
    static let activityPalette = ["#16a34a", "#7c3aed", "#0891b2", "#db2777", "#78350f", "#84cc16", "#0f766e",
                                  "#a21caf", "#1e3a8a", "#ca8a04", "#be185d", "#4d7c0f"]
    /// A colour for each of `names`, the same for a name on every agent's day: Available (any case) is always the
    /// first (green); any other takes the palette slot its name hashes to (FNV-1a), or the next one free when two
    /// names of the day meet. Names are placed in name order, so two days with the same activities agree.
    static func activityColours(_ names: [String]) -> [String: String] {
        var taken = Set<Int>(), colours: [String: String] = [:]
        let available = names.filter { $0.lowercased() == "available" }
        for name in available + names.filter({ $0.lowercased() != "available" }).sorted() where colours[name] == nil {
            var hash: UInt32 = 0x811C_9DC5
            for byte in name.lowercased().utf8 { hash = (hash ^ UInt32(byte)) &* 0x0100_0193 }
            var slot = name.lowercased() == "available" ? 0 : 1 + Int(hash % UInt32(activityPalette.count - 1))
            if taken.count < activityPalette.count {
                while taken.contains(slot) { slot = (slot + 1) % activityPalette.count }
            }
            taken.insert(slot)
            colours[name] = activityPalette[slot]
        }
        return colours
    }

    /// Hours shown when the day has no data: the working part of the day.
    static let workingHours = 8..<18
    /// Lane labels longer than this end in an ellipsis (the whole label is the lane's tooltip).
    static let labelLimit = 36
    /// Units per character of the 11-unit type, generous (digits and capitals are the widest).
    static let charWidth = 6.8

    /// The span the axis covers (microseconds): whole hours of the zone around every span and incident of
    /// the day, or the working hours when there is none; at least an hour, never beyond the day.
    static func window(spans: [TimelineSpan], incidents: [Incident], day: Range<Int64>, horizon: Int64,
                       zone: ReportZone) -> Range<Int64> {
        var low = Int64.max, high = Int64.min
        func take(_ start: Int64, _ end: Int64?) {
            let stop = end ?? max(horizon, start)
            guard stop > day.lowerBound, start < day.upperBound else { return }
            low = min(low, max(start, day.lowerBound))
            high = max(high, min(stop, day.upperBound))
        }
        for span in spans { take(span.start, span.end) }
        for incident in incidents { take(incident.start, incident.end) }
        return hours(covering: low..<max(low, high), day: day, zone: zone, atLeast: 3600)
    }

    /// The whole hours of the zone around `data` (microseconds; empty: none), `atLeast` seconds long, never
    /// beyond `day`; the working hours when there is no data. The agent's timeline and the report's charts
    /// span their data so.
    static func hours(covering data: Range<Int64>, day: Range<Int64>, zone: ReportZone, atLeast: Int64) -> Range<Int64> {
        let low = data.lowerBound, high = data.upperBound
        let dayStart = day.lowerBound / 1_000_000, dayEnd = day.upperBound / 1_000_000
        func isHour(_ t: Int64) -> Bool { zone.clock(t).hasSuffix(":00") }
        guard low < high else {
            // The working hours: the first interval whose clock reads 08:00, to the one reading 18:00.
            var from = dayStart, to = dayEnd
            var t = dayStart
            while t < dayEnd {
                let hour = Int(zone.clock(t).prefix(2)) ?? 0
                if isHour(t), hour == workingHours.lowerBound, from == dayStart { from = t }
                if isHour(t), hour == workingHours.upperBound { to = t; break }
                t += ReportZone.intervalSeconds
            }
            return from * 1_000_000..<to * 1_000_000
        }
        var from = ReportZone.intervalStart(low / 1_000_000)
        while from > dayStart, !isHour(from) { from -= ReportZone.intervalSeconds }
        var to = ReportZone.intervalStart((high - 1) / 1_000_000) + ReportZone.intervalSeconds
        while to < dayEnd, !isHour(to) { to += ReportZone.intervalSeconds }
        if to - from < atLeast { to = min(dayEnd, from + atLeast) }
        if to - from < atLeast { from = max(dayStart, to - atLeast) }
        return max(from, dayStart) * 1_000_000..<min(to, dayEnd) * 1_000_000
    }

    /// `text` cut to `limit` characters, ending in an ellipsis when cut.
    static func shortened(_ text: String, _ limit: Int) -> String {
        text.count <= limit ? text : String(text.prefix(limit - 1)) + "…"
    }

    static func svg(spans: [TimelineSpan], incidents: [Incident], day: Range<Int64>, horizon: Int64,
                    zone: ReportZone) -> String {
        let e = ReportChart.escape, fmt = ReportChart.fmt
        let calls = spans.filter { $0.kind == .call }.map(\.ref)
        let lanes = ["Activity"] + calls
        let shown = window(spans: spans, incidents: incidents, day: day, horizon: horizon, zone: zone)
        let start = shown.lowerBound, end = shown.upperBound
        // Activities in order of first appearance (the legend's order), each with its own colour.
        var activities: [String] = []
        for span in spans where span.kind == .activity && !activities.contains(span.ref) { activities.append(span.ref) }
        let activityColour = activityColours(activities)
        let legend = [("Live", live), ("Held", held), ("Wrap-up", wrapup), ("Incident", incidentColour)]
            + activities.map { ($0, activityColour[$0]!) }
        let width = 960.0, right = 24.0, lane = 22.0
        let longest = lanes.map { min($0.count, labelLimit) }.max() ?? 8
        let left = min(300, max(90, Double(longest) * charWidth + 16))
        // The legend in rows that wrap within the drawing.
        var legendItems: [(name: String, colour: String, x: Double, row: Int)] = []
        var lx = 10.0, row = 0
        for (name, colour) in legend {
            let label = shortened(name, 40)
            let w = 14 + Double(label.count) * charWidth + 16
            if lx + w > width - 10, lx > 10 { lx = 10; row += 1 }
            legendItems.append((label, colour, lx, row))
            lx += w
        }
        let legendHeight = Double(row + 1) * 18
        let top = legendHeight + 22
        let axisY = top + lane * Double(lanes.count)
        let height = axisY + 24
        let plot = width - left - right
        func x(_ t: Int64) -> Double { left + plot * Double(min(max(t, start), end) - start) / Double(end - start) }
        let title = "Timeline of the day, \(zone.clock(start / 1_000_000)) to \(end >= day.upperBound ? "24:00" : zone.clock(end / 1_000_000))"
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart chart--timeline\" viewBox=\"0 0 \(fmt(width)) \(fmt(height))\" "
            + "role=\"img\" aria-label=\"\(e(title))\"><title>\(e(title))</title>"
        for item in legendItems {
            let y = 6 + Double(item.row) * 18
            s += "<rect x=\"\(fmt(item.x))\" y=\"\(fmt(y + 2))\" width=\"10\" height=\"10\" fill=\"\(item.colour)\"/>"
            s += "<text x=\"\(fmt(item.x + 14))\" y=\"\(fmt(y + 11))\" font-size=\"11\" fill=\"currentColor\">\(e(item.name))</text>"
        }
        // Hour ticks: a line every hour, a label every `every` hours so labels keep apart.
        var hours: [Int64] = []
        var t = start / 1_000_000
        while t * 1_000_000 <= end {
            if zone.clock(t).hasSuffix(":00") { hours.append(t) }
            t += ReportZone.intervalSeconds
        }
        let hourCount: Double = max(1, Double(end - start) / 3_600_000_000)
        let perHour: Double = plot / hourCount
        let every = [1, 2, 3, 4, 6].first { (n: Int) -> Bool in Double(n) * perHour >= 48 } ?? 6
        for (i, hour) in hours.enumerated() {
            let px = x(hour * 1_000_000)
            s += "<line x1=\"\(fmt(px))\" y1=\"\(fmt(top - 4))\" x2=\"\(fmt(px))\" y2=\"\(fmt(axisY))\" stroke=\"#9ca3af\" stroke-width=\"0.5\"/>"
            if i % every == 0 {
                let label = hour * 1_000_000 >= day.upperBound ? "24:00" : zone.clock(hour)
                s += "<text x=\"\(fmt(px))\" y=\"\(fmt(axisY + 15))\" text-anchor=\"middle\" font-size=\"11\" fill=\"currentColor\">\(e(label))</text>"
            }
        }
        for (i, name) in lanes.enumerated() {
            let y = top + lane * Double(i)
            s += "<text x=\"\(fmt(left - 6))\" y=\"\(fmt(y + 15))\" text-anchor=\"end\" font-size=\"11\" fill=\"currentColor\">"
                + "<title>\(e(name))</title>\(e(shortened(name, labelLimit)))</text>"
        }
        for span in spans {
            let stop = span.end ?? max(horizon, span.start)
            guard stop > start, span.start < end else { continue }
            let colour: String
            let laneIndex: Int
            switch span.kind {
            case .activity: colour = activityColour[span.ref]!; laneIndex = 0
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
            guard stop > start, incident.start < end else { continue }
            let w = max(2, x(stop) - x(incident.start))
            s += "<rect x=\"\(fmt(x(incident.start)))\" y=\"\(fmt(top - 10))\" width=\"\(fmt(w))\" height=\"6\" fill=\"\(incidentColour)\">"
                + "<title>\(e(incident.kind.rawValue)) \(e(zone.clock(incident.start / 1_000_000)))</title></rect>"
        }
        return s + "</svg>"
    }
}
