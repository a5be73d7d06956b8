import Mustache
import TeamsDomain

/// What the row template (`Templates/row.mustache`) shows of one agent.
///
/// Everything event-derived is cleaned of control characters here and escaped by the template
/// (`{{...}}`); only timer markers and fixed markup go through `{{{...}}}`.
struct RowView: MustacheParent {
    let worker: WorkerState
    let calls: [CallView]
    let tasks: [TaskView]
    let capacity: [CapacityView]
    let flags: CallFlags
    /// Each call's flags, in the order of `worker.calls`.
    let callFlags: CallFlagList
    /// Flags that cleared lately and are still shown, marked "just cleared".
    let recent: CallFlags
    let settings: ViewSettings

    init(_ w: WorkerState, flags callFlags: CallFlagList, recent: CallFlags = [], settings: ViewSettings) {
        self.recent = recent
        self.settings = settings
        self.callFlags = callFlags
        worker = w
        calls = zip(w.calls, callFlags).map { CallView($0.0, flags: $0.1, settings: settings) }
        tasks = w.tasks.map { TaskView($0, settings: settings) }
        flags = callFlags.union
        var channels = Set(w.capacity.keys)
        channels.insert("voice")
        for t in w.tasks { channels.insert(t.channel) }
        capacity = channels.sorted { a, b in a == "voice" ? b != "voice" : (b == "voice" ? false : a < b) }
            .map { CapacityView(channel: $0, used: w.inUse(channel: $0), total: w.capacity[$0], off: w.channelsOff.contains($0)) }
    }

    /// A stable DOM id for the row: live updates find the row by it.
    static func domID(_ id: WorkerID) -> String {
        var out = "w-"
        let hex = Array("0123456789ABCDEF".unicodeScalars)
        for byte in id.utf8 {
            let ascii = UnicodeScalar(byte)
            if (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x2D {
                out.unicodeScalars.append(ascii)
            } else {
                out += "_"
                out.unicodeScalars.append(hex[Int(byte >> 4)])
                out.unicodeScalars.append(hex[Int(byte & 15)])
            }
        }
        return out
    }

    func child(named name: String) -> Any? {
        switch name {
        case "domID": return Self.domID(worker.id)
        case "id": return Formatting.clean(worker.id)
        case "name": return Formatting.clean(worker.name)
        case "initials": return initials
        case "team": return Formatting.clean(worker.team)
        case "activity": return Formatting.clean(worker.activity)
        case "activityClass": return ActivityStyle.className(worker.activity, available: worker.available)
        case "presence": return presence.rawValue
        case "presenceClass": return presenceClass
        case "presenceWord": return presenceWord
        case "presenceIcon": return presenceIcon
        // A worker no activity was reported for has only the placeholder: nothing to name beside "No activity yet".
        case "showActivity": return worker.hasActivity && presenceWord != Formatting.clean(worker.activity)
        case "hasActivity": return worker.hasActivity
        case "activityTimer": return activityTimer
        case "placeholder": return worker.isPlaceholder
        case "reportLink": return reportLink
        case "calls": return calls
        case "hasCalls": return !calls.isEmpty
        case "callCount": return calls.count
        case "callsLabel": return callsLabel
        case "multi": return workingCalls >= 2
        case "tasks": return tasks
        case "hasTasks": return !tasks.isEmpty
        case "capacity": return capacity
        case "skills": return worker.skills.map(Formatting.clean)
        case "hasSkills": return !worker.skills.isEmpty
        case "misroute": return flags.contains(.misroute)
        case "risk": return flags.contains(.wrongCallRisk)
        case "recentMisroute": return recent.contains(.misroute)
        case "recentRisk": return recent.contains(.wrongCallRisk)
        case "recent": return !recent.isEmpty
        case "rowClass": return rowClass
        default: return nil
        }
    }

    var presenceClass: String { "pres--" + presence.group }

    var presenceIcon: String {
        switch presence {
        case .onCall: return "●"
        case .onHold: return "❚❚"
        case .wrapup: return "✎"
        case .offered: return "☎"
        case .onTask: return "◆"
        case .unknown: return "?"
        case .away: return "◔"
        case .offline: return "○"
        case .idle: return "✓"
        }
    }

    /// The activity's timer marker; empty for a worker no activity was reported for.
    var activityTimer: String {
        guard worker.hasActivity else { return "" }
        return TimerMarkup.marker(ActivityStyle.isAway(worker.activity, available: worker.available) ? .activity : .task,
                                  since: worker.activitySince)
    }

    /// The agent's day report, where reports are on (a board shows only agents of teams its asker may see).
    var reportLink: String? { settings.reportLinks ? "/report/agent/" + percentEncode(worker.id) : nil }

    /// What a screen reader says for the list of cards: "1 call", "2 calls".
    var callsLabel: String { Formatting.plural(calls.count, "call") }

    /// The row's classes after `row`, each with its leading space.
    var rowClass: String {
        var c = ""
        if workingCalls >= 2 { c += " row--multi" }
        if flags.contains(.wrongCallRisk) { c += " row--risk" }
        if flags.contains(.misroute) { c += " row--misroute" }
        if !recent.isEmpty { c += " row--cleared" }
        return c
    }

    /// Calls the agent is working, those whose end never arrived left out.
    var workingCalls: Int { worker.callCount(callFlags: callFlags) }

    var presence: Presence { worker.presence(offlineActivity: settings.offlineActivity, callFlags: callFlags) }

    /// `On call`, `On 2 calls`, `On hold`, `Wrap-up`, `Offered`, `On chat`, the away activity's name, `Offline`, `Idle`.
    var presenceWord: String {
        switch presence {
        case .onCall: return workingCalls > 1 ? "On \(workingCalls) calls" : "On call"
        case .onHold: return "On hold"
        case .wrapup: return "Wrap-up"
        case .offered: return "Offered"
        case .onTask: return worker.tasks.count == 1 ? "On " + Formatting.clean(worker.tasks[0].channel) : "On \(worker.tasks.count) tasks"
        case .unknown: return "No activity yet"
        case .away: return Formatting.clean(worker.activity)
        case .offline: return "Offline"
        case .idle: return "Idle"
        }
    }

    var initials: String { Self.asciiInitials(worker.name) ?? Self.initials(worker.name) }

    /// The first letters of the first two words of the name, as written, upper case.
    static func initials(_ name: String) -> String {
        let parts = Formatting.clean(name).split(separator: " ").prefix(2)
        return String(parts.compactMap(\.first).map { String($0) }.joined().uppercased().prefix(2))
    }

    /// ``initials(_:)`` of an ASCII name (nil for any other), byte by byte: there a character is a byte once the
    /// control bytes `Formatting.clean` drops are dropped, and its upper case is ASCII's. The Character-wise path was
    /// ~4% of a new view's first render (200 rows).
    static func asciiInitials(_ name: String) -> String? {
        var letters: (UInt8, UInt8) = (0, 0)
        var count = 0, inWord = false
        for byte in name.utf8 {
            guard byte < 0x80 else { return nil }
            if byte < 0x20 || byte == 0x7F { continue }
            if byte == 0x20 { inWord = false; continue }
            guard !inWord else { continue }
            inWord = true
            let upper = byte &- 0x61 < 26 ? byte - 0x20 : byte
            if count == 0 { letters.0 = upper } else { letters.1 = upper }
            count += 1
            if count == 2 { break }
        }
        return withUnsafeBytes(of: letters) { String(decoding: $0.prefix(count), as: UTF8.self) }
    }
}

/// One call card.
struct CallView: MustacheParent {
    let call: CallState
    let flags: CallFlags
    let settings: ViewSettings

    init(_ call: CallState, flags: CallFlags, settings: ViewSettings) {
        self.call = call
        self.flags = flags
        self.settings = settings
    }

    /// The call started longer ago than any call lasts and its end never came: shown as over, with its start.
    var endNotReceived: Bool { flags.contains(.endNotReceived) }
    /// The phase the card shows: none (nil) for a call whose end did not arrive.
    var shownPhase: CallState.Phase? { endNotReceived ? nil : call.phase }

    func child(named name: String) -> Any? {
        switch name {
        case "id": return Formatting.clean(call.id)
        case "state": return state
        case "stateLabel": return stateLabel
        case "stateIcon": return stateIcon
        case "live": return shownPhase == .live
        case "held": return shownPhase == .held
        case "wrapup": return shownPhase == .wrapup
        case "offered": return shownPhase == .offered
        case "callTimeBeside": return callTimeBeside
        case "endNotReceived": return endNotReceived
        // When a call whose end never arrived started, for people and machines.
        case "startedAt": return Formatting.utc(call.startedAt)
        case "startedISO": return RFC3339.format(call.startedAt)
        case "muted": return muted
        case "micOn": return micOn
        case "offerTimer": return offerTimer
        case "caller": return caller
        case "queue": return call.queue.map(Formatting.clean)
        case "direction": return call.direction.rawValue
        case "meta": return meta
        case "timerTitle": return timerTitle
        case "directionIcon": return directionIcon
        case "via": return call.via.rawValue
        case "viaLabel": return viaLabel
        case "callTimer": return callTimer
        case "holdTimer": return holdTimer
        case "wrapupTimer": return wrapupTimer
        case "misroute": return flags.contains(.misroute)
        case "risk": return flags.contains(.wrongCallRisk)
        case "flagged": return flagged
        default: return nil
        }
    }

    var state: String { shownPhase?.rawValue ?? "unended" }

    var stateLabel: String {
        switch shownPhase {
        case nil: return "End not received"
        case .offered: return "Ringing"
        case .live: return "Live"
        case .held: return "On hold"
        case .wrapup: return "Wrap-up"
        }
    }

    var stateIcon: String {
        switch shownPhase {
        case nil: return "○"
        case .offered: return "☏"
        case .live: return "●"
        case .held: return "❚❚"
        case .wrapup: return "✎"
        }
    }

    /// A held or wrap-up call shows its hold or wrap-up time in the head, and the whole call time beside the caller.
    var callTimeBeside: Bool { shownPhase == .held || shownPhase == .wrapup }
    /// Mute is tri-state: "Muted" badge, an explicit "Mic on" mark, or nothing while no source has said.
    var muted: Bool { call.muted == true && !endNotReceived }
    var micOn: Bool { call.muted == false && shownPhase != .wrapup && !endNotReceived }
    var flagged: Bool { !flags.intersection(.alerts).isEmpty }

    var caller: String {
        guard let from = call.from else { return "Unknown caller" }
        return Formatting.clean(settings.maskCallers ? Formatting.maskCaller(from) : from)
    }

    var viaLabel: String {
        switch call.via {
        case .queue: return "from queue"
        case .transfer: return "transfer"
        case .outbound: return "outbound"
        case .direct: return "direct"
        }
    }

    /// "inbound · from queue"; "outbound · outbound" says one thing twice.
    var meta: String {
        let direction = call.direction.rawValue
        return viaLabel == direction ? direction : direction + " · " + viaLabel
    }

    var timerTitle: String {
        call.phase == .held ? "Hold time" : call.phase == .wrapup ? "Wrap-up time" : call.phase == .offered ? "Ringing for" : "Call time"
    }

    var directionIcon: String { call.direction == .inbound ? "↘" : "↗" }
    var callTimer: String { TimerMarkup.marker(.call, since: call.startedAt) }
    var offerTimer: String { TimerMarkup.marker(.call, since: call.offeredAt ?? call.startedAt) }
    var holdTimer: String? { call.holdSince.map { TimerMarkup.marker(.hold, since: $0) } }
    var wrapupTimer: String? { call.wrapupSince.map { TimerMarkup.marker(.wrapup, since: $0) } }
}

/// One non-voice task.
struct TaskView: MustacheParent {
    let task: TaskState
    let settings: ViewSettings

    init(_ task: TaskState, settings: ViewSettings) {
        self.task = task
        self.settings = settings
    }

    func child(named name: String) -> Any? {
        switch name {
        case "id": return Formatting.clean(task.id)
        case "channel": return Formatting.clean(task.channel)
        case "channelIcon":
            switch task.channel {
            case "chat": return "💬"
            case "sms": return "✉"
            case "email": return "@"
            default: return "◆"
            }
        case "from": return from
        case "queue": return task.queue.map(Formatting.clean)
        case "timer": return timer
        default: return nil
        }
    }

    var from: String? { task.from.map { Formatting.clean(settings.maskCallers ? Formatting.maskCaller($0) : $0) } }
    var timer: String { TimerMarkup.marker(.task, since: task.startedAt) }
}

/// Used / total capacity of one channel.
struct CapacityView: MustacheParent {
    let channel: String
    let used: Int
    let total: Int?
    /// Switched off for this worker (`worker.channel.availability.update`).
    var off = false

    func child(named name: String) -> Any? {
        switch name {
        case "off": return off
        case "channel": return Formatting.clean(channel)
        case "used": return used
        case "total": return totalText
        case "full": return full
        case "over": return over
        case "percent": return total.map { $0 > 0 ? min(100, used * 100 / $0) : 0 } ?? 0
        default: return nil
        }
    }

    var totalText: String { total.map(String.init) ?? "–" }
    var full: Bool { total.map { used >= $0 } ?? false }
    var over: Bool { total.map { used > $0 } ?? false }
}

/// Colour family and meaning of activity names.
enum ActivityStyle {
    /// A CSS class for the activity's colour family (text always says the activity too).
    static func className(_ activity: String, available: Bool?) -> String {
        let a = activity.lowercased()
        if available == true || a.hasPrefix("available") || a == "idle" || a == "ready" { return "act--available" }
        if a.contains("offline") || a.contains("logged out") || a == "unknown" { return "act--offline" }
        if a.contains("break") || a.contains("lunch") || a.contains("away") || a.contains("meeting")
            || a.contains("training") { return "act--away" }
        return "act--busy"
    }

    /// Whether time in this activity is time away from work (its timer gets thresholds).
    static func isAway(_ activity: String, available: Bool?) -> Bool {
        className(activity, available: available) == "act--away"
    }
}
