/// The figures of one agent (or team, or queue) over one interval or a sum of intervals.
///
/// Durations are integer microseconds (so sums are exact); the JSON and CSV give seconds.
/// Definitions are in the README's "Reports" section.
public struct IntervalFigures: Sendable, Hashable, Codable {
    public var callsHandled: Int = 0
    public var talk: Int64 = 0
    public var hold: Int64 = 0
    public var holdCount: Int = 0
    public var longestHold: Int64 = 0
    public var wrapup: Int64 = 0
    public var multiCall: Int64 = 0
    public var maxConcurrentCalls: Int = 0
    public var transfersIn: Int = 0
    public var transfersOut: Int = 0
    public var misroutes: Int = 0
    public var wrongCallRiskIncidents: Int = 0
    public var exposure: Int64 = 0
    public var offersMissed: Int = 0
    /// Microseconds per activity name.
    public var activity: [String: Int64] = [:]

    public init() {}

    /// Adds `other` in: sums, except the longest hold and the most concurrent calls, which take the maximum.
    public mutating func add(_ other: IntervalFigures) {
        callsHandled += other.callsHandled
        talk += other.talk
        hold += other.hold
        holdCount += other.holdCount
        longestHold = max(longestHold, other.longestHold)
        wrapup += other.wrapup
        multiCall += other.multiCall
        maxConcurrentCalls = max(maxConcurrentCalls, other.maxConcurrentCalls)
        transfersIn += other.transfersIn
        transfersOut += other.transfersOut
        misroutes += other.misroutes
        wrongCallRiskIncidents += other.wrongCallRiskIncidents
        exposure += other.exposure
        offersMissed += other.offersMissed
        for (name, micros) in other.activity { activity[name, default: 0] += micros }
    }

    /// The figures' names and values in the order of the API (`activitySeconds` apart), seconds as numbers.
    public var fields: [(name: String, value: Double)] {
        [("callsHandled", Double(callsHandled)), ("talkSeconds", Self.seconds(talk)), ("holdSeconds", Self.seconds(hold)),
         ("holdCount", Double(holdCount)), ("longestHoldSeconds", Self.seconds(longestHold)),
         ("wrapupSeconds", Self.seconds(wrapup)), ("multiCallSeconds", Self.seconds(multiCall)),
         ("maxConcurrentCalls", Double(maxConcurrentCalls)), ("transfersIn", Double(transfersIn)),
         ("transfersOut", Double(transfersOut)), ("misroutes", Double(misroutes)),
         ("wrongCallRiskIncidents", Double(wrongCallRiskIncidents)), ("exposureSeconds", Self.seconds(exposure)),
         ("offersMissed", Double(offersMissed))]
    }

    /// Fields that are figures of an agent, not of a queue's calls (time on 2+ calls, most concurrent calls, exposure):
    /// a row by queue leaves them empty.
    public static let agentOnlyFields: Set<String> = ["multiCallSeconds", "maxConcurrentCalls", "exposureSeconds"]

    /// The names of `fields`, for headers.
    public static let fieldNames: [String] = IntervalFigures().fields.map(\.name)

    /// Seconds from microseconds, to the millisecond.
    public static func seconds(_ micros: Int64) -> Double { Double(micros / 1000) / 1000 }

    /// True when nothing was counted.
    public var isEmpty: Bool { self == IntervalFigures() }
}
