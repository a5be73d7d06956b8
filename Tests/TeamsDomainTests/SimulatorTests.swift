// The Simulation module is tested here to keep domain and simulator tests together; this needs
// `"Simulation"` among TeamsDomainTests' dependencies in Package.swift.
#if canImport(Simulation)
import Foundation
@testable import Simulation
import Testing
import TeamsDomain

@Suite("ContactCentreSimulator")
struct SimulatorTests {
    static let start = base

    /// Runs `minutes` of simulated time in 1 s steps.
    static func run(_ config: ContactCentreSimulator.Configuration = .init(), minutes: Int) -> [String] {
        var sim = ContactCentreSimulator(config, start: start)
        var lines = sim.initialLines()
        for s in 1...(minutes * 60) {
            lines += sim.step(to: start.adding(seconds: Double(s)))
        }
        return lines
    }

    struct BadLine: Error, CustomStringConvertible {
        var description: String
    }

    /// A minimal native v1 decoder, independent of TeamsIngest, so the simulator is checked
    /// against the design document rather than against our own ingest code.
    static func decode(_ line: String) throws -> Event {
        guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            throw BadLine(description: "not an object: \(line)")
        }
        func string(_ key: String) throws -> String {
            guard let value = object[key] as? String else { throw BadLine(description: "no \(key): \(line)") }
            return value
        }
        let type = try string("type")
        guard let at = RFC3339.parse(try string("at")) else { throw BadLine(description: "bad at: \(line)") }
        if type == "heartbeat" { return Event(at: at, .heartbeat) }
        let worker = try string("worker")
        switch type {
        case "worker":
            let profile = WorkerProfile(name: object["name"] as? String, team: object["team"] as? String,
                                        skills: object["skills"] as? [String], capacity: object["capacity"] as? [String: Int])
            return Event(at: at, .worker(worker, profile))
        case "activity":
            return Event(at: at, .activity(worker, name: try string("activity"), available: object["available"] as? Bool))
        case "call.start":
            guard let direction = CallDirection(rawValue: try string("direction")),
                  let via = CallVia(rawValue: try string("via"))
            else { throw BadLine(description: "bad direction or via: \(line)") }
            let start = CallStart(call: try string("call"), from: object["from"] as? String,
                                  queue: object["queue"] as? String, direction: direction, via: via)
            return Event(at: at, .callStart(worker, start))
        case "task.start":
            let start = TaskStart(task: try string("task"), channel: try string("channel"),
                                  from: object["from"] as? String, queue: object["queue"] as? String)
            return Event(at: at, .taskStart(worker, start))
        case "task.end":
            return Event(at: at, .taskEnd(worker, try string("task")))
        case "worker.remove":
            return Event(at: at, .workerRemove(worker))
        default:
            guard type.hasPrefix("call."), let change = CallChange(rawValue: String(type.dropFirst(5))) else {
                throw BadLine(description: "unknown type: \(line)")
            }
            return Event(at: at, .call(worker, try string("call"), change))
        }
    }

    @Test func linesAreNativeJSON() throws {
        let lines = Self.run(minutes: 10)
        #expect(lines.count > 200)
        var types = Set<String>()
        for line in lines {
            #expect(!line.contains("\n"))
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let type = try #require(object["type"] as? String)
            types.insert(type)
            let at = try #require(object["at"] as? String)
            #expect(RFC3339.parse(at) != nil)
            _ = try Self.decode(line)
        }
        for expected in ["worker", "activity", "call.start", "call.hold", "call.mute", "call.resume", "call.unmute",
                         "call.wrapup", "call.end", "task.start", "heartbeat"] {
            #expect(types.contains(expected), "no \(expected) in 10 minutes")
        }
    }

    @Test func initialLinesDescribeEveryAgent() throws {
        let sim = ContactCentreSimulator(.init(agents: 40), start: Self.start)
        let lines = sim.initialLines()
        #expect(lines.count == 80)
        var teams = Set<String>()
        for line in lines.prefix(40) {
            guard case .worker(_, let profile) = try Self.decode(line).kind else {
                Issue.record("not a worker line: \(line)")
                continue
            }
            let team = try #require(profile.team)
            teams.insert(team)
            #expect(profile.name?.contains(" ") == true)
            #expect(profile.skills?.isEmpty == false)
            #expect(profile.capacity?["voice"] != nil)
        }
        #expect(teams == ["Billing", "Tech Support", "Sales", "Retention"])
    }

    @Test func stringsAreJSONEscaped() throws {
        let nasty = "Zoë \"Bobby\" O'Brien\\\n\t\u{01}</script>"
        let quoted = JSONLine.quoted(nasty)
        #expect(quoted == #""Zoë \"Bobby\" O'Brien\\\n\t\u0001</script>""#)
        let back = try JSONSerialization.jsonObject(with: Data("[\(quoted)]".utf8)) as? [String]
        #expect(back == [nasty])
    }

    @Test func deterministicForASeed() {
        let a = Self.run(.init(seed: 7), minutes: 5)
        let b = Self.run(.init(seed: 7), minutes: 5)
        let c = Self.run(.init(seed: 8), minutes: 5)
        #expect(a == b)
        #expect(a != c)
    }

    @Test func stepSizeOnlyChangesTimestampsNotTheRoster() {
        var sim = ContactCentreSimulator(.init(seed: 3), start: Self.start)
        #expect(sim.step(to: Self.start).isEmpty)
        let lines = sim.step(to: Self.start.adding(seconds: 60))
        #expect(sim.now == Self.start.adding(seconds: 60))
        // Going back in time does nothing.
        #expect(sim.step(to: Self.start.adding(seconds: 30)).isEmpty)
        #expect(lines.filter { $0.contains("\"heartbeat\"") }.count == 12)
    }

    @Test func producesMultiCallMisrouteAndWrongCallRisk() throws {
        var registry = Registry()
        var sawMultiCall = false, sawMisroute = false, sawTransferStack = false, sawRisk = false
        var sawHeldMuted = false
        var sim = ContactCentreSimulator(.init(seed: 1), start: Self.start)
        for line in sim.initialLines() { _ = registry.apply(try Self.decode(line)) }
        for s in 1...(45 * 60) {
            let now = Self.start.adding(seconds: Double(s))
            for line in sim.step(to: now) {
                let outcome = registry.apply(try Self.decode(line))
                if case .unchanged(let reason) = outcome, reason != ApplyOutcome.Reason.heartbeat {
                    Issue.record("simulator event changed nothing (\(reason)): \(line)")
                }
            }
            for worker in registry.workers.values where !worker.calls.isEmpty {
                if worker.isOnMultipleCalls {
                    sawMultiCall = true
                    if worker.calls.dropFirst().contains(where: { $0.via == .transfer }) { sawTransferStack = true }
                }
                if worker.calls.contains(where: \.misroute) { sawMisroute = true }
                if worker.calls.contains(where: { $0.phase == .held && $0.muted == true }) { sawHeldMuted = true }
                if worker.hasWrongCallRisk(at: now) { sawRisk = true }
            }
        }
        #expect(sawMultiCall)
        #expect(sawTransferStack)
        #expect(sawMisroute)
        #expect(sawHeldMuted)
        #expect(sawRisk)
        #expect(registry.workers.count == 40)
        #expect(registry.workers.values.allSatisfy { !$0.isPlaceholder })
    }

    /// With staged episodes every ~20 s (as the demo runs), five minutes show each dangerous state:
    /// unmuted on a held call beside a live one, muted on a live call, a misroute, a long hold.
    @Test func showcaseStagesTheDangerousStates() throws {
        var registry = Registry()
        var unmutedHeld = false, mutedLive = false, misroute = false, longHold = false
        var sim = ContactCentreSimulator(.init(seed: 3, showcaseInterval: 20), start: Self.start)
        for line in sim.initialLines() { _ = registry.apply(try Self.decode(line)) }
        for s in 1...(8 * 60) {
            let now = Self.start.adding(seconds: Double(s))
            for line in sim.step(to: now) {
                let outcome = registry.apply(try Self.decode(line))
                if case .unchanged(let reason) = outcome, reason != ApplyOutcome.Reason.heartbeat {
                    Issue.record("simulator event changed nothing (\(reason)): \(line)")
                }
            }
            for worker in registry.workers.values where !worker.calls.isEmpty {
                let live = worker.calls.contains { $0.phase == .live }
                if live && worker.calls.contains(where: { $0.phase == .held && $0.muted == false }) { unmutedHeld = true }
                if worker.calls.contains(where: { $0.phase == .live && $0.muted == true }) { mutedLive = true }
                if worker.calls.contains(where: \.misroute) { misroute = true }
                if worker.calls.contains(where: { $0.holdSince.map { $0.seconds(until: now) >= 180 } ?? false }) { longHold = true }
            }
        }
        #expect(unmutedHeld)
        #expect(mutedLive)
        #expect(misroute)
        #expect(longHold)
    }

    /// An episode staged between steps begins at the time reached, on an agent it fits; none fits an empty floor.
    @Test func stagedEpisodesBeginAtTheTimeReached() throws {
        var registry = Registry()
        var sim = ContactCentreSimulator(.init(seed: 3, misrouteShare: 0), start: Self.start)
        for line in sim.initialLines() { _ = registry.apply(try Self.decode(line)) }
        #expect(sim.stage(.misroute) == nil)
        var misroute: [String]?
        for s in 1...(10 * 60) where misroute == nil {
            for line in sim.step(to: Self.start.adding(seconds: Double(s))) { _ = registry.apply(try Self.decode(line)) }
            misroute = sim.stage(.misroute)
        }
        let lines = try #require(misroute)
        #expect(lines.count == 1 && lines[0].contains("\"call.start\"") && lines[0].contains("\"via\":\"queue\""))
        _ = registry.apply(try Self.decode(lines[0]))
        #expect(try Self.decode(lines[0]).at == sim.now)
        #expect(registry.workers.values.contains { $0.calls.contains(where: \.misroute) })
    }

    @Test func benchmarkLinesAreDenseAndExact() throws {
        let lines = ContactCentreSimulator.benchmarkLines(agents: 500, events: 20_000)
        #expect(lines.count == 20_000)
        #expect(lines.filter { $0.hasPrefix("{\"type\":\"worker\"") }.count == 500)
        #expect(lines.filter { $0.hasPrefix("{\"type\":\"call.start\"") }.count > 1_000)
        var registry = Registry()
        for line in lines { _ = registry.apply(try Self.decode(line)) }
        #expect(registry.workers.count == 500)
        #expect(ContactCentreSimulator.benchmarkLines(agents: 500, events: 20_000) == lines)
    }
}
@Suite("Simulator roster")
struct SimulatorRosterTests {
    @Test("no two agents of a floor share a name while the roster has names to spare")
    func namesAreDistinct() {
        for agents in [40, 700, 2_500] {
            let sim = ContactCentreSimulator(.init(agents: agents), start: SimulatorTests.start)
            let names = sim.agents.map(\.name)
            #expect(Set(names).count == agents, "\(agents) agents")
        }
    }
}

#endif
