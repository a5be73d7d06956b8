/// One multi-byte UTF-8 sequence, checked by Unicode Table 3-7: no overlongs, no surrogates,
/// nothing above U+10FFFF. Shared by the JSON parser and the line checks so both agree on what
/// "valid UTF-8" is.
enum UTF8Sequence {
    enum Check: Equatable {
        /// A valid sequence of this many bytes (lead included).
        case valid(Int)
        /// The lead byte cannot start a sequence, or a continuation byte is wrong.
        case invalid
        /// The bytes end inside the sequence.
        case truncated
    }

    /// Checks the sequence whose lead byte (≥ 0x80) is at `i`.
    @inline(__always)
    static func check(_ base: UnsafePointer<UInt8>, count: Int, at i: Int) -> Check {
        let lead = base[i]
        var low: UInt8 = 0x80
        var high: UInt8 = 0xBF
        let continuation: Int
        switch lead {
        case 0xC2...0xDF: continuation = 1
        case 0xE0: continuation = 2; low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: continuation = 2
        case 0xED: continuation = 2; high = 0x9F
        case 0xF0: continuation = 3; low = 0x90
        case 0xF1...0xF3: continuation = 3
        case 0xF4: continuation = 3; high = 0x8F
        default: return .invalid
        }
        for k in 1...continuation {
            guard i + k < count else { return .truncated }
            let b = base[i + k]
            let ok = k == 1 ? (b >= low && b <= high) : (b & 0xC0 == 0x80)
            if !ok { return .invalid }
        }
        return .valid(continuation + 1)
    }
}
