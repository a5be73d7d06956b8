import Synchronization
import Testing
import TeamsDomain
@testable import TeamsWeb

@Suite("Change log: the workers changed after a version, from the batches reported")
struct ChangeLogTests {
    static func batch(_ since: UInt64, _ version: UInt64, changed: Set<WorkerID> = [], removed: Set<WorkerID> = []) -> ChangeSet {
        var changes = ChangeSet(version: version, changed: changed, removed: removed)
        changes.since = since
        return changes
    }

    @Test("batches that chain from a version cover it; a gap, a start before the base or a restored floor do not")
    func coverage() {
        var log = ChangeLog(base: 10)
        log.note(Self.batch(10, 12, changed: ["A", "B"]))
        log.note(Self.batch(12, 13, removed: ["C"]))
        #expect(log.touched(after: 10, upTo: 13) == ["A", "B", "C"])
        #expect(log.touched(after: 12, upTo: 13) == ["C"])
        #expect(log.touched(after: 13, upTo: 13) == [])
        #expect(log.touched(after: 10, upTo: 14) == nil, "a batch applied and not reported yet")
        #expect(log.touched(after: 9, upTo: 13) == nil, "before the base")
        // Reported out of order: covered once the gap is filled.
        log.note(Self.batch(15, 16, changed: ["E"]))
        #expect(log.touched(after: 13, upTo: 16) == nil)
        log.note(Self.batch(13, 15, changed: ["D"]))
        #expect(log.touched(after: 13, upTo: 16) == ["D", "E"])
        #expect(log.touched(after: 10, upTo: 15) == ["A", "B", "C", "D", "E"], "later batches may come along")
        // A flush took everything up to 15.
        log.advance(to: 15)
        #expect(log.batches.count == 1)
        #expect(log.touched(after: 15, upTo: 16) == ["E"])
        #expect(log.touched(after: 13, upTo: 16) == nil)
        // A restored floor: nothing is covered until the next flush.
        var restored = Self.batch(0, 16, changed: ["A"])
        restored.replacedRegistry = true
        log.note(restored)
        log.note(Self.batch(16, 17, changed: ["F"]))
        #expect(log.touched(after: 16, upTo: 17) == nil)
        log.advance(to: 17)
        log.note(Self.batch(17, 18, changed: ["G"]))
        #expect(log.touched(after: 17, upTo: 18) == ["G"])
    }

    @Test("a store's batches chain: each one starts at the version the last one ended at")
    func storeBatchesChain() {
        let store = RegistryStore()
        let t = Timestamp(microseconds: 1_800_000_000_000_000)
        let reported = Mutex<[ChangeSet]>([])
        store.observe { changes in reported.withLock { $0.append(changes) } }
        store.apply([Event(at: t, .worker("WK1", WorkerProfile(name: "Ann"))), Event(at: t, .worker("WK2", WorkerProfile(name: "Bob")))])
        store.apply(Event(at: t, .activity("WK1", name: "Break", available: false)))
        store.apply([Event(at: t, .heartbeat)])
        store.apply([Event(at: t, .workerRemove("WK2")), Event(at: t, .worker("WK3", WorkerProfile(name: "Cy")))])
        let batches = reported.withLock { $0 }
        #expect(batches.map(\.since) == [0, 2, 3])
        #expect(batches.map(\.version) == [2, 3, 5])
        var log = ChangeLog(base: 0)
        for b in batches { log.note(b) }
        #expect(log.touched(after: 0, upTo: store.version) == ["WK1", "WK2", "WK3"])
        #expect(log.touched(after: 2, upTo: store.version) == ["WK1", "WK2", "WK3"])
        #expect(log.touched(after: 3, upTo: store.version) == ["WK2", "WK3"])
    }
}
