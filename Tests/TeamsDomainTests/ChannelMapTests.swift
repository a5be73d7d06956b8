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
