@testable import TeamsDomain

/// 2026-11-25T09:00:00Z, the start of every scenario.
let base = Timestamp(microseconds: 1_795_597_200 * 1_000_000)

/// `seconds` after `base`.
func t(_ seconds: Double) -> Timestamp { base.adding(seconds: seconds) }

/// Terse event builders, so scenarios read like the NDJSON they stand for.
enum E {
    static func worker(_ id: WorkerID, _ at: Double, name: String? = nil, team: String? = nil,
                       skills: [String]? = nil, capacity: [String: Int]? = nil) -> Event {
        Event(at: t(at), .worker(id, WorkerProfile(name: name, team: team, skills: skills, capacity: capacity)))
    }
    static func activity(_ id: WorkerID, _ at: Double, _ name: String, available: Bool? = nil) -> Event {
        Event(at: t(at), .activity(id, name: name, available: available))
    }
    static func capacity(_ id: WorkerID, _ at: Double, _ channel: String, _ total: Int) -> Event {
        Event(at: t(at), .capacity(id, channel: channel, total: total))
    }
    static func start(_ id: WorkerID, _ call: CallID, _ at: Double, via: CallVia = .queue,
                      from: String? = "+15551230001", queue: String? = "Billing") -> Event {
        Event(at: t(at), .callStart(id, CallStart(call: call, from: from, queue: queue,
                                                   direction: via == .outbound ? .outbound : .inbound, via: via)))
    }
    static func call(_ id: WorkerID, _ call: CallID, _ change: CallChange, _ at: Double) -> Event {
        Event(at: t(at), .call(id, call, change))
    }
    static func task(_ id: WorkerID, _ task: TaskID, _ at: Double, channel: String = "chat") -> Event {
        Event(at: t(at), .taskStart(id, TaskStart(task: task, channel: channel, from: "web visitor", queue: "Chat")))
    }
    static func taskEnd(_ id: WorkerID, _ task: TaskID, _ at: Double) -> Event {
        Event(at: t(at), .taskEnd(id, task))
    }
    static func remove(_ id: WorkerID, _ at: Double) -> Event {
        Event(at: t(at), .workerRemove(id))
    }
    static func heartbeat(_ at: Double) -> Event {
        Event(at: t(at), .heartbeat)
    }
}

extension Registry {
    /// Applies events in order, returning each outcome.
    @discardableResult
    mutating func run(_ events: Event...) -> [ApplyOutcome] {
        events.map { apply($0) }
    }

    func call(_ worker: WorkerID, _ call: CallID) -> CallState? {
        workers[worker]?.calls.first { $0.id == call }
    }
}

extension ApplyOutcome {
    var reason: String? {
        if case .unchanged(let reason) = self { return reason }
        return nil
    }
}
