import Synchronization
import Testing
@testable import TeamsReports

/// The heap is handed back once the feed went quiet after a burst: not while events arrive, not for a trickle.
@Suite("Heap trim after a burst")
struct HeapTrimTests {
    @Test("trims once a burst of events is followed by a quiet look; not while busy, not again until the next burst")
    func trimsAfterQuietBursts() {
        let events = Atomic<UInt64>(0)
        let trim = HeapTrim(afterEvents: 100) { events.load(ordering: .relaxed) }
        let trimsBefore = ProcessHeap.trims
        #expect(!trim.look(), "nothing happened yet")
        events.store(150, ordering: .relaxed)
        #expect(!trim.look(), "events arrived since the last look: still busy")
        #expect(trim.look(), "quiet after 150 events")
        #expect(!trim.look(), "nothing new since the trim")
        events.store(200, ordering: .relaxed)
        #expect(!trim.look())
        #expect(!trim.look(), "50 events since the trim is no burst")
        events.store(260, ordering: .relaxed)
        #expect(!trim.look())
        #expect(trim.look(), "110 since the trim, then quiet")
        // Other suites may trim meanwhile (the count is the process's): at least these two.
        #expect(ProcessHeap.trims - trimsBefore >= 2)
    }
}
