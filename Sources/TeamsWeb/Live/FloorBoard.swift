import Dispatch
import TeamsDomain

/// The Teams View's own board (`GET /` with no parameters) is kept by the flushes once the feed is live, whether or
/// not anyone asked for it yet.
///
/// A new floor-wide order (a sort or grouping picked on the page, a first `/?sort=…`) is made by re-filing a kept
/// board of the same agents (`Board(key:reordering:)`), which takes about a quarter of the time of reading every
/// worker of the registry into a new board (20,000 agents: ~13 ms against ~57 ms, `teamsview-bench --only served`).
/// Without this, the first such request after a start, or after the board went unused for `linger`, paid the
/// whole build. The board costs what a page of `/` would keep anyway (`ViewBudget.bytes(of:)`: 16 bytes an agent),
/// and each flush files only the workers that changed into it.
///
/// It is built once a backlog is read, when the registry changed less than `quietRate` times a second per agent over
/// the last second or more (a live floor changes far less; a file read at full speed hundreds of times more). A kept
/// board holds its registry snapshot, so while it is kept the ingest thread copies each worker it changes after a
/// flush instead of changing it in place: kept through a file read at full speed, it cost a quarter of the rate or
/// more (`teamsview-bench --only serve`). A flush that finds the feed too busy asks for another a second later, so
/// a read that ends with a flush still gets its board.
///
/// It is never dropped for being unused. It gives way as any board does to a live view when `maxViews` boards are
/// kept, and over the memory budget; it is built again only when there is room for it, so it never pushes out a
/// view someone watches.
extension LiveUpdates {
    /// The key of the Teams View's board.
    static let floorKey = BoardKey(view: .page, query: WorkerQuery(parameters: []))

    /// Changes a second per agent under which the feed is live, not a backlog.
    static let quietRate = 0.5

    /// Builds the floor's board from this flush's snapshot when it is not kept, the feed is quiet enough (see the
    /// type's notes) and there is room for it. On the flush queue only.
    /// When the feed was too busy or not yet measured, one more flush comes a second later (one at a time).
    func keepFloorBoard(_ registry: Registry, seq: UInt64, at now: Timestamp) {
        let agents = registry.workers.count
        let mono = WallClock.monotonicSeconds()
        let quiet = state.withLock { s -> Bool? in
            guard agents > 0, s.boards.board(Self.floorKey) == nil else { return nil }
            guard let last = s.floorWatch, mono - last.at >= 1 else {
                if s.floorWatch == nil { s.floorWatch = (registry.version, mono) }
                return false
            }
            s.floorWatch = (registry.version, mono)
            let rate = Double(registry.version &- last.version) / (mono - last.at)
            return rate <= Self.quietRate * Double(agents)
        }
        guard let quiet else { return }
        guard quiet else {
            let first = state.withLock { s -> Bool in
                defer { s.floorRecheck = true }
                return !s.floorRecheck
            }
            if first {
                queue.asyncAfter(deadline: .now() + 1.0) { [weak self] in
                    guard let self else { return }
                    self.state.withLock { $0.floorRecheck = false }
                    self.flush()
                }
            }
            return
        }
        let room = state.withLock { s -> Bool in
            guard s.boards.board(Self.floorKey) == nil, s.boards.hasRoom(pinned: s.pinned.contains) else { return false }
            let budget = settings.viewsMemoryBytes
            return budget <= 0 || s.estimatedViewBytes() + ViewBudget.estimatedBytes(agents: agents) <= budget
        }
        guard room else { return }
        let board = Board(key: Self.floorKey, registry: registry, at: now, seq: seq, grace: renderer.grace,
                          offlineActivity: renderer.page.settings.offlineActivity)
        state.withLock { s in
            // A page may have built it meanwhile (then that one stays), or a flush moved past `seq`: the next flush
            // files what changed since into it, from every worker's version (`flush`, step 2).
            guard s.boards.board(Self.floorKey) == nil else { return }
            let pinned = s.pinned
            _ = s.boards.insert(board, now: WallClock.monotonicSeconds(), pinned: pinned.contains)
        }
    }
}
