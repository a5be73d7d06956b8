import Testing
@testable import TeamsDomain

@Suite("Registry: limits")
struct RegistryLimitsTests {
    @Test("a worker past maxWorkers is refused; known workers keep changing; a removal makes room")
    func maxWorkers() {
        var r = Registry(limits: .init(maxWorkers: 2))
        #expect(r.apply(E.worker("W1", 0, name: "One")) == .changed("W1"))
        #expect(r.apply(E.worker("W2", 0, name: "Two")) == .changed("W2"))
        #expect(r.apply(E.worker("W3", 0, name: "Three")) == .unchanged(reason: ApplyOutcome.Reason.tooManyWorkers))
        #expect(r.apply(E.start("W4", "CA1", 1)) == .unchanged(reason: ApplyOutcome.Reason.tooManyWorkers))
        #expect(r.workers.count == 2)
        #expect(r.apply(E.activity("W1", 2, "Break")) == .changed("W1"))
        #expect(r.apply(E.remove("W2", 3)) == .removed("W2"))
        #expect(r.apply(E.worker("W3", 4, name: "Three")) == .changed("W3"))
    }

    @Test("a call start past maxCallsPerWorker is refused until a call ends")
    func maxCallsPerWorker() {
        var r = Registry(limits: .init(maxCallsPerWorker: 2))
        #expect(r.apply(E.start("W1", "CA1", 0, via: .transfer)) == .changed("W1"))
        #expect(r.apply(E.start("W1", "CA2", 1, via: .transfer)) == .changed("W1"))
        #expect(r.apply(E.start("W1", "CA3", 2, via: .transfer)) == .unchanged(reason: ApplyOutcome.Reason.tooManyCalls))
        // A repeat of a call it holds is still a duplicate, not a refusal.
        #expect(r.apply(E.start("W1", "CA2", 1, via: .transfer)) == .unchanged(reason: ApplyOutcome.Reason.duplicate))
        #expect(r.apply(E.call("W1", "CA1", .end, 3)) == .changed("W1"))
        #expect(r.apply(E.start("W1", "CA3", 4, via: .transfer)) == .changed("W1"))
        #expect(r.workers["W1"]?.calls.map(\.id) == ["CA2", "CA3"])
    }

    @Test("the store counts refusals by reason")
    func storeCounts() {
        let store = RegistryStore(Registry(limits: .init(maxWorkers: 1, maxCallsPerWorker: 1)))
        store.apply([E.worker("W1", 0), E.worker("W2", 0), E.start("W1", "CA1", 1), E.start("W1", "CA2", 2)])
        #expect(store.counters.unchangedByReason[ApplyOutcome.Reason.tooManyWorkers] == 1)
        #expect(store.counters.unchangedByReason[ApplyOutcome.Reason.tooManyCalls] == 1)
    }
}
