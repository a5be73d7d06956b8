import MicroHTTP

/// The Server-Sent Events side of live updates: channels of clients that are sent the same
/// bytes, each with a bounded buffer of recent messages for clients that reconnect.
///
/// It only frames what it is given into streams: it buffers messages by sequence number,
/// replays the ones a reconnecting client missed, admits clients up to a cap and writes. It
/// knows nothing of boards or rows. Messages are open (see `LiveMessage`): each client's
/// `tail` follows every one it is sent. A value kept under its owner's lock; the returned
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
        var clients: [UInt64: Listener] = [:]
        /// Monotonic time since when no client has listened; nil while some do.
        var idleSince: Double?
    }

    /// A client: its stream, and what it writes after each message (`LiveCursor.tail`).
    struct Listener {
        var body: StreamingBody
        var tail: [UInt8]
    }

    /// Bytes for some streams, each followed by the stream's tail.
    struct Delivery {
        var bodies: [Listener]
        var bytes: [UInt8]
    }

    let settings: LiveSettings
    private(set) var channels: [Key: Channel] = [:]
    private(set) var clientCount = 0
    var statistics = LiveStatistics()

    init(settings: LiveSettings) { self.settings = settings }

    // MARK: Channels

    /// Opens a channel at `seq` (its clients will be in the state `payload` says), making room
    /// past `maxViews` by dropping the channel idle the longest; false when every channel has
    /// clients and none can be dropped.
    @discardableResult
    mutating func open(_ key: Key, payload: Payload, seq: UInt64, now mono: Double) -> Bool {
        guard channels[key] == nil else { return true }
        if channels.count >= settings.maxViews {
            guard let oldest = channels.filter({ $0.value.clients.isEmpty }).min(by: { ($0.value.idleSince ?? 0) < ($1.value.idleSince ?? 0) }) else {
                return false
            }
            channels[oldest.key] = nil
        }
        channels[key] = Channel(payload: payload, floor: seq, lastSeq: seq, idleSince: mono)
        return true
    }

    /// Removes a channel with its buffer; its clients' streams, for the caller to end.
    mutating func close(_ key: Key) -> [StreamingBody] {
        guard let c = channels.removeValue(forKey: key) else { return [] }
        clientCount -= c.clients.count
        return c.clients.values.map(\.body)
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

    /// Writes the arrays `first` (messages with the client's tail after each open one) to
    /// `body` and adds it to the channel's clients as `client` (`LiveCursor.stream`, the id to
    /// remove it with), to be sent `tail` after each later message; false when the channel is
    /// gone or the id is taken. The arrays are queued as they are: clients sent the same ones
    /// share them.
    mutating func admit(_ body: StreamingBody, as client: UInt64, tail: [UInt8], to key: Key, first: [[UInt8]]) -> Bool {
        guard channels[key] != nil, channels[key]!.clients[client] == nil else { return false }
        _ = body.write(first)
        statistics.bytesWritten += UInt64(first.reduce(0) { $0 + $1.count })
        channels[key]!.clients[client] = Listener(body: body, tail: tail)
        channels[key]!.idleSince = nil
        clientCount += 1
        return true
    }

    mutating func remove(_ client: UInt64, from key: Key, now mono: Double) {
        guard channels[key]?.clients.removeValue(forKey: client) != nil else { return }
        clientCount -= 1
        if channels[key]!.clients.isEmpty { channels[key]!.idleSince = mono }
    }

    /// Removes a client of the channel `key` so that a new stream takes its slot; its stream,
    /// for the caller to end, or nil when the channel has no such client.
    mutating func takeOver(_ client: UInt64, in key: Key, now mono: Double) -> StreamingBody? {
        guard let listener = channels[key]?.clients[client] else { return nil }
        remove(client, from: key, now: mono)
        return listener.body
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

    /// Writes deliveries (outside any lock), queueing on every stream before waking any
    /// (`StreamWrites`); returns bytes written and streams that overflowed.
    static func deliver(_ deliveries: [Delivery]) -> (written: UInt64, overflows: UInt64) {
        var written: UInt64 = 0
        var overflows: UInt64 = 0
        var writes = StreamWrites()
        for d in deliveries {
            for listener in d.bodies {
                let body = listener.body
                if writes.write([d.bytes, listener.tail], to: body) {
                    written += UInt64(d.bytes.count + listener.tail.count)
                } else if !body.isClosed {
                    overflows += 1
                }
            }
        }
        writes.send()
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
    /// Connections refused because `maxViews` views with clients were open (a new view).
    public var refusedViews: UInt64 = 0
    /// Views (channels) evicted over the memory budget (`LiveSettings.viewsMemoryBytes`), and
    /// the streams they ended.
    public var evictedViews: UInt64 = 0
    public var evictedClients: UInt64 = 0
    /// Reconnections that took over their own old stream (`Last-Event-ID` naming it).
    public var takeovers: UInt64 = 0
    /// Estimated bytes of kept boards, replay buffers and shared resets (`ViewBudget`).
    public var estimatedBytes = 0
    /// Flushes (each takes one snapshot for every board).
    public var flushes: UInt64 = 0
}
