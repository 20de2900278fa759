/// A source of uniform 64-bit words, with the draws the simulator needs. Distributions are generic over it, so the
/// same code samples from a long xoshiro stream or from a short keyed SplitMix64 draw.
public protocol RandomSource {
    mutating func next() -> UInt64
}

extension RandomSource {
    /// A uniform double in [0, 1) from the top 53 bits.
    public mutating func nextUnit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A uniform double in [low, high).
    public mutating func uniform(_ low: Double, _ high: Double) -> Double {
        low + (high - low) * nextUnit()
    }

    /// A uniform integer in 0..<bound (Lemire's nearly divisionless method, unbiased).
    public mutating func nextInt(below bound: UInt64) -> UInt64 {
        precondition(bound > 0)
        var m = next().multipliedFullWidth(by: bound)
        if m.low < bound {
            let threshold = (0 &- bound) % bound
            while m.low < threshold { m = next().multipliedFullWidth(by: bound) }
        }
        return m.high
    }

    /// True with probability `p` (exactly never for p <= 0, always for p >= 1).
    public mutating func bernoulli(_ p: Double) -> Bool {
        if p <= 0 { return false }
        if p >= 1 { return true }
        return nextUnit() < p
    }
}

/// Keys for draws that must be the same in every variant of a run (common random numbers): a quantity is drawn
/// from SplitMix64 seeded by the key of what it belongs to (a request, one of its attempts) mixed with the key of
/// the quantity's label. Two variants that send the same attempt of the same request draw the same service time,
/// latency and outcome for it, whatever their policies did to the order of events.
public enum DrawKey {
    /// The key of sub-item `index` of `parent` (attempt n of a request, say).
    public static func child(_ parent: UInt64, _ index: UInt64) -> UInt64 {
        var mixer = SplitMix64(seed: parent ^ (index &* 0xA24B_AED4_963E_E407))
        return mixer.next()
    }

    /// A generator for the quantity labelled `salt` of the item `key`.
    public static func source(_ key: UInt64, _ salt: UInt64) -> SplitMix64 {
        SplitMix64(seed: key ^ salt)
    }
}
