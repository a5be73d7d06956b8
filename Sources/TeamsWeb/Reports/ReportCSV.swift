import Foundation
import TeamsReports

/// `/report.csv`: RFC 4180 (CRLF, quoted where needed, UTF-8 with a BOM so spreadsheets read the
/// encoding), cells that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR first)
/// prefixed with `'`.
enum ReportCSV {
    static func cell(_ text: String) -> String {
        var s = text
        if let first = s.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) { s = "'" + s }
        if s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
            return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return s
    }

    static func number(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e15 ? String(Int(v)) : String(v)
    }

    /// One line per row, then a `Total` line; activity columns `activity:<name>` in name order.
    static func report(_ rows: [ReportRow], totals: IntervalFigures, grouping: ReportGrouping) -> [UInt8] {
        let activities = Set(rows.flatMap(\.figures.activity.keys)).sorted()
        var lines: [String] = []
        let header = ["key", "name"] + IntervalFigures.fieldNames + activities.map { "activity:" + $0 }
        lines.append(header.map(cell).joined(separator: ","))
        func line(_ key: String, _ name: String, _ f: IntervalFigures) -> String {
            // By queue, an agent's figures (time on 2+ calls, most calls, exposure) stay empty: they are not the queue's.
            let cells = [cell(key), cell(name)]
                + f.fields.map { grouping == .queue && IntervalFigures.agentOnlyFields.contains($0.name) ? "" : number($0.value) }
                + activities.map { number(IntervalFigures.seconds(f.activity[$0] ?? 0)) }
            return cells.joined(separator: ",")
        }
        for row in rows { lines.append(line(row.key, row.name, row.figures)) }
        lines.append(line("", "Total", totals))
        return [0xEF, 0xBB, 0xBF] + Array((lines.joined(separator: "\r\n") + "\r\n").utf8)
    }
}
