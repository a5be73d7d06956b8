import MicroHTTP

/// The Server-Sent Events side of live updates: channels of clients that are sent the same
/// bytes, each with a bounded buffer of recent messages for clients that reconnect.
///
/// It only frames what it is given into streams: it buffers messages by sequence number,
/// replays the ones a reconnecting client missed, admits clients up to a cap and writes. It
/// knows nothing of boards or rows. A value kept under its owner's lock; the returned
/// `Delivery`s are written after the lock is released (`deliver`).
///
/// Sequence numbers are the owner's (one per flush, shared by all channels): a channel that
/// has seen flush `lastSeq` holds every message it got after `floor`.
struct Broadcaster<Key: Hashable, Payload> {
    struct Channel {
        /// What the owner keeps with the channel: the state its clients are in at `lastSeq`.
        var payload: Payload
        var buffer: [(seq: UInt64, bytes: [UInt8])] = []
        var bufferBytes = 0
        /// Every message of this channel after `floor` is in `buffer`.
        var floor: UInt64
        var lastSeq: UInt64
        var clients: [UInt64: StreamingBody] = [:]
        /// Monotonic time since when no client has listened; nil while some do.
        var idleSince: Double?
    }

    /// Bytes for some streams.
    struct Delivery {
        var bodies: [StreamingBody]
        var bytes: [UInt8]
    }

    let settings: LiveSettings
    private(set) var channels: [Key: Channel] = [:]
    private(set) var clientCount = 0
    private var nextClient: UInt64 = 0
    var statistics = LiveStatistics()

    init(settings: LiveSettings) { self.settings = settings }

    // MARK: Channels

    /// Opens a channel at `seq` (its clients will be in the state `payload` says), making room
    /// past `maxViews` by dropping the channel idle the longest.
    mutating func open(_ key: Key, payload: Payload, seq: UInt64, now mono: Double) {
        guard channels[key] == nil else { return }
        if channels.count >= settings.maxViews,
           let oldest = channels.filter({ $0.value.clients.isEmpty }).min(by: { ($0.value.idleSince ?? 0) < ($1.value.idleSince ?? 0) }) {
            channels[oldest.key] = nil
        }
        channels[key] = Channel(payload: payload, floor: seq, lastSeq: seq, idleSince: mono)
    }

    /// Moves a channel to `seq` with its new state, buffering `message` (nil: nothing for its
    /// clients this time). Returns who must be sent it.
    mutating func publish(_ key: Key, seq: UInt64, payload: Payload, message: [UInt8]?) -> Delivery? {
        guard var c = channels[key] else { return nil }
        c.payload = payload
        c.lastSeq = seq
        var delivery: Delivery?
        if let message {
            statistics.messages += 1
            c.buffer.append((seq, message))
            c.bufferBytes += message.count
            var drop = 0
            while c.buffer.count - drop > 1,
                  c.buffer.count - drop > settings.replayMessages || c.bufferBytes > settings.replayBytes {
                c.bufferBytes -= c.buffer[drop].bytes.count
                c.floor = c.buffer[drop].seq
                drop += 1
            }
            if drop > 0 { c.buffer.removeFirst(drop) }
            if !c.clients.isEmpty { delivery = Delivery(bodies: Array(c.clients.values), bytes: message) }
        }
        channels[key] = c
        return delivery
    }

    /// The buffered messages after `seq` (the buffer's own arrays, shared, not copied), or nil
    /// when the buffer no longer covers it.
    func replay(_ key: Key, after seq: UInt64) -> [[UInt8]]? {
        guard let c = channels[key], seq >= c.floor, seq <= c.lastSeq else { return nil }
        return c.buffer.filter { $0.seq > seq }.map(\.bytes)
    }

    // MARK: Clients

    /// Whether one more client may connect.
    var hasRoom: Bool { clientCount < settings.maxClients }

    /// Writes the messages `first` to `body` and adds it to the channel's clients; the id to
    /// remove it with. The arrays are queued as they are: clients sent the same ones share them.
    mutating func admit(_ body: StreamingBody, to key: Key, first: [[UInt8]]) -> UInt64? {
        guard channels[key] != nil else { return nil }
        _ = body.write(first)
        statistics.bytesWritten += UInt64(first.reduce(0) { $0 + $1.count })
        nextClient += 1
        channels[key]!.clients[nextClient] = body
        channels[key]!.idleSince = nil
        clientCount += 1
        return nextClient
    }

    mutating func remove(_ client: UInt64, from key: Key, now mono: Double) {
        guard channels[key]?.clients.removeValue(forKey: client) != nil else { return }
        clientCount -= 1
        if channels[key]!.clients.isEmpty { channels[key]!.idleSince = mono }
    }

    /// Bytes for every client of every channel (heartbeats), made per channel by `bytes`.
    func everyone(_ bytes: (Key, Channel) -> [UInt8]) -> [Delivery] {
        channels.compactMap { key, c in c.clients.isEmpty ? nil : Delivery(bodies: Array(c.clients.values), bytes: bytes(key, c)) }
    }

    /// Drops channels nobody has listened to for `linger` seconds.
    mutating func dropIdle(now mono: Double) {
        for (key, c) in channels where c.clients.isEmpty {
            if let idle = c.idleSince, mono - idle > settings.linger { channels[key] = nil }
        }
    }

    /// Writes deliveries (outside any lock); returns bytes written and streams that overflowed.
    static func deliver(_ deliveries: [Delivery]) -> (written: UInt64, overflows: UInt64) {
        var written: UInt64 = 0
        var overflows: UInt64 = 0
        for d in deliveries {
            for body in d.bodies {
                if body.write(d.bytes) { written += UInt64(d.bytes.count) } else if !body.isClosed { overflows += 1 }
            }
        }
        return (written, overflows)
    }
}

/// Figures for `/metrics`, `/status` and the benchmark.
public struct LiveStatistics: Sendable, Hashable {
    public var clients = 0
    /// Live channels (a view and window some client listens to, or did lately).
    public var views = 0
    /// Boards kept (views that pages or streams asked for lately).
    public var boards = 0
    /// Messages built (one per channel per flush that changed something for it).
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
    /// Flushes (each takes one snapshot for every board).
    public var flushes: UInt64 = 0
}
