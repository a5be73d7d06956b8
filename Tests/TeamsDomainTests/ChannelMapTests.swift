import Foundation
import Testing
@testable import TeamsDomain

@Suite("ChannelMap: a value per channel")
struct ChannelMapTests {
    @Test("reads and writes like a dictionary, in channel-name order")
    func dictionaryLike() {
        var map: ChannelMap<Int> = ["voice": 2, "chat": 3]
        #expect(map["voice"] == 2 && map["chat"] == 3 && map["sms"] == nil)
        map["sms"] = 1
        map["voice"] = 4
        #expect(map.keys == ["chat", "sms", "voice"])
        #expect(map.map(\.value) == [3, 1, 4])
        #expect(map.count == 3)
        map["chat"] = nil
        map["email"] = nil
        #expect(map.keys == ["sms", "voice"])
        #expect(map == ["voice": 4, "sms": 1], "equal whatever order the entries were given in")
        #expect(map != ["voice": 4])
        #expect(ChannelMap<Int>().isEmpty)
    }

    @Test("is written and read as a dictionary, so saved floors keep their format")
    func codableAsDictionary() throws {
        let map: ChannelMap<Timestamp> = ["voice": Timestamp(microseconds: 5), "chat": Timestamp(microseconds: 7)]
        let data = try JSONEncoder().encode(map)
        let asDictionary = try JSONDecoder().decode([String: Int64].self, from: data)
        #expect(asDictionary == ["voice": 5, "chat": 7])
        #expect(try JSONDecoder().decode(ChannelMap<Timestamp>.self, from: data) == map)
        let fromDictionary = try JSONEncoder().encode(["sms": Timestamp(microseconds: 1)])
        #expect(try JSONDecoder().decode(ChannelMap<Timestamp>.self, from: fromDictionary)["sms"] == Timestamp(microseconds: 1))
    }
}

@Suite("Registry: skill lists and capacity maps shared between workers")
struct SharedValuesTests {
    @Test("workers with equal skills hold one array; a feed of ever-new lists keeps the table bounded")
    func sharedAndBounded() {
        var r = Registry()
        let at = Timestamp(microseconds: 1_000_000)
        for id in ["WK1", "WK2"] {
            _ = r.apply(Event(at: at, .worker(id, WorkerProfile(skills: ["billing", "spanish"].map { String($0) }))))
        }
        let a = r[worker: "WK1"]!.skills, b = r[worker: "WK2"]!.skills
        #expect(a == ["billing", "spanish"])
        #expect(a.withUnsafeBufferPointer { $0.baseAddress } == b.withUnsafeBufferPointer { $0.baseAddress })

        // A worker's list changed to one another worker holds is that one; a profile repeated unchanged keeps it.
        func block(_ id: String) -> UnsafePointer<String>? { r[worker: id]!.skills.withUnsafeBufferPointer { $0.baseAddress } }
        _ = r.apply(Event(at: at, .worker("WK3", WorkerProfile(skills: ["sales"].map { String($0) }))))
        _ = r.apply(Event(at: Timestamp(microseconds: 2_000_000), .worker("WK1", WorkerProfile(skills: ["sales"].map { String($0) }))))
        #expect(r[worker: "WK1"]!.skills == ["sales"])
        #expect(block("WK1") == block("WK3"))
        _ = r.apply(Event(at: Timestamp(microseconds: 3_000_000), .worker("WK1", WorkerProfile(skills: ["sales"].map { String($0) }))))
        #expect(block("WK1") == block("WK3"))
        #expect(block("WK2") != block("WK3"))

        var lists = SharedValues<[String]>()
        for i in 0...(SharedValues<[String]>.limit * 2) { _ = lists.shared(["skill-\(i)"]) }
        let fresh = lists.shared(["billing"])
        #expect(fresh == ["billing"])
        #expect(lists.count <= SharedValues<[String]>.limit)
    }

    @Test("workers with equal capacity hold one map, from a profile or a capacity event; changing one changes no other")
    func capacityShared() {
        var r = Registry()
        let at = Timestamp(microseconds: 1_000_000)
        _ = r.apply(Event(at: at, .worker("WK1", WorkerProfile(capacity: ["voice": 2, "chat": 2]))))
        _ = r.apply(Event(at: at, .worker("WK2", WorkerProfile(capacity: ["chat": 2, "voice": 2]))))
        _ = r.apply(Event(at: at, .capacity("WK3", channel: "voice", total: 2)))
        _ = r.apply(Event(at: at, .capacity("WK3", channel: "chat", total: 2)))
        let one = r[worker: "WK1"]!.capacity, two = r[worker: "WK2"]!.capacity, three = r[worker: "WK3"]!.capacity
        #expect(one == ["voice": 2, "chat": 2])
        #expect(one.sharesEntries(with: two))
        #expect(one.sharesEntries(with: three))
        _ = r.apply(Event(at: at.adding(seconds: 1), .capacity("WK2", channel: "voice", total: 3)))
        #expect(r[worker: "WK2"]!.capacity == ["voice": 3, "chat": 2])
        #expect(r[worker: "WK1"]!.capacity == ["voice": 2, "chat": 2])
        #expect(r[worker: "WK3"]!.capacity == ["voice": 2, "chat": 2])
    }

    @Test("a floor restored from a saved registry shares equal skill lists and capacity maps again")
    func sharedAfterRestore() throws {
        var r = Registry()
        let at = Timestamp(microseconds: 1_000_000)
        for id in ["WK1", "WK2", "WK3"] {
            _ = r.apply(Event(at: at, .worker(id, WorkerProfile(skills: ["billing", "spanish"], capacity: ["voice": 2, "chat": 2]))))
        }
        let saved = try JSONDecoder().decode(Registry.self, from: try JSONEncoder().encode(r))
        let read = saved[worker: "WK1"]!, other = saved[worker: "WK3"]!
        // As read, each worker holds a copy of its own.
        #expect(!read.capacity.sharesEntries(with: other.capacity))
        let store = RegistryStore()
        store.restore(saved, counters: .init())
        let restored = store.snapshot()
        let one = restored[worker: "WK1"]!, three = restored[worker: "WK3"]!
        #expect(one.capacity == ["voice": 2, "chat": 2] && one.skills == ["billing", "spanish"])
        #expect(one.capacity.sharesEntries(with: three.capacity))
        #expect(one.skills.withUnsafeBufferPointer { $0.baseAddress } == three.skills.withUnsafeBufferPointer { $0.baseAddress })
        // Events after the restart share with the restored workers.
        store.apply([Event(at: at.adding(seconds: 1), .worker("WK4", WorkerProfile(capacity: ["voice": 2, "chat": 2])))])
        #expect(store.snapshot()[worker: "WK4"]!.capacity.sharesEntries(with: one.capacity))
    }
}
