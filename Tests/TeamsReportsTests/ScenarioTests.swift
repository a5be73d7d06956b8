import Foundation
import Testing
import TeamsDomain
@testable import TeamsReports

/// A morning of two agents with figures computed by hand (see the comments), checked to the second.
///
/// Ann (w1, team Alpha): c1 from Sales, muted and held; c2 from Sales reaches her while c1 is held
/// (a misroute); she unmutes c1 on hold for 20 s (wrong-call risk); c1 wraps up across 09:15; c3 arrives
/// by transfer and is passed on to Bob; a break straddles 09:30. The unmute and hold of c3 (09:21-09:22)
/// arrives late, after the 09:15 interval was written; c2's start and end arrive twice.
/// Bob (w2, team Beta): c4 from Support, then c3 by transfer: two live calls for 2 s (under the grace,
/// no incident) and again for 10 s (an incident).
enum Scenario {
    static let base = RFC3339.parse("2026-03-10T09:00:00Z")!
    static func at(_ m: Int, _ s: Int = 0) -> Timestamp { base.adding(seconds: Double(m * 60 + s)) }
    static func start(_ w: String, _ c: String, _ m: Int, _ s: Int = 0, queue: String, via: CallVia) -> Event {
        Event(at: at(m, s), .callStart(w, CallStart(call: c, from: "+15550001", queue: queue, via: via)))
    }
    static func call(_ w: String, _ c: String, _ change: CallChange, _ m: Int, _ s: Int = 0) -> Event {
        Event(at: at(m, s), .call(w, c, change))
    }
    static func activity(_ w: String, _ name: String, _ m: Int) -> Event {
        Event(at: at(m), .activity(w, name: name, available: name == "Available"))
    }

    static let inOrder: [Event] = [
        Event(at: at(0), .worker("w1", WorkerProfile(name: "Ann", team: "Alpha"))),
        Event(at: at(0), .worker("w2", WorkerProfile(name: "Bob", team: "Beta"))),
        activity("w1", "Available", 0),
        start("w1", "c1", 5, queue: "Sales", via: .queue),
        call("w1", "c1", .mute, 6, 50),
        call("w1", "c1", .hold, 7),
        start("w1", "c2", 8, queue: "Sales", via: .queue),
        call("w1", "c1", .unmute, 10),
        call("w1", "c1", .mute, 10, 20),
        call("w1", "c2", .end, 12),
        call("w1", "c1", .resume, 12, 30),
        call("w1", "c1", .wrapup, 14),
        call("w1", "c1", .end, 16),
        activity("w2", "Available", 20),
        start("w1", "c3", 20, queue: "Support", via: .transfer),
        start("w2", "c4", 24, queue: "Support", via: .queue),
        start("w2", "c3", 25, queue: "Support", via: .transfer),
        call("w2", "c4", .mute, 25, 1),
        call("w2", "c4", .hold, 25, 2),
        call("w1", "c3", .end, 25, 10),
        call("w2", "c4", .resume, 26),
        call("w2", "c3", .end, 26, 10),
        activity("w1", "Break", 28),
        call("w2", "c4", .end, 30),
        activity("w1", "Available", 33),
        Event(at: at(40), .heartbeat),
    ]

    static let late: [Event] = [
        call("w1", "c3", .unmute, 20, 30),
        call("w1", "c3", .hold, 21),
        call("w1", "c3", .resume, 22),
        start("w1", "c2", 8, queue: "Sales", via: .queue),
        call("w1", "c2", .end, 12),
    ]

    static let day = ReportZone.Day(year: 2026, month: 3, day: 10)
    static let utc = ReportZone(identifier: "UTC")!
    static var range: Range<Int64> { utc.range(from: day, to: day) }
    static var microRange: Range<Int64> { range.lowerBound * 1_000_000..<range.upperBound * 1_000_000 }
}

func seconds(_ s: Int64) -> Int64 { s * 1_000_000 }

func figures(_ build: (inout IntervalFigures) -> Void) -> IntervalFigures {
    var f = IntervalFigures()
    build(&f)
    return f
}

@Suite("Reports: hand-computed scenario")
struct ScenarioTests {
    func writer(_ directory: String? = nil) throws -> ReportWriter {
        try ReportWriter(database: ReportDatabase(directory: directory), zone: Scenario.utc,
                         settings: .init(grace: 3, flushInterval: 3600))
    }

    func row(_ rows: [ReportRow], _ key: String) throws -> ReportRow {
        try #require(rows.first { $0.key == key })
    }

    func interval(_ row: ReportRow, _ hhmm: String) throws -> IntervalFigures {
        let start = RFC3339.parse("2026-03-10T\(hhmm):00Z")!.microseconds / 1_000_000
        return try #require(row.intervals.first { $0.start == start }).figures
    }

    static let ann0900 = figures {
        $0.activity = ["Available": seconds(900)]
        $0.talk = seconds(120 + 90 + 240); $0.hold = seconds(330); $0.wrapup = seconds(60)
        $0.holdCount = 1; $0.longestHold = seconds(330); $0.callsHandled = 1
        $0.multiCall = seconds(240); $0.maxConcurrentCalls = 2; $0.misroutes = 1
        $0.wrongCallRiskIncidents = 1; $0.exposure = seconds(20)
    }
    static let ann0915 = figures {
        $0.activity = ["Available": seconds(780), "Break": seconds(120)]
        $0.wrapup = seconds(60); $0.callsHandled = 2
        $0.talk = seconds(60 + 190); $0.hold = seconds(60); $0.holdCount = 1; $0.longestHold = seconds(60)
        $0.maxConcurrentCalls = 1; $0.transfersIn = 1; $0.transfersOut = 1
        $0.wrongCallRiskIncidents = 1; $0.exposure = seconds(60)
    }
    static let ann0930 = figures { $0.activity = ["Break": seconds(180), "Available": seconds(420)] }
    static let bob0915 = figures {
        $0.activity = ["Available": seconds(600)]
        $0.talk = seconds(62 + 240 + 70); $0.hold = seconds(58); $0.holdCount = 1; $0.longestHold = seconds(58)
        $0.multiCall = seconds(70); $0.maxConcurrentCalls = 2; $0.transfersIn = 1; $0.callsHandled = 1
        $0.wrongCallRiskIncidents = 1; $0.exposure = seconds(10)
    }
    static let bob0930 = figures { $0.activity = ["Available": seconds(600)]; $0.callsHandled = 1 }

    func checkFinal(_ reports: ReportWriter) throws {
        let agents = try reports.database.report(Scenario.range, by: .agent, intervals: true)
        let ann = try row(agents, "w1")
        #expect(ann.name == "Ann")
        #expect(try interval(ann, "09:00") == Self.ann0900)
        #expect(try interval(ann, "09:15") == Self.ann0915)
        #expect(try interval(ann, "09:30") == Self.ann0930)
        #expect(ann.intervals.count == 3)
        var annTotal = Self.ann0900
        annTotal.add(Self.ann0915)
        annTotal.add(Self.ann0930)
        #expect(ann.figures == annTotal)
        #expect(ann.figures.talk == seconds(700))
        #expect(ann.figures.exposure == seconds(80))
        #expect(ann.figures.activity == ["Available": seconds(2100), "Break": seconds(300)])

        let bob = try row(agents, "w2")
        #expect(try interval(bob, "09:15") == Self.bob0915)
        #expect(try interval(bob, "09:30") == Self.bob0930)
        #expect(bob.figures.callsHandled == 2)

        let teams = try reports.database.report(Scenario.range, by: .team, intervals: false)
        #expect(try row(teams, "Alpha").figures == ann.figures)
        #expect(try row(teams, "Beta").figures == bob.figures)

        let queues = try reports.database.report(Scenario.range, by: .queue, intervals: false)
        #expect(try row(queues, "Sales").figures == figures {
            $0.callsHandled = 2; $0.talk = seconds(450); $0.hold = seconds(330); $0.wrapup = seconds(120)
            $0.holdCount = 1; $0.longestHold = seconds(330); $0.misroutes = 1; $0.wrongCallRiskIncidents = 1
        })
        #expect(try row(queues, "Support").figures == figures {
            $0.callsHandled = 3; $0.talk = seconds(250 + 372); $0.hold = seconds(118); $0.holdCount = 2
            $0.longestHold = seconds(60); $0.transfersIn = 2; $0.transfersOut = 1; $0.wrongCallRiskIncidents = 2
        })

        let incidents = try reports.database.incidents(Scenario.microRange)
        #expect(incidents.count == 4)
        let summary = incidents.map {
            "\($0.incident.worker) \($0.incident.kind.rawValue) \(Scenario.utc.format($0.incident.start / 1_000_000))"
                + "-\($0.incident.end.map { Scenario.utc.format($0 / 1_000_000) } ?? "open") "
                + "\($0.incident.calls.joined(separator: ",")) \($0.incident.queue) \($0.incident.via) "
                + "\($0.incident.exposure / 1_000_000)"
        }
        #expect(summary == [
            "w2 wrong-call-risk 2026-03-10T09:26:00Z-2026-03-10T09:26:10Z c4,c3 Support transfer 10",
            "w1 wrong-call-risk 2026-03-10T09:21:00Z-2026-03-10T09:22:00Z c3 Support transfer 60",
            "w1 wrong-call-risk 2026-03-10T09:10:00Z-2026-03-10T09:10:20Z c1 Sales queue 20",
            "w1 misroute 2026-03-10T09:08:00Z-2026-03-10T09:12:00Z c2,c1 Sales queue 0",
        ])
        #expect(incidents.first?.workerName == "Bob")
        // Holds by length: Bob's c4 58 s, Ann's c3 60 s and c1 330 s; each counted once.
        #expect(try reports.database.holdHistogram(Scenario.range) == [0, 1, 1, 0, 1, 0])
    }

    @Test func figuresToTheSecondWithALateEventAndDuplicates() throws {
        let reports = try writer()
        reports.submit(Scenario.inOrder)
        reports.flush()
        // Before the late hold of c3: Ann's 09:15 interval is written without it.
        let before = try row(try reports.database.report(Scenario.range, by: .agent, intervals: true), "w1")
        let early = try interval(before, "09:15")
        #expect(early.talk == seconds(310))
        #expect(early.hold == 0)
        #expect(early.wrongCallRiskIncidents == 0)

        reports.submit(Scenario.late)
        reports.flush()
        try checkFinal(reports)
        let stats = reports.statistics
        #expect(stats.duplicates == 2)
        #expect(stats.replays >= 1)
    }

    @Test func timelineHasCallsHoldsAndActivities() throws {
        let reports = try writer()
        reports.submit(Scenario.inOrder + Scenario.late)
        reports.flush()
        let (name, spans) = try reports.database.timeline(of: "w1", Scenario.microRange)
        #expect(name == "Ann")
        let held = spans.filter { $0.kind == .held }.map { "\($0.ref) \(($0.end! - $0.start) / 1_000_000)" }
        #expect(held == ["c1 330", "c3 60"])
        let calls = spans.filter { $0.kind == .call }.map(\.ref)
        #expect(calls == ["c1", "c2", "c3"])
        let activities = spans.filter { $0.kind == .activity }.map { "\($0.ref) \($0.end == nil ? "open" : "closed")" }
        #expect(activities == ["Available closed", "Break closed", "Available open"])
    }

    @Test func restartAndReReadingCountsNothingTwice() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("reports-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        do {
            let first = try writer(directory)
            first.submit(Scenario.inOrder)
            first.flush()
        }
        let second = try writer(directory)
        // The same file read again from the start, then the late events: taken once the writer's thread has restored
        // what the database held.
        second.submit(Scenario.inOrder + Scenario.late)
        second.flush()
        guard case .restored(let agents, _) = second.restore else {
            Issue.record("not restored: \(second.restore)")
            return
        }
        #expect(agents == 2)
        try checkFinal(second)
        #expect(second.statistics.duplicates >= UInt64(Scenario.inOrder.count - 3))
    }

    @Test func aTransferOutWhoseFirstLegWasBeforeARestartIsCounted() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("reports-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // Ann has c3 before the restart; Bob gets it by transfer after it, from events not read again.
        let split = try #require(Scenario.inOrder.firstIndex {
            if case .callStart("w2", let start) = $0.kind { return start.call == "c3" }
            return false
        })
        do {
            let first = try writer(directory)
            first.submit(Array(Scenario.inOrder[..<split]))
            first.flush()
        }
        let second = try writer(directory)
        second.submit(Array(Scenario.inOrder[split...]) + Scenario.late)
        second.flush()
        try checkFinal(second)
        #expect(try interval(row(second.database.report(Scenario.range, by: .agent, intervals: true), "w1"), "09:15")
            .transfersOut == 1)
    }

    /// Ann's late hold of c3 (09:21) arrives after an event of 11:00: beyond a one-hour late window it
    /// counts nothing (and is counted as too late); with a two-hour window it corrects the 09:15 interval.
    @Test func theLateWindowBoundsWhichLateEventsCorrectFigures() throws {
        func run(lateWindow: Double) throws -> (IntervalFigures, UInt64) {
            let reports = try ReportWriter(database: ReportDatabase(directory: nil), zone: Scenario.utc,
                                           settings: .init(grace: 3, flushInterval: 3600, lateWindow: lateWindow))
            reports.submit(Scenario.inOrder + [Event(at: Scenario.at(120), .heartbeat)])
            reports.flush()
            reports.submit(Scenario.late)
            reports.flush()
            let ann = try row(try reports.database.report(Scenario.range, by: .agent, intervals: true), "w1")
            return (try interval(ann, "09:15"), reports.statistics.tooLate)
        }
        let (oneHour, dropped) = try run(lateWindow: 3600)
        #expect(oneHour.hold == 0)
        #expect(dropped == 5)
        let (twoHours, none) = try run(lateWindow: 7200)
        #expect(twoHours == Self.ann0915)
        #expect(none == 0)
    }

    /// Written after every event, each agent keeps only the interval it is in: what a later event changes in
    /// an earlier one (Ann's transfer out at 09:25, arriving once she is in 09:30; the late hold) is computed
    /// again from the checkpoint, and every figure is the same as when written once.
    @Test func figuresAreTheSameWrittenAfterEveryEvent() throws {
        let reports = try writer()
        let split = try #require(Scenario.inOrder.firstIndex {
            if case .callStart("w2", let start) = $0.kind { return start.call == "c3" }
            return false
        })
        let tail = Scenario.inOrder[split...].dropLast()
        let heartbeat = try #require(Scenario.inOrder.last)
        let order = Array(Scenario.inOrder[..<split]) + tail.filter { $0.worker != "w2" } + tail.filter { $0.worker == "w2" }
            + [heartbeat] + Scenario.late
        for event in order {
            reports.submit([event])
            reports.flush()
        }
        try checkFinal(reports)
        #expect(try interval(row(reports.database.report(Scenario.range, by: .agent, intervals: true), "w1"), "09:15")
            .transfersOut == 1)
    }

    /// Past `maxQueuedEvents` waiting, `submit` waits for the writer: every event is counted, none dropped.
    @Test func aBoundedListLosesNothing() throws {
        let reports = try ReportWriter(database: ReportDatabase(directory: nil), zone: Scenario.utc,
                                       settings: .init(grace: 3, flushInterval: 3600, maxQueuedEvents: 4))
        for i in 0..<400 {
            reports.submit([Event(at: Scenario.at(0, 0).adding(seconds: Double(i)), .activity("w\(i % 7)", name: "A\(i)", available: true)),
                            Event(at: Scenario.at(0, 0).adding(seconds: Double(i)), .activity("x\(i % 5)", name: "A\(i)", available: true))])
        }
        reports.flush()
        let stats = reports.statistics
        #expect(stats.counted == 800)
        #expect(stats.queuedEvents == 0)
    }

    /// A call whose end was never received (started a day and more before) makes no misroute and no wrong-call
    /// risk with the calls that follow, as on the board; a call started an hour before does.
    @Test func aCallWhoseEndWasNeverReceivedRaisesNoIncident() throws {
        let reports = try writer()
        let lost = Event(at: Scenario.base.adding(seconds: -30 * 3600),
                         .callStart("w9", CallStart(call: "lost", from: "+15550009", queue: "Sales", via: .queue)))
        let recent = Event(at: Scenario.base.adding(seconds: -3600),
                           .callStart("w8", CallStart(call: "recent", from: "+15550008", queue: "Sales", via: .queue)))
        reports.submit([lost, recent,
                        Scenario.start("w9", "q9", 5, queue: "Sales", via: .queue),
                        Scenario.start("w8", "q8", 5, queue: "Sales", via: .queue),
                        Event(at: Scenario.at(40), .heartbeat)])
        reports.flush()
        let incidents = try reports.database.incidents(Scenario.microRange).map { "\($0.incident.worker) \($0.incident.kind.rawValue)" }
        #expect(!incidents.contains { $0.hasPrefix("w9 ") }, "\(incidents)")
        #expect(incidents.contains("w8 misroute"), "\(incidents)")
    }

    @Test func acknowledgementIsKeptOnce() throws {
        let reports = try writer()
        reports.submit(Scenario.inOrder)
        reports.flush()
        let incident = try #require(try reports.database.incidents(Scenario.microRange, kind: .misroute).first)
        #expect(try reports.database.acknowledge(incident: incident.incident.id, by: "Sam", note: "called back", at: 1))
        #expect(try !reports.database.acknowledge(incident: incident.incident.id, by: "Eve", note: "", at: 2))
        #expect(try !reports.database.acknowledge(incident: "nope", by: "Eve", note: "", at: 2))
        let again = try #require(try reports.database.incident(incident.incident.id))
        #expect(again.acknowledgedBy == "Sam")
        #expect(again.note == "called back")
        #expect(try reports.database.incidents(Scenario.microRange, acknowledged: false).count == 2)
    }
}

@Suite("Reports: time zone")
struct ReportZoneTests {
    @Test func dstDaysHaveTheirRealNumberOfIntervals() throws {
        let paris = try #require(ReportZone(identifier: "Europe/Paris"))
        func count(_ d: ReportZone.Day) -> Int64 { Int64(paris.range(from: d, to: d).count) / ReportZone.intervalSeconds }
        #expect(count(ReportZone.Day(year: 2026, month: 3, day: 29)) == 92)
        #expect(count(ReportZone.Day(year: 2026, month: 10, day: 25)) == 100)
        #expect(count(ReportZone.Day(year: 2026, month: 6, day: 1)) == 96)
        let start = paris.start(of: ReportZone.Day(year: 2026, month: 3, day: 29))
        #expect(paris.format(start) == "2026-03-29T00:00:00+01:00")
        #expect(paris.format(start + 3 * 3600) == "2026-03-29T04:00:00+02:00")
        #expect(ReportZone(identifier: "Not/AZone") == nil)
        #expect(ReportZone.Day("2026-02-29") == nil)
        #expect(ReportZone.Day("2024-02-29")?.description == "2024-02-29")
    }
}
