import TeamsAccess

/// Who is asking, as the access gate found out: attached to ``MicroHTTP/Request/principal``.
public struct Principal: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// No sign-in configured (loopback, or `--insecure-no-auth`): everyone sees everything.
        case open
        /// A supervisor, signed in with a password (`viaProxy` false) or named by the reverse proxy.
        case user(name: String, viaProxy: Bool)
        /// A wall display holding a kiosk token (its id).
        case kiosk(tokenID: String)
        /// A program holding an API token (its id).
        case api(tokenID: String)
    }

    public var kind: Kind
    public var teams: TeamScope
    /// The session id, for signing out.
    public var sessionID: String?
    /// Teams this request asked for (`team=`) outside ``teams``: the gate left them out of its query, and
    /// the page says so.
    public var teamsOutOfScope: [String] = []

    public static let open = Principal(kind: .open, teams: .all)

    /// Short words for the audit log.
    public var name: String {
        switch kind {
        case .open: return "anyone"
        case .user(let name, _): return name
        case .kiosk(let id): return "kiosk token " + id
        case .api(let id): return "API token " + id
        }
    }
}

extension MicroHTTP.Request {
    /// The principal the gate attached; everyone (``Principal/open``) when none did.
    var asker: Principal { principal as? Principal ?? .open }

    /// Whether a worker of `team` may be shown to this request's principal.
    func mayView(team: String) -> Bool { asker.teams.allows(team) }
}

import MicroHTTP
