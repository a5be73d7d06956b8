import Dispatch
#if canImport(Glibc)
import Glibc
#endif
import Logging
import MicroHTTP
import Synchronization
import TeamsDomain
import TeamsIngest

/// Keeps boards up to date and sends what changes to live clients.
///
/// Flow: the store's listener keeps each batch's change set (`ChangeLog`); a serial queue flushes them
/// at most every `coalesce` seconds (an event after a quiet spell goes out at once), and no more
/// often than keeps flushing under `LiveSettings.flushShare` of a core: under a flood of events a
/// flush that took 8 ms waits 80 ms after it, so the ingest thread keeps the CPU (`idleFlushShare`
/// while no live client is connected: nobody waits for the flushes then, see `board(for:)`). A flush
/// takes one registry snapshot, files the changed workers (and those whose flags flipped, see
/// `FlagTimers`) into a copy of every kept board, works out each live channel's `BoardDiff`,
/// renders it (`BoardRenderer`) — all with no lock held — and then, under the lock, publishes
/// the boards and hands the messages to the `Broadcaster`, which writes them after.
///
/// Pages take boards from here (`board(for:)`), with the changes not yet flushed filed in from
/// the log, so a page reads the workers that changed, not the floor. Taking one never opens a live channel. Only
/// `GET /live` does (`LiveStream.swift`). The lock guards dictionaries and buffers only: HTTP
/// threads never wait for a rendering.
public final class LiveUpdates: Sendable {
    public let settings: LiveSettings
    let store: RegistryStore
    let statistics: IngestStatistics
    let renderer: BoardRenderer
    let clock: WallClock
    let logger: Logger
    /// Changes with the server's boot: cursors from another boot always resync.
    let epoch: String
    let queue = DispatchQueue(label: "teamsview.live")
    let state: Mutex<State>
    private let pending: Mutex<Pending>
    private let flags = Mutex(FlagTimers())
    /// Times the changed workers were found by reading every worker's version, not from the batches
    /// reported (`ChangeLog`): a restored floor, and rare races; each read is O(workers).
    let floorReads = Atomic<Int>(0)

    /// A live channel: a board's view through one window (nil: the whole view).
    struct ChannelKey: Hashable {
        var board: BoardKey
        var window: BoardWindow?
    }

    struct State {
        /// The last flush; boards and channels are at it or behind.
        var seq: UInt64 = 0
        var boards: BoardCache
        /// Each channel's payload is the board its clients show, at the channel's `lastSeq`.
        var broadcaster: Broadcaster<ChannelKey, Board>
        var lastFeedLine: Timestamp?
        var lastFeedSent = 0.0
        var lastHeartbeat = 0.0
        var stopped = false
        /// The last `reset` rendered per channel, shared by clients connecting soon after.
        var resets: [ChannelKey: Reset] = [:]
        /// When a client last joined each channel (monotonic): the least recent are evicted first.
        var channelUse: [ChannelKey: Double] = [:]
        /// The most `estimatedViewBytes` since freed memory was last handed back (`ViewBudget`).
        var viewBytesPeak = 0
        /// The registry version and monotonic time `keepFloorBoard` last measured the feed's rate from.
        var floorWatch: (version: UInt64, at: Double)?
        /// A flush is due a second after `keepFloorBoard` found the feed too busy.
        var floorRecheck = false

        struct Reset {
            var seq: UInt64
            var version: UInt64
            var at: Double
            var bytes: [UInt8]
        }

        /// The views live channels listen to: their boards are never dropped. A set, not a method of
        /// the state: a method passed while the state's boards are mutated would copy the whole state.
        var pinned: Set<BoardKey> { Set(broadcaster.channels.keys.map(\.board)) }
    }

    /// What changed since the last flush. Changed workers are not listed by id on the applying thread:
    /// every batch would hash each id again to merge it in. The batches are kept as reported (`ChangeLog`)
    /// and their ids worked out by whoever needs them; only the workers of a restored floor are listed.
    private struct Pending {
        /// Workers noted by id: every worker of a restored floor.
        var touched: Set<WorkerID> = []
        /// What the running flush files by id (the changes after `inFlightFrom` up to `flushedVersion`);
        /// pages that catch a board before it is published add it.
        var inFlight: Set<WorkerID> = []
        var inFlightFrom: UInt64?
        /// The batches after `flushedVersion`.
        var log: ChangeLog
        /// A restored floor replaced the registry (versions may have gone back): the next flush takes every worker.
        var rescan = false
        /// The registry version of the snapshot the last flush took changed workers from.
        var flushedVersion: UInt64
        var scheduled = false
        var lastFlush = -1e9
        /// Least seconds from the last flush's start to the next one's (`LiveSettings.flushSpacing`).
        var spacing = 0.0

        init(version: UInt64) {
            flushedVersion = version
            log = ChangeLog(base: version)
        }

        /// The workers changed or removed after `version` up to `to`, and maybe later: from the
        /// running flush's and the log's; nil when they do not cover that span.
        func unflushed(after version: UInt64, upTo to: UInt64) -> Set<WorkerID>? {
            if version >= flushedVersion, let ids = log.touched(after: version, upTo: to) {
                return ids.union(touched)
            }
            guard let from = inFlightFrom, version >= from, var ids = log.touched(after: flushedVersion, upTo: to) else { return nil }
            ids.formUnion(inFlight)
            return ids.union(touched)
        }
    }

    /// True while the floor is being restored: flags that clear during the replay cleared long ago, so they
    /// are not shown as "just cleared".
    let restoring: @Sendable () -> Bool

    init(store: RegistryStore, statistics: IngestStatistics, renderer: BoardRenderer, settings: LiveSettings,
         clock: WallClock, logger: Logger = Logger(label: "teamsview.live"), restoring: @escaping @Sendable () -> Bool = { false }) {
        self.restoring = restoring
        self.store = store
        self.statistics = statistics
        self.renderer = renderer
        self.settings = settings
        self.clock = clock
        self.logger = logger
        var seed = UInt64(bitPattern: clock.now().microseconds) ^ UInt64(WallClock.monotonicSeconds() * 1e9)
        seed = (seed ^ (seed >> 31)) &* 0x9E37_79B9_7F4A_7C15
        self.epoch = String(seed % 2_176_782_336, radix: 36)
        let start = WallClock.monotonicSeconds()
        var initial = State(boards: BoardCache(limit: settings.maxViews, linger: settings.linger),
                            broadcaster: Broadcaster(settings: settings))
        initial.lastHeartbeat = start
        initial.lastFeedSent = start
        state = Mutex(initial)
        let now = clock.now()
        let grace = renderer.grace
        // Calls whose end fell overdue since: a change of their workers, noted before the snapshot.
        store.markOverdueEnds(at: now)
        let registry = store.snapshot()
        pending = Mutex(Pending(version: registry.version))
        flags.withLock { $0.scan(registry, at: now, grace: grace) }
        store.observe { [weak self] changes in self?.note(changes) }
        // Half the pages' --stale-after: a browser's estimate of the server's clock may run a little ahead.
        statistics.onFeedResumed(after: max(0.5, renderer.page.settings.staleAfter / 2)) { [weak self] in
            guard let self else { return }
            self.queue.async { [weak self] in self?.feedResumed() }
        }
        scheduleTick()
        scheduleFlagWake()
    }

    /// Stops the periodic work. Streams are ended by the HTTP server's `stop()`.
    public func stop() {
        state.withLock { $0.stopped = true }
    }

    public var statisticsSnapshot: LiveStatistics {
        state.withLock { s in
            var copy = s.broadcaster.statistics
            copy.clients = s.broadcaster.clientCount
            copy.views = s.broadcaster.channels.count
            copy.boards = s.boards.count
            copy.estimatedBytes = s.estimatedViewBytes()
            return copy
        }
    }

    /// Streams connected now.
    public var clientCount: Int { state.withLock { $0.broadcaster.clientCount } }

    // MARK: Boards for pages

    /// The board of a view as of now: the kept one, with changes not yet flushed filed into a
    /// copy; or a new one (then kept, so the next request and the live updates reuse it).
    /// Opens no live channel.
    /// The last flush's sequence number: it moves whenever a board may have changed, by events or by timers.
    var sequence: UInt64 { state.withLock { $0.seq } }

    func board(for key: BoardKey) -> Board {
        // The registry first, then what changed up to it, then the board: a flush publishing in between
        // leaves a newer board, for which the changes read are a superset.
        store.markOverdueEnds(at: clock.now())
        let registry = store.snapshot()
        let changes = pending.withLock { $0 }
        let mono = WallClock.monotonicSeconds()
        var (kept, seq, searchLists, sibling) = state.withLock { s in
            let kept = s.boards.use(key, now: mono)
            return (kept, s.seq, s.boards.searchLists, kept == nil ? s.boards.sibling(of: key) : nil)
        }
        let now = clock.now()
        // A new order of a kept view (a sort picked on the page): its board re-filed, kept like a board of its own.
        if kept == nil, let sibling,
           let board = Board(key: key, reordering: sibling, searchLists: searchLists,
                             changedSince: { changes.unflushed(after: $0, upTo: sibling.version) }) {
            kept = state.withLock { s in
                let pinned = s.pinned
                return s.boards.insert(board, now: mono, pinned: pinned.contains)
            }
        }
        if var board = kept {
            guard board.version < registry.version else { return board }
            // Rarely (a board kept from before the last flush, a batch not yet reported): every worker is read.
            let unflushed = changes.unflushed(after: board.version, upTo: registry.version)
                ?? changes.touched.union(changes.inFlight).union(readFloor(registry, changedAfter: board.version))
            board.update(unflushed, registry: registry, at: now, seq: board.seq, figures: false)
            return board
        }
        // Built from a registry that may hold changes after `seq`: they arrive again, harmlessly.
        let board = Board(key: key, registry: registry, at: now, seq: seq, grace: renderer.grace,
                          offlineActivity: renderer.page.settings.offlineActivity, searchLists: searchLists,
                          changedSince: { changes.unflushed(after: $0, upTo: registry.version) })
        return state.withLock { s in
            let pinned = s.pinned
            return s.boards.insert(board, now: mono, pinned: pinned.contains)
        }
    }

    /// The workers of `registry` changed after `version`, from every worker's version. O(workers).
    private func readFloor(_ registry: Registry, changedAfter version: UInt64) -> Set<WorkerID> {
        floorReads.add(1, ordering: .relaxed)
        return registry.workers(changedAfter: version)
    }

    // MARK: Changes in

    private func note(_ changes: ChangeSet) {
        let delay = pending.withLock { p -> Double? in
            p.log.note(changes)
            if changes.replacedRegistry {
                p.rescan = true
                p.touched.formUnion(changes.changed)
            }
            guard !p.scheduled else { return nil }
            p.scheduled = true
            return max(0, p.lastFlush + p.spacing - WallClock.monotonicSeconds())
        }
        if let delay { schedule(after: delay) }
    }

    /// CPU seconds the calling thread has run.
    static func threadCPUSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    private func schedule(after delay: Double) {
        if delay <= 0 {
            queue.async { [weak self] in self?.flush() }
        } else {
            queue.asyncAfter(deadline: .now() + delay) { [weak self] in self?.flush() }
        }
    }

    /// Flushes pending changes now and waits for it (tests: a known starting point).
    func settle() {
        queue.sync { flush() }
    }

    /// Files what changed into every board and sends each channel its diff. On the queue only.
    func flush() {
        // The flush's own CPU time, not the wall time: on a busy machine a flush preempted for
        // 40 ms has still cost the ingest side only what it ran, and must not hold back the next.
        let startedCPU = Self.threadCPUSeconds()
        defer {
            let cost = Self.threadCPUSeconds() - startedCPU
            let spacing = settings.flushSpacing(after: cost, watched: clientCount > 0)
            pending.withLock { $0.spacing = spacing }
        }
        var (touched, rescan) = pending.withLock { p -> (Set<WorkerID>, Bool) in
            p.scheduled = false
            p.lastFlush = WallClock.monotonicSeconds()
            p.inFlight = p.touched
            p.inFlightFrom = nil
            p.touched = []
            let rescan = p.rescan
            p.rescan = false
            return (p.inFlight, rescan)
        }
        defer { pending.withLock { $0.inFlight = []; $0.inFlightFrom = nil } }
        let now = clock.now()
        let grace = renderer.grace
        // Calls whose end fell overdue since: a change of their workers, noted before the snapshot.
        store.markOverdueEnds(at: now)
        let registry = store.snapshot()
        // The workers changed after `since` up to the snapshot: from the batches reported, or from every
        // worker's version when they do not cover the span. Batches after the snapshot have higher
        // versions: the next flush takes them.
        let (since, logged) = pending.withLock { p -> (UInt64, Set<WorkerID>?) in
            let since = rescan ? 0 : p.flushedVersion
            guard rescan || registry.version != since else { return (since, []) }
            let ids = rescan ? nil : p.log.touched(after: since, upTo: registry.version)
            p.flushedVersion = registry.version
            p.log.advance(to: registry.version)
            if let ids {
                p.inFlight.formUnion(ids)
                p.inFlightFrom = since
            }
            return (since, ids)
        }
        if let logged {
            touched.formUnion(logged)
        } else {
            touched.formUnion(readFloor(registry, changedAfter: since))
            pending.withLock { p in
                p.inFlight.formUnion(touched)
                p.inFlightFrom = since
            }
        }
        // New views' search list moves with the flushes, so the first view at a new version does not build it.
        state.withLock { $0.boards.searchLists }.advance(to: registry, touched: touched, since: since, rescan: rescan)
        let lastLine = statistics.lastLineReceivedAt
        let linger = renderer.linger
        flags.withLock { f in
            touched.formUnion(f.takeDue(at: now))
            if let last = f.last, !restoring() {
                f.linger(linger.noteCleared(touched, old: last, new: registry, at: now, grace: grace))
            }
            f.last = registry
            f.note(touched, in: registry, at: now, grace: grace)
        }
        defer { scheduleFlagWake() }
        guard !touched.isEmpty else {
            keepFloorBoard(registry, seq: state.withLock { $0.seq }, at: now)
            return
        }

        // 1. What to update: every kept board, and the windows its channels show.
        guard let (seq, work) = state.withLock({ s -> (UInt64, [(Board, [BoardWindow?])])? in
            guard !s.stopped else { return nil }
            s.seq += 1
            s.broadcaster.statistics.flushes += 1
            let windows = Dictionary(grouping: s.broadcaster.channels.keys, by: \.board)
            return (s.seq, s.boards.entries.values.map { ($0.board, windows[$0.board.key]?.map(\.window) ?? []) })
        }) else { return }

        // 2. Update and render with no lock held.
        let id = LiveCursor(epoch: epoch, seq: seq).text
        var updates: [(old: Board, new: Board, messages: [BoardWindow?: [UInt8]?], touched: Set<WorkerID>)] = []
        for (old, windows) in work where old.version <= registry.version {
            // A board built from a snapshot older than the last flush's, kept after that flush began, also
            // takes what changed in between (rare: read from every worker's version).
            let touched = old.version >= since ? touched : touched.union(readFloor(registry, changedAfter: old.version))
            var new = old
            new.update(touched, registry: registry, at: now, seq: seq)
            var messages: [BoardWindow?: [UInt8]?] = [:]
            for window in windows {
                messages[window] = message(from: old, to: new, window: window, touched: touched, id: id, now: now, lastLine: lastLine)
            }
            updates.append((old, new, messages, touched))
        }

        // 3. Publish; channels opened meanwhile (on the old board) get their diff rendered and published next round.
        var deliveries: [Broadcaster<ChannelKey, Board>.Delivery] = []
        while true {
            let missing = state.withLock { s -> [(Int, BoardWindow?)] in
                var missing: [(Int, BoardWindow?)] = []
                for (i, u) in updates.enumerated() {
                    _ = s.boards.replace(u.old, with: u.new)
                    for key in s.broadcaster.channels.keys where key.board == u.old.key {
                        let channel = s.broadcaster.channels[key]!
                        guard channel.lastSeq != seq, channel.payload.seq == u.old.seq, channel.payload.version == u.old.version else { continue }
                        guard let message = u.messages[key.window] else { missing.append((i, key.window)); continue }
                        if let d = s.broadcaster.publish(key, seq: seq, payload: u.new, message: message) { deliveries.append(d) }
                    }
                }
                s.lastFeedLine = lastLine
                return missing
            }
            if missing.isEmpty { break }
            for (i, window) in missing {
                let u = updates[i]
                updates[i].messages[window] = message(from: u.old, to: u.new, window: window, touched: u.touched, id: id,
                                                      now: now, lastLine: lastLine)
            }
        }
        deliver(deliveries)
        keepFloorBoard(registry, seq: seq, at: now)
        enforceViewBudget()
    }

    private func message(from old: Board, to new: Board, window: BoardWindow?, touched: Set<WorkerID>, id: String,
                         now: Timestamp, lastLine: Timestamp?) -> [UInt8]? {
        let diff = BoardDiff(from: old, to: new, window: window, touched: touched)
        return diff.isEmpty ? nil : renderer.rowsMessage(diff, board: new, window: window, id: id, now: now, lastLine: lastLine)
    }

    /// Wakes the queue when the next flag flips.
    private func scheduleFlagWake() {
        let now = clock.now()
        guard let wake = flags.withLock({ $0.nextWake(after: now) }) else { return }
        let delay = max(0, wake.seconds - now.seconds) + 0.005
        queue.asyncAfter(deadline: .now() + delay) { [weak self] in self?.flush() }
    }

    func deliver(_ deliveries: [Broadcaster<ChannelKey, Board>.Delivery]) {
        guard !deliveries.isEmpty else { return }
        let (written, overflows) = Broadcaster<ChannelKey, Board>.deliver(deliveries)
        if written > 0 || overflows > 0 {
            state.withLock {
                $0.broadcaster.statistics.bytesWritten += written
                $0.broadcaster.statistics.overflows += overflows
            }
        }
    }

    // MARK: Heartbeats

    /// Seconds between feed-state checks: often enough that a short `--stale-after` is honoured.
    var feedInterval: Double { min(5, max(0.25, renderer.page.settings.staleAfter / 4)) }

    private func scheduleTick() {
        queue.asyncAfter(deadline: .now() + min(feedInterval, settings.heartbeat)) { [weak self] in
            guard let self, !self.state.withLock({ $0.stopped }) else { return }
            self.tick()
            self.scheduleTick()
        }
    }

    /// Sends the feed's state to every stream at once: lines arrived after a silence the pages may be warning
    /// of, and the warning goes with them (a stream whose view they changed had a `rows` message saying so, but
    /// the others, and lines that change no row, a `heartbeat`, would wait for the next `tick()`).
    private func feedResumed() {
        let now = clock.now()
        let mono = WallClock.monotonicSeconds()
        let lastLine = statistics.lastLineReceivedAt
        let lastEvent = store.snapshot().lastEventAt
        let deliveries = state.withLock { s -> [Broadcaster<ChannelKey, Board>.Delivery] in
            guard !s.stopped else { return [] }
            s.lastFeedSent = mono
            s.lastFeedLine = lastLine
            return s.broadcaster.everyone { _, channel in
                renderer.feedMessage(id: LiveCursor(epoch: epoch, seq: channel.lastSeq).text, now: now, lastLine: lastLine,
                                     lastEvent: lastEvent)
            }
        }
        deliver(deliveries)
    }

    /// Sends the feed state when it changed and, every `heartbeat` seconds, a comment and a
    /// `feed` event on every stream (also how vanished clients are found); drops idle views.
    private func tick() {
        let now = clock.now()
        let mono = WallClock.monotonicSeconds()
        let lastLine = statistics.lastLineReceivedAt
        let lastEvent = store.snapshot().lastEventAt
        let deliveries = state.withLock { s -> [Broadcaster<ChannelKey, Board>.Delivery] in
            var out: [Broadcaster<ChannelKey, Board>.Delivery] = []
            let heartbeat = mono - s.lastHeartbeat >= settings.heartbeat - 0.05
            let feedChanged = lastLine != s.lastFeedLine && mono - s.lastFeedSent >= feedInterval - 0.05
            if heartbeat || feedChanged {
                s.lastFeedSent = mono
                s.lastFeedLine = lastLine
                if heartbeat { s.lastHeartbeat = mono }
                out = s.broadcaster.everyone { _, channel in
                    (heartbeat ? Array(": heartbeat\n".utf8) : [])
                        + renderer.feedMessage(id: LiveCursor(epoch: epoch, seq: channel.lastSeq).text, now: now, lastLine: lastLine,
                                               lastEvent: lastEvent)
                }
            }
            s.resets = s.resets.filter { mono - $0.value.at < settings.resetReuse }
            s.broadcaster.dropIdle(now: mono)
            let pinned = s.pinned
            s.boards.dropIdle(now: mono) { pinned.contains($0) || $0 == Self.floorKey }
            return out
        }
        deliver(deliveries)
        enforceViewBudget()
    }
}
