import Synchronization
import Testing
@testable import TeamsDomain

@Suite("RegistryStore")
struct RegistryStoreTests {
    @Test func batchReportsChangedAndRemovedWorkers() {
        let store = RegistryStore()
        let changes = store.apply([
            E.worker("WK01", 0), E.worker("WK02", 0), E.worker("WK03", 0),
            E.remove("WK02", 1), E.heartbeat(2), E.call("WK01", "CAX", .hold, 2),
        ])
        #expect(changes.changed == ["WK01", "WK03"])
        #expect(changes.removed == ["WK02"])
        #expect(changes.applied == 4)
        #expect(changes.unchanged == 2)
        #expect(changes.version == 4)
        #expect(changes.lastEventAt == t(2))
    }

    @Test func removedThenRecreatedInOneBatchIsChanged() {
        let store = RegistryStore()
        let changes = store.apply([E.worker("WK01", 0), E.remove("WK01", 1), E.worker("WK01", 2)])
        #expect(changes.changed == ["WK01"])
        #expect(changes.removed.isEmpty)
    }

    @Test func snapshotsAreIsolatedFromLaterBatches() {
        let store = RegistryStore()
        store.apply([E.start("WK01", "CA1", 0)])
        let before = store.snapshot()
        store.apply([E.call("WK01", "CA1", .hold, 5), E.start("WK02", "CA2", 5)])
        #expect(before.version == 1)
        #expect(before.call("WK01", "CA1")?.phase == .live)
        #expect(before[worker: "WK02"] == nil)
        let after = store.snapshot()
        #expect(after.version == 3)
        #expect(after.call("WK01", "CA1")?.phase == .held)
    }

    @Test func observersHearChangingBatchesOnly() {
        let store = RegistryStore()
        let heard = Mutex<[ChangeSet]>([])
        store.observe { changes in heard.withLock { $0.append(changes) } }
        store.apply([E.worker("WK01", 0)])
        store.apply([E.heartbeat(1), E.worker("WK01", 0)])  // nothing changes
        store.apply([])
        store.apply(E.activity("WK01", 2, "Available"))
        let all = heard.withLock { $0 }
        #expect(all.map(\.version) == [1, 2])
        #expect(all.map(\.changed) == [["WK01"], ["WK01"]])
    }

    @Test func observersMayReadTheStore() {
        // Listeners run outside the lock; reading the store from one must not deadlock.
        let store = RegistryStore()
        let seen = Mutex<UInt64>(0)
        store.observe { _ in seen.withLock { $0 = store.snapshot().version } }
        store.apply([E.worker("WK01", 0)])
        #expect(seen.withLock { $0 } == 1)
    }

    @Test func singleEventApplyReturnsItsOutcome() {
        let store = RegistryStore()
        #expect(store.apply(E.worker("WK01", 0)) == .changed("WK01"))
        #expect(store.apply(E.worker("WK01", 0)) == .unchanged(reason: ApplyOutcome.Reason.duplicate))
        #expect(store.apply(E.remove("WK01", 1)) == .removed("WK01"))
    }

    @Test func countersAccumulate() {
        let store = RegistryStore()
        store.apply([E.worker("WK01", 0), E.heartbeat(1), E.heartbeat(2)])
        store.apply([E.activity("WK01", 0, "Busy"), E.activity("WK01", 0, "Busy"), E.call("WK01", "X", .mute, 3)])
        let c = store.counters
        #expect(c.applied == 2)
        #expect(c.unchanged == 4)
        #expect(c.events == 6)
        #expect(c.batches == 2)
        #expect(c.unchangedByReason == [ApplyOutcome.Reason.heartbeat: 2, ApplyOutcome.Reason.duplicate: 1,
                                        ApplyOutcome.Reason.pending: 1])
        #expect(store.version == 2)
    }

    @Test func concurrentBatchesLoseNothing() async {
        let store = RegistryStore()
        await withTaskGroup(of: Void.self) { group in
            for w in 0..<8 {
                group.addTask {
                    for i in 0..<200 {
                        store.apply([E.start("W\(w)", "C\(i)", Double(i)), E.call("W\(w)", "C\(i)", .end, Double(i) + 0.5)])
                    }
                }
            }
        }
        let snapshot = store.snapshot()
        #expect(snapshot.version == 8 * 400)
        #expect(snapshot.workers.count == 8)
        #expect(store.counters.applied == 8 * 400)
    }
}
