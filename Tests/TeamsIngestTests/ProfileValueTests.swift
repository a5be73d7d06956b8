import Testing
import TeamsDomain
@testable import TeamsIngest

/// Skill lists and capacity maps repeated across profile lines are built once and shared (`ProfileValues`), by both
/// decoders that read native lines, without changing what any line decodes to or whether it is rejected.
@Suite("Repeated profile values")
struct ProfileValueTests {
    /// Decodes `lines` with one decoder of each kind that reads native lines, as a source does.
    static func decodeAll(_ lines: [String]) -> [[Result<WorkerProfile, IngestReject>]] {
        var native = NativeDecoder()
        var twilio = TwilioDecoder()
        func profile(_ e: Event?) -> WorkerProfile? {
            guard case .worker(_, let p)? = e?.kind else { return nil }
            return p
        }
        let byNative = lines.map { line in
            native.decode(line).map { profile($0)! }
        }
        let byTwilio = lines.map { line -> Result<WorkerProfile, IngestReject> in
            var events: [Event] = []
            if let rejection = twilio.decode(line, into: &events) { return .failure(rejection) }
            return .success(profile(events.first)!)
        }
        return [byNative, byTwilio]
    }

    static func line(_ worker: String, skills: String, capacity: String) -> String {
        #"{"type":"worker","at":"2026-11-25T09:00:00Z","worker":"\#(worker)","skills":\#(skills),"capacity":\#(capacity)}"#
    }

    /// The address of an array's or a dictionary's storage.
    static func storage<T>(_ value: T) -> Int {
        precondition(MemoryLayout<T>.size == MemoryLayout<Int>.size)
        return unsafeBitCast(value, to: Int.self)
    }

    @Test("equal bytes: equal values in one shared storage")
    func shared() throws {
        let lines = (0..<3).map { Self.line("WK0\($0)", skills: #"["billing","spanish"]"#, capacity: #"{"voice":2,"chat":2}"#) }
        for results in Self.decodeAll(lines) {
            let profiles = try results.map { try $0.get() }
            for p in profiles {
                #expect(p.skills == ["billing", "spanish"])
                #expect(p.capacity == ["voice": 2, "chat": 2])
            }
            #expect(Set(profiles.map { Self.storage($0.skills!) }).count == 1)
            #expect(Set(profiles.map { Self.storage($0.capacity!) }).count == 1)
        }
    }

    @Test("other bytes, other values: each decoded as written")
    func distinct() throws {
        let lines = [
            Self.line("A", skills: #"["billing"]"#, capacity: #"{"voice":1}"#),
            Self.line("B", skills: #"["billing","spanish"]"#, capacity: #"{"voice":2,"chat":2}"#),
            Self.line("C", skills: #"["billing"]"#, capacity: #"{"chat":2,"voice":2}"#),
            Self.line("D", skills: #"["sp\u0061nish"]"#, capacity: #"{"voice":1}"#),
            Self.line("E", skills: #"[ "billing" ]"#, capacity: #"{"voice":1, "sms":0}"#),
            Self.line("F", skills: "[]", capacity: "{}"),
        ]
        let expected: [([String], [String: Int])] = [
            (["billing"], ["voice": 1]), (["billing", "spanish"], ["voice": 2, "chat": 2]),
            (["billing"], ["chat": 2, "voice": 2]), (["spanish"], ["voice": 1]), (["billing"], ["voice": 1, "sms": 0]), ([], [:]),
        ]
        for results in Self.decodeAll(lines + lines) {
            for (i, r) in results.enumerated() {
                let p = try r.get()
                #expect(p.skills == expected[i % lines.count].0)
                #expect(p.capacity == expected[i % lines.count].1)
            }
        }
    }

    @Test("a rejected value is rejected every time it comes, a good one after it still reads")
    func rejectedAgain() throws {
        let bad = Self.line("A", skills: #"["billing"]"#, capacity: #"{"voice":101}"#)
        let badSkills = Self.line("B", skills: #"["billing",7]"#, capacity: #"{"voice":1}"#)
        let good = Self.line("C", skills: #"["billing"]"#, capacity: #"{"voice":1}"#)
        for results in Self.decodeAll([bad, good, bad, badSkills, good, badSkills]) {
            #expect(results.map { (try? $0.get()) == nil } == [true, false, true, true, false, true])
            #expect(try results[4].get().capacity == ["voice": 1])
        }
    }

    @Test("more distinct values than the cache holds: every one still decoded as written")
    func manyDistinct() throws {
        let lines = (0..<1_000).map { i in
            Self.line("WK\(i)", skills: #"["s\#(i)","t\#(i % 7)"]"#, capacity: #"{"voice":\#(i % 100),"c\#(i)":1}"#)
        }
        for results in Self.decodeAll(lines + lines.reversed()) {
            for (k, r) in results.enumerated() {
                let i = k < lines.count ? k : 2 * lines.count - 1 - k
                let p = try r.get()
                #expect(p.skills == ["s\(i)", "t\(i % 7)"])
                #expect(p.capacity == ["voice": i % 100, "c\(i)": 1])
            }
        }
    }
}
