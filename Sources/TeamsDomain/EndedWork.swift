/// A tombstone: a call or task of a worker that ended, and when.
///
/// Events arrive late and twice; without this a `call.start` delivered after the call's
/// `call.end` would put a call on the agent's card that is long over.
public struct EndedWork: Sendable, Hashable {
    public enum Kind: UInt8, Sendable, Hashable {
        case call, task
    }

    public var kind: Kind
    public var id: String
    public var endedAt: Timestamp

    public init(kind: Kind, id: String, endedAt: Timestamp) {
        self.kind = kind
        self.id = id
        self.endedAt = endedAt
    }
}

extension WorkerState {
    /// When the call or task `id` ended, if it is among the remembered ended ones.
    public func endedAt(_ kind: EndedWork.Kind, _ id: String) -> Timestamp? {
        // Newest last: scanning backwards finds the latest end of a reused id first.
        for item in ended.reversed() where item.kind == kind && item.id == id {
            return item.endedAt
        }
        return nil
    }

    mutating func rememberEnded(_ kind: EndedWork.Kind, _ id: String, at: Timestamp) {
        if ended.count >= Registry.endedMemory {
            ended.removeFirst(ended.count - Registry.endedMemory + 1)
        }
        ended.append(EndedWork(kind: kind, id: id, endedAt: at))
    }
}
