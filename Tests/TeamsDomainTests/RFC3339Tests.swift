import Testing
@testable import TeamsDomain

@Suite("RFC 3339")
struct RFC3339Tests {
    @Test(arguments: [
        ("2026-11-25T09:00:00Z", 1_795_597_200_000_000 as Int64),
        ("1970-01-01T00:00:00Z", 0),
        ("2026-11-25T09:00:00.25Z", 1_795_597_200_250_000),
        ("2026-11-25T09:00:00.123456789Z", 1_795_597_200_123_456),
        ("2026-11-25T10:00:00+01:00", 1_795_597_200_000_000),
        ("2026-11-25T04:30:00-04:30", 1_795_597_200_000_000),
        ("2026-11-25t09:00:00z", 1_795_597_200_000_000),
        ("2026-11-25 09:00:00Z", 1_795_597_200_000_000),
        ("2024-02-29T00:00:00Z", 1_709_164_800_000_000),
        ("1969-12-31T23:59:59Z", -1_000_000),
    ])
    func parses(_ text: String, _ micros: Int64) {
        #expect(RFC3339.parse(text) == Timestamp(microseconds: micros))
    }

    @Test(arguments: [
        "", "garbage", "2026-11-25", "2026-11-25T09:00:00", "2026-11-25T09:00:00.Z", "2026-02-30T00:00:00Z",
        "2025-02-29T00:00:00Z", "2026-13-01T00:00:00Z", "2026-00-10T00:00:00Z", "2026-04-31T00:00:00Z",
        "2026-11-25T24:00:00Z", "2026-11-25T09:60:00Z", "2026-11-25T09:00:00+0100", "2026-11-25T09:00:00+01:00Z",
        "2026-11-25T09:00:00ZZ", "2026/11/25T09:00:00Z", "2026-11-25T09:00:00 Z", "２０２６-11-25T09:00:00Z",
        "2026-11-25T09:00:00+25:00",
    ])
    func rejects(_ text: String) {
        #expect(RFC3339.parse(text) == nil)
    }

    @Test(arguments: [
        "2026-11-25T09:00:00Z", "2026-11-25T09:00:00.250Z", "2000-02-29T23:59:59.999Z", "1970-01-01T00:00:00Z",
        "1969-07-20T20:17:40.001Z", "2399-12-31T00:00:00Z",
    ])
    func formatRoundTrips(_ text: String) throws {
        let parsed = try #require(RFC3339.parse(text))
        #expect(RFC3339.format(parsed) == text)
        #expect(RFC3339.parse(RFC3339.format(parsed)) == parsed)
    }

    @Test func formatDropsSubMillisecondsAndWholeSecondFractions() {
        #expect(RFC3339.format(Timestamp(microseconds: 1_795_597_200_000_999)) == "2026-11-25T09:00:00.000Z")
        #expect(RFC3339.format(Timestamp(microseconds: 1_795_597_200_000_000)) == "2026-11-25T09:00:00Z")
        #expect(Timestamp(microseconds: 0).description == "1970-01-01T00:00:00Z")
    }

    @Test func civilDayConversionsAgreeOverCenturies() {
        for days in stride(from: -800_000, through: 800_000, by: 997) {
            let (y, m, d) = RFC3339.civilFromDays(days)
            #expect(RFC3339.daysFromCivil(year: y, month: m, day: d) == days)
        }
    }
}
