import Foundation
import TeamsDomain

/// Small text helpers shared by the HTML and JSON views.
enum Formatting {
    /// `1 agent`, `2 agents`: a count with its noun, plural unless exactly one.
    static func plural(_ count: Int, _ noun: String) -> String {
        "\(count) \(Self.noun(noun, count: count))"
    }

    /// `agent`, `agents`: the noun alone, as `count` of it reads (plural unless exactly one), for a page that
    /// shows the count apart from it.
    static func noun(_ noun: String, count: Int) -> String {
        count == 1 ? noun : noun + "s"
    }

    /// `4:07`, `1:02:03`; negative spans (clock skew between producers) show as `0:00`.
    static func duration(_ seconds: Double) -> String {
        let total = max(0, Int(seconds))
        let h = total / 3600, m = total % 3600 / 60, s = total % 60
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return h > 0 ? "\(h):\(two(m)):\(two(s))" : "\(m):\(two(s))"
    }

    /// An instant for people, in UTC to the second: `2026-03-10 09:04:05 UTC`.
    static func utc(_ t: Timestamp) -> String {
        String(RFC3339.format(t).prefix(19)).replacingOccurrences(of: "T", with: " ") + " UTC"
    }

    /// An instant as a clock reads it, in UTC: `09:04:05 UTC` on the day of `now`, `2026-03-09 09:04:05 UTC` on another
    /// (as the pages' banners say it).
    static func moment(_ t: Timestamp, now: Timestamp) -> String {
        let text = RFC3339.format(t), today = RFC3339.format(now)
        let clock = String(text.dropFirst(11).prefix(8)) + " UTC"
        return text.prefix(10) == today.prefix(10) ? clock : String(text.prefix(10)) + " " + clock
    }

    /// How long ago, in words: `just now`, `42 s ago`, `7 min ago`, `3 h 5 min ago`, `2 days ago`.
    static func age(_ seconds: Double) -> String {
        seconds < 1 ? "just now" : span(seconds) + " ago"
    }

    /// A running time in words: `42 s`, `7 min`, `3 h 5 min`, `2 days 4 h`.
    static func span(_ seconds: Double) -> String {
        let s = Int(max(0, seconds))
        switch s {
        case ..<60: return "\(s) s"
        case ..<3600: return "\(s / 60) min"
        case ..<86_400: return "\(s / 3600) h" + (s % 3600 / 60 > 0 ? " \(s % 3600 / 60) min" : "")
        default: return plural(s / 86_400, "day") + (s % 86_400 / 3600 > 0 ? " \(s % 86_400 / 3600) h" : "")
        }
    }

    /// Keeps the last four digits of a phone number: `••• 0001`. Non-numbers (client names) are kept as they are.
    static func maskCaller(_ from: String) -> String {
        let digits = from.filter(\.isNumber)
        guard digits.count >= 7 else { return from }
        return "••• " + String(digits.suffix(4))
    }

    /// Removes control characters that have no place in HTML or a table cell, and the Unicode
    /// bidirectional controls (embeddings, overrides, isolates and marks: U+061C, U+200E, U+200F,
    /// U+202A...U+202E, U+2066...U+2069), so a name cannot reorder the text shown after it.
    static func clean(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isRemoved) else { return text }
        return String(String.UnicodeScalarView(text.unicodeScalars.filter { !isRemoved($0) }))
    }

    private static func isRemoved(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0..<0x20, 0x7F, 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: return true
        default: return false
        }
    }

    /// A team's id in pages and live updates: the slug of its name for readability, then 8 hex
    /// digits of a hash of the exact name, so names with one slug (`Tech Support`,
    /// `tech-support!`, every non-Latin name) stay apart: `Tech Support` → `tech-support-1a2b3c4d`.
    /// FNV-1a (32 bits) over the UTF-8 bytes: the same in every process and on every restart.
    static func teamID(_ team: String) -> String {
        var hash: UInt32 = 0x811C_9DC5
        for byte in team.utf8 {
            hash = (hash ^ UInt32(byte)) &* 0x0100_0193
        }
        let hex = String(hash, radix: 16)
        return slug(team) + "-" + String(repeating: "0", count: 8 - hex.count) + hex
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
