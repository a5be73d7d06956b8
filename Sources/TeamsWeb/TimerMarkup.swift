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

    /// Rendered HTML with its timers cut out: `bytes` without markers, and where each timer goes.
    struct Marked: Sendable, Equatable {
        struct Timer: Sendable, Equatable {
            var offset: Int
            var kind: Kind
            var sinceMs: Int64
        }

        var bytes: [UInt8]
        var timers: [Timer]
    }

    /// Finds the markers once, so that sending the HTML again is copying plus formatting the timers.
    static func mark(_ html: String) -> Marked {
        var html = html
        return html.withUTF8 { bytes in
            var marked = Marked(bytes: [], timers: [])
            marked.bytes.reserveCapacity(bytes.count)
            var i = 0
            let n = bytes.count
            var runStart = 0
            while i < n {
                if bytes[i] != start { i += 1; continue }
                marked.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<i]))
                var j = i + 2
                var ms: Int64 = 0
                var negative = false
                if j < n, bytes[j] == 0x2D { negative = true; j += 1 }
                while j < n, bytes[j] != end {
                    ms = ms &* 10 &+ Int64(bytes[j] &- 0x30)
                    j += 1
                }
                if let kind = Kind(rawValue: i + 1 < n ? bytes[i + 1] : 0) {
                    marked.timers.append(.init(offset: marked.bytes.count, kind: kind, sinceMs: negative ? -ms : ms))
                }
                i = j + 1
                runStart = i
            }
            if runStart < n { marked.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<n])) }
            return marked
        }
    }

    /// Appends the marked HTML to `out` with every timer as of `now`.
    static func write(_ marked: Marked, now: Timestamp, thresholds: Thresholds, into out: inout [UInt8]) {
        marked.bytes.withUnsafeBufferPointer { bytes in
            var from = 0
            for timer in marked.timers {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[from..<timer.offset]))
                appendTime(timer.kind, sinceMs: timer.sinceMs, now: now, thresholds: thresholds, into: &out)
                from = timer.offset
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[from...]))
        }
    }

    /// Appends `html` to `out`, replacing every marker by a `<time>` element as of `now`.
    static func expand(_ html: String, now: Timestamp, thresholds: Thresholds, into out: inout [UInt8]) {
        write(mark(html), now: now, thresholds: thresholds, into: &out)
    }

    /// Writes `<time class="timer timer--hold is-warn" data-since="…" data-warn="…" data-alert="…" datetime="PT…S">…</time>`
    /// straight into bytes: a page of 10,000 agents has tens of thousands of timers.
    static func appendTime(_ kind: Kind, sinceMs: Int64, now: Timestamp, thresholds: Thresholds, into out: inout [UInt8]) {
        let elapsedMs = now.milliseconds - sinceMs
        let seconds = max(0, elapsedMs / 1000)
        let limits = thresholds.limits(kind)
        var level = 0
        if let (warn, alert) = limits {
            let elapsed = Double(elapsedMs) / 1000
            level = elapsed >= alert ? 2 : (elapsed >= warn ? 1 : 0)
        }
        out.append(contentsOf: "<time class=\"timer timer--".utf8)
        out.append(contentsOf: kind.name.utf8)
        if level == 2 { out.append(contentsOf: " is-alert".utf8) } else if level == 1 { out.append(contentsOf: " is-warn".utf8) }
        out.append(contentsOf: "\" data-since=\"".utf8)
        appendInt(sinceMs, into: &out)
        if let (warn, alert) = limits {
            out.append(contentsOf: "\" data-warn=\"".utf8)
            appendInt(Int64(warn), into: &out)
            out.append(contentsOf: "\" data-alert=\"".utf8)
            appendInt(Int64(alert), into: &out)
        }
        out.append(contentsOf: "\" datetime=\"PT".utf8)
        appendInt(seconds, into: &out)
        out.append(contentsOf: "S\">".utf8)
        if level == 2 {
            out.append(contentsOf: "<span class=\"timer__mark\" aria-hidden=\"true\">▲▲ </span>".utf8)
        } else if level == 1 {
            out.append(contentsOf: "<span class=\"timer__mark\" aria-hidden=\"true\">▲ </span>".utf8)
        }
        let h = seconds / 3600, m = seconds % 3600 / 60, sec = seconds % 60
        if h > 0 {
            appendInt(h, into: &out)
            out.append(0x3A)
            appendTwoDigits(m, into: &out)
        } else {
            appendInt(m, into: &out)
        }
        out.append(0x3A)
        appendTwoDigits(sec, into: &out)
        out.append(contentsOf: "</time>".utf8)
    }

    @inline(__always)
    static func appendTwoDigits(_ v: Int64, into out: inout [UInt8]) {
        out.append(0x30 + UInt8(v / 10))
        out.append(0x30 + UInt8(v % 10))
    }

    static func appendInt(_ value: Int64, into out: inout [UInt8]) {
        if value < 0 { out.append(0x2D) }
        var v = value.magnitude
        if v == 0 { out.append(0x30); return }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buf in
            while v > 0 {
                buf[count] = 0x30 + UInt8(v % 10)
                v /= 10
                count += 1
            }
            for k in stride(from: count - 1, through: 0, by: -1) { out.append(buf[k]) }
        }
    }
}
