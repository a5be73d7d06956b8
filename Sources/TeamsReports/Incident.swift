/// A misroute or wrong-call-risk episode.
public struct Incident: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case misroute
        case wrongCallRisk = "wrong-call-risk"
    }

    /// Stable across restarts and recomputation: a hash of worker, kind and start.
    public var id: String
    public var worker: String
    public var kind: Kind
    /// Microseconds.
    public var start: Int64
    public var end: Int64?
    public var calls: [String]
    public var queue: String
    public var via: String
    /// Microseconds.
    public var exposure: Int64

    static func id(worker: String, kind: Kind, start: Int64) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in worker.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        hash = (hash ^ (kind == .misroute ? 1 : 2)) &* 0x100_0000_01b3
        for shift in stride(from: 0, to: 64, by: 8) {
            hash = (hash ^ UInt64(UInt64(bitPattern: start) >> UInt64(shift) & 0xff)) &* 0x100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
