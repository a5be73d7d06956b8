import HeapModule
import TeamsDomain

/// Holds Twilio records for a window of event time and releases them sorted, so that any delivery
/// order within the window maps exactly as in-order delivery would.
///
/// Event Streams delivers at least once and in no particular order. Sorting before mapping (rather than
/// after) matters: mapping is stateful (which worker holds a task, which task a conference belongs to),
/// so only a sorted input makes that state, and the events it yields, independent of delivery order.
///
/// A record is released once a record at least `window` newer has been seen, or when ``tick(now:into:)``
/// estimates that the producer's clock has passed it by `window` (the estimate runs the newest event
/// time forward by wall-clock time since it arrived, so clock skew between Twilio and this host does
/// not matter). A record older than what was already released is passed on at once and counted as late:
/// the registry then drops it if it would roll anything back.
///
/// Ties are broken by a key that does not depend on delivery: TaskRouter records before conference
/// records at the same instant (so a call starts before its holds), then the CloudEvent id, or the
/// conference's `SequenceNumber` (conference timestamps have one-second resolution).
struct ReorderBuffer: Codable {
    /// Event-time window, in microseconds; 0 releases every record as soon as it arrives.
    let window: Int64
    private var heap = Heap<Entry>()
    private var arrivals: Int64 = 0
    private var newest: Int64?
    /// Wall-clock time at which `newest` was first seen by a tick; `nil` until the next tick.
    private var newestSeenAt: Int64?
    /// The newest event time released so far.
    private(set) var releasedThrough: Int64 = .min
    /// Records that arrived after newer ones had been released.
    private(set) var late = 0
    /// Records stamped more than a day ahead of this host's clock: passed on at once, never held.
    private(set) var future = 0
    /// How far ahead of the wall clock an event time may be before it is taken as bogus.
    static let futureLimit: Int64 = 86_400_000_000

    var pending: Int { heap.count }

    private enum CodingKeys: String, CodingKey {
        case window, held, arrivals, newest, newestSeenAt, releasedThrough, late, future
    }

    /// Encoded with the held records in no particular order (the heap orders them again).
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(window, forKey: .window)
        try c.encode(Array(heap.unordered), forKey: .held)
        try c.encode(arrivals, forKey: .arrivals)
        try c.encode(newest, forKey: .newest)
        try c.encode(newestSeenAt, forKey: .newestSeenAt)
        try c.encode(releasedThrough, forKey: .releasedThrough)
        try c.encode(late, forKey: .late)
        try c.encode(future, forKey: .future)
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        window = max(0, try c.decode(Int64.self, forKey: .window))
        heap = Heap(try c.decode([Entry].self, forKey: .held))
        arrivals = try c.decode(Int64.self, forKey: .arrivals)
        newest = try c.decodeIfPresent(Int64.self, forKey: .newest)
        newestSeenAt = try c.decodeIfPresent(Int64.self, forKey: .newestSeenAt)
        releasedThrough = try c.decode(Int64.self, forKey: .releasedThrough)
        late = try c.decode(Int.self, forKey: .late)
        future = try c.decode(Int.self, forKey: .future)
    }

    init(window: Int64) {
        precondition(window >= 0, "reorder window must not be negative")
        self.window = window
    }

    mutating func push(_ record: TwilioRecord, into out: inout [TwilioRecord]) {
        let entry = Entry(record, arrival: arrivals)
        arrivals += 1
        if entry.at < releasedThrough {
            late += 1
            out.append(record)
            return
        }
        // One record from the far future would set the watermark so high that nothing were held again.
        if entry.at > Timestamp.now().microseconds &+ Self.futureLimit {
            future += 1
            out.append(record)
            return
        }
        if newest.map({ entry.at > $0 }) ?? true {
            newest = entry.at
            newestSeenAt = nil
        }
        heap.insert(entry)
        release(through: newest! &- window, into: &out)
    }

    /// Releases what the producer's clock, estimated from the wall clock `now`, has left `window` behind.
    mutating func tick(now: Timestamp, into out: inout [TwilioRecord]) {
        guard let newest else { return }
        let seenAt = newestSeenAt ?? now.microseconds
        newestSeenAt = seenAt
        let estimate = newest &+ max(0, now.microseconds &- seenAt)
        release(through: estimate &- window, into: &out)
    }

    /// Releases everything held (end of input, shutdown).
    mutating func flush(into out: inout [TwilioRecord]) {
        release(through: .max, into: &out)
    }

    private mutating func release(through watermark: Int64, into out: inout [TwilioRecord]) {
        while let top = heap.min, top.at <= watermark {
            out.append(heap.removeMin().record)
            if top.at > releasedThrough { releasedThrough = top.at }
        }
    }

    private struct Entry: Comparable, Codable {
        let record: TwilioRecord
        let at: Int64
        let arrival: Int64

        init(_ record: TwilioRecord, arrival: Int64) {
            self.record = record
            self.at = record.at.microseconds
            self.arrival = arrival
        }

        static func < (a: Entry, b: Entry) -> Bool {
            if a.at != b.at { return a.at < b.at }
            switch (a.record, b.record) {
            case (.taskRouter, .conference): return true
            case (.conference, .taskRouter): return false
            case (.taskRouter(let x), .taskRouter(let y)):
                if x.key != y.key { return x.key < y.key }
            case (.conference(let x), .conference(let y)):
                if x.conferenceSid != y.conferenceSid { return x.conferenceSid < y.conferenceSid }
                if x.sequence != y.sequence { return x.sequence < y.sequence }
            }
            // Only exact duplicates that escaped de-duplication get here; either order maps the same.
            return a.arrival < b.arrival
        }

        static func == (a: Entry, b: Entry) -> Bool { a.arrival == b.arrival }
    }
}
