/// How long the n-th retry waits before jitter: `base`, `base * n` or `base * multiplier^(n-1)`, capped at `max`.
public struct Backoff: Equatable, Sendable {
    public enum Kind: String, Sendable, CaseIterable { case constant, linear, exponential }

    public var kind: Kind
    public var base: SimDuration
    /// Growth factor of the exponential kind; at least 1.
    public var multiplier: Double
    /// The cap: no wait before jitter is longer.
    public var max: SimDuration
    /// The base of a retry after a throttled response, when it differs (the AWS SDKs since 2026: 1 s after a
    /// throttle, 50 ms after other failures). Nil: `base` for every failure.
    public var throttleBase: SimDuration?

    public init(kind: Kind, base: SimDuration, multiplier: Double = 2, max: SimDuration, throttleBase: SimDuration? = nil) {
        self.kind = kind
        self.base = base
        self.multiplier = multiplier
        self.max = max
        self.throttleBase = throttleBase
    }

    /// The base of a retry after `failure`. (A pattern, not `==`: on the hot path, comparing the String-backed
    /// `Failure` with `==` made the optimizer copy the whole policy, retaining its set and arrays, on every retry.)
    @inline(__always)
    func base(after failure: RetryPolicy.Failure) -> SimDuration {
        if case .throttled = failure, let throttleBase { return throttleBase }
        return base
    }

    /// The wait before retry `n` (n = 1 for the first retry), in nanoseconds, before jitter.
    ///
    /// Computed in Double and capped before any integer conversion: a huge `n` or `multiplier` gives `max`, never an
    /// overflow (an infinite product is still capped).
    public func delay(retry n: Int) -> Double { delay(retry: n, base: base) }

    /// The same from another base (`throttleBase` after a throttle).
    @inline(__always)
    func delay(retry n: Int, base: SimDuration) -> Double {
        let base = Double(base.nanoseconds)
        let uncapped: Double
        switch kind {
        case .constant: uncapped = base
        case .linear: uncapped = base * Double(n)
        case .exponential: uncapped = base * PortableMath.power(multiplier, Swift.max(0, n - 1))
        }
        let cap = Double(self.max.nanoseconds)
        return uncapped.isNaN ? cap : Swift.min(uncapped, cap)
    }
}
