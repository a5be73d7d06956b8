import TeamsDomain

/// Timers in cached HTML.
///
/// Rows are rendered once per worker version and cached, but a timer's text depends on the
/// moment the page goes out. So templates render a compact marker (`\u{1}` kind, start time,
/// `\u{2}`) and `expand` swaps each marker for a `<time>` element with the elapsed time at send
/// time. Control characters never survive `Formatting.clean`, so event text cannot forge a marker.
enum TimerMarkup {
    enum Kind: UInt8 {
        case call = 0x63      // c
        case hold = 0x68      // h
        case activity = 0x61  // a
        case wrapup = 0x77    // w
        case task = 0x74      // t

        var name: String {
            switch self {
            case .call: return "call"
            case .hold: return "hold"
            case .activity: return "activity"
            case .wrapup: return "wrapup"
            case .task: return "task"
            }
        }
    }

    static let start: UInt8 = 0x01
    static let end: UInt8 = 0x02

    /// The marker a template renders (unescaped) where the timer goes.
    static func marker(_ kind: Kind, since: Timestamp) -> String {
        "\u{1}" + String(UnicodeScalar(kind.rawValue)) + String(since.milliseconds) + "\u{2}"
    }

    /// Thresholds per timer kind, in seconds: (warn, alert); nil for none.
    struct Thresholds: Sendable {
        var call: (Double, Double)
        var hold: (Double, Double)
        var activity: (Double, Double)

        init(_ s: ViewSettings) {
            call = (s.callWarn, s.callAlert)
            hold = (s.holdWarn, s.holdAlert)
            activity = (s.activityWarn, s.activityAlert)
        }

        func limits(_ kind: Kind) -> (Double, Double)? {
            switch kind {
            case .call: return call
            case .hold: return hold
            case .activity: return activity
            case .wrapup, .task: return nil
            }
        }
    }

    /// Appends `html` to `out`, replacing every marker by a `<time>` element as of `now`.
    static func expand(_ html: String, now: Timestamp, thresholds: Thresholds, into out: inout [UInt8]) {
        var html = html
        html.withUTF8 { bytes in
            var i = 0
            let n = bytes.count
            var runStart = 0
            while i < n {
                if bytes[i] != start { i += 1; continue }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<i]))
                var j = i + 2
                var ms: Int64 = 0
                var negative = false
                if j < n, bytes[j] == 0x2D { negative = true; j += 1 }
                while j < n, bytes[j] != end {
                    ms = ms &* 10 &+ Int64(bytes[j] &- 0x30)
                    j += 1
                }
                if negative { ms = -ms }
                if let kind = Kind(rawValue: i + 1 < n ? bytes[i + 1] : 0) {
                    appendTime(kind, sinceMs: ms, now: now, thresholds: thresholds, into: &out)
                }
                i = j + 1
                runStart = i
            }
            if runStart < n { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<n])) }
        }
    }

    static func appendTime(_ kind: Kind, sinceMs: Int64, now: Timestamp, thresholds: Thresholds, into out: inout [UInt8]) {
        let elapsed = Double(now.milliseconds - sinceMs) / 1000
        var level = ""
        var prefix = ""
        if let (warn, alert) = thresholds.limits(kind) {
            if elapsed >= alert {
                level = " is-alert"
                prefix = "<span class=\"timer__mark\" aria-hidden=\"true\">▲▲ </span>"
            } else if elapsed >= warn {
                level = " is-warn"
                prefix = "<span class=\"timer__mark\" aria-hidden=\"true\">▲ </span>"
            }
        }
        let limits = thresholds.limits(kind).map { " data-warn=\"\(Int($0.0))\" data-alert=\"\(Int($0.1))\"" } ?? ""
        let text = "<time class=\"timer timer--\(kind.name)\(level)\" data-since=\"\(sinceMs)\"\(limits) datetime=\"PT\(max(0, Int(elapsed)))S\">\(prefix)\(Formatting.duration(elapsed))</time>"
        out.append(contentsOf: text.utf8)
    }
}
