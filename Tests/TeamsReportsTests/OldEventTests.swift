import Testing
import TeamsDomain
@testable import TeamsReports

/// Events dated long before the rest of the feed: a call opened a year (or two thousand years) back is accrued
/// over the last `AgentMachine.maxGap` only, and an event older than that behind the newest is not counted.
@Suite("Reports: events dated long ago")
struct OldEventTests {
    static let now = Scenario.base
    static let week = AgentMachine.maxGap / 1_000_000

    func reports() throws -> ReportWriter {
        try ReportWriter(database: ReportDatabase(directory: nil), zone: Scenario.utc,
                         settings: .init(grace: 3, flushInterval: 3600))
    }

    func ann(_ reports: ReportWriter, days: Int64) throws -> ReportRow {
        let last = Scenario.utc.range(from: Scenario.day, to: Scenario.day).upperBound
        let rows = try reports.database.report(last - days * 86_400..<last, by: .agent, intervals: true)
        return try #require(rows.first { $0.key == "w1" })
    }

    @Test(.timeLimit(.minutes(1)), arguments: ["2025-03-10T09:00:00Z", "1970-01-01T00:00:00Z", "0001-01-01T00:00:00Z"])
    func aCallOpenedLongAgoIsAccruedOverTheLastWeekOnly(_ opened: String) throws {
        let reports = try reports()
        reports.submit([
            Event(at: try #require(RFC3339.parse(opened)),
                  .callStart("w1", CallStart(call: "c1", from: "+15550001", queue: "Sales", via: .queue))),
            Event(at: Self.now, .activity("w2", name: "Available", available: true)),
        ])
        reports.flush()
        let row = try ann(reports, days: 30)
        #expect(row.figures.talk == AgentMachine.maxGap)
        #expect(row.intervals.count == Int(Self.week / ReportZone.intervalSeconds))
        #expect(row.intervals.first?.start == Self.now.microseconds / 1_000_000 - Self.week)
        #expect(reports.statistics.counted == 2)
    }

    @Test func anEventOlderThanAWeekBehindTheNewestIsNotCounted() throws {
        let reports = try reports()
        reports.submit([Event(at: Self.now, .activity("w2", name: "Available", available: true))])
        reports.submit([
            Event(at: Self.now.adding(seconds: -Double(Self.week) - 1),
                  .callStart("w1", CallStart(call: "c1", from: "+15550001", queue: "Sales", via: .queue))),
            Event(at: Self.now.adding(seconds: -Double(Self.week) + 900),
                  .activity("w1", name: "Available", available: true)),
        ])
        reports.flush()
        #expect(reports.statistics.tooLate == 1)
        #expect(reports.statistics.counted == 2)
        let row = try ann(reports, days: 30)
        #expect(row.figures.talk == 0)
        #expect(row.figures.activity == ["Available": (Self.week - 900) * 1_000_000])
    }
}
