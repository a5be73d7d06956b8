import Mustache
import Synchronization
import TeamsDomain

/// What the kiosk tile template (`Templates/kiosk-tile.mustache`) shows of one agent: everything
/// the row template has (the same `RowView`), plus a few figures the tile layout needs.
struct TileView: MustacheParent {
    let row: RowView
    /// What tells this worker apart from others of its name on the board (`NameTags`): nil when none shares it.
    var tag: String? = nil

    func child(named name: String) -> Any? {
        switch name {
        case "lines": return lines
        case "taskCount": return row.tasks.count
        case "lead": return lead
        case "other": return other
        case "callsCovered": return callsCovered
        case "denseMulti": return denseMulti
        case "shortName": return Self.shortName(Formatting.clean(row.worker.name))
        case "tag": return tag
        case "label": return label
        case "leadMuted": return leadMuted
        case "leadMicOn": return leadMicOn
        case "flagWord": return flagWord
        case "wide": return wide
        case "hasTasks": return !row.tasks.isEmpty
        case "taskSummary": return taskSummary
        default: return row.child(named: name)
        }
    }
}

extension TileView {
    /// Text lines the tile's call list takes: one per call, one more per flagged call.
    /// The kiosk script sizes every tile for the tallest one, so nothing is ever cut off.
    var lines: Int {
        max(1, row.calls.reduce(0) { $0 + 1 + ($1.flags.intersection(.alerts).isEmpty ? 0 : 1) }) + (row.recent.isEmpty ? 0 : 1)
    }

    /// The line shows every call (the lead and the one beside it): its ×N badge shows only where the
    /// kiosk script has to leave the one beside it out.
    var callsCovered: Bool { other != nil && row.calls.count == 2 }

    /// The dense cell's ×N: every call it stands for, a ringing one too (`multi` counts only the calls worked, and
    /// a cell whose line leaves out a ringing call beside a live one must still say there are two).
    var denseMulti: Bool { row.calls.count >= 2 }

    /// The name as a screen reader says it, with the tag when there is one.
    var label: String { tag.map { Formatting.clean(row.worker.name) + " · " + $0 } ?? Formatting.clean(row.worker.name) }

    /// Muted only when the call the line shows is: a held call is muted by design, and its
    /// mark beside a live call's timer would say the agent cannot be heard on the live one.
    var leadMuted: Bool { lead?.muted ?? false }

    /// A held call the agent is not muted on: the caller hears the agent (why wrong-call risk fires). A live
    /// call's mic is on by nature, so the line says nothing of it.
    var leadMicOn: Bool { lead.map { $0.shownPhase == .held && $0.micOn } ?? false }

    var flagWord: String? {
        if row.flags.contains(.wrongCallRisk) { return "Risk" }
        if row.flags.contains(.misroute) { return "Misroute" }
        return nil
    }

    var wide: Bool { !row.flags.intersection(.alerts).isEmpty || leadMuted || leadMicOn || !row.recent.isEmpty }

    /// "chat ×2 · sms": the tasks of an agent on no call, by channel.
    var taskSummary: String {
        var counts: [String: Int] = [:]
        for t in row.tasks { counts[Formatting.clean(t.task.channel), default: 0] += 1 }
        return counts.keys.sorted().map { counts[$0]! > 1 ? "\($0) ×\(counts[$0]!)" : $0 }.joined(separator: " · ")
    }

    /// The dense layout's one line: the call that matters most (live, else held, else wrap-up).
    var lead: CallView? {
        row.calls.first { $0.shownPhase == .live } ?? row.calls.first { $0.shownPhase == .held } ?? row.calls.first
    }

    /// The call beside it (a held one first; never a wrap-up, which the ×N badge counts): its state,
    /// timer and mute, so a supervisor sees the hold time and whether the held caller is muted.
    var other: CallView? {
        guard let lead else { return nil }
        let rest = row.calls.filter { $0.call.id != lead.call.id && $0.shownPhase != .wrapup }
        return rest.first { $0.shownPhase == .held } ?? rest.first
    }

    /// `Ada Okafor` → `Ada O.`: first name and the last name's initial (names of one word stay).
    static func shortName(_ name: String) -> String {
        let parts = name.split(separator: " ")
        guard parts.count >= 2, let initial = parts.last?.first else { return name }
        return "\(parts[0]) \(initial)."
    }
}

/// Renders the kiosk's pieces: agent tiles (cached per worker version and flags, like the page's
/// rows, the last `PageRenderer.rowCacheLimit`) and the summary banner. Live updates send the same tiles.
final class KioskRenderer: Sendable {
    let page: PageRenderer
    private let tiles = Mutex<[WorkerID: PageRenderer.CachedRow]>([:])

    /// Writes the tiles (`kiosk-tile.mustache`'s markup, without the template engine's cost per tile); nil when the
    /// tile template was changed (`--assets`) and is rendered as it is.
    let tileWriter: TileWriter?

    init(page: PageRenderer) {
        self.page = page
        let writer = TileWriter(library: page.library)
        let probe = TileView(row: RowView(MarkupParts.probe, flags: MarkupParts.probe.callFlags(at: MarkupParts.probe.updatedAt),
                                          recent: .wrongCallRisk, settings: page.settings), tag: "WK0")
        tileWriter = writer.write(probe) == page.library.render(probe, withTemplate: "kiosk-tile") ? writer : nil
    }

    var library: MustacheLibrary { page.library }

    /// The tile of one worker with timer markers not yet filled in.
    func tileMarkup(_ worker: WorkerState, flags: CallFlagList, recent: CallFlags = [], tag: String? = nil) -> TimerMarkup.Marked {
        if let hit = tiles.withLock({ $0[worker.id] }), hit.version == worker.version, hit.flags == flags, hit.recent == recent,
           hit.tag == tag {
            return hit.html
        }
        let view = TileView(row: RowView(worker, flags: flags, recent: recent, settings: page.settings), tag: tag)
        let html = TimerMarkup.mark(tileWriter?.write(view) ?? library.render(view, withTemplate: "kiosk-tile") ?? "")
        tiles.withLock { cache in
            if cache.count >= PageRenderer.rowCacheLimit { cache.removeAll(keepingCapacity: true) }
            cache[worker.id] = PageRenderer.CachedRow(version: worker.version, flags: flags, recent: recent, tag: tag, html: html)
        }
        return html
    }

    /// Appends the finished tile as of `now`, with `tag` beside the name (see `NameTags`).
    func tile(_ worker: WorkerState, tag: String? = nil, at now: Timestamp, into out: inout [UInt8]) {
        let flags = worker.callFlags(at: now, grace: page.settings.grace)
        let recent = page.linger.recent(worker, flags: flags, at: now)?.flags ?? []
        TimerMarkup.write(tileMarkup(worker, flags: flags, recent: recent, tag: tag), now: now, thresholds: page.thresholds, into: &out)
    }

    /// The summary banner's cells.
    func summaryHTML(_ summary: Summary, at now: Timestamp) -> [UInt8] {
        var out: [UInt8] = []
        TimerMarkup.expand(library.render(page.summaryModel(summary, at: now), withTemplate: "kiosk-summary") ?? "",
                           now: now, thresholds: page.thresholds, into: &out)
        return out
    }
}
