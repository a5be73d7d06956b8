import TeamsDomain

/// The batches applied since the last flush, as the store reported them, so the workers changed
/// after a version are listed from what changed rather than found by reading the whole floor.
///
/// Noting a batch keeps its `ChangeSet` (no id is hashed on the applying thread); the ids are
/// worked out when asked for. The log covers every change after `base`, the version of the last
/// flush, as long as the batches it holds chain from there (`ChangeSet/since`). It does not when a
/// batch ran ahead of its report (a page read the registry between the two), when batches were
/// reported out of order, or after a restored floor (`base` nil until the next flush): then
/// `touched(after:upTo:)` says so and the caller reads the floor.
struct ChangeLog {
    private(set) var batches: [ChangeSet] = []
    /// Every change after this version is in `batches`; nil: unknown (a restored floor, until the next flush).
    private(set) var base: UInt64?

    init(base: UInt64) {
        self.base = base
    }

    mutating func note(_ changes: ChangeSet) {
        if changes.replacedRegistry {
            batches = []
            base = nil
        } else if base != nil {
            batches.append(changes)
        }
    }

    /// The workers changed or removed after version `from` up to version `to`, and possibly some
    /// changed later (re-filing an unchanged worker is harmless); nil when the log does not hold
    /// every batch in between. O(batches + their outcomes).
    func touched(after from: UInt64, upTo to: UInt64) -> Set<WorkerID>? {
        guard let base, from >= base else { return nil }
        var ids = Set<WorkerID>()
        guard from < to else { return ids }
        // In the order they chain: the order they were applied in, unless reported out of order.
        let order = batches.indices.filter { batches[$0].version > from }.sorted { batches[$0].since < batches[$1].since }
        var reached = from
        for i in order {
            let batch = batches[i]
            guard batch.since <= reached else { return nil }
            reached = max(reached, batch.version)
            batch.forEachTouched { ids.insert($0) }
        }
        return reached >= to ? ids : nil
    }

    /// Forgets the batches up to `version` (a flush took them): coverage starts there.
    mutating func advance(to version: UInt64) {
        batches.removeAll { $0.version <= version }
        base = version
    }
}
