import TeamsDomain

/// Advances an agent's state and writes figures, spans and incidents into its output.
struct AgentMachine {
    let worker: String
    /// Microseconds the condition must last before it is a wrong-call-risk incident.
    let grace: Int64
    var state: AgentState
    var output: AgentOutput

    static let intervalMicros = ReportZone.intervalSeconds * 1_000_000
    /// Whether `call`'s end is overdue at `t` (`CallState.endIsOverdue`): it lost its end, and makes no misroute
    /// and no wrong-call risk, as on the board.
    static func endIsOverdue(_ call: AgentState.OpenCall, at t: Int64) -> Bool {
        CallState.endIsOverdue(inWrapUp: call.phase == .wrapup, startedAt: call.startedAt, at: t)
    }

    static func interval(_ micros: Int64) -> Int64 {
        let q = micros / intervalMicros
        return (micros < 0 && micros % intervalMicros != 0 ? q - 1 : q) * ReportZone.intervalSeconds
    }

    private mutating func figures(_ start: Int64, _ queue: SharedName = .empty, _ change: (inout IntervalFigures) -> Void) {
        guard start >= output.keptFrom else {
            output.stale = true
            return
        }
        output.intervals.update(IntervalKey(start: start, queue: queue), change)
    }

    /// Agent row and, when the call has one, its queue's row.
    private mutating func both(_ start: Int64, _ queue: SharedName, _ change: (inout IntervalFigures) -> Void) {
        figures(start, .empty, change)
        if !queue.isEmpty { figures(start, queue, change) }
    }

    /// Longest stretch (microseconds) one advance accrues: 7 days. An agent silent that long while the feed
    /// moved on (a lost end, an event dated long before the others) keeps its state, but the time before the
    /// last 7 days is not counted, so one old event cannot make a report of every interval since.
    static let maxGap: Int64 = 7 * 86_400 * 1_000_000

    /// Accrues time from `state.clock` to `t`, split at interval boundaries; at most ``maxGap`` of it.
    mutating func advance(to t: Int64) {
        if t - state.clock > Self.maxGap { state.clock = t - Self.maxGap }
        while state.clock < t {
            let start = Self.interval(state.clock)
            let end = min(t, (start + ReportZone.intervalSeconds) * 1_000_000)
            accrue(start, end - state.clock)
            state.clock = end
            creditIfDue()
        }
    }

    private mutating func accrue(_ start: Int64, _ dt: Int64) {
        let calls = state.calls
        let activity = state.activity
        if activity == nil && calls.isEmpty && state.episode == nil { return }
        if let activity { figures(start) { $0.activity[activity, default: 0] += dt } }
        var connected = 0
        for call in calls {
            switch call.phase {
            case .live: both(start, call.queue) { $0.talk += dt }; connected += 1
            case .held:
                // A hold still going on is the longest so far up to here (the interval's end, or the newest event).
                let length = state.clock + dt - call.phaseSince
                both(start, call.queue) {
                    $0.hold += dt
                    $0.longestHold = max($0.longestHold, length)
                }
                connected += 1
            case .wrapup: both(start, call.queue) { $0.wrapup += dt }
            }
        }
        if connected > 0 {
            figures(start) {
                if connected >= 2 { $0.multiCall += dt }
                $0.maxConcurrentCalls = max($0.maxConcurrentCalls, connected)
            }
        }
        if var episode = state.episode {
            episode.exposure += dt
            if episode.credited {
                figures(start) { $0.exposure += dt }
            } else {
                episode.pending[start, default: 0] += dt
            }
            state.episode = episode
            if episode.credited { touchIncident(of: episode) }
        }
    }

    /// Turns the episode into an incident once it has lasted longer than the grace period.
    private mutating func creditIfDue() {
        guard var episode = state.episode, !episode.credited, state.clock - episode.start > grace else { return }
        episode.credited = true
        for (start, micros) in episode.pending { figures(start) { $0.exposure += micros } }
        episode.pending = [:]
        state.episode = episode
        both(Self.interval(episode.start), episode.queue) { $0.wrongCallRiskIncidents += 1 }
        touchIncident(of: episode)
    }

    private mutating func touchIncident(of episode: AgentState.Episode, end: Int64? = nil) {
        let id = Incident.id(worker: worker, kind: .wrongCallRisk, start: episode.start)
        output.incidents[id] = Incident(id: id, worker: worker, kind: .wrongCallRisk, start: episode.start, end: end,
                                        calls: episode.calls, queue: episode.queue.text, via: episode.via.text,
                                        exposure: episode.exposure)
        output.dirtyIncidents.insert(id)
    }

    private mutating func touchMisroute(_ m: AgentState.OpenMisroute, end: Int64?) {
        let id = Incident.id(worker: worker, kind: .misroute, start: m.start)
        output.incidents[id] = Incident(id: id, worker: worker, kind: .misroute, start: m.start, end: end,
                                        calls: m.calls, queue: m.queue.text, via: m.via.text, exposure: 0)
        output.dirtyIncidents.insert(id)
    }

    private mutating func close(_ kind: TimelineSpan.Kind, _ ref: String, queue: SharedName = .empty, from: Int64, to: Int64) {
        output.spans.append(TimelineSpan(kind: kind, ref: ref, queue: queue.text, start: from, end: to))
    }

    private static func spanKind(_ phase: AgentState.Phase) -> TimelineSpan.Kind {
        switch phase {
        case .live: .live
        case .held: .held
        case .wrapup: .wrapup
        }
    }

    /// A hold ended at `t`: counted, with its length, in the interval where it ends (while it goes on, `accrue`
    /// keeps its length so far as the longest hold of each interval it spans).
    private mutating func endHold(_ call: AgentState.OpenCall, at t: Int64) {
        let length = t - call.phaseSince
        both(Self.interval(t), call.queue) {
            $0.holdCount += 1
            $0.longestHold = max($0.longestHold, length)
        }
    }

    /// Applies one event at or after `state.clock`.
    mutating func apply(_ e: LoggedEvent) {
        if e.kind == .transferOut {
            // Changes no state, so it needs no replay when late: counted where it happened.
            let iv = Self.interval(e.at)
            figures(iv) { $0.transfersOut += 1 }
            if !e.queue.isEmpty { figures(iv, e.queue) { $0.transfersOut += 1 } }
            return
        }
        advance(to: e.at)
        let t = max(e.at, state.clock)
        let iv = Self.interval(t)
        switch e.kind {
        case .activity:
            guard e.ref != state.activity else { break }
            if let old = state.activity { close(.activity, old, from: state.activitySince, to: t) }
            state.activity = e.ref
            state.activitySince = t
        case .callStart:
            guard !state.calls.contains(where: { $0.id == e.ref }) else { break }
            let going = state.calls.filter { !Self.endIsOverdue($0, at: t) }
            if e.via == .viaQueue && !going.isEmpty {
                let m = AgentState.OpenMisroute(start: t, calls: [e.ref] + going.map(\.id), queue: e.queue, via: e.via)
                state.misroutes.append(m)
                touchMisroute(m, end: nil)
                both(iv, e.queue) { $0.misroutes += 1 }
            }
            if e.via == .viaTransfer { both(iv, e.queue) { $0.transfersIn += 1 } }
            state.offers[e.ref] = nil
            state.calls.append(.init(id: e.ref, queue: e.queue, via: e.via, phase: .live, muted: nil,
                                     startedAt: t, phaseSince: t))
        case .hold, .resume, .wrapup:
            guard let i = state.calls.firstIndex(where: { $0.id == e.ref }) else { break }
            let call = state.calls[i]
            let next: AgentState.Phase
            switch (e.kind, call.phase) {
            case (.hold, .live): next = .held
            case (.resume, .held): next = .live
            case (.wrapup, .live), (.wrapup, .held): next = .wrapup
            default: next = call.phase
            }
            guard next != call.phase else { break }
            close(Self.spanKind(call.phase), call.id, queue: call.queue, from: call.phaseSince, to: t)
            if call.phase == .held { endHold(call, at: t) }
            state.calls[i].phase = next
            state.calls[i].phaseSince = t
        case .mute, .unmute:
            guard let i = state.calls.firstIndex(where: { $0.id == e.ref }) else { break }
            state.calls[i].muted = e.kind == .mute
        case .end:
            guard let i = state.calls.firstIndex(where: { $0.id == e.ref }) else { break }
            endCall(at: i, t: t, handled: true)
        case .remove:
            while !state.calls.isEmpty { endCall(at: 0, t: t, handled: false) }
            if let old = state.activity { close(.activity, old, from: state.activitySince, to: t) }
            state.activity = nil
            state.activitySince = t
        case .offer:
            if !state.calls.contains(where: { $0.id == e.ref }) { state.offers[e.ref] = e.queue }
        case .miss:
            // A rejected or timed-out offer: counted where it was missed, in its queue's row too.
            if let queue = state.offers.removeValue(forKey: e.ref) {
                both(iv, queue) { $0.offersMissed += 1 }
            } else if !state.calls.contains(where: { $0.id == e.ref }) {
                figures(iv) { $0.offersMissed += 1 }
            }
        case .transferOut:
            break
        }
        afterChange(at: t)
    }

    private mutating func endCall(at i: Int, t: Int64, handled: Bool) {
        let call = state.calls.remove(at: i)
        close(Self.spanKind(call.phase), call.id, queue: call.queue, from: call.phaseSince, to: t)
        close(.call, call.id, queue: call.queue, from: call.startedAt, to: t)
        if call.phase == .held { endHold(call, at: t) }
        if handled { both(Self.interval(t), call.queue) { $0.callsHandled += 1 } }
        // A misroute ends when either of its calls ends.
        var open: [AgentState.OpenMisroute] = []
        for m in state.misroutes {
            if m.calls.contains(call.id) { touchMisroute(m, end: t) } else { open.append(m) }
        }
        state.misroutes = open
    }

    /// Starts, extends or ends the wrong-call-risk episode after a change at `t`.
    private mutating func afterChange(at t: Int64) {
        let live = state.calls.filter { $0.phase == .live && !Self.endIsOverdue($0, at: t) }
        let heldUnmuted = state.calls.filter { $0.phase == .held && $0.muted == false && !Self.endIsOverdue($0, at: t) }
        let involved = (live.count >= 2 ? live : []) + heldUnmuted
        let connected = state.calls.count { $0.phase != .wrapup && !Self.endIsOverdue($0, at: t) }
        if connected > 0 {
            figures(Self.interval(t)) { $0.maxConcurrentCalls = max($0.maxConcurrentCalls, connected) }
        }
        if involved.isEmpty {
            if let episode = state.episode {
                if episode.credited { touchIncident(of: episode, end: t) }
                state.episode = nil
            }
            return
        }
        let newest = involved.max { $0.startedAt < $1.startedAt }!
        if var episode = state.episode {
            for call in involved where !episode.calls.contains(call.id) { episode.calls.append(call.id) }
            state.episode = episode
            if episode.credited { touchIncident(of: episode) }
        } else {
            state.episode = .init(start: t, calls: involved.map(\.id), queue: newest.queue, via: newest.via,
                                  credited: false, pending: [:], exposure: 0)
        }
    }

    /// Spans still going on, for the timeline (their `end` is `nil`).
    var openSpans: [TimelineSpan] {
        var spans: [TimelineSpan] = []
        if let activity = state.activity {
            spans.append(TimelineSpan(kind: .activity, ref: activity, start: state.activitySince, end: nil))
        }
        for call in state.calls {
            let queue = call.queue.text
            spans.append(TimelineSpan(kind: .call, ref: call.id, queue: queue, start: call.startedAt, end: nil))
            spans.append(TimelineSpan(kind: Self.spanKind(call.phase), ref: call.id, queue: queue,
                                      start: call.phaseSince, end: nil))
        }
        return spans
    }
}
