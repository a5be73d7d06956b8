/// One agent's state as reports see it, advanced event by event in time order.
///
/// A value (and `Codable`): the reports keep a copy at a checkpoint and replay the events after it
/// whenever a late event arrives, so an interval already written is corrected. Kept small, as every agent
/// holds two (its checkpoint and its current state): queues and ways in are shared names, and the rare
/// wrong-call episode sits behind a pointer.
struct AgentState: Sendable, Hashable, Codable {
    enum Phase: UInt8, Sendable, Hashable, Codable { case live, held, wrapup }

    struct OpenCall: Sendable, Hashable, Codable {
        var id: String
        var queue: SharedName
        var via: SharedName
        var phase: Phase
        /// `nil` until a mute or unmute is heard: exposure counts mute known `false` only.
        var muted: Bool?
        var startedAt: Int64
        var phaseSince: Int64
    }

    /// A stretch of time during which the agent may be heard on the wrong call.
    struct Episode: Sendable, Hashable, Codable {
        var start: Int64
        var calls: [String]
        var queue: SharedName
        var via: SharedName
        /// True once the condition lasted longer than the grace period: it is then an incident.
        var credited: Bool
        /// Exposure per interval start (seconds) before crediting.
        var pending: [Int64: Int64]
        var exposure: Int64
    }

    struct OpenMisroute: Sendable, Hashable, Codable {
        var start: Int64
        var calls: [String]
        var queue: SharedName
        var via: SharedName
    }

    /// An episode, behind a pointer: most agents never have one. Immutable: a change makes a new box.
    final class EpisodeBox: Sendable, Hashable, Codable {
        let episode: Episode

        init(_ episode: Episode) { self.episode = episode }

        /// As the episode itself, as before it was boxed.
        init(from decoder: any Decoder) throws {
            episode = try decoder.singleValueContainer().decode(Episode.self)
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encode(episode)
        }

        static func == (a: EpisodeBox, b: EpisodeBox) -> Bool { a.episode == b.episode }

        func hash(into hasher: inout Hasher) { hasher.combine(episode) }
    }

    enum CodingKeys: String, CodingKey {
        case clock, activity, activitySince, calls, episodeBox = "episode", misroutes, offers
    }

    /// Microseconds: figures are accrued up to this instant.
    var clock: Int64
    var activity: String?
    var activitySince: Int64
    var calls: [OpenCall] = []
    private var episodeBox: EpisodeBox?
    var misroutes: [OpenMisroute] = []
    /// Calls offered and not yet taken or missed: call id → queue.
    var offers: [String: SharedName] = [:]

    var episode: Episode? {
        get { episodeBox?.episode }
        set { episodeBox = newValue.map(EpisodeBox.init) }
    }

    init(clock: Int64) {
        self.clock = clock
        self.activitySince = clock
    }
}
