/// Randomisation of backoff delays (formulas from the AWS Architecture Blog, "Exponential Backoff And Jitter").
public enum Jitter: Equatable, Sendable {
    /// The delay as computed.
    case none
    /// U[0, d).
    case full
    /// d/2 + U[0, d/2).
    case equal
    /// sleep = min(cap, U[base, 3 * previous sleep)), starting from previous = base. Ignores the backoff kind and
    /// multiplier: it uses only `base` and `max`, and carries state from one retry of a request to the next.
    case decorrelated
    /// d * U[1 - fraction, 1 + fraction): the "±25%" of many SDKs (gRPC uses 0.2).
    case proportional(fraction: Double)
    /// Finagle's decorrelated jitter: next = previous + U[0, min(3 * previous, max) - previous), starting from
    /// previous = base, so delays never shrink (unlike AWS's decorrelated jitter).
    case decorrelatedFinagle

    /// The name used in scenario files and variant names.
    public var name: String {
        switch self {
        case .none: return "none"
        case .full: return "full"
        case .equal: return "equal"
        case .decorrelated: return "decorrelated"
        case .proportional(let f): return "proportional-\(f)"
        case .decorrelatedFinagle: return "decorrelated-finagle"
        }
    }

    /// The jittered wait, in nanoseconds.
    /// - Parameters:
    ///   - delay: the backoff's wait before jitter, in ns.
    ///   - previous: the previous sleep of this request (decorrelated only); updated.
    public func apply<R: RandomSource>(
        delay: Double, backoff: Backoff, previous: inout Double, rng: inout R
    ) -> Double {
        apply(delay: delay, base: backoff.base, max: backoff.max, previous: &previous, rng: &rng)
    }

    /// The same with the schedule's base and cap as they apply to this retry (the base differs after a throttle
    /// when the backoff has a `throttleBase`).
    @inline(__always)
    func apply<R: RandomSource>(
        delay: Double, base: SimDuration, max: SimDuration, previous: inout Double, rng: inout R
    ) -> Double {
        switch self {
        case .none:
            return delay
        case .full:
            return delay * rng.nextUnit()
        case .equal:
            return delay / 2 + delay / 2 * rng.nextUnit()
        case .decorrelated:
            let base = Double(base.nanoseconds)
            let upper = Swift.max(base, 3 * previous)
            let sleep = Swift.min(Double(max.nanoseconds), rng.uniform(base, upper))
            previous = sleep
            return sleep
        case .proportional(let f):
            return delay * rng.uniform(1 - f, 1 + f)
        case .decorrelatedFinagle:
            let upper = Swift.max(previous, Swift.min(3 * previous, Double(max.nanoseconds)))
            let sleep = previous + (upper - previous) * rng.nextUnit()
            previous = sleep
            return sleep
        }
    }
}
