/// Zipf popularity over `keys` keys: key k (0 the hottest) with probability proportional to 1 / (k + 1)^exponent.
/// A key is drawn from one uniform number (a keyed draw, so every attempt of a request and every variant agree).
/// Shared by the hot keys of a ring-hash balancer and by look-aside caches.
public struct ZipfPopularity: Sendable, Equatable {
    /// Cumulative probabilities: a draw u picks the first key whose value reaches it.
    public let cdf: [Double]

    public init(keys: Int, exponent: Double) {
        var total = 0.0
        var cdf = Self.weights(keys: keys, exponent: exponent).map { w -> Double in
            total += w
            return total
        }
        for k in cdf.indices { cdf[k] /= total }
        self.cdf = cdf
    }

    /// The unnormalised weights 1 / (k + 1)^exponent, with the portable functions (identical bits everywhere).
    public static func weights(keys: Int, exponent: Double) -> [Double] {
        (0..<keys).map { k in exponent == 0 ? 1 : 1 / PortableMath.exp(exponent * PortableMath.log(Double(k + 1))) }
    }

    /// The key drawn by `u` in [0, 1).
    @inline(__always)
    public func key(_ u: Double) -> Int {
        var lo = 0, hi = cdf.count - 1
        while lo < hi {
            let mid = (lo + hi) >> 1
            if cdf[mid] < u { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}
