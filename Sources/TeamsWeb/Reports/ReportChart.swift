import TeamsReports

/// Server-drawn inline SVG charts (no script, no inline style: colours are presentation attributes,
/// which the pages' CSP allows). Every text is XML-escaped; the SVG is well-formed XML.
///
/// A chart is a `<figcaption>` (its title, in words on the page, not only for screen readers), an HTML
/// legend (it wraps and keeps its size on a phone), then the SVG. Axis labels are 12 units, up to 21 in a
/// narrow box (`report.css`), where the 720-unit-wide SVG is drawn at half its size.
enum ReportChart {
    static let palette = ["#2563eb", "#dc2626", "#16a34a", "#d97706", "#7c3aed", "#0891b2", "#db2777", "#65a30d",
                          "#9ca3af", "#78350f"]

    /// `text` for SVG (XML): control characters but tab dropped, the rest escaped as in HTML (``HTMLText``).
    static func escape(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 < 0x20 && $0 != 0x09 }) else { return HTMLText.escape(text) }
        return HTMLText.escape(String(String.UnicodeScalarView(text.unicodeScalars.filter { $0.value >= 0x20 || $0 == "\t" })))
    }

    static func fmt(_ v: Double) -> String {
        let r = (v * 10).rounded() / 10
        return r == r.rounded() ? String(Int(r)) : String(r)
    }

    /// A round axis maximum at or above `v`, and its tick step.
    /// With `whole`, the step is a whole number (counts: no tick at 0.25 of a hold).
    static func niceScale(_ v: Double, whole: Bool = false) -> (max: Double, step: Double) {
        guard v > 0 else { return (1, 1) }
        if whole, v <= 4 { return (v.rounded(.up), 1) }
        let raw = v / 4
        var magnitude = 1.0
        while magnitude * 10 <= raw { magnitude *= 10 }
        while magnitude > raw { magnitude /= 10 }
        var step = [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? raw
        if whole { step = step.rounded(.up) }
        return ((v / step).rounded(.up) * step, step)
    }

    /// One series: a value per label, `nil` where there is no figure (an interval before the first event
    /// is absent from the chart, not drawn as 0).
    struct Series {
        var name: String
        var values: [Double?]
    }

    /// The interval still in progress: its index among the labels, and the seconds of it elapsed.
    struct InProgress {
        var index: Int
        var elapsedSeconds: Double

        /// E.g. `14:30 in progress: the average of its 7 minutes so far`.
        func note(_ labels: [String]) -> String {
            let minutes = max(1, Int((elapsedSeconds / 60).rounded(.down)))
            let label = index < labels.count ? labels[index] + " " : ""
            return "\(label)in progress: the average of its " + Formatting.plural(minutes, "minute") + " so far"
        }
    }

    struct Frame {
        let width = 720.0, height = 240.0, left = 56.0, right = 12.0, top = 12.0
        /// Room under the plot for the x labels: two lines of them for categories.
        var bottom = 40.0
        var plotWidth: Double { width - left - right }
        var plotHeight: Double { height - top - bottom }
    }

    /// Every how many labels one is written on the x axis: room for each at a narrow box's 21-unit type,
    /// and a whole number of hours for 15-minute intervals (09:00 always shows when 00:00 does).
    /// With `multipleOf` (4: hours of 15-minute intervals) the step is a multiple of it.
    static func labelStep(_ labels: [String], plotWidth: Double, multipleOf: Int = 1) -> Int {
        let longest = Double(labels.map(\.count).max() ?? 1)
        let fit = max(1, plotWidth / (longest * 12.6 + 12))
        let raw = Double(labels.count) / fit
        return [1, 2, 4, 8, 12, 16, 24, 48, 96].first { Double($0) >= raw && $0 % multipleOf == 0 }
            ?? Int(raw.rounded(.up))
    }

    /// The caption and legend above a chart (HTML): the title as words, a swatch per series, and the
    /// in-progress note when there is one.
    private static func head(title: String, legend: [String], inProgress: String?) -> String {
        var s = "<figcaption class=\"chart__caption\">\(escape(title))</figcaption><ul class=\"chart__legend\">"
        for (i, name) in legend.enumerated() {
            s += "<li><span class=\"chart__swatch chart__swatch--\(i % palette.count)\" aria-hidden=\"true\"></span>\(escape(name))</li>"
        }
        if let inProgress {
            s += "<li class=\"chart__progress\"><span class=\"chart__swatch chart__swatch--progress\" aria-hidden=\"true\"></span>\(escape(inProgress))</li>"
        }
        return s + "</ul>"
    }

    /// Axes, ticks and labels around a plot whose x runs over `labels`.
    /// With `categories` every label is written (a category left unnamed is unreadable), a long one on two
    /// lines, broken after its dash (`30 s–` / `1 min`).
    private static func axes(_ f: Frame, title: String, yLabel: String, yMax: Double, step: Double,
                             labels: [String], categories: Bool = false, labelsEvery: Int = 1) -> String {
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 \(fmt(f.width)) \(fmt(f.height))\" "
            + "role=\"img\" aria-label=\"\(escape(title))\"><title>\(escape(title))</title>"
        var tick = 0.0
        while tick <= yMax + 1e-9 {
            let y = f.top + f.plotHeight * (1 - tick / yMax)
            s += "<line x1=\"\(fmt(f.left))\" y1=\"\(fmt(y))\" x2=\"\(fmt(f.width - f.right))\" y2=\"\(fmt(y))\" stroke=\"#9ca3af\" stroke-width=\"0.5\"/>"
            s += "<text class=\"chart__tick\" x=\"\(fmt(f.left - 6))\" y=\"\(fmt(y + 4))\" text-anchor=\"end\" font-size=\"12\" fill=\"currentColor\">\(fmt(tick))</text>"
            tick += step
        }
        s += "<line x1=\"\(fmt(f.left))\" y1=\"\(fmt(f.top + f.plotHeight))\" x2=\"\(fmt(f.width - f.right))\" y2=\"\(fmt(f.top + f.plotHeight))\" stroke=\"currentColor\"/>"
        s += "<line x1=\"\(fmt(f.left))\" y1=\"\(fmt(f.top))\" x2=\"\(fmt(f.left))\" y2=\"\(fmt(f.top + f.plotHeight))\" stroke=\"currentColor\"/>"
        let n = max(1, labels.count)
        let every = categories ? 1 : labelStep(labels, plotWidth: f.plotWidth, multipleOf: labelsEvery)
        let slot = f.plotWidth / Double(n)
        for (i, label) in labels.enumerated() where i % every == 0 {
            let x = f.left + f.plotWidth * (Double(i) + 0.5) / Double(n)
            let y = f.top + f.plotHeight + 22
            s += "<text class=\"chart__tick\" x=\"\(fmt(x))\" y=\"\(fmt(y))\" text-anchor=\"middle\" font-size=\"12\" fill=\"currentColor\">"
            // 12.6 units a character at the narrow box's 21-unit type.
            if categories, Double(label.count) * 12.6 > slot, let dash = label.firstIndex(of: "–") {
                let first = label[...dash], second = label[label.index(after: dash)...]
                s += "<tspan x=\"\(fmt(x))\">\(escape(String(first)))</tspan><tspan x=\"\(fmt(x))\" dy=\"1.1em\">\(escape(String(second)))</tspan>"
            } else {
                s += escape(label)
            }
            s += "</text>"
        }
        s += "<text class=\"chart__axis\" x=\"12\" y=\"\(fmt(f.top + f.plotHeight / 2))\" font-size=\"12\" fill=\"currentColor\" text-anchor=\"middle\" "
            + "transform=\"rotate(-90 12 \(fmt(f.top + f.plotHeight / 2)))\">\(escape(yLabel))</text>"
        return s
    }

    /// Lines over the intervals (e.g. calls live, agents on 2+ calls). A series may stop before the
    /// labels do (intervals not begun yet); the point of the interval in progress is drawn hollow, after a
    /// dashed rule, and said in the legend.
    /// `labelsEvery`: the x labels' step is a multiple of it (4: whole hours of a day's 15-minute intervals).
    static func lines(title: String, yLabel: String, labels: [String], series: [Series], inProgress: InProgress? = nil,
                      labelsEvery: Int = 1) -> String {
        let f = Frame()
        let (yMax, step) = niceScale(series.flatMap { $0.values.compactMap { $0 } }.max() ?? 0)
        var s = head(title: title, legend: series.map(\.name), inProgress: inProgress?.note(labels))
        s += axes(f, title: title, yLabel: yLabel, yMax: yMax, step: step, labels: labels, labelsEvery: labelsEvery)
        let n = max(1, labels.count)
        func x(_ i: Int) -> Double { f.left + f.plotWidth * (Double(i) + 0.5) / Double(n) }
        func y(_ v: Double) -> Double { f.top + f.plotHeight * (1 - v / yMax) }
        if let p = inProgress {
            s += "<line x1=\"\(fmt(x(p.index)))\" y1=\"\(fmt(f.top))\" x2=\"\(fmt(x(p.index)))\" y2=\"\(fmt(f.top + f.plotHeight))\" "
                + "stroke=\"currentColor\" stroke-width=\"1\" stroke-dasharray=\"4 3\" opacity=\"0.6\"><title>\(escape(p.note(labels)))</title></line>"
        }
        for (k, serie) in series.enumerated() {
            let colour = palette[k % palette.count]
            // One line per run of figures: no line is drawn through an interval without one.
            var runs: [[String]] = [[]]
            for (i, value) in serie.values.enumerated() {
                if let v = value {
                    runs[runs.count - 1].append("\(fmt(x(i))),\(fmt(y(v)))")
                } else if !runs[runs.count - 1].isEmpty {
                    runs.append([])
                }
            }
            for points in runs where !points.isEmpty {
                s += "<polyline fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2\" points=\"\(points.joined(separator: " "))\"/>"
            }
            if let p = inProgress, p.index < serie.values.count, let v = serie.values[p.index] {
                s += "<circle cx=\"\(fmt(x(p.index)))\" cy=\"\(fmt(y(v)))\" r=\"4.5\" fill=\"#ffffff\" stroke=\"\(colour)\" stroke-width=\"2\">"
                    + "<title>\(escape(serie.name)): \(fmt(v)), \(escape(p.note(labels)))</title></circle>"
            }
        }
        return s + "</svg>"
    }

    /// Stacked bars: one bar per label, one colour per series; the bar of the interval in progress is
    /// drawn lighter and said in the legend.
    /// With `categories` the labels name categories (not intervals): every one is written.
    static func stacked(title: String, yLabel: String, labels: [String], series: [Series], inProgress: InProgress? = nil,
                        categories: Bool = false, labelsEvery: Int = 1) -> String {
        var f = Frame()
        if categories { f.bottom = 62 }
        let totals = labels.indices.map { i in series.reduce(0) { $0 + ((i < $1.values.count ? $1.values[i] : nil) ?? 0) } }
        let (yMax, step) = niceScale(totals.max() ?? 0, whole: categories)
        var s = head(title: title, legend: series.map(\.name), inProgress: inProgress?.note(labels))
        s += axes(f, title: title, yLabel: yLabel, yMax: yMax, step: step, labels: labels, categories: categories,
                  labelsEvery: labelsEvery)
        let n = max(1, labels.count)
        let barWidth = f.plotWidth / Double(n) * 0.8
        for i in labels.indices {
            var base = 0.0
            let x = f.left + f.plotWidth * Double(i) / Double(n) + f.plotWidth / Double(n) * 0.1
            let partial = inProgress?.index == i
            for (k, serie) in series.enumerated() {
                guard i < serie.values.count, let v = serie.values[i], v > 0 else { continue }
                let y = f.top + f.plotHeight * (1 - (base + v) / yMax)
                let h = f.plotHeight * v / yMax
                s += "<rect x=\"\(fmt(x))\" y=\"\(fmt(y))\" width=\"\(fmt(barWidth))\" height=\"\(fmt(h))\" fill=\"\(palette[k % palette.count])\""
                    + (partial ? " fill-opacity=\"0.5\"" : "") + ">"
                    + "<title>\(escape(labels[i])) \(escape(serie.name)): \(fmt(v))\(partial ? " (" + escape(inProgress!.note([])) + ")" : "")</title></rect>"
                base += v
            }
        }
        return s + "</svg>"
    }
}
