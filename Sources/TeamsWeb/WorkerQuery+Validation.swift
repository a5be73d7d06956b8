import TeamsDomain

extension WorkerQuery {
    /// A filter parameter of the Teams View whose value is not one it knows (`?call=hold`, `?multi=yes`):
    /// `WorkerQuery(parameters:)` drops it, so the page says so (`message`) and the JSON API answers 400.
    public struct InvalidFilter: Sendable, Hashable {
        /// The parameter, e.g. `call`.
        public var name: String
        /// The value given, as sent (cut to 100 characters).
        public var value: String
        /// The values the parameter takes.
        public var accepted: [String]

        /// E.g. `call=hold is not understood: call takes live, held, wrapup, muted, misroute or risk.`
        public var message: String {
            let list = accepted.filter { !$0.isEmpty }
            let words = list.count > 1 ? list.dropLast().joined(separator: ", ") + " or " + list.last! : list.joined()
            return "\(name)=\(value) is not understood: \(name) takes \(words)."
        }
    }

    /// The values of the on/off filters (`multi`, `flagged`, `attention`); an empty value is off.
    static let switchValues = ["1", "true", "on", "0", "false", "off", ""]

    /// The values each checked parameter takes; the others (`team`, `activity`, `skill`, `q`) take any text.
    static let acceptedValues: [String: [String]] = [
        "call": CallFilter.allCases.map(\.rawValue),
        "presence": Presence.allCases.map(\.rawValue) + ["busy"],
        "multi": switchValues, "flagged": switchValues, "attention": switchValues,
        "sort": Sort.allCases.map(\.rawValue) + [""],
        "group": ["team", "none", ""],
    ]

    /// The filter parameters among `parameters` whose value is not one they take, in the order given
    /// (one entry per parameter name).
    public static func invalidFilters(_ parameters: [(name: String, value: String)]) -> [InvalidFilter] {
        var found: [InvalidFilter] = []
        for (name, raw) in parameters {
            guard let accepted = acceptedValues[name], !found.contains(where: { $0.name == name }) else { continue }
            let value = Formatting.clean(raw).trimmingCharacters(in: .whitespaces)
            if !accepted.contains(value) {
                found.append(InvalidFilter(name: name, value: String(value.prefix(100)), accepted: accepted))
            }
        }
        return found
    }
}
