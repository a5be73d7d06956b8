import Mustache
import TeamsDomain

/// Writes one agent's row of the Teams View: the markup of `Templates/row.mustache`, byte for byte, from a ``RowView``.
///
/// The template is the design; this is its compiled form. Through swift-mustache a row took ~0.2 ms (every name looked
/// up through `Any` casts and a split key path), so a new view of 200 rows took ~40 ms, past the 20 ms a first render
/// may take; written here a row takes a few microseconds. `MarkupWriterTests` renders rows of every shape (phases, mute,
/// flags, tasks, capacity, placeholders, hostile text) both ways and requires the same bytes: a change to the template
/// must be made here too. Every event-derived text is escaped with ``HTMLText/escape(_:)``, as the template's `{{…}}` is.
struct RowWriter: Sendable {
    let parts: MarkupParts

    init(library: MustacheLibrary) {
        parts = MarkupParts(library: library)
    }

    func write(_ row: RowView) -> String {
        let w = row.worker
        var o = ""
        o.reserveCapacity(1536 + 1024 * row.calls.count)
        func e(_ text: String) { o += HTMLText.escape(text) }
        let presenceClass = row.presenceClass
        let name = Formatting.clean(w.name)

        o += "<tr id=\""; e(RowView.domID(w.id)); o += "\" class=\"row"; o += row.rowClass
        o += "\" data-worker=\""; e(Formatting.clean(w.id)); o += "\">\n"
        o += "<th scope=\"row\" class=\"agent\"><div class=\"agent__box\"><span class=\"avatar "; e(presenceClass)
        o += "\" aria-hidden=\"true\">"; e(row.initials); o += "</span><span class=\"agent__text\">"
        if let link = row.reportLink {
            o += "<a href=\""; e(link); o += "\" class=\"agent__name\" title=\"Day report\">"; e(name); o += "</a>"
        } else {
            o += "<span class=\"agent__name\">"; e(name); o += "</span>"
        }
        if w.isPlaceholder { o += " <span class=\"agent__id\">(no profile yet)</span>" }
        o += "<span class=\"presence "; e(presenceClass); o += "\" data-presence=\""; e(row.presence.rawValue)
        o += "\"><span class=\"presence__icon\" aria-hidden=\"true\">"; e(row.presenceIcon); o += "</span>"
        e(row.presenceWord); o += "</span>"
        if w.hasActivity {
            o += "<span class=\"activity\" title=\"TaskRouter activity\">"; e(Formatting.clean(w.activity))
            o += " <span class=\"activity__time\">"; o += row.activityTimer; o += "</span></span>"
        }
        if !row.recent.isEmpty {
            o += "<span class=\"cleared\" title=\"This flag cleared moments ago\">"; o += parts.alertIcon
            MarkupParts.flagWords(misroute: row.recent.contains(.misroute), risk: row.recent.contains(.wrongCallRisk), into: &o)
            o += " <em>just cleared</em></span>"
        }
        o += "</span></div></th>\n"

        o += "<td class=\"calls\">"
        if row.calls.isEmpty {
            o += "<span class=\"none\">No calls</span>"
        } else {
            o += "<ul class=\"cards\" aria-label=\""; e(row.callsLabel); o += "\">"
            for call in row.calls { write(call, into: &o) }
            o += "</ul>"
        }
        o += "</td>\n"

        o += "<td class=\"tasks\">"
        if row.tasks.isEmpty {
            o += "<span class=\"none\">–</span>"
        } else {
            o += "<ul class=\"tasklist\">"
            for task in row.tasks {
                o += "<li class=\"task\"><span class=\"task__ch\">"; e(Formatting.clean(task.task.channel)); o += "</span> "
                if let from = task.from { e(from) }
                if let queue = task.task.queue { o += " <span class=\"task__queue\">· "; e(Formatting.clean(queue)); o += "</span>" }
                o += " <span class=\"task__time\">"; o += task.timer; o += "</span></li>"
            }
            o += "</ul>"
        }
        o += "</td>\n"

        o += "<td class=\"capacity\">"
        for c in row.capacity {
            o += "<span class=\"cap"
            if c.full { o += " cap--full" }
            if c.over { o += " cap--over" }
            o += "\"><span class=\"cap__ch\">"; e(Formatting.clean(c.channel)); o += "</span> <b>"; o += String(c.used)
            o += "</b>/"; e(c.totalText)
            if c.off { o += " <span class=\"cap__off\">off</span>" }
            o += "</span>"
        }
        o += "</td>\n"

        o += "<td class=\"skills\">"
        for skill in w.skills { o += "<span class=\"skill\">"; e(Formatting.clean(skill)); o += "</span>" }
        o += "</td>\n</tr>\n"
        return o
    }

    private func write(_ c: CallView, into o: inout String) {
        func e(_ text: String) { o += HTMLText.escape(text) }
        let state = c.state, muted = c.muted
        o += "<li class=\"card card--"; e(state)
        if muted { o += " card--muted" }
        if c.flagged { o += " card--flagged" }
        o += "\" data-call=\""; e(Formatting.clean(c.call.id)); o += "\">\n"
        o += "<div class=\"card__head\"><span class=\"state state--"; e(state)
        o += "\"><span class=\"state__icon\" aria-hidden=\"true\">"; e(c.stateIcon); o += "</span>"; e(c.stateLabel); o += "</span>"
        if muted { o += "<span class=\"badge badge--muted\">"; o += parts.micOffIcon; o += "Muted</span>" }
        if c.micOn { o += "<span class=\"badge badge--micon\" title=\"A mute source reported the agent's mic on\">Mic on</span>" }
        o += "<span class=\"card__timer\" title=\""; e(c.timerTitle); o += "\">"
        switch c.shownPhase {
        case .held: o += c.holdTimer ?? ""
        case .wrapup: o += c.wrapupTimer ?? ""
        case .live: o += c.callTimer
        case .offered: o += c.offerTimer
        case nil: break
        }
        o += "</span></div>\n"
        if c.callTimeBeside { o += "<div class=\"card__calltime card__calltime--call\">Call "; o += c.callTimer; o += "</div>" }
        let caller = c.caller
        o += "<div class=\"card__caller\" title=\""; e(caller); o += "\">"; e(caller); o += "</div>\n"
        o += "<div class=\"card__meta\"><span aria-hidden=\"true\">"; e(c.directionIcon); o += "</span> "; e(c.meta)
        if let queue = c.call.queue { o += " · "; e(Formatting.clean(queue)) }
        o += "</div>\n"
        if c.endNotReceived {
            o += "<div class=\"card__calltime\">Started <time datetime=\""; e(RFC3339.format(c.call.startedAt)); o += "\">"
            e(Formatting.utc(c.call.startedAt)); o += "</time>; calls end within 24 h</div>"
        }
        if c.flags.contains(.misroute) {
            o += "<div class=\"flag flag--misroute\">"; o += parts.alertIcon; o += "Misroute: queue call while on a call</div>"
        }
        if c.flags.contains(.wrongCallRisk) { o += "<div class=\"flag flag--risk\">"; o += parts.alertIcon; o += "Wrong-call risk</div>" }
        o += "\n</li>"
    }
}
