/// A look-aside cache in a service (service key `cache`): each request asks for one of `keys` keys, drawn from a
/// Zipf popularity (key k with probability proportional to 1 / (k + 1)^zipf, k = 0 the hottest; a keyed draw per
/// request, the same in every variant and for every attempt of the request). A hit answers after `hitTime`; a
/// miss does the service's work and calls the backend it `calls`, and a successful answer is stored for `ttl`.
/// `capacity` keys fit; the least recently used one leaves for a new one. With `coalesce`, a miss on a key whose
/// fetch is already out waits for that fetch instead of calling the backend again. With `softTtl`, a hit on an
/// entry stored at least that long ago is still served, and refreshes the key in the background (one refresh per
/// key at a time; its calls go to the backend with no client waiting, and a successful one stores it anew).
public struct CacheConfig: Equatable, Sendable {
    public var keys: Int
    public var zipf: Double = 1
    public var capacity: Int
    public var ttl: SimDuration = .max
    public var hitTime: SimDuration = .milliseconds(1)
    public var coalesce = false
    public var softTtl: SimDuration? = nil

    public init(keys: Int, capacity: Int) {
        self.keys = keys
        self.capacity = capacity
    }

    /// Che's approximation of an LRU cache's hit ratio under the independent reference model: the characteristic
    /// time T solves sum over keys of (1 - exp(-p_k T)) = capacity, and the hit ratio is sum of p_k (1 - exp(-p_k T))
    /// (no TTL; in requests, so T is measured in requests).
    public func cheHitRatio() -> Double {
        let weights = ZipfPopularity.weights(keys: keys, exponent: zipf)
        let total = weights.reduce(0, +)
        let p = weights.map { $0 / total }
        guard capacity < keys else { return 1 }
        func filled(_ t: Double) -> Double { p.reduce(0) { $0 + (1 - PortableMath.exp(-$1 * t)) } }
        var lo = 0.0, hi = 1.0
        while filled(hi) < Double(capacity) { hi *= 2 }
        for _ in 0..<200 {
            let mid = (lo + hi) / 2
            if filled(mid) < Double(capacity) { lo = mid } else { hi = mid }
        }
        return p.reduce(0) { $0 + $1 * (1 - PortableMath.exp(-$1 * lo)) }
    }
}
