import Synchronization
import TeamsDomain

/// Whether the floor has been restored from the data directory yet, and what that took: `/readyz`,
/// `POST /ingest` (refused until then), `/status` and `/metrics` read it.
public final class RestoreProgress: Sendable {
    private let state = Mutex<(ready: Bool, figures: JournalReplay.Figures?, at: Timestamp?)>((false, nil, nil))
    /// Whether a write-ahead log is kept at all (`--in-memory` keeps none).
    public let durable: Bool

    public init(durable: Bool) {
        self.durable = durable
    }

    /// True once the restore has finished (at once without a log).
    public var isReady: Bool { state.withLock { $0.ready } }

    /// What the replay did, once finished (nil without a log).
    public var figures: JournalReplay.Figures? { state.withLock { $0.figures } }

    /// When the restore finished.
    public var readyAt: Timestamp? { state.withLock { $0.at } }

    /// The restore has finished.
    public func finish(_ figures: JournalReplay.Figures?) {
        state.withLock { $0 = (true, figures, Timestamp.now()) }
    }
}
