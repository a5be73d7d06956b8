import Synchronization

/// A signed-in supervisor's session: who, which teams, until when.
public struct Session: Sendable, Equatable {
    public let user: String
    public let teams: TeamScope
    /// Seconds since 1970 after which the session is gone.
    public let expires: Double
}

/// Sessions by their id (the cookie's value), in memory: a restart signs everyone out.
/// At most `capacity` sessions; past it the one ending soonest is dropped.
public final class SessionStore: Sendable {
    private let sessions = Mutex<[String: Session]>([:])
    /// Seconds a session lasts after sign-in.
    public let lifetime: Double
    public let capacity: Int

    public init(lifetime: Double = 12 * 3600, capacity: Int = 10_000) {
        self.lifetime = lifetime
        self.capacity = max(1, capacity)
    }

    /// Opens a session and returns its id (32 random bytes, base64url).
    public func open(user: String, teams: TeamScope, now: Double) -> String {
        let id = SecretToken.random()
        let session = Session(user: user, teams: teams, expires: now + lifetime)
        sessions.withLock { all in
            if all.count >= capacity {
                all = all.filter { $0.value.expires > now }
                if all.count >= capacity, let soonest = all.min(by: { $0.value.expires < $1.value.expires }) {
                    all.removeValue(forKey: soonest.key)
                }
            }
            all[id] = session
        }
        return id
    }

    /// The live session of an id, nil when unknown or expired (an expired one is removed).
    public func session(_ id: String, now: Double) -> Session? {
        sessions.withLock { all in
            guard let s = all[id] else { return nil }
            if s.expires <= now {
                all.removeValue(forKey: id)
                return nil
            }
            return s
        }
    }

    /// Ends a session; returns it when it existed.
    @discardableResult
    public func close(_ id: String) -> Session? {
        sessions.withLock { $0.removeValue(forKey: id) }
    }

    /// Ends every session of a user (after their password or scope changed).
    public func closeAll(user: String) {
        sessions.withLock { all in all = all.filter { $0.value.user != user } }
    }

    public var count: Int { sessions.withLock { $0.count } }
}
