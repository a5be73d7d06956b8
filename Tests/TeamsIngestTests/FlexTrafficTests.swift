import Foundation
import Testing
import TeamsDomain
@testable import TeamsIngest

/// What a Flex multi-call deployment sends: reservations per holder, same-task transfers announced by
/// `task.transfer-*`, conferences named after the task, Event Streams conference events, offers, clock skew.
@Suite struct FlexTrafficTests {
    typealias T = TwilioTest

    static let ada = T.workerSid
    static let bruno = T.otherWorkerSid
    static let adaReservation = "WR00000000000000000000000000000001"
    static let brunoReservation = "WR00000000000000000000000000000002"

    /// A reservation event of `worker` on the test task.
    static func reservation(_ type: String, at: Double, worker: String = ada, reservation: String? = nil,
                            payload: [String: Any] = [:]) -> String {
        var p: [String: Any] = ["worker_sid": worker, "worker_name": worker == ada ? "ada" : "bruno",
                                "reservation_sid": reservation ?? (worker == ada ? adaReservation : brunoReservation)]
        if worker != ada { p["worker_attributes"] = #"{"full_name":"Bruno Silva","team_name":"Tech"}"# }
        for (k, v) in payload { p[k] = v }
        return T.cloudEvent(type, at: at, payload: p)
    }

    static func registry(_ lines: [String], window: Double = 0) -> (Registry, [IngestReject]) {
        let r = T.run(lines, window: window)
        var registry = Registry()
        for e in r.events { _ = registry.apply(e) }
        return (registry, r.rejects)
    }

    static func transferInitiated(at: Double, type: String, from worker: String = bruno,
                                  reservation: String = brunoReservation) -> String {
        T.cloudEvent("task.transfer-initiated", at: at, payload: [
            "task_transfer_sid": "TT00000000000000000000000000000001", "transfer_type": type, "transfer_mode": "WARM",
            "transfer_to": ada, "transfer_initiating_worker_sid": worker,
            "transfer_initiating_reservation_sid": reservation, "transfer_status": "initiated",
        ])
    }

    /// Ada on another call (CA-other, live) when the test task reaches her.
    static let adaBusy = Event(at: T.at(0), .callStart(ada, CallStart(call: "WT-other", queue: "Billing")))

    // MARK: Transfers

    @Test func aWorkerTransferOnTheSameTaskArrivesViaTransfer() throws {
        let (registry, rejects) = Self.registry([
            Self.reservation("reservation.accepted", at: 10, worker: Self.bruno),
            Self.transferInitiated(at: 60, type: "WORKER"),
            Self.reservation("reservation.created", at: 62),
            Self.reservation("reservation.accepted", at: 65),
        ])
        #expect(rejects.isEmpty)
        let call = try #require(registry[worker: Self.ada]?.calls.first)
        #expect(call.id == T.taskSid && call.via == .transfer && call.phase == .live)
        // The transferor still holds the task.
        #expect(registry[worker: Self.bruno]?.calls.first?.id == T.taskSid)
    }

    @Test func aQueueTransferToABusyAgentIsAMisroute() throws {
        var registry = Registry()
        _ = registry.apply(Self.adaBusy)
        let r = T.run([
            Self.reservation("reservation.accepted", at: 10, worker: Self.bruno),
            Self.transferInitiated(at: 60, type: "QUEUE"),
            Self.reservation("reservation.accepted", at: 65),
        ])
        for e in r.events { _ = registry.apply(e) }
        let ada = try #require(registry[worker: Self.ada])
        let call = try #require(ada.calls.first { $0.id == T.taskSid })
        #expect(call.via == .queue)
        #expect(ada.flags(of: call, at: T.at(70)).contains(.misroute))
    }

    @Test func transferFieldsOnTheReservationItselfAreRead() throws {
        let (registry, _) = Self.registry([
            Self.reservation("reservation.accepted", at: 65, payload: ["transfer_type": "WORKER",
                                                                      "transfer_initiating_worker_sid": Self.bruno]),
        ])
        #expect(registry[worker: Self.ada]?.calls.first?.via == .transfer)
    }

    @Test func aFailedTransferIsForgotten() throws {
        let (registry, _) = Self.registry([
            Self.reservation("reservation.accepted", at: 10, worker: Self.bruno),
            Self.transferInitiated(at: 60, type: "WORKER"),
            T.cloudEvent("task.transfer-failed", at: 61, payload: ["transfer_status": "failed"]),
            Self.reservation("reservation.accepted", at: 65),
        ])
        #expect(registry[worker: Self.ada]?.calls.first?.via == .queue)
    }

    @Test func theTransferorsOwnReservationIsNotTakenForTheTransfer() throws {
        // Events about the initiating reservation (a repeat of its acceptance) do not consume the transfer.
        let (registry, _) = Self.registry([
            Self.reservation("reservation.accepted", at: 10, worker: Self.bruno),
            Self.transferInitiated(at: 60, type: "WORKER"),
            Self.reservation("reservation.accepted", at: 61, worker: Self.bruno),
            Self.reservation("reservation.accepted", at: 65),
        ])
        #expect(registry[worker: Self.ada]?.calls.first?.via == .transfer)
    }

    // MARK: Holders

    @Test func taskEventsChangeEveryHolder() throws {
        let lines = [
            Self.reservation("reservation.accepted", at: 10, worker: Self.bruno),
            Self.transferInitiated(at: 60, type: "WORKER"),
            Self.reservation("reservation.accepted", at: 65),
            T.cloudEvent("task.wrapup", at: 100),
        ]
        let (wrapped, _) = Self.registry(lines)
        #expect(wrapped[worker: Self.ada]?.calls.first?.phase == .wrapup)
        #expect(wrapped[worker: Self.bruno]?.calls.first?.phase == .wrapup)
        for type in ["task.completed", "task.canceled", "task.deleted", "task.system-deleted"] {
            let (ended, rejects) = Self.registry(lines + [T.cloudEvent(type, at: 120)])
            #expect(rejects.isEmpty, "\(type)")
            #expect(ended[worker: Self.ada]?.calls.isEmpty == true, "\(type)")
            #expect(ended[worker: Self.bruno]?.calls.isEmpty == true, "\(type)")
        }
    }

    @Test func aReservationEventChangesOnlyItsOwnWorker() throws {
        let (registry, _) = Self.registry([
            Self.reservation("reservation.accepted", at: 10, worker: Self.bruno),
            Self.transferInitiated(at: 60, type: "WORKER"),
            Self.reservation("reservation.accepted", at: 65),
            Self.reservation("reservation.wrapup", at: 70, worker: Self.bruno),
            Self.reservation("reservation.completed", at: 80, worker: Self.bruno),
        ])
        #expect(registry[worker: Self.bruno]?.calls.isEmpty == true)
        #expect(registry[worker: Self.ada]?.calls.first?.phase == .live)
    }

    @Test func aCustomerHoldAtTransferStartDoesNotLeaveTheTransferorOnHold() throws {
        let (registry, _) = Self.registry([
            Self.reservation("reservation.accepted", at: 10, worker: Self.bruno),
            Self.transferInitiated(at: 60, type: "WORKER"),
            T.conference("participant-hold", at: 60, label: nil),
            Self.reservation("reservation.created", at: 62),
            Self.reservation("reservation.accepted", at: 65),
            Self.reservation("reservation.wrapup", at: 70, worker: Self.bruno),
            T.conference("participant-unhold", at: 71, label: nil, sequence: 2),
        ], window: 2)
        let bruno = try #require(registry[worker: Self.bruno]?.calls.first)
        #expect(bruno.phase == .wrapup && bruno.holdSince == nil)
        #expect(registry[worker: Self.ada]?.calls.first?.phase == .live)
    }

    @Test func aCompletionBeforeItsAcceptanceLeavesNoCall() throws {
        // Minutes apart, so far beyond the reorder window: delivered in the wrong order.
        let (registry, _) = Self.registry([
            Self.reservation("reservation.completed", at: 400),
            T.cloudEvent("task.completed", at: 400.1),
            Self.reservation("reservation.accepted", at: 10),
        ], window: 2)
        #expect(registry[worker: Self.ada]?.calls.isEmpty ?? true)
        let (taskOnly, _) = Self.registry([
            T.cloudEvent("task.completed", at: 400.1),
            Self.reservation("reservation.accepted", at: 10),
        ], window: 2)
        #expect(taskOnly[worker: Self.ada]?.calls.isEmpty ?? true)
    }

    // MARK: Offers

    @Test func aReservationCreatedIsARingingCallUntilAccepted() throws {
        let (offered, _) = Self.registry([Self.reservation("reservation.created", at: 5)])
        let call = try #require(offered[worker: Self.ada]?.calls.first)
        #expect(call.phase == .offered && call.startedAt == T.at(5))
        let (accepted, _) = Self.registry([Self.reservation("reservation.created", at: 5), Self.reservation("reservation.accepted", at: 9)])
        #expect(accepted[worker: Self.ada]?.calls.first?.phase == .live)
    }

    @Test(arguments: [("reservation.rejected", 1), ("reservation.timeout", 1), ("reservation.rescinded", 0), ("reservation.canceled", 0)])
    func anOfferThatIsNotTakenGoes(type: String, missed: Int) throws {
        let (registry, rejects) = Self.registry([Self.reservation("reservation.created", at: 5), Self.reservation(type, at: 20)])
        #expect(rejects.isEmpty)
        let ada = try #require(registry[worker: Self.ada])
        #expect(ada.calls.isEmpty)
        #expect(ada.missedOffers(since: T.at(0)) == missed)
    }

    // MARK: Conferences

    @Test func aConferenceNamedAfterTheTaskResolvesWithoutAttributes() throws {
        // No conference sid or call sids in the task attributes, no participant label: FriendlyName is enough.
        var hold = T.conferenceObject("participant-hold", at: 20, call: "CA-unknown", label: nil, conference: "CF-other")
        hold["FriendlyName"] = T.taskSid
        let (registry, _) = Self.registry([
            Self.reservation("reservation.accepted", at: 10, payload: ["task_attributes": #"{"from":"+15551230001"}"#]),
            T.json(hold),
        ])
        #expect(registry[worker: Self.ada]?.calls.first?.phase == .held)
    }

    @Test func aHoldOfAKnownWorkerLegDoesNotHoldTheCall() throws {
        let (registry, _) = Self.registry([
            Self.reservation("reservation.accepted", at: 10),
            T.conference("participant-hold", at: 20, call: T.workerCall, label: nil),
        ])
        #expect(registry[worker: Self.ada]?.calls.first?.phase == .live)
    }

    @Test func aMuteOfTheWorkerLegIsTheWorkersMute() throws {
        let (registry, _) = Self.registry([
            Self.reservation("reservation.accepted", at: 10),
            T.conference("participant-mute", at: 20, call: T.workerCall, label: nil),
        ])
        #expect(registry[worker: Self.ada]?.calls.first?.muted == true)
        let (customer, _) = Self.registry([
            Self.reservation("reservation.accepted", at: 10),
            T.conference("participant-mute", at: 20, label: nil),
        ])
        #expect(customer[worker: Self.ada]?.calls.first?.muted == nil)
    }

    @Test(arguments: ["com.twilio.voice.status-callback.conference.participant.updated",
                      "com.twilio.voice.status-callback.conference-participant.updated"])
    func anEventStreamsConferenceEventIsTheSameAsTheCallback(type: String) throws {
        let parameters = T.conferenceObject("participant-hold", at: 20, label: nil)
        let cloudEvent: [String: Any] = ["specversion": "1.0", "type": type, "id": "EZconf1", "source": "/x",
                                         "time": T.time(20), "data": ["request": ["parameters": parameters]]]
        let viaEventStreams = T.run([Self.reservation("reservation.accepted", at: 10), T.json(cloudEvent)])
        let viaCallback = T.run([Self.reservation("reservation.accepted", at: 10), T.json(parameters)])
        #expect(viaEventStreams.rejects.isEmpty)
        #expect(viaEventStreams.events == viaCallback.events)
        #expect(viaEventStreams.events.last?.kind == .call(Self.ada, T.taskSid, .hold))
        // Delivered both ways, it counts once.
        let both = T.run([Self.reservation("reservation.accepted", at: 10), T.json(cloudEvent), T.json(parameters)])
        #expect(both.decoder.statistics.duplicates == 1)
    }

    @Test func anEventStreamsConferenceEventWithoutParametersIsRejected() {
        let bad: [String: Any] = ["specversion": "1.0", "type": "com.twilio.voice.status-callback.conference.participant.updated",
                                  "id": "EZ1", "time": T.time(1), "data": ["request": [:] as [String: Any]]]
        let r = T.run([T.json(bad)])
        #expect(r.rejects.first?.reason.contains("data.request.parameters") == true)
    }

    // MARK: Plugin and conference disagreeing

    @Test(arguments: [false, true])
    func withinOneSecondThePluginWinsOverAConferenceCallback(pluginFirst: Bool) throws {
        // The plugin says "unmuted" at :20.300 (browser clock, ms); a conference callback says "muted"
        // at :20 (whole seconds, really somewhere in that second). The plugin's report stands either way.
        let plugin = #"{"type":"call.unmute","at":"\#(T.time(20.3))","worker":"\#(Self.ada)","call":"\#(T.taskSid)"}"#
        let conference = T.conference("participant-mute", at: 20, call: T.workerCall, label: nil)
        let lines = [Self.reservation("reservation.accepted", at: 10)] + (pluginFirst ? [plugin, conference] : [conference, plugin])
        let (registry, rejects) = Self.registry(lines, window: 2)
        #expect(rejects.isEmpty)
        #expect(registry[worker: Self.ada]?.calls.first?.muted == false)
        // A callback in a later second wins over it.
        let later = T.conference("participant-mute", at: 21, call: T.workerCall, label: nil, sequence: 2)
        let (after, _) = Self.registry(lines + [later], window: 2)
        #expect(after[worker: Self.ada]?.calls.first?.muted == true)
    }

    @Test func aPluginLineBeforeTheCallStartsIsKeptUntilItDoes() throws {
        // The plugin posts at once; the acceptance waits in the 2 s reorder window.
        let plugin = #"{"type":"call.mute","at":"\#(T.time(10.2))","worker":"\#(Self.ada)","call":"\#(T.taskSid)"}"#
        var decoder = TwilioDecoder(configuration: .init(reorderWindow: 2))
        var events: [Event] = []
        _ = decoder.decode(Self.reservation("reservation.accepted", at: 10), into: &events)
        _ = decoder.decode(plugin, into: &events)
        var registry = Registry()
        for e in events { _ = registry.apply(e) }
        #expect(registry.pendingCount == 1)
        events.removeAll()
        decoder.flush(into: &events)
        for e in events { _ = registry.apply(e) }
        #expect(registry[worker: Self.ada]?.calls.first?.muted == true)
        #expect(registry.pendingCount == 0)
    }

    // MARK: Activity and availability

    @Test func availabilityComesFromActivityEventsOrConfiguration() throws {
        let activity = { (name: String, at: Double) in
            T.cloudEvent("worker.activity.update", at: at, payload: ["worker_activity_name": name])
        }
        let r = T.run([
            T.cloudEvent("activity.updated", at: 0, payload: ["activity_name": "Ready", "activity_available": true,
                                                             "worker_sid": NSNull()]),
            activity("Available", 1), activity("Ready", 2), activity("Break", 3),
        ])
        #expect(r.rejects.isEmpty)
        let available = r.events.compactMap { e -> Bool?? in
            if case .activity(_, _, let a) = e.kind { return a } else { return nil }
        }
        #expect(available == [true, true, false])
    }

    @Test func anyWorkerScopedEventTeachesTheActivity() throws {
        let (registry, _) = Self.registry([Self.reservation("reservation.created", at: 5, payload: ["worker_activity_name": "Busy"])])
        #expect(registry[worker: Self.ada]?.activity == "Busy")
        #expect(registry[worker: Self.ada]?.name == "Ada Okafor")
    }

    @Test func channelAvailabilityIsNotACapacityChange() {
        let (registry, rejects) = Self.registry([
            T.cloudEvent("worker.capacity.update", at: 1, payload: ["task_channel_unique_name": "voice",
                                                                   "task_channel_sid": "TC1", "worker_channel_capacity": 2]),
            T.cloudEvent("worker.channel.availability.update", at: 5, payload: [
                "task_channel_sid": "TC1", "worker_channel_capacity": 2, "worker_channel_available": 0]),
        ])
        #expect(rejects.isEmpty)
        let ada = registry[worker: Self.ada]
        #expect(ada?.capacity["voice"] == 2)
        #expect(ada?.channelsOff == ["voice"], "named from the sid learned earlier")
        let (on, _) = Self.registry([
            T.cloudEvent("worker.channel.availability.update", at: 5, payload: ["task_channel_unique_name": "chat",
                                                                               "worker_channel_available": false]),
            T.cloudEvent("worker.channel.availability.update", at: 6, payload: ["task_channel_unique_name": "chat",
                                                                               "worker_channel_available": true]),
            T.cloudEvent("worker.channel.availability.update", at: 4, payload: ["task_channel_unique_name": "chat",
                                                                               "worker_channel_available": false]),
        ])
        #expect(on[worker: Self.ada]?.channelsOff == [], "a late off does not switch it off again")
    }

    // MARK: Time

    @Test func anEventFromTooFarAheadIsRejectedInEveryFormat() {
        let future = Timestamp.now().adding(seconds: 3600)
        let ahead = future.seconds - T.at(0).seconds
        let native = #"{"type":"activity","at":"\#(RFC3339.format(future))","worker":"W1","activity":"Break"}"#
        var classic = ["EventType": "worker.activity.update", "WorkerSid": Self.ada, "WorkerActivityName": "Break",
                       "Timestamp": String(Int64(future.seconds))]
        let conference = T.conference("participant-hold", at: ahead)
        for line in [T.cloudEvent("worker.activity.update", at: ahead, payload: ["worker_activity_name": "Z"]),
                     native, T.json(classic), conference] {
            let r = T.run([line])
            #expect(r.events.isEmpty)
            #expect(r.rejects.first?.reason.contains("ahead of this server's clock") == true, "\(line.prefix(60))")
        }
        // The distance reads in the two largest units that fit, not raw seconds, and just past the limit
        // does not read as the limit.
        func reason(aheadBy seconds: Double) -> String {
            let line = #"{"type":"activity","at":"\#(RFC3339.format(Timestamp.now().adding(seconds: seconds)))","worker":"W1","activity":"Break"}"#
            return T.run([line]).rejects.first?.reason ?? ""
        }
        let farAhead = reason(aheadBy: 400 * 86_400)
        #expect(farAhead.contains(" 400 d ahead") || farAhead.contains(" 399 d 23 h ahead"), "\(farAhead)")
        #expect(farAhead.contains("(limit 5 min, --max-clock-skew)"), "\(farAhead)")
        let justPast = reason(aheadBy: 312)
        #expect(justPast.contains(" 5 min 12 s ahead") || justPast.contains(" 5 min 11 s ahead"), "\(justPast)")
        // Within the limit, accepted.
        classic["Timestamp"] = String(Int64(Timestamp.now().seconds) + 60)
        #expect(T.run([T.json(classic)]).rejects.isEmpty)
        var decoder = NativeDecoder(limits: NativeLimits(maxClockSkew: 7200))
        #expect((try? decoder.decode(native).get()) != nil)
    }

    @Test func anEventFromLongAgoIsRejectedAsTooOldInEveryFormat() {
        let limits = NativeLimits(maxEventAge: 86_400)
        func lines(_ at: Timestamp) -> [String] {
            let offset = at.seconds - T.at(0).seconds
            let classic = ["EventType": "worker.activity.update", "WorkerSid": Self.ada, "WorkerActivityName": "Break",
                           "Timestamp": String(Int64(at.seconds))]
            return [T.cloudEvent("worker.activity.update", at: offset, payload: ["worker_activity_name": "Z"]),
                    #"{"type":"call.start","at":"\#(RFC3339.format(at))","worker":"W1","call":"C1","queue":"Sales"}"#,
                    T.json(classic), T.conference("participant-hold", at: offset)]
        }
        // A producer whose clock went back to 2001, and a line three days old, past a one-day limit.
        for at in [RFC3339.parse("2001-03-01T09:00:00Z")!, Timestamp.now().adding(seconds: -3 * 86_400)] {
            for line in lines(at) {
                let r = T.run([line], limits: limits)
                #expect(r.events.isEmpty, "\(line.prefix(60))")
                #expect(r.rejects.first?.category == .tooOld, "\(line.prefix(60))")
                #expect(r.rejects.first?.reason.contains("behind this server's clock") == true)
                #expect(r.rejects.first?.reason.contains("--max-event-age") == true)
            }
        }
        // Within the limit, taken; with no limit (replaying recorded traffic), old lines are taken too.
        let recent = lines(Timestamp.now().adding(seconds: -3600))
        #expect(T.run([recent[1]], limits: limits).rejects.isEmpty)
        #expect(T.run([recent[2]], limits: limits).rejects.isEmpty)
        let old = lines(RFC3339.parse("2001-03-01T09:00:00Z")!)
        for unlimited in [NativeLimits(), NativeLimits(maxEventAge: 0)] {
            #expect(T.run([old[1]], limits: unlimited).rejects.isEmpty)
            #expect(T.run([old[2]], limits: unlimited).rejects.isEmpty)
        }
    }

    @Test func epochMillisecondsWhereSecondsAreExpectedAreRecognised() throws {
        let ms = Int64(T.at(30).seconds * 1000)
        let classic = ["EventType": "worker.activity.update", "WorkerSid": Self.ada, "WorkerActivityName": "Break",
                       "Timestamp": String(ms)]
        let r = T.run([T.json(classic)])
        #expect(r.events.last?.at == T.at(30))
        let seconds = ["EventType": "worker.activity.update", "WorkerSid": Self.ada, "WorkerActivityName": "Break",
                       "Timestamp": String(ms / 1000)]
        #expect(T.run([T.json(seconds)]).events.last?.at == T.at(30))
        // An Event Streams number is milliseconds, or seconds when too small to be milliseconds.
        let cloud = T.cloudEvent("worker.activity.update", at: 0, payload: ["worker_activity_name": "Break", "timestamp": ms / 1000])
        #expect(T.run([cloud]).events.last?.at == T.at(30))
    }
}
