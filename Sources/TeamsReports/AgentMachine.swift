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

/// A stretch on an agent's timeline.
public struct TimelineSpan: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case activity, call, live, held, wrapup
    }

    public var kind: Kind
    /// The activity name or the call id.
    public var ref: String
    /// The call's queue, when it has one.
    public var queue: String
    public var start: Int64
    /// `nil` while still going on.
    public var end: Int64?

    public init(kind: Kind, ref: String, queue: String = "", start: Int64, end: Int64?) {
        self.kind = kind
        self.ref = ref
        self.queue = queue
        self.start = start
        self.end = end
    }
}

/// A misroute or wrong-call-risk episode.
public struct Incident: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case misroute
        case wrongCallRisk = "wrong-call-risk"
    }

    /// Stable across restarts and recomputation: a hash of worker, kind and start.
    public var id: String
    public var worker: String
    public var kind: Kind
    /// Microseconds.
    public var start: Int64
    public var end: Int64?
    public var calls: [String]
    public var queue: String
    public var via: String
    /// Microseconds.
    public var exposure: Int64

    static func id(worker: String, kind: Kind, start: Int64) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in worker.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        hash = (hash ^ (kind == .misroute ? 1 : 2)) &* 0x100_0000_01b3
        for shift in stride(from: 0, to: 64, by: 8) {
            hash = (hash ^ UInt64(UInt64(bitPattern: start) >> UInt64(shift) & 0xff)) &* 0x100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}

/// A figure row's key: interval start (Unix seconds) and queue (empty for the agent's own row).
struct IntervalKey: Sendable, Hashable {
    var start: Int64
    var queue: SharedName
}

/// An agent's figure rows, in the order they were first touched, each marked when changed since written.
///
/// A short array searched from its end, not a dictionary: an agent holds the rows of the interval it is in
/// (its own and one per queue), a few dozen only while replaying, and the newest is nearly always the one
/// wanted. Rows are nearly always touched in time order; while they are (`ordered`), a search stops at the
/// first earlier interval, so a long advance (up to `AgentMachine.maxGap`, 672 intervals) stays linear.
struct IntervalTable: Sendable {
    struct Entry: Sendable {
        var key: IntervalKey
        /// Changed since last written. Declared before `figures` so it takes the key's padding (136 bytes an
        /// entry, not 144).
        var dirty: Bool
        var figures: IntervalFigures
    }

    private(set) var entries: [Entry] = []
    /// Entries are in non-decreasing interval order.
    private var ordered = true

    /// Changes a row (a new one starts empty) and marks it dirty.
    mutating func update(_ key: IntervalKey, _ change: (inout IntervalFigures) -> Void) {
        if let i = index(of: key) {
            change(&entries[i].figures)
            entries[i].dirty = true
        } else {
            var figures = IntervalFigures()
            change(&figures)
            if let last = entries.last, last.key.start > key.start { ordered = false }
            entries.reserveOneMore()
            entries.append(Entry(key: key, dirty: true, figures: figures))
        }
    }

    private func index(of key: IntervalKey) -> Int? {
        var i = entries.endIndex
        while i > entries.startIndex {
            i -= 1
            let k = entries[i].key
            if k.start == key.start && k.queue == key.queue { return i }
            if ordered && k.start < key.start { return nil }
        }
        return nil
    }

    /// Marks every row written.
    mutating func markWritten() {
        for i in entries.indices where entries[i].dirty { entries[i].dirty = false }
    }

    /// Forgets the rows of intervals starting before `start` (Unix seconds).
    mutating func removeAll(before start: Int64) {
        guard entries.contains(where: { $0.key.start < start }) else { return }
        entries.removeAll { $0.key.start < start }
        if !ordered { ordered = zip(entries, entries.dropFirst()).allSatisfy { $0.key.start <= $1.key.start } }
    }
}

/// What an agent's events produced and is not yet written, and the figures of the interval it is in.
///
/// Once written, figures of earlier intervals, closed spans and incidents are forgotten (`forgetWritten`):
/// a replay from the checkpoint makes them again. A change that would reach an interval already
/// forgotten (a late transfer, exposure credited after the grace period across a boundary) marks the
/// output `stale`, and the agent is replayed.
struct AgentOutput: Sendable {
    var intervals = IntervalTable()
    /// Spans closed and not yet written (since the checkpoint after a replay), in closing order.
    var spans: [TimelineSpan] = []
    var spansWritten = 0
    var incidents: [String: Incident] = [:]
    var dirtyIncidents: Set<String> = []
    /// Intervals starting before this (Unix seconds) were written and forgotten.
    var keptFrom: Int64 = .min
    /// A change reached a forgotten interval: the figures here are incomplete until a replay.
    var stale = false

    /// Forgets what is written: intervals before `current` (Unix seconds; none is dirty), closed spans and
    /// incidents.
    mutating func forgetWritten(current: Int64) {
        intervals.removeAll(before: current)
        keptFrom = max(keptFrom, current)
        if !spans.isEmpty { spans = [] }
        spansWritten = 0
        if !incidents.isEmpty { incidents = [:] }
    }
}

/// Advances an agent's state and writes figures, spans and incidents into its output.
struct AgentMachine {
    let worker: String
    /// Microseconds the condition must last before it is a wrong-call-risk incident.
    let grace: Int64
    var state: AgentState
    var output: AgentOutput

    static let intervalMicros = ReportZone.intervalSeconds * 1_000_000

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
            if e.via == .viaQueue && !state.calls.isEmpty {
                let m = AgentState.OpenMisroute(start: t, calls: [e.ref] + state.calls.map(\.id), queue: e.queue, via: e.via)
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
        let live = state.calls.filter { $0.phase == .live }
        let heldUnmuted = state.calls.filter { $0.phase == .held && $0.muted == false }
        let involved = (live.count >= 2 ? live : []) + heldUnmuted
        let connected = state.calls.count { $0.phase != .wrapup }
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
