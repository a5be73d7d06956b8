#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// SplitMix64 (Steele, Lea, Flood 2014): a tiny, fast generator whose whole state is one word,
/// so a seed reproduces a simulation exactly on every platform, unlike `SystemRandomNumberGenerator`.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    @inline(__always)
    mutating func unit() -> Double { Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0) }

    /// True with probability `p`.
    @inline(__always)
    mutating func chance(_ p: Double) -> Bool { unit() < p }

    /// Uniform in `range`. The modulo bias is far below what a simulation could show.
    @inline(__always)
    mutating func int(_ range: Range<Int>) -> Int { range.lowerBound + Int(next() % UInt64(range.count)) }

    /// Uniform seconds in `range`.
    @inline(__always)
    mutating func seconds(_ range: ClosedRange<Double>) -> Double {
        range.lowerBound + unit() * (range.upperBound - range.lowerBound)
    }

    /// An element of a non-empty array.
    @inline(__always)
    mutating func pick<T>(_ items: [T]) -> T { items[int(0..<items.count)] }

    /// How many events of a Poisson process with `rate` per second happen in `dt` seconds
    /// (exact for the small means one tick has).
    mutating func poisson(rate: Double, dt: Double) -> Int {
        let mean = rate * dt
        guard mean > 0 else { return 0 }
        // Knuth's method; a tick's mean is small, so this loops a handful of times.
        if mean < 30 {
            let limit = exp(-mean)
            var k = 0
            var p = unit()
            while p > limit {
                k += 1
                p *= unit()
            }
            return k
        }
        // Large means (benchmarks with huge rates): a normal approximation is plenty.
        let u1 = max(unit(), 1e-300), u2 = unit()
        let z = (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
        return max(0, Int((mean + z * mean.squareRoot()).rounded()))
    }
}
