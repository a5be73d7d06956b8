import Foundation

/// The teams a user or a token may see: every team, or a set of team names (as events name them).
public enum TeamScope: Sendable, Hashable, Codable {
    case all
    case teams(Set<String>)

    /// Reads `*` (every team) or comma-separated team names; nil when no name is given.
    public init?(parsing text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed == "*" { self = .all; return }
        let names = trimmed.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !names.isEmpty else { return nil }
        self = .teams(Set(names))
    }

    /// Whether a worker of `team` is in scope.
    public func allows(_ team: String) -> Bool {
        switch self {
        case .all: return true
        case .teams(let names): return names.contains(team)
        }
    }

    /// The team names, sorted; nil for every team.
    public var names: [String]? {
        switch self {
        case .all: return nil
        case .teams(let names): return names.sorted()
        }
    }

    /// `*` or the sorted names joined by commas (files, audit lines, listings).
    public var text: String { names?.joined(separator: ",") ?? "*" }

    /// Stored as the text form.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let scope = TeamScope(parsing: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "empty team scope"))
        }
        self = scope
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(text)
    }
}

