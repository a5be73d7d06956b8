import Foundation
import Testing
import TeamsDomain
@testable import TeamsReports

/// A hold still going on counts in "longest hold" up to the newest event, and in each interval it spans up
/// to that interval's end; it is counted as a hold (`holdCount`) once it ends.
@Suite("Reports: a hold in progress")
struct HoldInProgressTests {
    func interval(_ row: ReportRow, _ hhmm: String) throws -> IntervalFigures {
        let start = RFC3339.parse("2026-03-10T\(hhmm):00Z")!.microseconds / 1_000_000
        return try #require(row.intervals.first { $0.start == start }).figures
    }

    @Test func aHoldStillGoingOnCountsUpToTheNewestEventAndEachIntervalsEnd() throws {
        let reports = try ReportWriter(database: ReportDatabase(directory: nil), zone: Scenario.utc,
                                       settings: .init(grace: 3, flushInterval: 3600))
        defer { reports.close() }
        reports.submit([
            Scenario.start("w1", "c1", 5, queue: "Sales", via: .queue),
            Scenario.call("w1", "c1", .hold, 10),
            Event(at: Scenario.at(20), .heartbeat),
        ])
        reports.flush()
        var ann = try #require(try reports.database.report(Scenario.range, by: .agent, intervals: true).first)
        // 09:10 to the end of the 09:00 interval, then 09:10 to the newest event (09:20).
        #expect(try interval(ann, "09:00").longestHold == seconds(300))
        #expect(try interval(ann, "09:15").longestHold == seconds(600))
        #expect(ann.figures.longestHold == seconds(600))
        #expect(ann.figures.holdCount == 0)
        let sales = try #require(try reports.database.report(Scenario.range, by: .queue, intervals: false).first)
        #expect(sales.figures.longestHold == seconds(600))

        reports.submit([Scenario.call("w1", "c1", .resume, 22)])
        reports.flush()
        ann = try #require(try reports.database.report(Scenario.range, by: .agent, intervals: true).first)
        #expect(try interval(ann, "09:00").longestHold == seconds(300))
        #expect(try interval(ann, "09:15").longestHold == seconds(720))
        #expect(ann.figures.longestHold == seconds(720))
        #expect(ann.figures.holdCount == 1)
    }
}
