/// Where the reports keep each agent's events since its checkpoint, and read them back: for a replay (a late event),
/// to tell a repeat of an older event, and to move a checkpoint. The reports database (`ReportDatabase`), on disk or
/// in memory; memory holds only each agent's newest events.
protocol EventStore: AnyObject {
    /// `worker`'s events at or after `since` (microseconds), in the order they were kept.
    /// - Throws: the store's errors.
    func events(of worker: String, since: Int64) throws -> [ReportEvent]

    /// Whether `worker` has an event at `at` (microseconds) of `kind` about `ref` (the call id, or the activity's name).
    /// - Throws: the store's errors.
    func contains(worker: String, at: Int64, kind: ReportEvent.Kind, ref: String) throws -> Bool

    /// Keeps `events` (every agent's, in the order taken); one already kept is left as it is.
    /// - Throws: the store's errors (then nothing of them is kept).
    func keep(_ events: [(worker: String, event: ReportEvent)]) throws
}
