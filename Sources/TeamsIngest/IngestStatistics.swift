import DequeModule
import Synchronization
import TeamsDomain

/// Counters and recent rejections of all ingest sources, shared by the reading threads and the status pages.
///
/// Readers add their counts once per chunk (see ``IngestSession``), so the lock is taken rarely on the hot path.
public final class IngestStatistics: Sendable {
    /// A rejected line as `/status` shows it.
    public struct RecentReject: Sendable, Hashable, Codable {
        /// The source's name: a path, `-` for standard input, `POST /ingest`.
        public var source: String
        /// 1-based line number within the source (element number for a JSON array body).
        public var lineNumber: Int
        /// The start of the line, valid UTF-8 with control characters replaced; safe to show once escaped.
        public var preview: String
        public var reason: String
        public var category: IngestReject.Category
        /// Wall-clock time of the rejection.
        public var at: Timestamp
    }

    /// A consistent copy of the statistics.
    public struct Snapshot: Sendable, Hashable, Codable {
        /// Every line seen: accepted, rejected and blank.
        public var linesRead: Int = 0
        /// Events decoded and handed to the sink.
        public var eventsApplied: Int = 0
        public var linesRejected: Int = 0
        /// Blank (empty or whitespace-only) lines, skipped without complaint.
        public var linesSkippedEmpty: Int = 0
        /// Rejected lines by category; every category is present, zero or not, so metrics series exist from the start.
        public var rejectedByCategory: [IngestReject.Category: Int] =
            Dictionary(uniqueKeysWithValues: IngestReject.Category.allCases.map { ($0, 0) })
        /// The most recent rejections, oldest first.
        public var recentRejects: [RecentReject] = []
        /// When a line last arrived from any source (wall clock), to spot a silent feed. The newest event
        /// time (event clock) is the registry's own `Registry.lastEventAt`, the one source of that fact.
        public var lastLineReceivedAt: Timestamp?
        /// Twilio events ignored (types a Teams View has no use for), duplicates dropped, late arrivals.
        public var twilio = TwilioStatistics()
    }

    /// Counts one reader accumulated since it last reported.
    struct Tally {
        var linesRead = 0
        var eventsApplied = 0
        var linesSkippedEmpty = 0

        var isEmpty: Bool { linesRead == 0 && eventsApplied == 0 }
    }

    private struct State {
        var snapshot = Snapshot()
        var ring = Deque<RecentReject>()
        /// When the lines last counted (``add(_:receivedAt:)``) arrived: their events are applied by then.
        var lastCounted: Timestamp?
        var resumed: FeedResumed?
    }

    /// Who is told that a line arrived after a silence (``onFeedResumed(after:_:)``).
    private struct FeedResumed {
        var silence: Double
        var action: @Sendable () -> Void
    }

    /// How many rejections ``Snapshot/recentRejects`` keeps.
    public let recentRejectLimit: Int
    private let state = Mutex(State())

    public init(recentRejectLimit: Int = 20) {
        self.recentRejectLimit = recentRejectLimit
    }

    /// When a line last arrived from any source; cheaper than a whole ``snapshot()`` for "is the feed alive?".
    public var lastLineReceivedAt: Timestamp? {
        state.withLock { $0.snapshot.lastLineReceivedAt }
    }

    /// A consistent copy of the counters.
    public func snapshot() -> Snapshot {
        state.withLock { s in
            var copy = s.snapshot
            copy.recentRejects = Array(s.ring)
            return copy
        }
    }

    /// Replaces every counter and the recent rejections with saved ones (a restart restoring its floor).
    public func restore(_ saved: Snapshot) {
        state.withLock { s in
            s.snapshot = saved
            // A floor saved before a category existed lacks it: every category is present, zero or not.
            for category in IngestReject.Category.allCases where s.snapshot.rejectedByCategory[category] == nil {
                s.snapshot.rejectedByCategory[category] = 0
            }
            s.ring = Deque(saved.recentRejects.suffix(recentRejectLimit))
            s.snapshot.recentRejects = []
        }
    }

    /// Calls `action` when lines arrive (their events applied) `silence` seconds or more after the last ones, or
    /// are the first: the pages warn of a silent feed, and the warning should go with the event that ends the
    /// silence, not at their next periodic look. Called on the reading thread, no lock held; one observer (a
    /// later call replaces it).
    public func onFeedResumed(after silence: Double, _ action: @escaping @Sendable () -> Void) {
        state.withLock { $0.resumed = FeedResumed(silence: silence, action: action) }
    }

    /// Lines arrived at `at`, their events not applied yet: noted first, so the live updates their events
    /// bring already say the feed spoke.
    func noteArrival(at: Timestamp) {
        state.withLock { $0.snapshot.lastLineReceivedAt = at }
    }

    func add(_ tally: Tally, receivedAt: Timestamp) {
        guard !tally.isEmpty else { return }
        let resumed = state.withLock { s -> (@Sendable () -> Void)? in
            s.snapshot.linesRead += tally.linesRead
            s.snapshot.eventsApplied += tally.eventsApplied
            s.snapshot.linesSkippedEmpty += tally.linesSkippedEmpty
            guard tally.linesRead > 0 else { return nil }
            s.snapshot.lastLineReceivedAt = receivedAt
            let previous = s.lastCounted
            s.lastCounted = receivedAt
            guard let observer = s.resumed, previous.map({ $0.seconds(until: receivedAt) >= observer.silence }) ?? true
            else { return nil }
            return observer.action
        }
        resumed?()
    }

    /// Adds what a session's Twilio decoder did since its last report.
    func addTwilio(_ delta: TwilioStatistics) {
        state.withLock { $0.snapshot.twilio.add(delta) }
    }

    /// Records a rejected line (it is counted in `linesRead` by the reader's tally, not here).
    func reject(_ reject: IngestReject, source: String, lineNumber: Int, preview: String, at: Timestamp) {
        let entry = RecentReject(source: source, lineNumber: lineNumber, preview: preview, reason: reject.reason,
                                 category: reject.category, at: at)
        state.withLock { s in
            s.snapshot.linesRejected += 1
            s.snapshot.rejectedByCategory[reject.category, default: 0] += 1
            s.ring.append(entry)
            while s.ring.count > recentRejectLimit { s.ring.removeFirst() }
        }
    }
}
