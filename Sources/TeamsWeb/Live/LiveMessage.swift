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
    /// Most views (distinct filter sets) kept at once; idle ones are dropped first.
    public var maxViews: Int
    /// Most of a core flushing may take under a flood of events: after a flush that took `t`
    /// seconds the next waits at least `t / flushShare` (at most 1 s). 0: always `coalesce`.
    public var flushShare: Double = 0.15
    /// Seconds a rendered `reset` is reused for clients that connect to the same channel at the
    /// same board (its `t` clock field is at most this old); past it the next client renders anew.
    public var resetReuse: Double = 0.25

    public init(maxClients: Int = 2000, heartbeat: Double = 15, coalesce: Double = 0.1, replayMessages: Int = 256,
                replayBytes: Int = 4 << 20, maxPendingBytes: Int = 2 << 20, retryMilliseconds: Int = 2000,
                linger: Double = 120, maxViews: Int = 64) {
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

/// Builds Server-Sent Events messages: `id:`, `event:` and one `data:` line of JSON.
///
/// Every HTML fragment goes in as a JSON string, so it never holds a raw line break and one
/// `data:` line carries it whole.
struct LiveMessage {
    private(set) var bytes: [UInt8] = []
    private var comma: [Bool] = [false]

    init(event: String, id: String?, capacity: Int = 512) {
        bytes.reserveCapacity(capacity)
        if let id { bytes += Array("id: \(id)\n".utf8) }
        bytes += Array("event: \(event)\ndata: {".utf8)
    }

    mutating func finish() -> [UInt8] {
        bytes += Array("}\n\n".utf8)
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

    /// The fields every message carries: registry version, server time, when the last line arrived.
    mutating func clock(version: UInt64?, now: Timestamp, lastLine: Timestamp?) {
        if let version { number("v", Int64(bitPattern: version)) }
        number("t", now.milliseconds)
        if let lastLine { number("last", lastLine.milliseconds) } else { null("last") }
    }
}

/// An event id: the hub's boot epoch and a sequence number, `k3f9a-42`.
struct LiveCursor: Hashable, Sendable {
    var epoch: String
    var seq: UInt64

    var text: String { "\(epoch)-\(seq)" }

    init(epoch: String, seq: UInt64) {
        self.epoch = epoch
        self.seq = seq
    }

    init?(_ text: String) {
        guard let dash = text.lastIndex(of: "-"), let seq = UInt64(text[text.index(after: dash)...]) else { return nil }
        epoch = String(text[..<dash])
        self.seq = seq
    }
}
