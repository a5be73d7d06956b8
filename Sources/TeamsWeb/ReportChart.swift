import TeamsReports

/// Server-drawn inline SVG charts (no script, no inline style: colours are presentation attributes,
/// which the pages' CSP allows). Every text is XML-escaped; the output is well-formed XML.
enum ReportChart {
    static let palette = ["#2563eb", "#dc2626", "#16a34a", "#d97706", "#7c3aed", "#0891b2", "#db2777", "#65a30d",
                          "#9ca3af", "#78350f"]

    static func escape(_ text: String) -> String {
        // Most names and labels need nothing: return them as they are.
        if !text.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "&") || $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: ">")
            || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "'") }) {
            return text
        }
        var out = ""
        for ch in text.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default:
                if ch.value >= 0x20 || ch == "\t" { out.unicodeScalars.append(ch) }
            }
        }
        return out
    }

    static func fmt(_ v: Double) -> String {
        let r = (v * 10).rounded() / 10
        return r == r.rounded() ? String(Int(r)) : String(r)
    }

    /// A round axis maximum at or above `v`, and its tick step.
    static func niceScale(_ v: Double) -> (max: Double, step: Double) {
        guard v > 0 else { return (1, 1) }
        let raw = v / 4
        var magnitude = 1.0
        while magnitude * 10 <= raw { magnitude *= 10 }
        while magnitude > raw { magnitude /= 10 }
        let step = [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? raw
        return ((v / step).rounded(.up) * step, step)
    }

    struct Series {
        var name: String
        var values: [Double]
    }

    struct Frame {
        let width = 720.0, height = 240.0, left = 48.0, right = 12.0, top = 28.0, bottom = 40.0
        var plotWidth: Double { width - left - right }
        var plotHeight: Double { height - top - bottom }
    }

    /// Axes, ticks, labels and a legend around a plot whose x runs over `labels`.
    private static func axes(_ f: Frame, title: String, yLabel: String, yMax: Double, step: Double,
                             labels: [String], legend: [String]) -> String {
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 \(fmt(f.width)) \(fmt(f.height))\" "
            + "role=\"img\" aria-label=\"\(escape(title))\"><title>\(escape(title))</title>"
        var tick = 0.0
        while tick <= yMax + 1e-9 {
            let y = f.top + f.plotHeight * (1 - tick / yMax)
            s += "<line x1=\"\(fmt(f.left))\" y1=\"\(fmt(y))\" x2=\"\(fmt(f.width - f.right))\" y2=\"\(fmt(y))\" stroke=\"#9ca3af\" stroke-width=\"0.5\"/>"
            s += "<text x=\"\(fmt(f.left - 4))\" y=\"\(fmt(y + 4))\" text-anchor=\"end\" font-size=\"11\" fill=\"currentColor\">\(fmt(tick))</text>"
            tick += step
        }
        s += "<line x1=\"\(fmt(f.left))\" y1=\"\(fmt(f.top + f.plotHeight))\" x2=\"\(fmt(f.width - f.right))\" y2=\"\(fmt(f.top + f.plotHeight))\" stroke=\"currentColor\"/>"
        s += "<line x1=\"\(fmt(f.left))\" y1=\"\(fmt(f.top))\" x2=\"\(fmt(f.left))\" y2=\"\(fmt(f.top + f.plotHeight))\" stroke=\"currentColor\"/>"
        let n = max(1, labels.count)
        let every = max(1, Int((Double(n) / 8).rounded(.up)))
        for (i, label) in labels.enumerated() where i % every == 0 {
            let x = f.left + f.plotWidth * (Double(i) + 0.5) / Double(n)
            s += "<text x=\"\(fmt(x))\" y=\"\(fmt(f.top + f.plotHeight + 16))\" text-anchor=\"middle\" font-size=\"11\" fill=\"currentColor\">\(escape(label))</text>"
        }
        s += "<text x=\"12\" y=\"\(fmt(f.top + f.plotHeight / 2))\" font-size=\"11\" fill=\"currentColor\" text-anchor=\"middle\" "
            + "transform=\"rotate(-90 12 \(fmt(f.top + f.plotHeight / 2)))\">\(escape(yLabel))</text>"
        var x = f.left
        for (i, name) in legend.enumerated() {
            s += "<rect x=\"\(fmt(x))\" y=\"8\" width=\"10\" height=\"10\" fill=\"\(palette[i % palette.count])\"/>"
            s += "<text x=\"\(fmt(x + 14))\" y=\"17\" font-size=\"11\" fill=\"currentColor\">\(escape(name))</text>"
            x += 24 + Double(name.count) * 6.5
        }
        return s
    }

    /// Lines over the intervals (e.g. calls live, agents on 2+ calls).
    static func lines(title: String, yLabel: String, labels: [String], series: [Series]) -> String {
        let f = Frame()
        let (yMax, step) = niceScale(series.flatMap(\.values).max() ?? 0)
        var s = axes(f, title: title, yLabel: yLabel, yMax: yMax, step: step, labels: labels, legend: series.map(\.name))
        let n = max(1, labels.count)
        for (k, serie) in series.enumerated() {
            let points = serie.values.enumerated().map { i, v in
                "\(fmt(f.left + f.plotWidth * (Double(i) + 0.5) / Double(n))),\(fmt(f.top + f.plotHeight * (1 - v / yMax)))"
            }
            s += "<polyline fill=\"none\" stroke=\"\(palette[k % palette.count])\" stroke-width=\"2\" points=\"\(points.joined(separator: " "))\"/>"
        }
        return s + "</svg>"
    }

    /// Stacked bars: one bar per label, one colour per series.
    static func stacked(title: String, yLabel: String, labels: [String], series: [Series]) -> String {
        let f = Frame()
        let totals = labels.indices.map { i in series.reduce(0) { $0 + (i < $1.values.count ? $1.values[i] : 0) } }
        let (yMax, step) = niceScale(totals.max() ?? 0)
        var s = axes(f, title: title, yLabel: yLabel, yMax: yMax, step: step, labels: labels, legend: series.map(\.name))
        let n = max(1, labels.count)
        let barWidth = f.plotWidth / Double(n) * 0.8
        for i in labels.indices {
            var base = 0.0
            let x = f.left + f.plotWidth * Double(i) / Double(n) + f.plotWidth / Double(n) * 0.1
            for (k, serie) in series.enumerated() {
                let v = i < serie.values.count ? serie.values[i] : 0
                guard v > 0 else { continue }
                let y = f.top + f.plotHeight * (1 - (base + v) / yMax)
                let h = f.plotHeight * v / yMax
                s += "<rect x=\"\(fmt(x))\" y=\"\(fmt(y))\" width=\"\(fmt(barWidth))\" height=\"\(fmt(h))\" fill=\"\(palette[k % palette.count])\">"
                    + "<title>\(escape(labels[i])) \(escape(serie.name)): \(fmt(v))</title></rect>"
                base += v
            }
        }
        return s + "</svg>"
    }
}
