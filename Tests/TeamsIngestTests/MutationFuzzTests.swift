import Testing
import TeamsDomain
@testable import TeamsIngest

@Suite("Mutated input")
struct MutationFuzzTests {
    static let valid = [
        #"{"type":"worker","at":"2026-11-25T09:00:00Z","worker":"WK01","name":"Ada Okafor","team":"Billing","skills":["billing","spanish"],"capacity":{"voice":2,"chat":2}}"#,
        #"{"type":"call.start","at":"2026-11-25T09:01:00.5+01:00","worker":"WK01","call":"CA01","from":"+15551230001","queue":"Billing","direction":"inbound","via":"queue"}"#,
        #"{"type":"activity","at":"2026-11-25T09:00:05Z","worker":"W\u00e9","activity":"Available","available":true}"#,
    ]

    @Test("random byte mutations of valid lines never crash and always explain a rejection")
    func mutations() {
        var rng = SplitMix64(seed: 42)
        var decoder = NativeDecoder()
        var accepted = 0
        var rejected = 0
        for round in 0..<20_000 {
            var bytes = Array(Self.valid[round % Self.valid.count].utf8)
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                let at = Int.random(in: 0..<bytes.count, using: &rng)
                switch Int.random(in: 0..<3, using: &rng) {
                case 0: bytes[at] = UInt8.random(in: 0...255, using: &rng)
                case 1: bytes.insert(UInt8.random(in: 0...255, using: &rng), at: at)
                default: if bytes.count > 1 { bytes.remove(at: at) }
                }
            }
            switch bytes.withUnsafeBufferPointer({ decoder.decode(line: $0) }) {
            case .success: accepted += 1
            case .failure(let reject):
                rejected += 1
                #expect(!reject.reason.isEmpty)
                #expect(reject.reason.utf8.count < 300, "reasons stay short: \(reject.reason)")
            }
        }
        // Most mutations break something; a few land in ignored places. Both must happen.
        #expect(rejected > 10_000)
        #expect(accepted > 0)
    }
}
