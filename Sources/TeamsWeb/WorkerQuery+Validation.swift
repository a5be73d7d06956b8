import TeamsDomain

extension WorkerQuery {
    /// A query parameter a view could not follow as given (`?call=hold`, `?per=abc`, `?theme=blue`, a team outside
    /// the asker's scope): the view goes on without it (or with its fallback), so the page says so (`message`)
    /// and the JSON API answers 400.
    public struct InvalidFilter: Sendable, Hashable {
        /// The parameter, e.g. `call`.
        public var name: String
        /// The value given, as sent (cut to 100 characters).
        public var value: String
        /// The values the parameter takes, when they can be listed (empty for a number or a team).
        public var accepted: [String]
        /// E.g. `call=hold is not understood: call takes live, held, wrapup, muted, misroute or risk; the agents
        /// below are shown without it.`
        public var message: String

        /// A value the parameter does not take: `takes` says what it takes, `instead` what the view does. A number
        /// where a number is taken (no listed values) is "out of range" (`page=50`, `rotate=1`); anything else
        /// "not understood" (`per=abc`, `theme=blue`).
        init(name: String, value: String, accepted: [String] = [], takes: String, instead: String) {
            self.name = name
            self.value = value
            self.accepted = accepted.filter { !$0.isEmpty }
            let outOfRange = self.accepted.isEmpty && Double(value) != nil
            message = "\(name)=\(value) is \(outOfRange ? "out of range" : "not understood"): \(name) takes \(takes); \(instead)."
        }

        /// A value of `accepted`, listed as words (`live, held or wrapup`).
        init(name: String, value: String, accepted: [String], instead: String) {
            let list = accepted.filter { !$0.isEmpty }
            let words = list.count > 1 ? list.dropLast().joined(separator: ", ") + " or " + list.last! : list.joined()
            self.init(name: name, value: value, accepted: accepted, takes: words, instead: instead)
        }

        /// Teams asked for (`team=`) outside the teams the asker may see (`scope`): the gate left them out of the view.
        static func outOfScope(_ teams: [String], scope: [String]) -> InvalidFilter {
            let names = teams.map { String($0.prefix(100)) }
            var filter = InvalidFilter(name: "team", value: names.joined(separator: ","), takes: "", instead: "")
            filter.message = names.map { "team=" + $0 }.joined(separator: ", ")
                + (names.count == 1 ? " is" : " are") + " not among the teams you may see ("
                + scope.joined(separator: ", ") + "): " + (names.count == 1 ? "it is" : "they are") + " left out of the view."
            return filter
        }
    }

    /// The views whose query parameters ``invalidParameters(_:for:)`` checks: each reads its own.
    public enum ParameterView: Sendable {
        /// `GET /`: the filters, `page`, `per`, `theme`, `reload`.
        case page
        /// `GET /api/workers`: the filters, `page`, `per`.
        case workersAPI
        /// `GET /api/summary`: the filters.
        case summaryAPI
        /// `GET /kiosk`: the filters, `page`, `per`, `theme`, `rotate`, `reload`.
        case kiosk
    }

    /// The values of the on/off filters (`multi`, `flagged`, `attention`); an empty value is off.
    static let switchValues = ["1", "true", "on", "0", "false", "off", ""]

    /// The values each checked filter takes; the others (`team`, `activity`, `skill`, `q`) take any text.
    static let acceptedValues: [String: [String]] = [
        "call": CallFilter.allCases.map(\.rawValue),
        "presence": Presence.allCases.map(\.rawValue) + ["busy"],
        "multi": switchValues, "flagged": switchValues, "attention": switchValues,
        "sort": Sort.allCases.map(\.rawValue) + [attentionSort, ""],
        "group": ["team", "none", ""],
    ]

    /// What a page does with a filter value it does not take (the JSON API refuses the request instead).
    static func fallback(of filter: String) -> String {
        switch filter {
        case "sort": return "the agents below are sorted by name"
        case "group": return "the agents below are grouped by team"
        default: return "the agents below are shown without it"
        }
    }

    /// A `page=` or `per=` value (`name`) a window cannot follow, and what a view showing `defaultPer` rows (or
    /// another `unit`: the kiosk's tiles) a page does instead (`api`: returns nothing); nil when it can.
    static func windowParameter(_ name: String, _ value: String, defaultPer: Int, api: Bool = false,
                                unit: String = "rows") -> InvalidFilter? {
        let shown = String(value.prefix(100))
        if name == "page" {
            guard BoardWindow.page(value) == nil else { return nil }
            return InvalidFilter(name: name, value: shown, takes: "a whole number from 1",
                                 instead: api ? "no rows are returned" : "page 1 is shown")
        }
        guard BoardWindow.per(value) == nil else { return nil }
        let per = Int(value.trimmingCharacters(in: .whitespaces)).map { $0 > BoardWindow.maxPer } == true ? BoardWindow.maxPer : defaultPer
        return InvalidFilter(name: name, value: shown, takes: "a whole number from 1 to \(BoardWindow.maxPer)",
                             instead: api ? "no rows are returned" : "\(per) \(unit) a page are shown")
    }

    /// The parameters among `parameters` that `view` reads and cannot follow as given, in the order given
    /// (one entry per parameter name): the filters, the window (`page`, `per`) and the theme.
    public static func invalidParameters(_ parameters: [(name: String, value: String)],
                                         for view: ParameterView) -> [InvalidFilter] {
        var found: [InvalidFilter] = []
        for (name, raw) in parameters where !found.contains(where: { $0.name == name }) {
            let value = Formatting.clean(raw).trimmingCharacters(in: .whitespaces)
            let shown = String(value.prefix(100))
            if let accepted = acceptedValues[name] {
                if !accepted.contains(value) {
                    let api = view == .workersAPI || view == .summaryAPI
                    found.append(InvalidFilter(name: name, value: shown, accepted: accepted,
                                               instead: api ? "nothing is returned" : fallback(of: name)))
                }
                continue
            }
            switch (name, view) {
            case ("page", .page), ("page", .workersAPI), ("page", .kiosk), ("per", .page), ("per", .workersAPI), ("per", .kiosk):
                let defaultPer = view == .kiosk ? TeamsApp.kioskPer : BoardWindow.defaultPer
                if let notice = windowParameter(name, value, defaultPer: defaultPer, api: view == .workersAPI,
                                                unit: view == .kiosk ? "tiles" : "rows") {
                    found.append(notice)
                }
            case ("rotate", .kiosk) where DisplayParameters.rotate(value) == nil:
                found.append(InvalidFilter(name: name, value: shown,
                                           takes: "a number of seconds from \(Int(DisplayParameters.rotateRange.lowerBound)) to \(Int(DisplayParameters.rotateRange.upperBound))",
                                           instead: "each screen stays \(DisplayParameters.rotateUsed(value)) seconds"))
            case ("reload", .page), ("reload", .kiosk):
                if DisplayParameters.reloadSeconds(value) == nil {
                    found.append(InvalidFilter(name: name, value: shown,
                                               takes: "a time of at least a minute, as 12h, 30m or 90s",
                                               instead: "the page does not reload itself"))
                }
            case ("theme", .page) where !["dark", "light", ""].contains(value):
                found.append(InvalidFilter(name: name, value: shown, accepted: ["dark", "light"],
                                           instead: "the colours follow the browser's setting"))
            case ("theme", .kiosk) where !["dark", "light", ""].contains(value):
                found.append(InvalidFilter(name: name, value: shown, accepted: ["dark", "light"],
                                           instead: "the dark theme is shown"))
            default:
                break
            }
        }
        return found
    }
}
