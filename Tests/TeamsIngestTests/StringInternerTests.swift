import Testing
@testable import TeamsIngest

@Suite("StringInterner: one shared string per sid, bounded")
struct StringInternerTests {
    /// Whether two strings are the same instance (not only equal): what lets the registry compare ids without reading them.
    static func same(_ a: String, _ b: String) -> Bool {
        unsafeBitCast(a, to: (UInt64, UInt64).self) == unsafeBitCast(b, to: (UInt64, UInt64).self)
    }

    static func sid(_ n: Int) -> String { "CA" + String(repeating: "0", count: 24) + String(n, radix: 16).leftPadded(8) }

    @Test("equal bytes give the same instance; short strings are equal, as built inline")
    func sharing() {
        var interner = StringInterner(limit: 64)
        let a = interner.intern(Self.sid(1)), b = interner.intern(Self.sid(1))
        #expect(a == Self.sid(1) && Self.same(a, b))
        #expect(!Self.same(a, Self.sid(1)), "a string built apart is another instance")
        #expect(interner.intern("WK1") == "WK1")
        #expect(interner.intern(Self.sid(2)) == Self.sid(2) && !Self.same(interner.intern(Self.sid(2)), a))
    }

    @Test("a sid that keeps coming stays the same instance across generations; one-off sids age out; memory stays bounded")
    func generations() {
        let limit = 64
        var interner = StringInterner(limit: limit)
        let worker = interner.intern(Self.sid(0))
        let oneOff = interner.intern(Self.sid(1))
        for n in 2..<(20 * limit) {
            _ = interner.intern(Self.sid(n))
            if n % (limit / 2) == 0 { #expect(Self.same(interner.intern(Self.sid(0)), worker), "round \(n)") }
            #expect(interner.count <= 2 * limit)
        }
        #expect(Self.same(interner.intern(Self.sid(0)), worker))
        let again = interner.intern(Self.sid(1))
        #expect(again == oneOff && !Self.same(again, oneOff), "a sid not seen for two generations is made anew")
        // Every string handed out reads back what it was made of.
        for n in (20 * limit - 3 * limit)..<(20 * limit) { #expect(interner.intern(Self.sid(n)) == Self.sid(n)) }
    }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
