/// SplitMix64: a small, fast generator whose sequence depends only on its seed, so the same
/// `--seed` gives the same demo data.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func chance(_ probability: Double) -> Bool { Double.random(in: 0..<1, using: &self) < probability }

    mutating func pick<T>(_ values: [T]) -> T { values[Int.random(in: 0..<values.count, using: &self)] }

    /// One of `values`, each drawn in proportion to its weight.
    mutating func pick<T>(_ values: [(T, Double)]) -> T {
        var roll = Double.random(in: 0..<values.reduce(0) { $0 + $1.1 }, using: &self)
        for (value, weight) in values {
            roll -= weight
            if roll < 0 { return value }
        }
        return values[values.count - 1].0
    }

    /// An exponentially distributed delay with the given mean, in seconds.
    mutating func delay(mean: Double) -> Double {
        -mean * log1p(-Double.random(in: 0..<0.999, using: &self))
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
