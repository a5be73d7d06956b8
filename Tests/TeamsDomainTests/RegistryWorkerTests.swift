import Testing
@testable import TeamsDomain

@Suite("Registry: workers, activity, capacity, removal")
struct RegistryWorkerTests {
    @Test func workerEventCreatesAProfile() {
        var r = Registry()
        let out = r.apply(E.worker("WK01", 0, name: "Ada Okafor", team: "Billing", skills: ["billing", "spanish"],
                                   capacity: ["voice": 2, "chat": 2]))
        #expect(out == .changed("WK01"))
        let w = try! #require(r[worker: "WK01"])
        #expect(w.name == "Ada Okafor")
        #expect(w.team == "Billing")
        #expect(w.skills == ["billing", "spanish"])
        #expect(w.capacity == ["voice": 2, "chat": 2])
        #expect(!w.isPlaceholder)
        #expect(w.version == 1)
        #expect(r.version == 1)
    }

    @Test("a name with nothing visible in it shows the worker id; any other name is kept as given",
          arguments: [("Ada", "Ada"), ("", "WK01"), ("   ", "WK01"), ("\t\n", "WK01"), ("\u{3000}\u{00A0}", "WK01"),
                      (" Ada", " Ada"), ("\tAda", "\tAda"), ("Zoë", "Zoë"), ("\u{3000}東", "\u{3000}東"), ("é", "é"), ("~", "~")])
    func blankNames(_ given: String, _ shown: String) {
        var r = Registry()
        r.run(E.worker("WK01", 0, name: given))
        #expect(r[worker: "WK01"]?.name == shown)
    }

    @Test func profileMergesLeavingUnnamedFieldsAndChannels() {
        var r = Registry()
        r.run(E.worker("WK01", 0, name: "Ada", team: "Billing", skills: ["billing"], capacity: ["voice": 2, "chat": 2]),
              E.worker("WK01", 1, team: "Sales", capacity: ["chat": 3]))
        let w = r[worker: "WK01"]!
        #expect(w.name == "Ada")
        #expect(w.team == "Sales")
        #expect(w.skills == ["billing"])
        #expect(w.capacity == ["voice": 2, "chat": 3])
    }

    @Test func activitySetsNameAvailabilityAndSince() {
        var r = Registry()
        r.run(E.worker("WK01", 0, name: "Ada"), E.activity("WK01", 5, "Available", available: true))
        var w = r[worker: "WK01"]!
        #expect(w.activity == "Available")
        #expect(w.available == true)
        #expect(w.activitySince == t(5))
        // Same activity again: time in it keeps running.
        #expect(r.apply(E.activity("WK01", 9, "Available", available: true)).reason == ApplyOutcome.Reason.duplicate)
        #expect(r[worker: "WK01"]!.activitySince == t(5))
        r.run(E.activity("WK01", 12, "Break"))
        w = r[worker: "WK01"]!
        #expect(w.activity == "Break")
        #expect(w.available == nil)
        #expect(w.activitySince == t(12))
    }

    @Test func capacityEventSetsOneChannel() {
        var r = Registry()
        r.run(E.worker("WK01", 0, capacity: ["voice": 1, "chat": 2]), E.capacity("WK01", 1, "voice", 2))
        #expect(r[worker: "WK01"]!.capacity == ["voice": 2, "chat": 2])
        #expect(r.apply(E.capacity("WK01", 2, "voice", 2)).reason == ApplyOutcome.Reason.duplicate)
    }

    @Test func capacityChannelsAreTimedSeparately() {
        var r = Registry()
        r.run(E.capacity("WK01", 5, "voice", 2))
        // An older chat setting is not late just because voice news is newer...
        #expect(r.apply(E.capacity("WK01", 3, "chat", 4)) == .changed("WK01"))
        // ...but an older voice setting is.
        #expect(r.apply(E.capacity("WK01", 4, "voice", 1)).reason == ApplyOutcome.Reason.late)
        #expect(r[worker: "WK01"]!.capacity == ["voice": 2, "chat": 4])
    }

    @Test(arguments: [
        E.activity("WK09", 1, "Available", available: true),
        E.capacity("WK09", 1, "voice", 2),
        E.start("WK09", "CA1", 1),
        E.task("WK09", "CH1", 1),
    ])
    func eventsForUnknownWorkersCreateAPlaceholder(_ event: Event) {
        var r = Registry()
        #expect(r.apply(event) == .changed("WK09"))
        let w = try! #require(r[worker: "WK09"])
        #expect(w.isPlaceholder)
        #expect(w.name == "WK09")
        #expect(r.version == 1)
    }

    @Test(arguments: [
        E.call("WK09", "CA1", .hold, 1), E.call("WK09", "CA1", .end, 1),
        E.taskEnd("WK09", "CH1", 1), E.remove("WK09", 1), E.heartbeat(1),
    ])
    func eventsThatCannotChangeAnythingCreateNoWorker(_ event: Event) {
        var r = Registry()
        #expect(r.apply(event).reason != nil)
        #expect(r.workers.isEmpty)
        #expect(r.version == 0)
    }

    @Test func profileClearsPlaceholder() {
        var r = Registry()
        r.run(E.start("WK01", "CA1", 1))
        #expect(r[worker: "WK01"]!.isPlaceholder)
        #expect(r.apply(E.worker("WK01", 2, name: "Ada")) == .changed("WK01"))
        let w = r[worker: "WK01"]!
        #expect(!w.isPlaceholder)
        #expect(w.name == "Ada")
        #expect(w.calls.count == 1)
    }

    @Test func removeDropsTheWorker() {
        var r = Registry()
        r.run(E.worker("WK01", 0, name: "Ada"), E.start("WK01", "CA1", 1))
        #expect(r.apply(E.remove("WK01", 5)) == .removed("WK01"))
        #expect(r[worker: "WK01"] == nil)
        #expect(r.version == 3)
    }

    @Test func lateEventsDoNotResurrectARemovedWorker() {
        var r = Registry()
        r.run(E.worker("WK01", 0, name: "Ada"), E.remove("WK01", 5))
        #expect(r.apply(E.activity("WK01", 4, "Available")).reason == ApplyOutcome.Reason.workerRemoved)
        #expect(r.apply(E.worker("WK01", 5, name: "Ada")).reason == ApplyOutcome.Reason.workerRemoved)
        #expect(r[worker: "WK01"] == nil)
        // News from after the removal brings the worker back.
        #expect(r.apply(E.worker("WK01", 6, name: "Ada")) == .changed("WK01"))
        #expect(r.removedWorkers["WK01"] == nil)
    }

    @Test func removalBeforeTheWorkerIsKnownStillShieldsIt() {
        var r = Registry()
        #expect(r.apply(E.remove("WK01", 5)).reason == ApplyOutcome.Reason.unknownWorker)
        #expect(r.apply(E.start("WK01", "CA1", 3)).reason == ApplyOutcome.Reason.workerRemoved)
        #expect(r.workers.isEmpty)
    }

    @Test func aLateRemovalDoesNotRemoveAReCreatedWorker() {
        var r = Registry()
        r.run(E.worker("WK01", 0), E.remove("WK01", 5), E.worker("WK01", 8, name: "Ada"))
        #expect(r.apply(E.remove("WK01", 5)).reason == ApplyOutcome.Reason.late)
        #expect(r[worker: "WK01"]?.name == "Ada")
    }

    @Test func removalMemoryIsBounded() {
        var r = Registry()
        for i in 0..<(Registry.removedWorkerMemory + 1) {
            r.run(E.remove("W\(i)", Double(i)))
        }
        #expect(r.removedWorkers.count <= Registry.removedWorkerMemory)
        #expect(r.removedWorkers.count >= Registry.removedWorkerMemory / 2)
        // The newest removals are kept, the oldest forgotten.
        #expect(r.removedWorkers["W\(Registry.removedWorkerMemory)"] != nil)
        #expect(r.removedWorkers["W0"] == nil)
    }

    @Test func lateProfileAndActivityAreIgnored() {
        var r = Registry()
        r.run(E.worker("WK01", 10, name: "New"), E.activity("WK01", 10, "Busy"))
        #expect(r.apply(E.worker("WK01", 9, name: "Old")).reason == ApplyOutcome.Reason.late)
        #expect(r.apply(E.activity("WK01", 9, "Available")).reason == ApplyOutcome.Reason.late)
        let w = r[worker: "WK01"]!
        #expect(w.name == "New")
        #expect(w.activity == "Busy")
    }

    @Test func heartbeatOnlyMovesLastEventAt() {
        var r = Registry()
        r.run(E.worker("WK01", 0))
        #expect(r.apply(E.heartbeat(30)).reason == ApplyOutcome.Reason.heartbeat)
        #expect(r.lastEventAt == t(30))
        #expect(r.version == 1)
        // lastEventAt is the newest time seen, not the last one.
        r.run(E.activity("WK01", 20, "Busy"))
        #expect(r.lastEventAt == t(30))
    }

    @Test func tasksStartAndEnd() {
        var r = Registry()
        r.run(E.task("WK01", "CH1", 1), E.task("WK01", "SM1", 2, channel: "sms"))
        var w = r[worker: "WK01"]!
        #expect(w.tasks.map(\.id) == ["CH1", "SM1"])
        #expect(w.tasks[0].channel == "chat")
        #expect(w.tasks[0].startedAt == t(1))
        #expect(w.inUse(channel: "chat") == 1)
        #expect(w.inUse(channel: "sms") == 1)
        #expect(r.apply(E.task("WK01", "CH1", 1)).reason == ApplyOutcome.Reason.duplicate)
        #expect(r.apply(E.taskEnd("WK01", "CH1", 5)) == .changed("WK01"))
        w = r[worker: "WK01"]!
        #expect(w.tasks.map(\.id) == ["SM1"])
        #expect(r.apply(E.taskEnd("WK01", "CH1", 5)).reason == ApplyOutcome.Reason.taskEnded)
        #expect(r.apply(E.task("WK01", "CH1", 1)).reason == ApplyOutcome.Reason.taskEnded)
        #expect(r.apply(E.taskEnd("WK01", "XX", 5)).reason == ApplyOutcome.Reason.unknownTask)
    }

    @Test func lateTaskStartKeepsStartOrder() {
        var r = Registry()
        r.run(E.task("WK01", "B", 5), E.task("WK01", "A", 2))
        #expect(r[worker: "WK01"]!.tasks.map(\.id) == ["A", "B"])
    }
}
