import HTTPTypes
import Synchronization

/// How long requests take, as one histogram per group of routes: counted lock-free on the connection threads, read
/// whole at a scrape (a `/metrics` endpoint writes its histogram from ``snapshot()``).
///
/// Set it on a ``Router`` (``Router/durations``); the server then measures every request answered with a body of
/// bytes, from its request line to the end of its answer (as the access log's `duration_ms`), in the group its route
/// is given by `group` (called once per route, when the server starts, with the route's method and pattern as
/// registered, e.g. `/api/workers/:id`; nil: the route is not measured). A request no route answered (an unknown
/// path, a refusal before routing: 400, 405, 414, or 503 while stopping) counts in the group `unrouted`. A request
/// answered with a stream (a ``StreamingBody``) is never measured: it lasts as long as its client stays.
///
/// The groups are fixed when it is made, so a label of them stays bounded whatever paths clients send.
public final class RequestDurations: Sendable {
    /// The groups' names, in the order ``snapshot()`` gives them.
    public let groups: [String]
    /// The buckets' upper bounds, ascending (a last bucket, past every bound, follows).
    public let bounds: [Duration]
    /// Where requests no route answered are counted.
    let unrouted: Int
    /// ``bounds`` in whole nanoseconds, the unit of ``Series/nanoseconds``.
    public let boundNanoseconds: [Int]
    private let group: @Sendable (HTTPRequest.Method, String) -> String?
    /// `groups.count` rows of `bounds.count + 1` cells.
    private let cells: [Cell]

    /// One bucket of one group. An object of its own, so two threads counting in two buckets do not write the same
    /// cache line.
    private final class Cell: Sendable {
        let count = Atomic<Int>(0)
        let nanoseconds = Atomic<Int>(0)
    }

    /// The requests of one group.
    public struct Series: Sendable, Equatable {
        public var group: String
        /// Requests per bucket, not cumulative: `counts[i]` took more than `bounds[i - 1]` and at most `bounds[i]`;
        /// the last one, more than every bound.
        public var counts: [Int]
        /// The time those requests took together, per bucket, in nanoseconds.
        public var nanoseconds: [Int]

        public init(group: String, counts: [Int], nanoseconds: [Int]) {
            self.group = group
            self.counts = counts
            self.nanoseconds = nanoseconds
        }
    }

    /// - Parameters:
    ///   - groups: every group's name; `unrouted` and whatever `group` returns must be among them.
    ///   - bounds: the buckets' upper bounds, ascending, above zero.
    ///   - unrouted: the group of requests no route answered.
    ///   - group: a route's group, from its method and pattern; nil to leave it unmeasured.
    public init(groups: [String], bounds: [Duration], unrouted: String,
                group: @escaping @Sendable (_ method: HTTPRequest.Method, _ pattern: String) -> String?) {
        precondition(!bounds.isEmpty && bounds.first! > .zero && zip(bounds, bounds.dropFirst()).allSatisfy { $0 < $1 },
                     "bounds must be ascending and above zero")
        guard let unroutedIndex = groups.firstIndex(of: unrouted) else {
            preconditionFailure("the unrouted group \(unrouted) is not among \(groups)")
        }
        self.groups = groups
        self.bounds = bounds
        self.unrouted = unroutedIndex
        self.group = group
        boundNanoseconds = bounds.map(\.wholeNanoseconds)
        cells = (0..<(groups.count * (bounds.count + 1))).map { _ in Cell() }
    }

    /// The index of the group of a route, or nil when it is not measured.
    func group(of method: HTTPRequest.Method, pattern: String) -> Int? {
        guard let name = group(method, pattern) else { return nil }
        guard let index = groups.firstIndex(of: name) else {
            preconditionFailure("route \(method) \(pattern): its group \(name) is not among \(groups)")
        }
        return index
    }

    /// Counts one request of the group at `index` that took `duration`.
    func record(group index: Int, _ duration: Duration) {
        let nanoseconds = max(0, duration.wholeNanoseconds)
        var bucket = 0
        while bucket < boundNanoseconds.count, nanoseconds > boundNanoseconds[bucket] { bucket += 1 }
        let cell = cells[index * (boundNanoseconds.count + 1) + bucket]
        // The time first, released with the count: a reader that sees the count sees at least its time.
        cell.nanoseconds.add(nanoseconds, ordering: .relaxed)
        cell.count.add(1, ordering: .releasing)
    }

    /// Every group's requests so far. Taken while requests are counted, a bucket's time may already hold that of a
    /// request its count does not yet have (never the other way round).
    public func snapshot() -> [Series] {
        let width = boundNanoseconds.count + 1
        return groups.enumerated().map { index, name in
            var series = Series(group: name, counts: [], nanoseconds: [])
            for cell in cells[(index * width)..<((index + 1) * width)] {
                series.counts.append(cell.count.load(ordering: .acquiring))
                series.nanoseconds.append(cell.nanoseconds.load(ordering: .relaxed))
            }
            return series
        }
    }
}
