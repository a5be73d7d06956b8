import Mustache

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
}
