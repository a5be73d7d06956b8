/// The flags of a worker's calls at one moment, in the order of its calls (``WorkerState/callFlags(at:grace:)``):
/// `list[i]` is the flags of `calls[i]`.
///
/// Up to eight are held inline, a byte each: boards, summaries and the live updater read the flags of every worker
/// they count, and an array would be a heap block per worker each time. A worker with more calls (up to
/// `--max-calls-per-worker`) keeps them in an array.
public struct CallFlagList: RandomAccessCollection, Sendable, Hashable, ExpressibleByArrayLiteral {
    /// The first eight, flag `i` in byte `i`.
    private var packed: UInt64 = 0
    /// Every flag, once there are more than eight.
    private var overflow: [CallFlags]?
    public private(set) var count = 0

    public init() {}

    public init(arrayLiteral elements: CallFlags...) {
        for f in elements { append(f) }
    }

    public init<S: Sequence<CallFlags>>(_ flags: S) {
        for f in flags { append(f) }
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { count }

    public subscript(i: Int) -> CallFlags {
        precondition(i >= 0 && i < count, "call flag index out of range")
        if let overflow { return overflow[i] }
        return CallFlags(rawValue: UInt8(truncatingIfNeeded: packed >> (UInt64(i) &* 8)))
    }

    public mutating func append(_ flags: CallFlags) {
        if overflow == nil, count < 8 {
            packed |= UInt64(flags.rawValue) << (UInt64(count) &* 8)
        } else {
            if overflow == nil { overflow = Array(self) }
            overflow!.append(flags)
        }
        count += 1
    }

    /// The flags of every call together.
    public var union: CallFlags {
        if let overflow { return overflow.reduce(into: CallFlags()) { $0.formUnion($1) } }
        var p = packed, all: UInt8 = 0
        while p != 0 {
            all |= UInt8(truncatingIfNeeded: p)
            p >>= 8
        }
        return CallFlags(rawValue: all)
    }
}
