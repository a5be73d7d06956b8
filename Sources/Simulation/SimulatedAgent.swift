import TeamsDomain

/// One simulated agent: what the simulator needs to know to act as the agent and its client.
struct SimulatedAgent: Sendable {
    struct Call: Sendable {
        enum Phase: Sendable { case live, held, wrapup }
        var id: String
        var phase: Phase = .live
        var muted = false
        /// Holds the agent chose (not the client's automatic ones); keeps calls from holding forever.
        var holds = 0
    }

    struct Task: Sendable {
        var id: String
        var channel: String
    }

    /// Something the agent or its client will do at `due`.
    struct Scheduled: Sendable {
        var due: Timestamp
        /// Keeps actions due at the same moment in the order they were planned (hold before mute).
        var order: UInt64
        var action: Action
    }

    enum Action: Sendable {
        /// The current conversation on this call has run its course: hold it or wrap it up.
        case talkDone(String)
        /// The agent's client holds (and mutes) this call because another one was accepted.
        case clientHold(String)
        case mute(String)
        case unmute(String)
        /// The agent unmutes a call they muted while talking, if it is still live.
        case unmuteLive(String)
        /// Back on the held call after an episode, the held leg muted again by the client.
        case remute(String)
        case resume(String)
        case wrapup(String)
        case end(String)
        case taskEnd(String)
        /// Time to change activity (break, lunch, back to Available...).
        case activity
    }

    let id: String
    let name: String
    let team: Int
    let skills: [String]
    let capacity: [(String, Int)]
    let voiceCapacity: Int
    var activity: String
    var calls: [Call] = []
    var tasks: [Task] = []
    var schedule: [Scheduled] = []
    /// The earliest `due` in `schedule`, so a tick skips idle agents cheaply.
    var nextDue: Timestamp = Timestamp(microseconds: .max)

    init(id: String, name: String, team: Int, skills: [String], capacity: [(String, Int)], activity: String) {
        self.id = id
        self.name = name
        self.team = team
        self.skills = skills
        self.capacity = capacity
        self.voiceCapacity = capacity.first { $0.0 == "voice" }?.1 ?? 1
        self.activity = activity
    }

    func capacity(of channel: String) -> Int {
        capacity.first { $0.0 == channel }?.1 ?? 0
    }

    func callIndex(_ id: String) -> Int? { calls.firstIndex { $0.id == id } }

    mutating func plan(_ action: Action, at due: Timestamp, order: UInt64) {
        schedule.append(Scheduled(due: due, order: order, action: action))
        if due < nextDue { nextDue = due }
    }

    /// Removes and returns the earliest action due at or before `time`, if any.
    mutating func takeDue(_ time: Timestamp) -> Action? {
        guard nextDue <= time else { return nil }
        var best = -1
        for (i, item) in schedule.enumerated() where item.due <= time {
            if best < 0 || (item.due, item.order) < (schedule[best].due, schedule[best].order) { best = i }
        }
        guard best >= 0 else { return nil }
        let action = schedule.remove(at: best).action
        nextDue = schedule.min { $0.due < $1.due }?.due ?? Timestamp(microseconds: .max)
        return action
    }
}
