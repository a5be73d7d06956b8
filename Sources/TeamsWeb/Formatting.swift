import TeamsDomain

/// Small text helpers shared by the HTML and JSON views.
enum Formatting {
    /// `4:07`, `1:02:03`; negative spans (clock skew between producers) show as `0:00`.
    static func duration(_ seconds: Double) -> String {
        let total = max(0, Int(seconds))
        let h = total / 3600, m = total % 3600 / 60, s = total % 60
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return h > 0 ? "\(h):\(two(m)):\(two(s))" : "\(m):\(two(s))"
    }

    /// Keeps the last four digits of a phone number: `••• 0001`. Non-numbers (client names) are kept as they are.
    static func maskCaller(_ from: String) -> String {
        let digits = from.filter(\.isNumber)
        guard digits.count >= 7 else { return from }
        return "••• " + String(digits.suffix(4))
    }

    /// Removes control characters that have no place in HTML or a table cell.
    static func clean(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else { return text }
        return String(String.UnicodeScalarView(text.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }))
    }

    /// A CSS-class-safe slug: `Tech Support` → `tech-support`.
    static func slug(_ text: String) -> String {
        var out = ""
        var dash = false
        for ch in text.lowercased().unicodeScalars {
            if (ch >= "a" && ch <= "z") || (ch >= "0" && ch <= "9") {
                out.unicodeScalars.append(ch)
                dash = false
            } else if !dash && !out.isEmpty {
                out += "-"
                dash = true
            }
        }
        if out.hasSuffix("-") { out.removeLast() }
        return out.isEmpty ? "x" : out
    }
}
