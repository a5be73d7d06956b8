import Mustache
import TeamsDomain

/// What ``RowWriter`` and ``TileWriter`` both write: the icons (the `icons/alert` and `icons/mic-off` partials, rendered
/// once) and the words of a call's flags.
struct MarkupParts: Sendable {
    let alertIcon: String
    let micOffIcon: String

    init(library: MustacheLibrary) {
        alertIcon = library.render((), withTemplate: "icons/alert") ?? ""
        micOffIcon = library.render((), withTemplate: "icons/mic-off") ?? ""
    }

    /// "Misroute", "Wrong-call risk" or both joined by " · ", as the templates' `{{#misroute}}…{{#risk}}` write them.
    static func flagWords(misroute: Bool, risk: Bool, into o: inout String) {
        if misroute { o += "Misroute" }
        if misroute && risk { o += " · " }
        if risk { o += "Wrong-call risk" }
    }

    /// An agent with something in every part of a row and a tile: a profile, an activity, a live call and a held,
    /// muted one (a misroute), a task, capacity, skills. ``PageRenderer`` and ``KioskRenderer`` write it both ways
    /// at start: a row or tile template changed under `--assets` no longer matches, and is then rendered as it is.
    static let probe: WorkerState = {
        let at = Timestamp(microseconds: 1_764_000_000_000_000)
        var registry = Registry()
        let events: [Event.Kind] = [
            .worker("WK0", WorkerProfile(name: "Ada Okafor", team: "Sales", skills: ["sales", "spanish"], capacity: ["voice": 1, "chat": 2])),
            .activity("WK0", name: "Available", available: true),
            .callStart("WK0", CallStart(call: "CA1", from: "+15550100", queue: "Sales")),
            .call("WK0", "CA1", .hold),
            .call("WK0", "CA1", .mute),
            .callStart("WK0", CallStart(call: "CA2", from: "+15550101", queue: "Sales", via: .queue)),
            .taskStart("WK0", TaskStart(task: "TA1", channel: "chat", from: "web", queue: "Chat")),
        ]
        for (i, kind) in events.enumerated() { _ = registry.apply(Event(at: at.adding(seconds: Double(i)), kind)) }
        return registry.workers["WK0"]!
    }()
}
