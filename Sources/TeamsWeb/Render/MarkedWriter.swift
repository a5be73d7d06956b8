/// Writes HTML straight into the bytes of a ``TimerMarkup/Marked``, cutting each timer out as it is written: what
/// `TimerMarkup.mark` makes of the same markup written into a String, without the String and the scan for markers
/// (a third of the cost of a row; ``RowWriter``).
///
/// A timer is written with ``timer(_:)`` from its marker (`TimerMarkup.marker`). Text that holds a marker's start
/// byte anywhere else (event text cannot: `Formatting.clean` drops control characters) makes ``finish()`` write the
/// whole markup again as a String and mark it as `TimerMarkup.mark` does, so the result is the same in every case.
struct MarkedWriter {
    private var marked: TimerMarkup.Marked
    /// A marker's start byte was written as text: ``finish()`` marks the markup as a whole.
    private var stray = false

    init(capacity: Int) {
        marked = TimerMarkup.Marked(bytes: [], timers: [])
        marked.bytes.reserveCapacity(capacity)
    }

    /// Markup of the writer's own, which holds no marker.
    mutating func raw(_ s: StaticString) {
        s.withUTF8Buffer { marked.bytes.append(contentsOf: $0) }
    }

    /// Markup as it is (rendered icons, class names).
    mutating func text(_ s: String) {
        var s = s
        s.withUTF8 { bytes in
            if bytes.contains(TimerMarkup.start) { stray = true }
            marked.bytes.append(contentsOf: bytes)
        }
    }

    /// Text escaped as ``HTMLText/escape(_:)`` escapes it.
    mutating func escaped(_ s: String) {
        var s = s
        s.withUTF8 { bytes in
            var from = 0
            for (i, byte) in bytes.enumerated() {
                let entity: StaticString
                switch byte {
                case UInt8(ascii: "&"): entity = "&amp;"
                case UInt8(ascii: "<"): entity = "&lt;"
                case UInt8(ascii: ">"): entity = "&gt;"
                case UInt8(ascii: "\""): entity = "&quot;"
                case UInt8(ascii: "'"): entity = "&#39;"
                case TimerMarkup.start: stray = true; continue
                default: continue
                }
                marked.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[from..<i]))
                entity.withUTF8Buffer { marked.bytes.append(contentsOf: $0) }
                from = i + 1
            }
            marked.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[from...]))
        }
    }

    /// A timer, from its marker; anything else is written as ``text(_:)``.
    mutating func timer(_ marker: String) {
        var marker = marker
        let timer: TimerMarkup.Marked.Timer? = marker.withUTF8 { b in
            // A marker as `TimerMarkup.marker` writes it and nothing else: start, kind, the time in milliseconds
            // (digits, no leading zero, a sign when negative), end. So `finish()` can write it again as it was.
            guard b.count >= 4, b[0] == TimerMarkup.start, b[b.count - 1] == TimerMarkup.end,
                  let kind = TimerMarkup.Kind(rawValue: b[1]) else { return nil }
            let negative = b[2] == 0x2D
            let digits = UnsafeBufferPointer(rebasing: b[(negative ? 3 : 2)..<(b.count - 1)])
            guard !digits.isEmpty, digits.count <= 18, digits.allSatisfy(NameOrder.isDigit),
                  digits[0] != 0x30 || (digits.count == 1 && !negative) else { return nil }
            let ms = digits.reduce(Int64(0)) { $0 * 10 + Int64($1 - 0x30) }
            return .init(offset: marked.bytes.count, kind: kind, sinceMs: negative ? -ms : ms)
        }
        if let timer { marked.timers.append(timer) } else { text(marker) }
    }

    /// "Misroute", "Wrong-call risk" or both joined by " · " (``MarkupParts/flagWords(misroute:risk:into:)``).
    mutating func flagWords(misroute: Bool, risk: Bool) {
        if misroute { raw("Misroute") }
        if misroute && risk { raw(" · ") }
        if risk { raw("Wrong-call risk") }
    }

    /// The markup with its timers cut out.
    func finish() -> TimerMarkup.Marked {
        guard stray else {
            // Rows are cached (thousands): keep the bytes, not the room reserved for a row of many calls.
            let bytes = [UInt8](unsafeUninitializedCapacity: marked.bytes.count) { buffer, count in
                count = buffer.initialize(fromContentsOf: marked.bytes)
            }
            return TimerMarkup.Marked(bytes: bytes, timers: marked.timers)
        }
        // As written into one String: the timers' markers back in their places, then marked as a whole.
        var html: [UInt8] = []
        html.reserveCapacity(marked.bytes.count + marked.timers.count * 16)
        var from = 0
        for t in marked.timers {
            html.append(contentsOf: marked.bytes[from..<t.offset])
            html.append(TimerMarkup.start)
            html.append(t.kind.rawValue)
            html.append(contentsOf: String(t.sinceMs).utf8)
            html.append(TimerMarkup.end)
            from = t.offset
        }
        html.append(contentsOf: marked.bytes[from...])
        return TimerMarkup.mark(String(decoding: html, as: UTF8.self))
    }
}
