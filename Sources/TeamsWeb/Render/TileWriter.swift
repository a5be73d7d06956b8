import Mustache
import TeamsDomain

/// Writes one agent's kiosk tile: the markup of `Templates/kiosk-tile.mustache`, byte for byte, from a ``TileView``.
///
/// As ``RowWriter`` for rows, and for the same reason: through swift-mustache a tile took ~0.3 ms, so the first kiosk of
/// a large floor took about a second. `MarkupWriterTests` renders tiles of every shape both ways and requires the same
/// bytes: a change to the template must be made here too. Event-derived text is escaped with ``HTMLText/escape(_:)``.
struct TileWriter: Sendable {
    let parts: MarkupParts

    init(library: MustacheLibrary) {
        parts = MarkupParts(library: library)
    }

    func write(_ tile: TileView) -> String {
        let row = tile.row, w = row.worker
        var o = ""
        o.reserveCapacity(2048 + 768 * row.calls.count)
        func e(_ text: String) { o += HTMLText.escape(text) }
        let presenceClass = row.presenceClass, name = Formatting.clean(w.name), presenceWord = row.presenceWord
        let lead = tile.lead, other = tile.other

        o += "<article class=\"tile "; e(presenceClass); o += row.rowClass; o += "\" data-presence=\""; e(row.presence.rawValue)
        o += "\" id=\""; e(RowView.domID(w.id)); o += "\" data-worker=\""; e(Formatting.clean(w.id))
        o += "\" data-lines=\""; o += String(tile.lines); o += "\" aria-label=\""; e(tile.label); o += "\">\n"

        o += "<div class=\"tile__top\"><span class=\"tile__name\">"; e(name); o += "</span>"
        if let tag = tile.tag { o += "<span class=\"tile__tag\">· "; e(tag); o += "</span>" }
        if row.workingCalls >= 2 { o += "<span class=\"tile__multi\">"; o += String(row.calls.count); o += " calls</span>" }
        o += "</div>\n"

        o += "<div class=\"tile__act "; e(presenceClass); o += "\"><span class=\"tile__actname\"><span aria-hidden=\"true\">"
        e(row.presenceIcon); o += "</span> "; e(presenceWord); o += "</span> <span class=\"tile__acttime\">"
        if w.hasActivity && presenceWord != Formatting.clean(w.activity) {
            o += "<span class=\"tile__actlabel\">"; e(Formatting.clean(w.activity)); o += "</span> "
        }
        o += row.activityTimer; o += "</span></div>\n"

        o += "<ul class=\"tcalls\">"
        for c in row.calls {
            let state = c.state, flagged = c.flagged
            o += "<li class=\"tcall tcall--"; e(state)
            if c.muted { o += " tcall--muted" }
            if flagged { o += " tcall--flagged" }
            o += "\" data-call=\""; e(Formatting.clean(c.call.id)); o += "\"><span class=\"tcall__state\"><span class=\"tcall__icon\" aria-hidden=\"true\">"
            e(c.stateIcon); o += "</span>"
            switch c.shownPhase {
            case .offered: o += "Ringing"
            case .live: o += "Live"
            case .held: o += "Hold"
            case .wrapup: o += "Wrap-up"
            case nil: o += "End not received"
            }
            o += "</span><span class=\"tcall__timer\">"
            switch c.shownPhase {
            case .offered: o += c.offerTimer
            case .held: o += c.holdTimer ?? ""
            case .live: o += c.callTimer
            case .wrapup: o += c.wrapupTimer ?? ""
            case nil:
                o += "<time datetime=\""; e(RFC3339.format(c.call.startedAt)); o += "\">from "; e(Formatting.utc(c.call.startedAt)); o += "</time>"
            }
            o += "</span>"
            if c.muted { o += "<span class=\"tcall__muted\">"; o += parts.micOffIcon; o += "Muted</span>" }
            if c.micOn { o += "<span class=\"tcall__micon\">Mic on</span>" }
            o += "</li>"
            if flagged {
                o += "<li class=\"tflag\">"; o += parts.alertIcon
                MarkupParts.flagWords(misroute: c.flags.contains(.misroute), risk: c.flags.contains(.wrongCallRisk), into: &o)
                o += "</li>"
            }
        }
        if !row.recent.isEmpty {
            o += "<li class=\"tflag tflag--cleared\">"; o += parts.alertIcon
            MarkupParts.flagWords(misroute: row.recent.contains(.misroute), risk: row.recent.contains(.wrongCallRisk), into: &o)
            o += " · just cleared</li>"
        }
        if row.calls.isEmpty {
            o += "<li class=\"tcall tcall--none\">"
            if row.tasks.isEmpty { o += "No calls" } else { e(tile.taskSummary) }
            o += "</li>"
        }
        o += "</ul>\n"

        o += "<div class=\"dense"
        if tile.wide { o += " dense--wide" }
        o += "\"><div class=\"dense__l1\"><span class=\"dense__name\" data-short=\""; e(TileView.shortName(name)); o += "\">"; e(name); o += "</span>"
        if let tag = tile.tag { o += "<span class=\"dense__tag\">· "; e(tag); o += "</span>" }
        if tile.denseMulti {
            o += "<span class=\"dense__multi"
            if tile.callsCovered { o += " dense__multi--covered" }
            o += "\">×"; o += String(row.calls.count); o += "</span>"
        }
        if let flag = tile.flagWord {
            o += "<span class=\"dense__flag\">"; o += parts.alertIcon; e(flag); o += "</span>"
        } else if !row.recent.isEmpty {
            o += "<span class=\"dense__flag dense__flag--cleared\">"; o += parts.alertIcon; o += "cleared</span>"
        }
        o += "</div><div class=\"dense__l2\">"
        if let lead {
            o += "<span class=\"dense__state dense__state--"; e(lead.state); o += "\"><span aria-hidden=\"true\">"; e(lead.stateIcon); o += "</span>"
            shortState(lead, into: &o)
            o += "</span><span class=\"dense__timer\">"; timer(lead, into: &o); o += "</span>"
        } else {
            o += "<span class=\"dense__state dense__act "; e(presenceClass); o += "\"><span aria-hidden=\"true\">"; e(row.presenceIcon)
            o += "</span><span class=\"dense__word\">"; e(presenceWord); o += "</span></span>"
        }
        if tile.leadMuted { o += "<span class=\"dense__muted\">"; o += parts.micOffIcon; o += "Muted</span>" }
        if tile.leadMicOn { o += "<span class=\"dense__muted dense__muted--on\">Mic on</span>" }
        if let other {
            let state = other.state
            o += "<span class=\"dense__also dense__also--"; e(state); o += "\"><span class=\"dense__state dense__state--"; e(state)
            o += "\"><span aria-hidden=\"true\">"; e(other.stateIcon); o += "</span><span class=\"dense__also-word\">"
            shortState(other, into: &o)
            o += "</span></span><span class=\"dense__timer\">"; timer(other, into: &o); o += "</span>"
            if other.muted {
                o += "<span class=\"dense__also-muted\" title=\"Muted\">"; o += parts.micOffIcon; o += "<span class=\"dense__also-word\">Muted</span></span>"
            }
            if other.micOn {
                o += "<span class=\"dense__also-muted dense__also-muted--on\" title=\"Mic on: the caller can hear the agent\">Mic on</span>"
            }
            o += "</span>"
        }
        o += "</div></div>\n</article>\n"
        return o
    }

    /// The dense line's word for a call's state.
    private func shortState(_ c: CallView, into o: inout String) {
        switch c.shownPhase {
        case .offered: o += "Ring"
        case .live: o += "Live"
        case .held: o += "Hold"
        case .wrapup: o += "Wrap"
        case nil: o += "No end"
        }
    }

    /// The dense line's timer of a call: none for one whose end was not received.
    private func timer(_ c: CallView, into o: inout String) {
        switch c.shownPhase {
        case .offered: o += c.offerTimer
        case .held: o += c.holdTimer ?? ""
        case .live: o += c.callTimer
        case .wrapup: o += c.wrapupTimer ?? ""
        case nil: break
        }
    }
}
