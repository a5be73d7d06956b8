/// A call id as the agent report shows it: whole on a wide screen; on a phone its head and tail around an
/// ellipsis (`CA0123…abcdef`), so a 34-character Twilio call id takes one short line. The middle stays in the
/// page, not drawn (a copy takes the whole id), and the whole id is the tooltip.
enum CallIdParts {
    /// Characters kept at each end; an id no longer than twice this and three more is never cut.
    static let kept = 6

    /// The template's model: `full`, and when it is long enough to cut, `cut` with `head`, `middle`, `tail`.
    static func model(_ id: String) -> [String: Any] {
        let characters = Array(id)
        guard characters.count > 2 * kept + 3 else { return ["full": id, "cut": false] }
        return ["full": id, "cut": true, "head": String(characters.prefix(kept)),
                "middle": String(characters.dropFirst(kept).dropLast(kept)), "tail": String(characters.suffix(kept))]
    }
}
