import Synchronization

/// Lock-out after repeated failed sign-ins, per user name and per client address: after `maxFailures`
/// failures within `window` seconds, further attempts are refused (without checking the password) until
/// `lockout` seconds have passed since the last failure. A success clears the user's count.
///
/// Bounded: at most `capacity` names and as many addresses are tracked; past it the oldest are forgotten.
public final class SignInThrottle: Sendable {
    public struct Settings: Sendable {
        public var maxFailuresPerUser = 5
        public var maxFailuresPerAddress = 20
        public var window: Double = 900
        public var lockout: Double = 900
        public var capacity = 100_000
        public init() {}
    }

    struct Record {
        var failures: Int
        var first: Double
        var last: Double
    }

    /// Why an attempt is refused before the password is checked.
    public enum Lock: String, Sendable {
        case user
        case address
    }

    public let settings: Settings
    private let state = Mutex<(users: [String: Record], addresses: [String: Record])>(([:], [:]))
    private let lockouts = Mutex<(user: Int, address: Int)>((0, 0))

    public init(settings: Settings = Settings()) {
        self.settings = settings
    }

    /// Whether an attempt for `user` from `address` is locked out now.
    public func lock(user: String, address: String, now: Double) -> Lock? {
        state.withLock { s in
            if let r = s.users[user], locked(r, max: settings.maxFailuresPerUser, now: now) { return .user }
            if let r = s.addresses[address], locked(r, max: settings.maxFailuresPerAddress, now: now) { return .address }
            return nil
        }
    }

    private func locked(_ r: Record, max: Int, now: Double) -> Bool {
        r.failures >= max && now - r.last < settings.lockout
    }

    /// Counts a failed attempt. Returns the lock it started, if this failure reached a limit.
    @discardableResult
    public func failed(user: String, address: String, now: Double) -> Lock? {
        let started: Lock? = state.withLock { s in
            func bump(_ table: inout [String: Record], _ key: String, max: Int) -> Bool {
                var r = table[key] ?? Record(failures: 0, first: now, last: now)
                if now - r.first > settings.window && r.failures < max { r = Record(failures: 0, first: now, last: now) }
                if r.failures >= max && now - r.last >= settings.lockout { r = Record(failures: 0, first: now, last: now) }
                r.failures += 1
                r.last = now
                if table[key] == nil, table.count >= settings.capacity, let oldest = table.min(by: { $0.value.last < $1.value.last }) {
                    table.removeValue(forKey: oldest.key)
                }
                table[key] = r
                return r.failures == max
            }
            let u = bump(&s.users, user, max: settings.maxFailuresPerUser)
            let a = bump(&s.addresses, address, max: settings.maxFailuresPerAddress)
            return u ? .user : a ? .address : nil
        }
        if let started {
            lockouts.withLock { if started == .user { $0.user += 1 } else { $0.address += 1 } }
        }
        return started
    }

    /// Clears the user's failures after a successful sign-in (the address keeps its count).
    public func succeeded(user: String) {
        state.withLock { _ = $0.users.removeValue(forKey: user) }
    }

    /// Lock-outs started so far, by what was locked.
    public var lockoutsStarted: (user: Int, address: Int) { lockouts.withLock { $0 } }
}
