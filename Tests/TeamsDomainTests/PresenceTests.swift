import Testing
@testable import TeamsDomain

@Suite struct PresenceTests {
    let t0 = Timestamp(microseconds: 1_000_000_000)

    func worker(activity: String = "Available", available: Bool? = true, calls: [CallState.Phase] = [], tasks: Int = 0) -> WorkerState {
        var w = WorkerState(id: "W1", activitySince: t0)
        w.activity = activity
        w.available = available
        w.calls = calls.enumerated().map { CallState(id: "C\($0.offset)", phase: $0.element, startedAt: t0) }
        w.tasks = (0..<tasks).map { TaskState(id: "T\($0)", channel: "chat", startedAt: t0) }
        return w
    }

    @Test("the offline activity is matched ignoring case, as lowercased() would, ASCII or not",
          arguments: [("Offline", "offline", true), ("OFFLINE", "Offline", true), ("Offline", "Offlin", false),
                      ("Off-line", "Offline", false), ("Offline@", "Offline`", false), ("Hors ligne", "hors LIGNE", true),
                      ("ÉCOLE", "école", true), ("École", "Ecole", false), ("STRASSE", "straße", false), ("", "", true)])
    func offlineIgnoringCase(_ activity: String, _ offline: String, _ same: Bool) {
        #expect(WorkerState.sameIgnoringCase(activity, offline) == same)
        #expect(same == (activity.lowercased() == offline.lowercased()))
        #expect((worker(activity: activity, available: false).presence(offlineActivity: offline) == .offline) == same || activity.isEmpty)
    }

    @Test func theFirstThatHoldsWins() {
        #expect(worker(calls: [.held, .live]).presence() == .onCall)
        #expect(worker(calls: [.held, .wrapup]).presence() == .onHold)
        #expect(worker(calls: [.wrapup]).presence() == .wrapup)
        #expect(worker(calls: [.offered]).presence() == .offered)
        #expect(worker(calls: [.offered, .wrapup]).presence() == .wrapup)
        #expect(worker(tasks: 1).presence() == .onTask)
        #expect(worker(activity: "Lunch", available: false).presence() == .away)
        #expect(worker(activity: "Offline", available: false).presence() == .offline)
        #expect(worker(activity: "Logged Out", available: false).presence(offlineActivity: "logged out") == .offline)
        #expect(worker().presence() == .idle)
        // Work wins over the activity: TaskRouter says "Available" during calls.
        #expect(worker(activity: "Available", calls: [.live]).presence() == .onCall)
        #expect(worker(activity: "Break", available: false, calls: [.held]).presence() == .onHold)
        // Without TaskRouter's availability, the activity's name decides.
        #expect(worker(activity: "Meeting", available: nil).presence() == .away)
        #expect(worker(activity: "Ready", available: nil).presence() == .idle)
    }

    @Test func aWorkerWithNoActivityYetIsUnknownNotAway() {
        let fresh = WorkerState(id: "W9", activitySince: t0)
        #expect(!fresh.hasActivity)
        #expect(fresh.presence() == .unknown && Presence.unknown.group == "unknown" && !Presence.unknown.isBusy)
        // Work still shows first.
        var working = fresh
        working.calls = [CallState(id: "C1", phase: .live, startedAt: t0)]
        #expect(working.presence() == .onCall)
        // Once an activity is reported (even one named "Unknown"), it decides.
        var reported = fresh
        reported.activityAt = t0
        #expect(reported.hasActivity && reported.presence() == .away)
    }

    @Test func busyGroupsAndCallCount() {
        #expect(Presence.allCases.filter(\.isBusy) == [.onCall, .onHold, .wrapup, .offered, .onTask])
        #expect(Presence.away.group == "away" && Presence.onTask.group == "busy")
        #expect(worker(calls: [.live, .held, .wrapup]).callCount == 3)
        #expect(worker().callCount == 0)
        // An offered call is not worked yet.
        #expect(worker(calls: [.offered, .live]).callCount == 1)
    }
}
