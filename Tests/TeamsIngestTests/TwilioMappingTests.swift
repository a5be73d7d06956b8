import Foundation
import Testing
import TeamsDomain
@testable import TeamsIngest

/// Each TaskRouter event type and conference callback → the domain events it must yield.
@Suite struct TwilioMappingTests {
    typealias T = TwilioTest
    let w = TwilioTest.workerSid
    let task = TwilioTest.taskSid

    @Test func workerCreatedSetsProfileFromAttributes() {
        let r = T.run([T.cloudEvent("worker.created", at: 0)])
        #expect(r.rejects.isEmpty)
        #expect(r.events == [Event(at: T.at(0), .worker(w, WorkerProfile(name: "Ada Okafor", team: "Billing", skills: ["billing", "spanish"])))])
    }

    @Test func profileFallsBackToWorkerNameAndTeamKey() {
        let attrs = #"{"team":"Sales","routing":{"skills":["sales",7]}}"#
        let r = T.run([T.cloudEvent("worker.attributes.update", at: 0, payload: ["worker_attributes": attrs])])
        #expect(r.events.map(\.kind) == [.worker(w, WorkerProfile(name: "ada", team: "Sales", skills: ["sales"]))])
    }

    @Test func profileIsRepeatedOnlyWhenItChanges() {
        let kinds = T.run([
            T.cloudEvent("worker.activity.update", at: 0, payload: ["worker_activity_name": "Available"]),
            T.cloudEvent("worker.activity.update", at: 1, payload: ["worker_activity_name": "Break"]),
            T.cloudEvent("worker.activity.update", at: 2, payload: ["worker_activity_name": "Available",
                                                                     "worker_attributes": #"{"full_name":"Ada O.","team":"Billing"}"#]),
        ]).events.map(\.kind)
        let profiles = kinds.filter { if case .worker = $0 { return true } else { return false } }
        #expect(profiles.count == 2)
    }

    @Test func activityAvailabilityIsTheActivitysNotAWorkerField() {
        #expect(T.runKinds([T.cloudEvent("worker.activity.update", at: 0, payload: ["worker_activity_name": "Break"])])
            == [.activity(w, name: "Break", available: false)])
        // No such field in Twilio's payloads: ignored, the activity's configured availability stands.
        #expect(T.runKinds([T.cloudEvent("worker.activity.update", at: 0,
                                         payload: ["worker_activity_name": "Break", "worker_activity_available": true])])
            == [.activity(w, name: "Break", available: false)])
        var decoder = TwilioDecoder(configuration: .init(reorderWindow: 0, availableActivities: ["Ready"]))
        var events: [Event] = []
        _ = decoder.decode(T.cloudEvent("worker.activity.update", at: 0, payload: ["worker_activity_name": "Ready"]), into: &events)
        #expect(events.last?.kind == .activity(w, name: "Ready", available: true))
    }

    @Test(arguments: ["worker.capacity.update"])
    func capacityEventsSetChannelCapacity(type: String) {
        let kinds = T.runKinds([T.cloudEvent(type, at: 0, payload: ["task_channel_unique_name": "voice", "worker_channel_capacity": 2])])
        #expect(kinds == [.capacity(w, channel: "voice", total: 2)])
    }

    @Test func workerDeletedRemovesWorker() {
        #expect(T.run([T.cloudEvent("worker.deleted", at: 0)]).events.map(\.kind) == [.workerRemove(w)])
    }

    @Test func acceptedVoiceTaskStartsQueueCall() {
        let kinds = T.runKinds([T.cloudEvent("reservation.accepted", at: 0, payload: ["worker_channel_capacity": 2])])
        #expect(kinds == [
            .capacity(w, channel: "voice", total: 2),
            .callStart(w, CallStart(call: task, from: "+15551230001", queue: "Billing", direction: .inbound, via: .queue)),
        ])
    }

    @Test func acceptedOutboundTaskIsOutboundToCalledParty() {
        let kinds = T.runKinds([T.cloudEvent("reservation.accepted", at: 0,
                                             payload: ["task_attributes": T.voiceAttributes(direction: "outbound-api")])])
        #expect(kinds == [.callStart(w, CallStart(call: task, from: "+15559990000", queue: "Billing", direction: .outbound, via: .outbound))])
    }

    @Test func transferFieldsMakeTransferCall() {
        let byField = T.runKinds([T.cloudEvent("reservation.accepted", at: 0,
                                               payload: ["transfer_initiating_worker_sid": T.otherWorkerSid, "transfer_mode": NSNull()])])
        let byAttribute = T.runKinds([T.cloudEvent("reservation.accepted", at: 0,
                                                   payload: ["task_attributes": T.voiceAttributes(extra: ["transferTargetType": "worker"])])])
        let notByEmpty = T.runKinds([T.cloudEvent("reservation.accepted", at: 0, payload: ["task_transfer_sid": ""])])
        let toQueue = T.runKinds([T.cloudEvent("reservation.accepted", at: 0, payload: ["task_transfer_sid": "TT1", "transfer_type": "QUEUE"])])
        let toQueueByAttribute = T.runKinds([T.cloudEvent("reservation.accepted", at: 0,
                                                          payload: ["task_attributes": T.voiceAttributes(extra: ["transferTargetType": "queue"])])])
        for kinds in [toQueue, toQueueByAttribute] {
            guard case .callStart(_, let start) = kinds.last else { Issue.record("no call start"); continue }
            #expect(start.via == .queue, "a transfer to a queue is offered like a queue call")
        }
        for kinds in [byField, byAttribute] {
            guard case .callStart(_, let start) = kinds.last else { Issue.record("no call start"); continue }
            #expect(start.via == .transfer)
        }
        guard case .callStart(_, let start) = notByEmpty.last else { Issue.record("no call start"); return }
        #expect(start.via == .queue)
    }

    @Test func acceptedChatTaskStartsTask() {
        let kinds = T.runKinds([T.cloudEvent("reservation.accepted", at: 0,
                                             payload: ["task_channel_unique_name": "chat", "task_queue_name": "Chat",
                                                       "task_attributes": #"{"from":"web visitor"}"#])])
        #expect(kinds == [.taskStart(w, TaskStart(task: task, channel: "chat", from: "web visitor", queue: "Chat"))])
    }

    @Test func wrapupAndCompletionEndTheCall() {
        let kinds = T.runKinds([
            T.cloudEvent("reservation.accepted", at: 0),
            T.cloudEvent("reservation.wrapup", at: 60),
            T.cloudEvent("reservation.completed", at: 90),
        ])
        #expect(Array(kinds.dropFirst()) == [.call(w, task, .wrapup), .call(w, task, .end)])
    }

    @Test func taskEventsFindTheWorkerFromTheAcceptedReservation() {
        let kinds = T.runKinds([
            T.cloudEvent("reservation.accepted", at: 0),
            T.cloudEvent("task.wrapup", at: 60),
            T.cloudEvent("task.completed", at: 90),
        ])
        #expect(Array(kinds.dropFirst()) == [.call(w, task, .wrapup), .call(w, task, .end)])
    }

    @Test func chatCompletionEndsTaskAndChatWrapupIsIgnored() {
        let chat: [String: Any] = ["task_channel_unique_name": "chat"]
        let r = T.run([
            T.cloudEvent("reservation.accepted", at: 0, payload: chat),
            T.cloudEvent("reservation.wrapup", at: 30, payload: chat),
            T.cloudEvent("task.canceled", at: 40, payload: chat),
        ])
        #expect(r.events.map(\.kind).last == .taskEnd(w, task))
        // reservation.wrapup is a type teamsview reads: a chat's changes nothing, but it is not an ignored type.
        #expect(r.decoder.statistics.ignored.isEmpty)
    }

    @Test func eventsForUnacceptedTasksAreIgnoredNotRejected() {
        let chat: [String: Any] = ["worker_attributes": NSNull(), "worker_name": NSNull(), "task_channel_unique_name": "chat",
                                   "task_attributes": #"{"from":"web"}"#]
        let r = T.run([
            // A chat offered and withdrawn: no voice offer to show, nothing started, nothing to end.
            T.cloudEvent("reservation.created", at: 0, payload: chat),
            T.cloudEvent("reservation.canceled", at: 1, payload: chat),
            T.cloudEvent("task.canceled", at: 2, payload: ["task_channel_unique_name": "chat"]),
            T.cloudEvent("task-queue.created", at: 3, payload: ["worker_attributes": NSNull(), "worker_name": NSNull()]),
            T.cloudEvent("some.future.event", at: 4, payload: ["worker_attributes": NSNull(), "worker_name": NSNull()]),
        ])
        #expect(r.rejects.isEmpty)
        #expect(r.events.isEmpty)
        let s = r.decoder.statistics
        // Only the types teamsview does not read count as ignored.
        #expect(s.ignored == ["task-queue.created": 1, "some.future.event": 1])
        #expect(s.ignoredTotal == 2)
    }

    @Test func typesTeamsviewReadsAreNeverCountedAsIgnored() {
        let transfer: [String: Any] = ["transfer_type": "WORKER", "transfer_to": T.otherWorkerSid,
                                       "transfer_initiating_worker_sid": T.workerSid]
        let r = T.run([
            T.cloudEvent("activity.created", at: 0, payload: ["activity_name": "Lunch", "activity_available": false]),
            T.cloudEvent("activity.updated", at: 1, payload: ["activity_name": "Lunch", "activity_available": false]),
            T.cloudEvent("reservation.accepted", at: 2),
            T.cloudEvent("task.updated", at: 3),
            T.cloudEvent("task.transfer-initiated", at: 4, payload: transfer),
            T.cloudEvent("task.transfer-failed", at: 5, payload: transfer),
            T.cloudEvent("reservation.accepted", at: 6, id: "again"),
            T.cloudEvent("task.created", at: 7),
            T.cloudEvent("task-queue.created", at: 8, payload: ["worker_attributes": NSNull(), "worker_name": NSNull()]),
        ])
        #expect(r.rejects.isEmpty)
        #expect(r.decoder.statistics.ignored == ["task-queue.created": 1], "\(r.decoder.statistics.ignored)")
    }

    @Test func readmeListsTheTypesTeamsviewReads() throws {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        let readme = try String(contentsOf: url.appendingPathComponent("README.md"), encoding: .utf8)
        // The Event Streams paragraph: "Subscribe it to the TaskRouter types teamsview reads: `a`, `b`, ...; and, ..."
        let start = try #require(readme.range(of: "TaskRouter types teamsview reads:"))
        let end = try #require(readme.range(of: "; and,", range: start.upperBound..<readme.endIndex))
        let listed = Set(readme[start.upperBound..<end.lowerBound].split(separator: "`").enumerated()
            .filter { $0.offset % 2 == 1 }.map { String($0.element) })
        let read = Set(TaskRouterType.known.map(\.name)).union(TwilioMapper.readOtherTypes)
        #expect(listed == read, "README lists \(listed.subtracting(read).sorted()) not read; reads \(read.subtracting(listed).sorted()) not listed")
    }

    @Test func otherProductsCloudEventsAreIgnored() {
        let line = #"{"specversion":"1.0","type":"com.twilio.voice.status-callback.call.completed","id":"EZ9","data":{}}"#
        let r = T.run([line])
        #expect(r.rejects.isEmpty && r.events.isEmpty)
        #expect(r.decoder.statistics.ignored["com.twilio.voice.status-callback.call.completed"] == 1)
    }

    @Test func ignoredTypesAreBoundedInNumber() {
        var lines: [String] = []
        for i in 0..<(TwilioStatistics.maxIgnoredTypes + 10) {
            lines.append(T.cloudEvent("x.type\(i)", at: Double(i), payload: ["worker_attributes": NSNull(), "worker_name": NSNull()]))
        }
        let s = T.run(lines).decoder.statistics
        #expect(s.ignored.count == TwilioStatistics.maxIgnoredTypes + 1)
        #expect(s.ignored[TwilioStatistics.otherTypes] == 10)
    }

    @Test func nativeLinesPassThrough() {
        let line = #"{"type":"call.hold","at":"2026-11-25T09:02:10Z","worker":"WK01","call":"CA01"}"#
        let r = T.run([line], window: 5)
        #expect(r.events == [Event(at: RFC3339.parse("2026-11-25T09:02:10Z")!, .call("WK01", "CA01", .hold))])
        #expect(r.decoder.pendingRecords == 0)
    }

    @Test func nativeRejectsKeepTheirReason() {
        let r = T.run([#"{"type":"call.hold","at":"2026-11-25T09:02:10Z"}"#])
        #expect(r.rejects.map(\.reason) == [#"missing field "worker""#])
    }
}

/// Conference callbacks matched to calls through task attributes.
@Suite struct TwilioConferenceTests {
    typealias T = TwilioTest
    let w = TwilioTest.workerSid
    let task = TwilioTest.taskSid

    @Test func customerHoldAndWorkerMuteMapToTheTaskCall() {
        let kinds = T.runKinds([
            T.cloudEvent("reservation.accepted", at: 0),
            T.conference("participant-hold", at: 10, sequence: 3),
            T.conference("participant-mute", at: 11, call: T.workerCall, label: "worker", sequence: 4),
            T.conference("participant-unmute", at: 20, call: T.workerCall, label: nil, sequence: 5),
            T.conference("participant-unhold", at: 21, call: T.customerCall, label: nil, sequence: 6),
        ])
        #expect(Array(kinds.dropFirst()) == [.call(w, task, .hold), .call(w, task, .mute), .call(w, task, .unmute), .call(w, task, .resume)])
    }

    @Test func holdOfTheAgentAndMuteOfTheCustomerAreIgnored() {
        let r = T.run([
            T.cloudEvent("reservation.accepted", at: 0),
            T.conference("participant-hold", at: 10, call: T.workerCall, label: "worker"),
            T.conference("participant-mute", at: 11, label: "customer", sequence: 2),
            T.conference("participant-join", at: 12, sequence: 3),
            T.conference("participant-leave", at: 13, sequence: 4),
        ])
        #expect(r.events.filter { if case .call = $0.kind { return true } else { return false } }.isEmpty)
        // Hold and mute are read (nothing to show here); join and leave are not read.
        #expect(r.decoder.statistics.ignored == ["conference:participant-join": 1, "conference:participant-leave": 1])
    }

    @Test func callbackBeforeItsTaskIsParkedThenEmittedNoEarlierThanTheStart() {
        let r = T.run([
            T.conference("participant-hold", at: 5),
            T.cloudEvent("reservation.accepted", at: 5.4),
        ])
        #expect(r.events.last == Event(at: T.at(5.4), .call(w, task, .hold)))
        #expect(r.decoder.statistics.parkedConference == 0)
    }

    @Test func unmatchedCallbacksStayParkedAndAreBounded() {
        var lines: [String] = []
        for i in 0..<(TwilioMapper.maxParked + 3) {
            lines.append(T.conference("participant-hold", at: Double(i), sequence: i, conference: "CFX\(i)"))
        }
        let s = T.run(lines).decoder.statistics
        #expect(s.parkedConference == TwilioMapper.maxParked)
        #expect(s.unmatchedConference == 3)
    }

    @Test func taskUpdatedTeachesParticipantsLater() {
        let bare = #"{"call_sid":"CA00000000000000000000000000000001","from":"+1555"}"#
        let kinds = T.runKinds([
            T.cloudEvent("reservation.accepted", at: 0, payload: ["task_attributes": bare]),
            T.conference("participant-mute", at: 3, call: T.workerCall, label: nil, sequence: 2),
            T.cloudEvent("task.updated", at: 4),
        ])
        #expect(kinds.last == .call(w, task, .mute))
    }

    @Test func conferenceFollowsTheLatestTaskAfterATransfer() {
        let second = "WT00000000000000000000000000000002"
        let kinds = T.runKinds([
            T.cloudEvent("reservation.accepted", at: 0),
            T.cloudEvent("reservation.wrapup", at: 50),
            T.cloudEvent("reservation.accepted", at: 52, payload: [
                "task_sid": second, "worker_sid": T.otherWorkerSid, "transfer_initiating_worker_sid": T.workerSid,
                "task_attributes": T.voiceAttributes(extra: ["transferTargetType": "worker"]),
            ]),
            T.cloudEvent("reservation.completed", at: 55),
            T.conference("participant-hold", at: 60, sequence: 9),
        ])
        #expect(kinds.last == .call(T.otherWorkerSid, second, .hold))
    }
}
