import MicroHTTP
import TeamsDomain
import TeamsReports

/// What the kept views hold in memory, estimated, and which views go when together they hold
/// more than `LiveSettings.viewsMemoryBytes`.
///
/// An estimate, not a measurement, in bytes: a board counts a fixed part, a part per team and a
/// `WorkerID` per row (the workers themselves are the registry's, shared by every board); a
/// channel counts a fixed part and its replay buffer; a `reset` kept for reuse counts its bytes.
/// What streams have queued is not counted here (`--live-queue-total-bytes` caps it).
///
/// Past the budget what no stream listens to goes first (boards kept for pages, views lingering
/// for reconnections), then the views with clients that were joined the least recently; the
/// most recent one stays. A view (a channel: a board through a window) goes with its buffer and
/// reset, and its board with its last view; its streams are sent an `evicted` message and end.
enum ViewBudget {
    static let boardBytes = 4096
    static let teamBytes = 512
    static let channelBytes = 1024
    /// Per buffered message: the buffer's entry and the array's header.
    static let messageBytes = 64

    /// `bytes(of:)` of a board of `agents` agents, before it is built.
    static func estimatedBytes(agents: Int) -> Int {
        boardBytes + teamBytes + agents * MemoryLayout<WorkerID>.stride
    }

    static func bytes(of board: Board) -> Int {
        board.teams.reduce(boardBytes) { $0 + teamBytes + $1.ids.capacity * MemoryLayout<WorkerID>.stride }
    }

    static func bytes(of channel: Broadcaster<LiveUpdates.ChannelKey, Board>.Channel) -> Int {
        channelBytes + channel.bufferBytes + channel.buffer.count * messageBytes
    }

    /// Estimated bytes of views gone since the last time freed memory was handed back.
    static let trimAfter = 16 << 20

    /// Hands freed heap pages back to the system: glibc keeps what boards and buffers held,
    /// spread over its arenas, and the process's resident size would stay at its peak.
    static func returnFreedMemory() {
        ProcessHeap.trim()
    }

    /// `evicted` `{reason, retry}`: the stream ends; reconnect after `retry` milliseconds or more.
    static func evictedMessage(retry: Double) -> [UInt8] {
        var message = LiveMessage(event: "evicted", id: nil)
        message.string("reason", "memory")
        message.number("retry", Int64(retry * 1000))
        return message.finish()
    }
}

extension LiveUpdates.State {
    /// Estimated bytes of every kept board, channel and reset.
    func estimatedViewBytes() -> Int {
        boards.entries.values.reduce(0) { $0 + ViewBudget.bytes(of: $1.board) }
            + broadcaster.channels.values.reduce(0) { $0 + ViewBudget.bytes(of: $1) }
            + resets.values.reduce(0) { $0 + $1.bytes.count }
    }

    /// Evicts views until the estimate is at most `limit` (0: no limit): boards no channel
    /// shows, least recently used first; then channels no client listens to, idle longest first;
    /// then channels with clients, least recently joined first, never the most recent one. A
    /// board goes with its last channel. Returns the streams of the evicted channels, for the
    /// caller to end (`enforceViewBudget`).
    mutating func evictOverBudget(_ limit: Int) -> [StreamingBody] {
        channelUse = channelUse.filter { broadcaster.channels[$0.key] != nil }
        guard limit > 0 else { return [] }
        var total = estimatedViewBytes()
        guard total > limit else { return [] }
        var shown = Dictionary(grouping: broadcaster.channels.keys, by: \.board).mapValues(Set.init)
        var victims: [(rank: Int, used: Double, board: BoardKey?, channel: LiveUpdates.ChannelKey?)] = []
        for (key, entry) in boards.entries where shown[key] == nil { victims.append((0, entry.lastUsed, key, nil)) }
        for (key, channel) in broadcaster.channels {
            if channel.clients.isEmpty {
                victims.append((1, channel.idleSince ?? 0, nil, key))
            } else {
                victims.append((2, channelUse[key] ?? 0, nil, key))
            }
        }
        victims.sort { ($0.rank, $0.used) < ($1.rank, $1.used) }
        if victims.last?.rank == 2 { victims.removeLast() }
        var ended: [StreamingBody] = []
        for victim in victims {
            guard total > limit else { break }
            if let key = victim.board, let entry = boards.entries[key] {
                total -= ViewBudget.bytes(of: entry.board)
                boards.remove(key)
            }
            guard let key = victim.channel, let channel = broadcaster.channels[key] else { continue }
            total -= ViewBudget.bytes(of: channel) + (resets.removeValue(forKey: key)?.bytes.count ?? 0)
            let bodies = broadcaster.close(key)
            broadcaster.statistics.evictedViews += 1
            broadcaster.statistics.evictedClients += UInt64(bodies.count)
            ended += bodies
            shown[key.board]?.remove(key)
            if shown[key.board]?.isEmpty == true, let entry = boards.entries[key.board] {
                total -= ViewBudget.bytes(of: entry.board)
                boards.remove(key.board)
            }
        }
        return ended
    }
}

extension LiveUpdates {
    /// Evicts views past the memory budget and ends their streams; once views holding
    /// `ViewBudget.trimAfter` bytes or more are gone (evicted, or dropped when their clients
    /// left), or the last view is, hands the memory they held back to the system.
    func enforceViewBudget() {
        let (ended, trim) = state.withLock { s -> ([StreamingBody], Bool) in
            let ended = s.evictOverBudget(settings.viewsMemoryBytes)
            let bytes = s.estimatedViewBytes()
            s.viewBytesPeak = max(s.viewBytesPeak, bytes)
            // The last view gone: nothing left but the Teams View's own board, which stays (`FloorBoard.swift`).
            let lastGone = bytes == (s.boards.board(LiveUpdates.floorKey).map(ViewBudget.bytes(of:)) ?? 0)
            guard s.viewBytesPeak - bytes >= ViewBudget.trimAfter || (lastGone && s.viewBytesPeak > bytes) else { return (ended, false) }
            s.viewBytesPeak = bytes
            return (ended, true)
        }
        if !ended.isEmpty {
            let message = ViewBudget.evictedMessage(retry: settings.evictedRetry)
            for body in ended {
                body.write(message)
                body.close()
            }
        }
        if trim { ViewBudget.returnFreedMemory() }
    }
}
