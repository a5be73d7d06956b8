import JSONOutput
import TeamsDomain
import TeamsIngest

/// The JSON shapes of `/api/...`. Field names are a contract other tools rely on.
enum APIViews {
    /// `{"version", "serverTime", "workers": [...]}` in page order; with a window, only its rows and
    /// `"page", "per", "total"` (rows in the whole view).
    /// `absentTeams`: teams asked for that no agent on the floor has, listed as `teamsNotOnFloor` (when there are any).
    static func workers(_ board: Board, window: BoardWindow?, settings: ViewSettings, linger: FlagLinger? = nil,
                        absentTeams: [String] = [], at now: Timestamp) -> [UInt8] {
        let slices = board.slices(window)
        var j = JSONWriter(capacity: 512 * slices.reduce(0) { $0 + $1.range.count } + 64)
        j.beginObject()
        j.field("version", Int(board.version))
        j.field("serverTime", RFC3339.format(now))
        if let window {
            j.field("page", window.page)
            j.field("per", window.per)
            j.field("total", board.count)
        }
        teamsNotOnFloor(absentTeams, into: &j)
        j.key("workers")
        j.beginArray()
        for s in slices {
            for id in board.teams[s.team].ids[s.range] {
                if let w = board.registry.workers[id] { worker(w, settings: settings, linger: linger, at: now, into: &j) }
            }
        }
        j.endArray()
        j.endObject()
        return j.bytes
    }

    static func worker(_ w: WorkerState, settings: ViewSettings, linger: FlagLinger? = nil, at now: Timestamp) -> [UInt8] {
        var j = JSONWriter()
        worker(w, settings: settings, linger: linger, at: now, into: &j)
        return j.bytes
    }

    /// A worker; `recentFlags` lists flags that cleared within `--flag-linger` seconds
    /// (`[{"flag": "wrong-call-risk", "clearedAt": RFC 3339}]`), never still in a call's `flags`.
    static func worker(_ w: WorkerState, settings: ViewSettings, linger: FlagLinger? = nil, at now: Timestamp,
                       into j: inout JSONWriter) {
        j.beginObject()
        j.field("id", w.id)
        j.field("name", w.name)
        j.field("team", w.team)
        // null until an activity is reported (the worker is known only from a call or task so far).
        j.field("activity", w.hasActivity ? w.activity : nil)
        if let available = w.available { j.field("available", available) }
        j.field("activitySince", w.hasActivity ? RFC3339.format(w.activitySince) : nil)
        let allFlags = w.callFlags(at: now, grace: settings.grace)
        j.field("presence", w.presence(offlineActivity: settings.offlineActivity, callFlags: allFlags).rawValue)
        j.field("callCount", w.callCount(callFlags: allFlags))
        j.field("placeholder", w.isPlaceholder)
        // Offers rejected or timed out since local midnight.
        j.field("missedOffers", w.missedOffers(since: now.localMidnight))
        j.key("skills")
        j.beginArray()
        for s in w.skills { j.string(s) }
        j.endArray()
        j.key("capacity")
        j.beginObject()
        var channels = Set(w.capacity.keys)
        channels.insert("voice")
        for t in w.tasks { channels.insert(t.channel) }
        for ch in channels.sorted() {
            j.key(ch)
            j.beginObject()
            j.field("used", w.inUse(channel: ch))
            if let total = w.capacity[ch] { j.field("total", total) } else { j.key("total"); j.null() }
            // false while the channel is switched off for this worker.
            j.field("available", !w.channelsOff.contains(ch))
            j.endObject()
        }
        j.endObject()
        j.key("calls")
        j.beginArray()
        for (call, flags) in zip(w.calls, allFlags) {
            j.beginObject()
            j.field("id", call.id)
            j.field("state", call.phase.rawValue)
            // true, false, or null while no mute source has reported on this call.
            if let muted = call.muted { j.field("muted", muted) } else { j.key("muted"); j.null() }
            j.field("from", call.from.map { settings.maskCallers ? Formatting.maskCaller($0) : $0 })
            j.field("queue", call.queue)
            j.field("direction", call.direction.rawValue)
            j.field("via", call.via.rawValue)
            j.field("since", RFC3339.format(call.startedAt))
            j.field("holdSince", call.holdSince.map(RFC3339.format))
            if let wrapup = call.wrapupSince { j.field("wrapupSince", RFC3339.format(wrapup)) }
            if let offered = call.offeredAt { j.field("offeredAt", RFC3339.format(offered)) }
            // true when the call started longer ago than any call lasts and its end never arrived:
            // it is over, whatever `state` last said, and its timers mean nothing.
            j.field("endNotReceived", flags.contains(.endNotReceived))
            j.key("flags")
            j.beginArray()
            if flags.contains(.misroute) { j.string("misroute") }
            if flags.contains(.wrongCallRisk) { j.string("wrong-call-risk") }
            j.endArray()
            j.endObject()
        }
        j.endArray()
        j.key("tasks")
        j.beginArray()
        for t in w.tasks {
            j.beginObject()
            j.field("id", t.id)
            j.field("channel", t.channel)
            j.field("from", t.from.map { settings.maskCallers ? Formatting.maskCaller($0) : $0 })
            j.field("queue", t.queue)
            j.field("since", RFC3339.format(t.startedAt))
            j.endObject()
        }
        j.endArray()
        j.key("recentFlags")
        j.beginArray()
        if let recent = linger?.recent(w, flags: allFlags, at: now) {
            for (flag, name) in [(CallFlags.misroute, "misroute"), (.wrongCallRisk, "wrong-call-risk")] where recent.flags.contains(flag) {
                j.beginObject()
                j.field("flag", name)
                j.field("clearedAt", RFC3339.format(recent.at))
                j.endObject()
            }
        }
        j.endArray()
        j.endObject()
    }

    /// `"teamsNotOnFloor": [...]`: teams asked for that no agent on the floor has; nothing when there are none.
    private static func teamsNotOnFloor(_ teams: [String], into j: inout JSONWriter) {
        guard !teams.isEmpty else { return }
        j.key("teamsNotOnFloor")
        j.beginArray()
        for team in teams { j.string(team) }
        j.endArray()
    }

    static func summary(_ s: Summary, version: UInt64, feed: FeedState, at now: Timestamp,
                        staleAfter: Double = 30, absentTeams: [String] = []) -> [UInt8] {
        var j = JSONWriter()
        j.beginObject()
        j.field("version", Int(version))
        j.field("serverTime", RFC3339.format(now))
        teamsNotOnFloor(absentTeams, into: &j)
        j.field("agents", s.agents)
        j.field("agentsIdle", s.idle)
        j.field("agentsBusy", s.busy)
        j.field("agentsAway", s.away)
        j.field("agentsNoActivity", s.unknown)
        j.field("agentsOffline", s.offline)
        j.key("byActivity")
        j.beginObject()
        for (activity, count) in s.byActivity { j.field(activity, count) }
        j.endObject()
        j.field("callsLive", s.callsLive)
        j.field("callsHeld", s.callsHeld)
        j.field("callsWrapup", s.callsWrapup)
        j.field("mutedCalls", s.mutedCalls)
        j.field("muteUnknownCalls", s.muteUnknownCalls)
        j.field("callsOffered", s.callsOffered)
        j.field("callsEndNotReceived", s.callsEndNotReceived)
        j.field("agentsOnMultipleCalls", s.agentsOnMultipleCalls)
        j.field("longestHoldSince", s.longestHoldSince.map(RFC3339.format))
        j.field("longestHoldSeconds", s.longestHoldSince.map { max(0, Int($0.seconds(until: now))) } ?? 0)
        j.field("longestHoldWorker", s.longestHoldWorker?.id)
        j.field("longestHoldAgent", s.longestHoldWorker?.name)
        j.field("misroutes", s.misroutes)
        j.field("wrongCallRisks", s.wrongCallRisks)
        j.field("tasks", s.tasks)
        j.field("lastEventAt", feed.lastEventAt.map(RFC3339.format))
        if let silent = feed.silentFor { j.field("feedSilentSeconds", silent) }
        if let age = feed.eventAge(at: now) { j.field("lastEventAgeSeconds", age) }
        j.field("feedStale", feed.warning(at: now, staleAfter: staleAfter) != nil)
        j.endObject()
        return j.bytes
    }

    /// `"live": {clients, maxClients, views, boards, maxViews, estimatedBytes, memoryBudgetBytes,
    /// refused, refusedViews, evictedViews, evictedClients, takeovers, overflows}` of `/api/status`.
    static func live(_ live: LiveStatistics, settings: LiveSettings, into j: inout JSONWriter) {
        j.key("live")
        j.beginObject()
        j.field("clients", live.clients)
        j.field("maxClients", settings.maxClients)
        j.field("views", live.views)
        j.field("boards", live.boards)
        j.field("maxViews", settings.maxViews)
        j.field("estimatedBytes", live.estimatedBytes)
        j.field("memoryBudgetBytes", settings.viewsMemoryBytes)
        j.field("refused", Int(live.refused))
        j.field("refusedViews", Int(live.refusedViews))
        j.field("evictedViews", Int(live.evictedViews))
        j.field("evictedClients", Int(live.evictedClients))
        j.field("takeovers", Int(live.takeovers))
        j.field("overflows", Int(live.overflows))
        j.endObject()
    }

    static func status(_ stats: IngestStatistics.Snapshot, registry: Registry, counters: RegistryStore.Counters,
                       crossOriginRefused: Int = 0, at now: Timestamp,
                       extra: (inout JSONWriter) -> Void = { _ in }) -> [UInt8] {
        var j = JSONWriter()
        j.beginObject()
        j.field("serverTime", RFC3339.format(now))
        j.field("linesRead", stats.linesRead)
        j.field("eventsApplied", stats.eventsApplied)
        j.field("linesRejected", stats.linesRejected)
        j.field("linesSkippedEmpty", stats.linesSkippedEmpty)
        j.key("rejectedByCategory")
        j.beginObject()
        for (category, count) in stats.rejectedByCategory.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            j.field(category.rawValue, count)
        }
        j.endObject()
        j.key("recentRejects")
        j.beginArray()
        for r in stats.recentRejects.reversed() {
            j.beginObject()
            j.field("source", r.source)
            j.field("lineNumber", r.lineNumber)
            j.field("line", r.preview)
            j.field("reason", r.reason)
            j.field("category", r.category.rawValue)
            j.field("at", RFC3339.format(r.at))
            j.endObject()
        }
        j.endArray()
        j.field("eventsIgnored", stats.twilio.ignoredTotal)
        j.key("ignoredByType")
        j.beginObject()
        for (type, n) in stats.twilio.ignored.sorted(by: { $0.key < $1.key }) { j.field(type, n) }
        j.endObject()
        j.field("duplicatesDropped", stats.twilio.duplicates)
        j.field("lateEvents", stats.twilio.late)
        j.field("eventsAheadOfClock", stats.twilio.aheadOfClock)
        j.key("heldChanges")
        j.beginObject()
        j.field("waiting", registry.pendingCount)
        j.field("held", registry.pendingHeld)
        j.field("applied", registry.pendingApplied)
        j.field("dropped", registry.pendingDropped)
        j.endObject()
        j.field("crossOriginRefused", crossOriginRefused)
        j.field("lastEventAt", registry.lastEventAt.map(RFC3339.format))
        j.field("lastLineReceivedAt", stats.lastLineReceivedAt.map(RFC3339.format))
        j.field("registryVersion", Int(registry.version))
        j.field("workers", registry.workers.count)
        j.field("callsEndNotReceived", registry.callsEndNotReceived(at: now))
        j.field("eventsChangedRegistry", Int(counters.applied))
        j.field("eventsUnchanged", Int(counters.unchanged))
        // Events refused at a registry cap (also rejections of their lines, category registry_cap).
        j.key("refusedAtCap")
        j.beginObject()
        j.field("workers", Int(counters.refusedTooManyWorkers))
        j.field("callsPerWorker", Int(counters.refusedTooManyCalls))
        j.endObject()
        extra(&j)
        j.endObject()
        return j.bytes
    }
}
