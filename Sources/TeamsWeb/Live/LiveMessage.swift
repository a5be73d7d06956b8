import JSONOutput
import TeamsDomain

/// How live updates are tuned (`teamsview serve --max-live-clients`, `--heartbeat`...).
public struct LiveSettings: Sendable {
    /// Most simultaneous `/live` streams; past it the server answers 503 with `Retry-After`.
    public var maxClients: Int
    /// Seconds between heartbeats (an SSE comment and a `feed` event) on every stream.
    public var heartbeat: Double
    /// Shortest interval between two flushes of changes: a burst of events within it goes out as
    /// one message. An event after a quiet spell goes out at once.
    public var coalesce: Double
    /// Messages kept per view for clients that reconnect with `Last-Event-ID`.
    public var replayMessages: Int
    /// Bytes kept per view for replay; older messages are dropped past it (a resync covers them).
    public var replayBytes: Int
    /// Bytes that may wait for one slow client before its stream is closed (it reconnects and resyncs).
    public var maxPendingBytes: Int
    /// The reconnection delay suggested to clients (`retry:`), in milliseconds.
    public var retryMilliseconds: Int
    /// Seconds a view with no client is kept (so a reloading page finds its replay buffer).
    public var linger: Double
    /// Most views kept at once: boards (distinct filter sets) and channels (a board through a
    /// window). Idle ones are dropped to make room; when every one has clients, a stream for a
    /// new view is answered 503 with `Retry-After`, and a page's board is built but not kept.
    public var maxViews: Int
    /// Estimated bytes all views may hold together: boards' rows, replay buffers, shared resets
    /// (`ViewBudget`). Past it the least recently used views are evicted, even with clients:
    /// their streams get an `evicted` message and end. 0: no budget.
    public var viewsMemoryBytes: Int = 256 << 20
    /// Seconds a client whose view was evicted is asked to wait before reconnecting (at least).
    public var evictedRetry: Double = 10
    /// Most of a core flushing may take under a flood of events: after a flush that ran `t`
    /// seconds of CPU the next waits at least `t / flushShare` (at most 1 s). 0: always `coalesce`.
    public var flushShare: Double = 0.15
    /// As `flushShare`, while no live client is connected: a page files in what no flush has yet itself, so
    /// flushing then only keeps boards, search lists and flag timers up to date, and each flush's snapshot
    /// makes the ingest thread copy every worker it changes next. 0: always `coalesce`.
    public var idleFlushShare: Double = 0.03
    /// Seconds a rendered `reset` is reused for clients that connect to the same channel at the
    /// same board (its `t` clock field is at most this old); past it the next client renders anew.
    public var resetReuse: Double = 0.25

    /// The least time (seconds) between the starts of two flushes after one that ran `cost` seconds of CPU:
    /// `coalesce`, or longer when flushes are costly, so they take at most `flushShare` of a core
    /// (`idleFlushShare` while no live client is connected: `watched` false); never more than one second.
    func flushSpacing(after cost: Double, watched: Bool) -> Double {
        let share = watched ? flushShare : idleFlushShare
        guard share > 0 else { return coalesce }
        return max(coalesce, min(1, cost / share))
    }

    public init(maxClients: Int = 2000, heartbeat: Double = 15, coalesce: Double = 0.1, replayMessages: Int = 256,
                replayBytes: Int = 4 << 20, maxPendingBytes: Int = 2 << 20, retryMilliseconds: Int = 2000,
                linger: Double = 120, maxViews: Int = 256) {
        self.maxClients = maxClients
        self.heartbeat = heartbeat
        self.coalesce = coalesce
        self.replayMessages = replayMessages
        self.replayBytes = replayBytes
        self.maxPendingBytes = maxPendingBytes
        self.retryMilliseconds = retryMilliseconds
        self.linger = linger
        self.maxViews = maxViews
    }
}

/// The two pages that listen: the supervisor table (rows) and the kiosk (tiles).
public enum LiveView: String, Sendable, Hashable {
    case page, kiosk
}

/// Builds Server-Sent Events messages: `event:`, one `data:` line of JSON, and `id:`.
///
/// Every HTML fragment goes in as a JSON string, so it never holds a raw line break and one
/// `data:` line carries it whole.
///
/// A message with an id ends open, its `id:` line last and unfinished (`...\nid: k3f9a-42`):
/// each stream writes its own `LiveCursor.tail(stream:)` after it (`.<stream>\n\n`), so the one
/// array of the message is shared by every stream while each stream's ids name it. A message
/// without an id is whole.
struct LiveMessage {
    private(set) var bytes: [UInt8] = []
    private var comma: [Bool] = [false]
    private let id: String?

    init(event: String, id: String?, capacity: Int = 512) {
        self.id = id
        bytes.reserveCapacity(capacity)
        bytes += Array("event: \(event)\ndata: {".utf8)
    }

    mutating func finish() -> [UInt8] {
        if let id {
            bytes += Array("}\nid: \(id)".utf8)
        } else {
            bytes += Array("}\n\n".utf8)
        }
        return bytes
    }

    private mutating func separate() {
        if comma[comma.count - 1] { bytes.append(0x2C) }
        comma[comma.count - 1] = true
    }

    mutating func key(_ name: String) {
        separate()
        bytes.append(0x22)
        bytes += Array(name.utf8)
        bytes += [0x22, 0x3A]
        comma[comma.count - 1] = false
    }

    mutating func beginArray(_ name: String) { key(name); separate(); bytes.append(0x5B); comma.append(false) }
    mutating func endArray() { bytes.append(0x5D); comma.removeLast() }
    mutating func beginObject() { separate(); bytes.append(0x7B); comma.append(false) }
    mutating func endObject() { bytes.append(0x7D); comma.removeLast() }

    mutating func number(_ name: String, _ value: Int64) { key(name); separate(); bytes += Array(String(value).utf8) }
    mutating func number(_ name: String, _ value: Double) {
        key(name); separate(); bytes += Array((value.isFinite ? String(value) : "null").utf8)
    }
    mutating func null(_ name: String) { key(name); separate(); bytes += Array("null".utf8) }
    mutating func string(_ name: String, _ value: String?) {
        key(name)
        if let value { string(value) } else { separate(); bytes += Array("null".utf8) }
    }
    mutating func string(_ name: String, bytes value: [UInt8]) { key(name); string(bytes: value) }

    mutating func string(_ value: String) {
        var v = value
        v.withUTF8 { string(buffer: $0) }
    }

    mutating func string(bytes value: [UInt8]) {
        value.withUnsafeBufferPointer { string(buffer: $0) }
    }

    private mutating func string(buffer: UnsafeBufferPointer<UInt8>) {
        separate()
        JSONString.append(buffer, escapingMarkup: false, into: &bytes)
    }

    /// The fields every message carries: registry version, server time, when the last line arrived, and
    /// `e`, the newest event's own time (ms; for the stale banner, see `FeedState.warning`) when known.
    mutating func clock(version: UInt64?, now: Timestamp, lastLine: Timestamp?, lastEvent: Timestamp? = nil) {
        if let version { number("v", Int64(bitPattern: version)) }
        number("t", now.milliseconds)
        if let lastLine { number("last", lastLine.milliseconds) } else { null("last") }
        if let lastEvent { number("e", lastEvent.milliseconds) }
    }
}

/// An event id: the hub's boot epoch, a sequence number and the stream that was sent it,
/// `k3f9a-42.1x2b9q7e`. Pages embed the id of the board they were rendered from, which names
/// no stream (`k3f9a-42`, also every id before streams were named).
///
/// The stream part lets a client that reconnects with the id take over its own old stream
/// (see `LiveStream.swift`): it is random, so ids cannot be guessed from one another.
struct LiveCursor: Hashable, Sendable {
    var epoch: String
    var seq: UInt64
    /// The stream that was sent this id; nil for a page's cursor.
    var stream: UInt64?

    var text: String { "\(epoch)-\(seq)" + (stream.map { "." + String($0, radix: 36) } ?? "") }

    init(epoch: String, seq: UInt64, stream: UInt64? = nil) {
        self.epoch = epoch
        self.seq = seq
        self.stream = stream
    }

    init?(_ text: String) {
        guard let dash = text.lastIndex(of: "-") else { return nil }
        let rest = text[text.index(after: dash)...]
        if let dot = rest.firstIndex(of: ".") {
            guard let seq = UInt64(rest[..<dot]), let stream = UInt64(rest[rest.index(after: dot)...], radix: 36) else { return nil }
            self.seq = seq
            self.stream = stream
        } else {
            guard let seq = UInt64(rest) else { return nil }
            self.seq = seq
            stream = nil
        }
        epoch = String(text[..<dash])
    }

    /// What a stream writes after each open message (`LiveMessage`): the rest of its `id:` line,
    /// naming the stream, and the blank line that ends the message.
    static func tail(stream: UInt64) -> [UInt8] {
        Array(".\(String(stream, radix: 36))\n\n".utf8)
    }
}
