/// A stretch on an agent's timeline.
public struct TimelineSpan: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case activity, call, live, held, wrapup
    }

    public var kind: Kind
    /// The activity name or the call id.
    public var ref: String
    /// The call's queue, when it has one.
    public var queue: String
    public var start: Int64
    /// `nil` while still going on.
    public var end: Int64?

    public init(kind: Kind, ref: String, queue: String = "", start: Int64, end: Int64?) {
        self.kind = kind
        self.ref = ref
        self.queue = queue
        self.start = start
        self.end = end
    }
}
