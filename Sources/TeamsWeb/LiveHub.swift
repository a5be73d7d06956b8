import Dispatch
import HTTPTypes
import Logging
import MicroHTTP
import Synchronization
import TeamsDomain
import TeamsIngest

/// Live updates over Server-Sent Events (`/live`).
///
/// Clients are grouped into *views*: one per page kind (table or kiosk) and normalized filter set
/// (`WorkerQuery`). A view keeps the order of its rows, so every change is worked out and rendered
/// once per view, not once per client, and the same bytes are written to each of its clients.
/// Streams are `StreamingBody`s: no thread per client, a suspended connection costs nothing while
/// idle.
///
/// Flow: the store's listener collects the ids of changed workers; a serial queue flushes them at
/// most every `coalesce` seconds (an event after a quiet spell goes out at once). A flush takes one
/// registry snapshot and, per view, re-files the changed workers, renders their rows with the
/// page's row template (or the kiosk's tile template), team headers and summary, and appends one
/// message to the view's bounded replay buffer. Rows whose wrong-call-risk flag flips with no new
/// event (`WorkerState.nextFlagChange`) are flushed at that moment. A periodic tick sends the feed
/// state (when the last line arrived) and, every `heartbeat` seconds, a comment and a `feed` event
/// on every stream, which is also how vanished clients are found.
///
/// Messages (`event:` name, `data:` JSON):
/// - `hello` `{epoch, heartbeat, staleAfter, t, last}` first on every stream;
/// - `reset` `{v, t, last, body, summary, count}`: the whole view (a resync);
/// - `rows` `{v, t, last, teams:[{slug, after, html}], rows:[{id, team, after, html}], removed:[id],
///   teamsRemoved:[slug], summary?, count?}`: apply in that order; `after` is the id of the element
///   the row (or team) goes right after, `null` for first;
/// - `feed` `{t, last}`: feed and clock state (with every heartbeat).
///
/// Every message carries `id: <epoch>-<seq>`. A client that reconnects with that id (`Last-Event-ID`
/// header, or `?last=` since a page's own `EventSource` cannot set headers) gets the messages it
/// missed from the view's buffer, or a `reset` when the buffer no longer covers them (or the
/// server restarted: another epoch).
public final class LiveHub: Sendable {
    public let settings: LiveSettings
    let store: RegistryStore
    let statistics: IngestStatistics
    let renderer: PageRenderer
    let kiosk: KioskRenderer
    let clock: WallClock
    let logger: Logger
    /// Changes the server's boot: cursors from another boot always resync.
    let epoch: String
    private let queue = DispatchQueue(label: "teamsview.live")
    private let state = Mutex(State())
    private let pending = Mutex(Pending())

    /// Figures for `/metrics`, `/status` and the benchmark.
    public struct Statistics: Sendable, Hashable {
        public var clients = 0
        public var views = 0
        /// Messages built (one per view per flush that changed something).
        public var messages: UInt64 = 0
        /// Bytes written to streams, summed over clients.
        public var bytesWritten: UInt64 = 0
        /// Connections served from the replay buffer / with a full resync.
        public var replays: UInt64 = 0
        public var resyncs: UInt64 = 0
        /// Connections refused past `maxClients`.
        public var refused: UInt64 = 0
        /// Streams closed because the client fell too far behind.
        public var overflows: UInt64 = 0
        /// Flushes (each takes one snapshot for every view).
        public var flushes: UInt64 = 0
    }

    struct Key: Hashable {
        var view: LiveView
        var query: WorkerQuery
    }

    /// One view's state: what its clients are showing.
    final class Group {
        let key: Key
        /// Worker ids per team, in display order.
        var teams: [String: [WorkerID]] = [:]
        var teamOf: [WorkerID: String] = [:]
        /// The team headers the clients have, by team.
        var headers: [String: String] = [:]
        var summary = Summary()
        var count = ""
        /// The registry the state reflects, and when it was taken.
        var registry = Registry()
        /// Recent messages; every message of this view with a sequence number above `floor` is here.
        var buffer: [(seq: UInt64, bytes: [UInt8])] = []
        var bufferBytes = 0
        var floor: UInt64
        var lastSeq: UInt64
        var clients: [UInt64: StreamingBody] = [:]
        /// Monotonic time since when no client has listened; nil while some do.
        var idleSince: Double?

        init(key: Key, seq: UInt64) {
            self.key = key
            floor = seq
            lastSeq = seq
        }

        var cursorSeq: UInt64 { lastSeq }
    }

    private struct State {
        var seq: UInt64 = 0
        var nextClient: UInt64 = 0
        var groups: [Key: Group] = [:]
        var clients = 0
        /// Workers whose flags flip at a known moment with no event.
        var flagDue: [WorkerID: Timestamp] = [:]
        var wakeAt: Timestamp?
        var lastFeedLine: Timestamp?
        var lastFeedSent = 0.0
        var lastHeartbeat = 0.0
        var stopped = false
        var statistics = Statistics()
    }

    private struct Pending {
        var touched: Set<WorkerID> = []
        var scheduled = false
        var lastFlush = -1e9
    }

    public init(store: RegistryStore, statistics: IngestStatistics, renderer: PageRenderer, settings: LiveSettings,
                clock: WallClock, logger: Logger = Logger(label: "teamsview.live")) {
        self.store = store
        self.statistics = statistics
        self.renderer = renderer
        self.kiosk = KioskRenderer(page: renderer)
        self.settings = settings
        self.clock = clock
        self.logger = logger
        var seed = UInt64(bitPattern: clock.now().microseconds) ^ UInt64(WallClock.monotonicSeconds() * 1e9)
        seed = (seed ^ (seed >> 31)) &* 0x9E37_79B9_7F4A_7C15
        self.epoch = String(seed % 2_176_782_336, radix: 36)
        let start = WallClock.monotonicSeconds()
        state.withLock {
            $0.lastHeartbeat = start
            $0.lastFeedSent = start
        }
        store.observe { [weak self] changes in self?.note(changes) }
        scheduleTick()
    }

    /// Stops the periodic work. Streams are ended by the HTTP server's `stop()`.
    public func stop() {
        state.withLock { $0.stopped = true }
    }

    public var statisticsSnapshot: Statistics {
        state.withLock { s in
            var copy = s.statistics
            copy.clients = s.clients
            copy.views = s.groups.count
            return copy
        }
    }

    /// Streams connected now.
    public var clientCount: Int { state.withLock { $0.clients } }

    /// Seconds between feed-state checks: often enough that a short `--stale-after` is honoured.
    var feedInterval: Double { min(5, max(0.25, renderer.settings.staleAfter / 4)) }

    // MARK: Changes in

    private func note(_ changes: ChangeSet) {
        let delay = pending.withLock { p -> Double? in
            p.touched.formUnion(changes.changed)
            p.touched.formUnion(changes.removed)
            guard !p.scheduled else { return nil }
            p.scheduled = true
            return max(0, p.lastFlush + settings.coalesce - WallClock.monotonicSeconds())
        }
        if let delay { schedule(after: delay) }
    }

    private func schedule(after delay: Double) {
        if delay <= 0 {
            queue.async { [weak self] in self?.flush() }
        } else {
            queue.asyncAfter(deadline: .now() + delay) { [weak self] in self?.flush() }
        }
    }

    private func scheduleTick() {
        queue.asyncAfter(deadline: .now() + min(feedInterval, settings.heartbeat)) { [weak self] in
            guard let self, !self.state.withLock({ $0.stopped }) else { return }
            self.tick()
            self.scheduleTick()
        }
    }

    /// Flushes pending changes now and waits for it (tests: a known starting point).
    func settle() {
        queue.sync { flush() }
    }

    /// Renders what changed into one message per view and writes it to the view's clients.
    /// Runs on the hub's queue only.
    func flush() {
        var touched = pending.withLock { p -> Set<WorkerID> in
            p.scheduled = false
            p.lastFlush = WallClock.monotonicSeconds()
            defer { p.touched = [] }
            return p.touched
        }
        let now = clock.now()
        let lastLine = statistics.lastLineReceivedAt
        let grace = renderer.settings.grace
        var writes: [([StreamingBody], [UInt8])] = []
        var wake: Timestamp?
        state.withLock { s in
            guard !s.stopped else { return }
            // Snapshot under the hub's lock: a view created meanwhile (on an HTTP thread, also under this
            // lock) must never hold workers newer than the registry this flush files them against.
            let registry = store.snapshot()
            for (id, due) in s.flagDue where due <= now {
                touched.insert(id)
                s.flagDue[id] = nil
            }
            guard !touched.isEmpty else { return }
            s.statistics.flushes += 1
            for id in touched {
                if let w = registry.workers[id], let due = w.nextFlagChange(after: now, grace: grace) {
                    s.flagDue[id] = due
                } else {
                    s.flagDue[id] = nil
                }
            }
            for group in s.groups.values {
                guard let message = update(group, touched: touched, registry: registry, at: now, lastLine: lastLine,
                                           seq: s.seq + 1) else { continue }
                s.seq += 1
                s.statistics.messages += 1
                append(message, seq: s.seq, to: group)
                if !group.clients.isEmpty {
                    writes.append((Array(group.clients.values), message))
                }
            }
            s.lastFeedLine = lastLine
            wake = nextWake(&s, now: now)
        }
        write(writes)
        if let wake {
            let delay = max(0, wake.seconds - clock.now().seconds) + 0.005
            queue.asyncAfter(deadline: .now() + delay) { [weak self] in self?.flush() }
        }
    }

    /// The earliest flag flip if no wake-up is already set for it.
    private func nextWake(_ s: inout State, now: Timestamp) -> Timestamp? {
        guard let earliest = s.flagDue.values.min() else { return nil }
        if let scheduled = s.wakeAt, scheduled > now, scheduled <= earliest { return nil }
        s.wakeAt = earliest
        return earliest
    }

    private func tick() {
        let now = clock.now()
        let mono = WallClock.monotonicSeconds()
        let lastLine = statistics.lastLineReceivedAt
        var writes: [([StreamingBody], [UInt8])] = []
        state.withLock { s in
            let heartbeat = mono - s.lastHeartbeat >= settings.heartbeat - 0.05
            let feedChanged = lastLine != s.lastFeedLine && mono - s.lastFeedSent >= feedInterval - 0.05
            if heartbeat || feedChanged {
                s.lastFeedSent = mono
                s.lastFeedLine = lastLine
                if heartbeat { s.lastHeartbeat = mono }
                for group in s.groups.values where !group.clients.isEmpty {
                    var bytes: [UInt8] = heartbeat ? Array(": heartbeat\n".utf8) : []
                    bytes += feedMessage(group, now: now, lastLine: lastLine)
                    writes.append((Array(group.clients.values), bytes))
                }
            }
            // Drop views nobody has listened to for a while.
            for (key, group) in s.groups where group.clients.isEmpty {
                if let idle = group.idleSince, mono - idle > settings.linger { s.groups[key] = nil }
            }
        }
        write(writes)
        // Rows and tiles of removed workers would otherwise stay cached for good.
        let registry = store.snapshot()
        renderer.prune(keeping: registry)
        kiosk.prune(keeping: registry)
    }

    private func write(_ writes: [([StreamingBody], [UInt8])]) {
        var written: UInt64 = 0
        var overflows: UInt64 = 0
        for (bodies, bytes) in writes {
            for body in bodies {
                if body.write(bytes) { written += UInt64(bytes.count) } else if !body.isClosed { overflows += 1 }
            }
        }
        if written > 0 || overflows > 0 {
            state.withLock {
                $0.statistics.bytesWritten += written
                $0.statistics.overflows += overflows
            }
        }
    }

    private func append(_ message: [UInt8], seq: UInt64, to group: Group) {
        group.buffer.append((seq, message))
        group.bufferBytes += message.count
        group.lastSeq = seq
        var drop = 0
        while group.buffer.count - drop > 1,
              group.buffer.count - drop > settings.replayMessages || group.bufferBytes > settings.replayBytes {
            group.bufferBytes -= group.buffer[drop].bytes.count
            group.floor = group.buffer[drop].seq
            drop += 1
        }
        if drop > 0 { group.buffer.removeFirst(drop) }
    }

    // MARK: Views

    /// The view for a key, created from the current registry if needed. Call under the lock.
    private func group(_ key: Key, _ s: inout State) -> Group {
        if let g = s.groups[key] { return g }
        if s.groups.count >= settings.maxViews {
            // Make room: drop the view idle the longest (views with clients stay).
            if let oldest = s.groups.filter({ $0.value.clients.isEmpty })
                .min(by: { ($0.value.idleSince ?? 0) < ($1.value.idleSince ?? 0) }) {
                s.groups[oldest.key] = nil
            }
        }
        let g = Group(key: key, seq: s.seq)
        let registry = store.snapshot()
        let now = clock.now()
        let grace = renderer.settings.grace
        g.registry = registry
        for (id, w) in registry.workers {
            if let due = w.nextFlagChange(after: now, grace: grace) { s.flagDue[id] = due }
            guard key.query.matches(w, at: now, grace: grace) else { continue }
            g.teams[w.team, default: []].append(id)
            g.teamOf[id] = w.team
        }
        for team in Array(g.teams.keys) {
            g.teams[team]!.sort { key.query.areInOrder(registry.workers[$0]!, registry.workers[$1]!) }
            g.headers[team] = teamHeader(key.view, team, ids: g.teams[team]!, registry: registry, at: now)
        }
        g.summary = Summary(g.teamOf.keys.lazy.compactMap { registry.workers[$0] }, at: now, grace: grace)
        g.count = countText(shown: g.teamOf.count, total: registry.workers.count)
        g.idleSince = WallClock.monotonicSeconds()
        s.groups[key] = g
        if let wake = nextWake(&s, now: now) {
            let delay = max(0, wake.seconds - now.seconds) + 0.005
            queue.asyncAfter(deadline: .now() + delay) { [weak self] in self?.flush() }
        }
        return g
    }

    /// Re-files touched workers in a view and renders what its clients must change; nil if nothing.
    private func update(_ g: Group, touched: Set<WorkerID>, registry: Registry, at now: Timestamp,
                        lastLine: Timestamp?, seq: UInt64) -> [UInt8]? {
        let query = g.key.query
        let grace = renderer.settings.grace
        var touchedTeams = Set<String>()
        var removed: [WorkerID] = []
        // Take every touched worker out first, so the team lists stay sorted for the insertions.
        for id in touched {
            guard let old = g.teamOf[id] else { continue }
            if let i = g.teams[old]?.firstIndex(of: id) { g.teams[old]!.remove(at: i) }
            g.teamOf[id] = nil
            touchedTeams.insert(old)
            let w = registry.workers[id]
            if w == nil || !query.matches(w!, at: now, grace: grace) { removed.append(id) }
        }
        var upserts: [WorkerID] = []
        for id in touched {
            guard let w = registry.workers[id], query.matches(w, at: now, grace: grace) else { continue }
            let list = g.teams[w.team] ?? []
            var lo = 0, hi = list.count
            while lo < hi {
                let mid = (lo + hi) / 2
                // A worker missing from this snapshot sorts before: never trap on a view's odd entry.
                if registry.workers[list[mid]].map({ query.areInOrder($0, w) }) ?? true { lo = mid + 1 } else { hi = mid }
            }
            g.teams[w.team, default: []].insert(id, at: lo)
            g.teamOf[id] = w.team
            touchedTeams.insert(w.team)
            upserts.append(id)
        }
        g.registry = registry

        var msg = LiveMessage(event: "rows", id: LiveCursor(epoch: epoch, seq: seq).text, capacity: 1024 + upserts.count * 2048)
        msg.clock(version: registry.version, now: now, lastLine: lastLine)
        var changed = false

        // Teams: new or changed headers, in display order; emptied teams go at the end.
        let order = Self.teamOrder(g.teams.keys.filter { !(g.teams[$0]?.isEmpty ?? true) })
        var teamsRemoved: [String] = []
        msg.beginArray("teams")
        for team in touchedTeams.sorted(by: Self.teamBefore) {
            guard let ids = g.teams[team], !ids.isEmpty else {
                g.teams[team] = nil
                if g.headers.removeValue(forKey: team) != nil { teamsRemoved.append(team) }
                continue
            }
            let html = teamHeader(g.key.view, team, ids: ids, registry: registry, at: now)
            guard html != g.headers[team] else { continue }
            g.headers[team] = html
            let index = order.firstIndex(of: team)!
            msg.beginObject()
            msg.string("slug", Self.slug(team))
            msg.string("after", index > 0 ? Self.slug(order[index - 1]) : nil)
            msg.string("html", html)
            msg.endObject()
            changed = true
        }
        msg.endArray()

        // Rows in display order, so each one's predecessor is already in place when it arrives.
        let teamRank = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($1, $0) })
        var placed: [(rank: Int, index: Int, id: WorkerID)] = []
        for id in upserts {
            let team = g.teamOf[id]!
            placed.append((teamRank[team] ?? 0, g.teams[team]!.firstIndex(of: id)!, id))
        }
        placed.sort { $0.rank != $1.rank ? $0.rank < $1.rank : $0.index < $1.index }
        msg.beginArray("rows")
        for p in placed {
            let w = registry.workers[p.id]!
            let list = g.teams[w.team]!
            msg.beginObject()
            msg.string("id", RowView.domID(p.id))
            msg.string("team", Self.slug(w.team))
            msg.string("after", p.index > 0 ? RowView.domID(list[p.index - 1]) : nil)
            msg.string("html", bytes: rowHTML(g.key.view, w, at: now))
            msg.endObject()
            changed = true
        }
        msg.endArray()
        msg.beginArray("removed")
        for id in removed { msg.string(RowView.domID(id)); changed = true }
        msg.endArray()
        msg.beginArray("teamsRemoved")
        for team in teamsRemoved { msg.string(Self.slug(team)); changed = true }
        msg.endArray()

        let summary = Summary(g.teamOf.keys.lazy.compactMap { registry.workers[$0] }, at: now, grace: grace)
        if summary != g.summary {
            g.summary = summary
            msg.string("summary", bytes: summaryHTML(g.key.view, summary, at: now))
            changed = true
        }
        let count = countText(shown: g.teamOf.count, total: registry.workers.count)
        if count != g.count {
            g.count = count
            msg.string("count", count)
            changed = true
        }
        msg.number("shown", Int64(g.teamOf.count))
        return changed ? msg.finish() : nil
    }

    /// The whole view as one `reset` message, from the view's own registry snapshot.
    private func resetMessage(_ g: Group, now: Timestamp, lastLine: Timestamp?) -> [UInt8] {
        var msg = LiveMessage(event: "reset", id: LiveCursor(epoch: epoch, seq: g.cursorSeq).text,
                              capacity: 4096 + g.teamOf.count * 2048)
        msg.clock(version: g.registry.version, now: now, lastLine: lastLine)
        msg.string("body", bytes: body(g, at: now))
        msg.string("summary", bytes: summaryHTML(g.key.view, g.summary, at: now))
        msg.string("count", g.count)
        msg.number("shown", Int64(g.teamOf.count))
        return msg.finish()
    }

    private func feedMessage(_ g: Group, now: Timestamp, lastLine: Timestamp?) -> [UInt8] {
        var msg = LiveMessage(event: "feed", id: LiveCursor(epoch: epoch, seq: g.cursorSeq).text)
        msg.clock(version: nil, now: now, lastLine: lastLine)
        return msg.finish()
    }

    /// Every team of the view with its rows (tiles), as the page embeds them.
    private func body(_ g: Group, at now: Timestamp) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(g.teamOf.count * 1800 + 256)
        for team in Self.teamOrder(Array(g.teams.keys)) {
            guard let ids = g.teams[team], !ids.isEmpty else { continue }
            out += Array(teamHeader(g.key.view, team, ids: ids, registry: g.registry, at: now).utf8)
            for id in ids {
                guard let w = g.registry.workers[id] else { continue }
                appendRow(g.key.view, w, at: now, into: &out)
            }
            out += Array((g.key.view == .page ? "</tbody>\n" : "</section>\n").utf8)
        }
        return out
    }

    // MARK: Rendering per view

    private func rowHTML(_ view: LiveView, _ w: WorkerState, at now: Timestamp) -> [UInt8] {
        var out: [UInt8] = []
        appendRow(view, w, at: now, into: &out)
        return out
    }

    private func appendRow(_ view: LiveView, _ w: WorkerState, at now: Timestamp, into out: inout [UInt8]) {
        switch view {
        case .page:
            let flags = w.callFlags(at: now, grace: renderer.settings.grace)
            TimerMarkup.write(renderer.rowMarkup(w, flags: flags), now: now, thresholds: renderer.thresholds, into: &out)
        case .kiosk:
            kiosk.tile(w, at: now, into: &out)
        }
    }

    private func teamHeader(_ view: LiveView, _ team: String, ids: [WorkerID], registry: Registry, at now: Timestamp) -> String {
        let workers = ids.compactMap { registry.workers[$0] }
        switch view {
        case .page: return renderer.teamHeader(team, workers: workers, at: now)
        case .kiosk: return kiosk.teamOpen(team, workers: workers, at: now)
        }
    }

    private func summaryHTML(_ view: LiveView, _ summary: Summary, at now: Timestamp) -> [UInt8] {
        switch view {
        case .page: return renderer.summaryHTML(summary, at: now)
        case .kiosk: return kiosk.summaryHTML(summary, at: now)
        }
    }

    private func countText(shown: Int, total: Int) -> String { "\(shown) of \(total) agents" }

    static func slug(_ team: String) -> String {
        TeamHeading(team: team).slug
    }

    /// Teams by name, the unnamed team last (as the page orders them).
    static func teamBefore(_ a: String, _ b: String) -> Bool { a.isEmpty ? false : (b.isEmpty ? true : a < b) }
    static func teamOrder(_ teams: [String]) -> [String] { teams.sorted(by: teamBefore) }

    // MARK: Clients

    /// The cursor a page embeds so its stream starts where the page's snapshot left off.
    /// Call it *before* taking the snapshot the page renders: every change after the cursor then
    /// reaches the page (changes it already shows arrive again, harmlessly).
    public func cursor(for view: LiveView, query: WorkerQuery) -> String {
        state.withLock { s in
            let g = group(Key(view: view, query: query), &s)
            if g.clients.isEmpty { g.idleSince = WallClock.monotonicSeconds() }
            return LiveCursor(epoch: epoch, seq: s.seq).text
        }
    }

    /// The kiosk board as its view holds it, with the matching cursor (consistent by construction).
    func kioskBoard(query: WorkerQuery) -> (cursor: String, body: [UInt8], summary: [UInt8], count: String,
                                            shown: Int, version: UInt64) {
        let now = clock.now()
        return state.withLock { s in
            let g = group(Key(view: .kiosk, query: query), &s)
            if g.clients.isEmpty { g.idleSince = WallClock.monotonicSeconds() }
            return (LiveCursor(epoch: epoch, seq: s.seq).text, body(g, at: now), kiosk.summaryHTML(g.summary, at: now),
                    g.count, g.teamOf.count, g.registry.version)
        }
    }

    /// `GET /live?view=page|kiosk&<filters>&last=<id>`: a Server-Sent Events stream.
    public func handle(_ request: Request) -> Response {
        var fields = HTTPFields()
        fields[.contentType] = "text/event-stream; charset=utf-8"
        fields[.cacheControl] = "no-store"
        fields[HTTPField.Name("X-Accel-Buffering")!] = "no"
        fields[.xContentTypeOptions] = "nosniff"
        if request.method == .head {
            return Response(status: .ok, headerFields: fields)
        }
        let view = LiveView(rawValue: request.queryValue("view") ?? "page") ?? .page
        let key = Key(view: view, query: WorkerQuery(parameters: request.query))
        let last = request.headerFields[HTTPField.Name("Last-Event-ID")!] ?? request.queryValue("last")
        let body = StreamingBody(maxPendingBytes: settings.maxPendingBytes)
        let now = clock.now()
        let lastLine = statistics.lastLineReceivedAt
        let client = state.withLock { s -> UInt64? in
            guard !s.stopped, s.clients < settings.maxClients else {
                s.statistics.refused += 1
                return nil
            }
            let g = group(key, &s)
            var hello = LiveMessage(event: "hello", id: nil)
            hello.string("epoch", epoch)
            hello.string("view", view.rawValue)
            hello.number("heartbeat", settings.heartbeat)
            hello.number("staleAfter", renderer.settings.staleAfter)
            hello.clock(version: nil, now: now, lastLine: lastLine)
            var out = Array("retry: \(settings.retryMilliseconds)\n\n".utf8)
            out += hello.finish()
            if let last, let cursor = LiveCursor(last), cursor.epoch == epoch, cursor.seq >= g.floor, cursor.seq <= s.seq {
                for entry in g.buffer where entry.seq > cursor.seq { out += entry.bytes }
                s.statistics.replays += 1
            } else {
                out += resetMessage(g, now: now, lastLine: lastLine)
                s.statistics.resyncs += 1
            }
            body.write(out)
            s.nextClient += 1
            g.clients[s.nextClient] = body
            g.idleSince = nil
            s.clients += 1
            s.statistics.bytesWritten += UInt64(out.count)
            return s.nextClient
        }
        guard let client else {
            var busy = HTTPFields()
            busy[.contentType] = "text/plain; charset=utf-8"
            busy[.retryAfter] = "10"
            busy[.cacheControl] = "no-store"
            return Response(status: .serviceUnavailable, headerFields: busy,
                            body: .bytes(Array("Too many live clients; try again shortly.\n".utf8)))
        }
        body.onClose { [weak self] in self?.remove(client, from: key) }
        return Response(status: .ok, headerFields: fields, body: .stream(body))
    }

    private func remove(_ client: UInt64, from key: Key) {
        state.withLock { s in
            guard let g = s.groups[key], g.clients.removeValue(forKey: client) != nil else { return }
            s.clients -= 1
            if g.clients.isEmpty { g.idleSince = WallClock.monotonicSeconds() }
        }
    }
}
