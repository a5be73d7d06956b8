/// What the Twilio decoder did besides producing events, for `/status` and `/metrics`.
public struct TwilioStatistics: Sendable, Hashable, Codable {
    /// Most distinct event types ``ignored`` names; the rest are counted under ``otherTypes``.
    public static let maxIgnoredTypes = 256
    /// The key that counts ignored events of types beyond ``maxIgnoredTypes``.
    public static let otherTypes = "(other)"

    /// Recognised Twilio events of types teamsview does not read, by type: TaskRouter types outside
    /// README's list (`task-queue.created`, unknown future types...), other products' CloudEvent types, and
    /// conference callbacks other than hold, unhold, mute and unmute as `conference:<StatusCallbackEvent>`.
    /// Not errors: Twilio sends many events a Teams View has no use for. Events of types it reads that
    /// happen to change nothing (a chat's wrap-up) are not counted here.
    public var ignored: [String: Int] = [:]
    /// Deliveries dropped because the same event (CloudEvent `id`, or a classic or conference
    /// callback's type, resource and time) was seen recently.
    public var duplicates = 0
    /// Records that arrived after newer ones had already been released by the reorder window.
    public var late = 0
    /// Conference callbacks waiting for the task that tells which worker and call they belong to.
    public var parkedConference = 0
    /// Conference callbacks dropped unmatched because too many were waiting.
    public var unmatchedConference = 0
    /// Events dated ahead of this server's clock (by up to `--max-clock-skew`), taken at the time they
    /// arrived (see ``NativeLimits/admit(_:now:)``): a producer whose clock runs ahead. Every format.
    public var aheadOfClock = 0

    public init() {}

    enum CodingKeys: String, CodingKey {
        case ignored, duplicates, late, parkedConference, unmatchedConference, aheadOfClock
    }

    /// Reads a saved floor's figures; one saved before ``aheadOfClock`` was counted has none.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        ignored = try c.decode([String: Int].self, forKey: .ignored)
        duplicates = try c.decode(Int.self, forKey: .duplicates)
        late = try c.decode(Int.self, forKey: .late)
        parkedConference = try c.decode(Int.self, forKey: .parkedConference)
        unmatchedConference = try c.decode(Int.self, forKey: .unmatchedConference)
        aheadOfClock = try c.decodeIfPresent(Int.self, forKey: .aheadOfClock) ?? 0
    }

    /// Total of ``ignored``.
    public var ignoredTotal: Int { ignored.values.reduce(0, +) }

    mutating func ignore(_ type: String) {
        if ignored[type] != nil || ignored.count < Self.maxIgnoredTypes {
            ignored[type, default: 0] += 1
        } else {
            ignored[Self.otherTypes, default: 0] += 1
        }
    }

    /// What happened since `earlier` (a previous reading of the same decoder).
    func since(_ earlier: TwilioStatistics) -> TwilioStatistics {
        var d = TwilioStatistics()
        for (type, n) in ignored where n != earlier.ignored[type] { d.ignored[type] = n - (earlier.ignored[type] ?? 0) }
        d.duplicates = duplicates - earlier.duplicates
        d.late = late - earlier.late
        d.parkedConference = parkedConference - earlier.parkedConference
        d.unmatchedConference = unmatchedConference - earlier.unmatchedConference
        d.aheadOfClock = aheadOfClock - earlier.aheadOfClock
        return d
    }

    /// Adds another decoder's figures (several sources, each with its own decoder).
    mutating func add(_ other: TwilioStatistics) {
        for (type, n) in other.ignored {
            if ignored[type] != nil || ignored.count < Self.maxIgnoredTypes {
                ignored[type, default: 0] += n
            } else {
                ignored[Self.otherTypes, default: 0] += n
            }
        }
        duplicates += other.duplicates
        late += other.late
        parkedConference += other.parkedConference
        unmatchedConference += other.unmatchedConference
        aheadOfClock += other.aheadOfClock
    }
}
