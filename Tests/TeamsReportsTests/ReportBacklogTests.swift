import Testing
import TeamsDomain
@testable import TeamsReports

/// `Statistics.backlog`: the events not yet counted, whether still queued or taken by the writer's thread.
@Suite("Reports: the backlog")
struct ReportBacklogTests {
    @Test func theBacklogCountsEveryEventSubmittedUntilItIsCountedThenIsZero() throws {
        let reports = try ReportWriter(database: ReportDatabase(directory: nil), zone: Scenario.utc,
                                       settings: .init(grace: 3, flushInterval: 3600))
        var submitted = 0
        for batch in 0..<3 {
            let events = (0..<40).map { i in
                Event(at: Scenario.base.adding(seconds: Double(batch * 40 + i)),
                      .activity("w\(i % 7)", name: i % 2 == 0 ? "Available" : "Break", available: i % 2 == 0))
            }
            reports.submit(events)
            submitted += events.count
        }
        let during = reports.statistics
        // Read in that order (queue and taken together, then the counter): an event is never missed, and one
        // counted just before its taken share dropped may be seen twice.
        #expect(during.backlog + Int(during.counted) >= submitted, "every event is queued, taken or counted")
        reports.flush()
        let after = reports.statistics
        #expect(after.backlog == 0 && after.takenEvents == 0 && after.queuedEvents == 0)
        #expect(after.counted == UInt64(submitted))
    }
}
