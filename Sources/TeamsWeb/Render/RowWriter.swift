import Mustache
import TeamsDomain

/// Writes one agent's row of the Teams View: the markup of `Templates/row.mustache`, byte for byte, from a ``RowView``,
/// with its timers cut out as `TimerMarkup.mark` cuts them from the template's (``MarkedWriter``: bytes written
/// straight, timers marked as they are written; the String and the scan for markers were a third of a row's cost).
///
/// The template is the design; this is its compiled form. Through swift-mustache a row took ~0.2 ms (every name looked
/// up through `Any` casts and a split key path), so a new view of 200 rows took ~40 ms, past the 20 ms a first render
/// may take; written here a row takes a few microseconds. `MarkupWriterTests` renders rows of every shape (phases, mute,
/// flags, tasks, capacity, placeholders, hostile text) both ways and requires the same bytes and timers: a change to the
/// template must be made here too. Every event-derived text is escaped as ``HTMLText/escape(_:)`` escapes it, as the
/// template's `{{…}}` is.
struct RowWriter: Sendable {
    let parts: MarkupParts

    init(library: MustacheLibrary) {
        parts = MarkupParts(library: library)
    }

    func write(_ row: RowView) -> TimerMarkup.Marked {
        let w = row.worker
        var o = MarkedWriter(capacity: 1536 + 1024 * row.calls.count)
        func e(_ text: String) { o.escaped(text) }
        let presenceClass = row.presenceClass
        let name = Formatting.clean(w.name)

        o.raw("<tr id=\""); e(RowView.domID(w.id)); o.raw("\" class=\"row"); o.text(row.rowClass)
        o.raw("\" data-worker=\""); e(Formatting.clean(w.id)); o.raw("\">\n")
        o.raw("<th scope=\"row\" class=\"agent\"><div class=\"agent__box\"><span class=\"avatar "); e(presenceClass)
        o.raw("\" aria-hidden=\"true\">"); e(row.initials); o.raw("</span><span class=\"agent__text\">")
        if let link = row.reportLink {
            o.raw("<a href=\""); e(link); o.raw("\" class=\"agent__name\" title=\"Day report\">"); e(name); o.raw("</a>")
        } else {
            o.raw("<span class=\"agent__name\">"); e(name); o.raw("</span>")
        }
        if w.isPlaceholder { o.raw(" <span class=\"agent__id\">(no profile yet)</span>") }
        o.raw("<span class=\"presence "); e(presenceClass); o.raw("\" data-presence=\""); e(row.presence.rawValue)
        o.raw("\"><span class=\"presence__icon\" aria-hidden=\"true\">"); e(row.presenceIcon); o.raw("</span>")
        e(row.presenceWord); o.raw("</span>")
        if w.hasActivity {
            o.raw("<span class=\"activity\" title=\"TaskRouter activity\">"); e(Formatting.clean(w.activity))
            o.raw(" <span class=\"activity__time\">"); o.timer(row.activityTimer); o.raw("</span></span>")
        }
        if !row.recent.isEmpty {
            o.raw("<span class=\"cleared\" title=\"This flag cleared moments ago\">"); o.text(parts.alertIcon)
            o.flagWords(misroute: row.recent.contains(.misroute), risk: row.recent.contains(.wrongCallRisk))
            o.raw(" <em>just cleared</em></span>")
        }
        o.raw("</span></div></th>\n")

        o.raw("<td class=\"calls\">")
        if row.calls.isEmpty {
            o.raw("<span class=\"none\">No calls</span>")
        } else {
            o.raw("<ul class=\"cards\" aria-label=\""); e(row.callsLabel); o.raw("\">")
            for call in row.calls { write(call, into: &o) }
            o.raw("</ul>")
        }
        o.raw("</td>\n")

        o.raw("<td class=\"tasks\">")
        if row.tasks.isEmpty {
            o.raw("<span class=\"none\">–</span>")
        } else {
            o.raw("<ul class=\"tasklist\">")
            for task in row.tasks {
                o.raw("<li class=\"task\"><span class=\"task__ch\">"); e(Formatting.clean(task.task.channel)); o.raw("</span> ")
                if let from = task.from { e(from) }
                if let queue = task.task.queue { o.raw(" <span class=\"task__queue\">· "); e(Formatting.clean(queue)); o.raw("</span>") }
                o.raw(" <span class=\"task__time\">"); o.timer(task.timer); o.raw("</span></li>")
            }
            o.raw("</ul>")
        }
        o.raw("</td>\n")

        o.raw("<td class=\"capacity\">")
        for c in row.capacity {
            o.raw("<span class=\"cap")
            if c.full { o.raw(" cap--full") }
            if c.over { o.raw(" cap--over") }
            o.raw("\"><span class=\"cap__ch\">"); e(Formatting.clean(c.channel)); o.raw("</span> <b>"); o.text(String(c.used))
            o.raw("</b>/"); e(c.totalText)
            if c.off { o.raw(" <span class=\"cap__off\">off</span>") }
            o.raw("</span>")
        }
        o.raw("</td>\n")

        o.raw("<td class=\"skills\">")
        for skill in w.skills { o.raw("<span class=\"skill\">"); e(Formatting.clean(skill)); o.raw("</span>") }
        o.raw("</td>\n</tr>\n")
        return o.finish()
    }

    private func write(_ c: CallView, into o: inout MarkedWriter) {
        func e(_ text: String) { o.escaped(text) }
        let state = c.state, muted = c.muted
        o.raw("<li class=\"card card--"); e(state)
        if muted { o.raw(" card--muted") }
        if c.flagged { o.raw(" card--flagged") }
        o.raw("\" data-call=\""); e(Formatting.clean(c.call.id)); o.raw("\">\n")
        o.raw("<div class=\"card__head\"><span class=\"state state--"); e(state)
        o.raw("\"><span class=\"state__icon\" aria-hidden=\"true\">"); e(c.stateIcon); o.raw("</span>"); e(c.stateLabel); o.raw("</span>")
        if muted { o.raw("<span class=\"badge badge--muted\">"); o.text(parts.micOffIcon); o.raw("Muted</span>") }
        if c.micOn { o.raw("<span class=\"badge badge--micon\" title=\"A mute source reported the agent's mic on\">Mic on</span>") }
        o.raw("<span class=\"card__timer\" title=\""); e(c.timerTitle); o.raw("\">")
        switch c.shownPhase {
        case .held: o.timer(c.holdTimer ?? "")
        case .wrapup: o.timer(c.wrapupTimer ?? "")
        case .live: o.timer(c.callTimer)
        case .offered: o.timer(c.offerTimer)
        case nil: break
        }
        o.raw("</span></div>\n")
        if c.callTimeBeside { o.raw("<div class=\"card__calltime card__calltime--call\">Call "); o.timer(c.callTimer); o.raw("</div>") }
        let caller = c.caller
        o.raw("<div class=\"card__caller\" title=\""); e(caller); o.raw("\">"); e(caller); o.raw("</div>\n")
        o.raw("<div class=\"card__meta\"><span aria-hidden=\"true\">"); e(c.directionIcon); o.raw("</span> "); e(c.meta)
        if let queue = c.call.queue { o.raw(" · "); e(Formatting.clean(queue)) }
        o.raw("</div>\n")
        if c.endNotReceived {
            o.raw("<div class=\"card__calltime\">Started <time datetime=\""); e(RFC3339.format(c.call.startedAt)); o.raw("\">")
            e(Formatting.utc(c.call.startedAt)); o.raw("</time>; calls end within 24 h</div>")
        }
        if c.flags.contains(.misroute) {
            o.raw("<div class=\"flag flag--misroute\">"); o.text(parts.alertIcon); o.raw("Misroute: queue call while on a call</div>")
        }
        if c.flags.contains(.wrongCallRisk) { o.raw("<div class=\"flag flag--risk\">"); o.text(parts.alertIcon); o.raw("Wrong-call risk</div>") }
        o.raw("\n</li>")
    }
}
