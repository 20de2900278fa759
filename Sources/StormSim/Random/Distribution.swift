import Foundation

/// A distribution of non-negative durations, sampled in nanoseconds.
///
/// Parameters are held in nanoseconds as Doubles; samples are converted back with saturation, so no parameter,
/// however extreme, can make sampling trap.
public enum Distribution: Equatable, Sendable {
    /// Always `value`.
    case constant(value: SimDuration)
    /// Exponential with the given mean.
    case exponential(mean: SimDuration)
    /// Uniform in [min, max).
    case uniform(min: SimDuration, max: SimDuration)
    /// Normal, folded at zero: |N(mean, stddev)|.
    case normal(mean: SimDuration, stddev: SimDuration)
    /// Log-normal: median * exp(sigma * N(0, 1)).
    case lognormal(median: SimDuration, sigma: Double)

    /// The distribution's mean, in nanoseconds (for the folded normal, the mean of |X|).
    public var mean: Double {
        switch self {
        case .constant(let v): return Double(v.nanoseconds)
        case .exponential(let m): return Double(m.nanoseconds)
        case .uniform(let lo, let hi): return (Double(lo.nanoseconds) + Double(hi.nanoseconds)) / 2
        case .normal(let m, let s):
            let mu = Double(m.nanoseconds), sigma = Double(s.nanoseconds)
            if sigma == 0 { return abs(mu) }
            return sigma * (2 / Double.pi).squareRoot() * exp(-mu * mu / (2 * sigma * sigma))
                + mu * erf(mu / (sigma * 2.0.squareRoot()))
        case .lognormal(let median, let sigma): return Double(median.nanoseconds) * exp(sigma * sigma / 2)
        }
    }

    /// True when every sample is the same, so events scheduled with it arrive in time order.
    public var isConstant: Bool {
        if case .constant = self { return true }
        return false
    }

    /// Draws one sample.
    public func sample<R: RandomSource>(_ rng: inout R) -> SimDuration { sample(&rng, normals: Ziggurat.table) }

    /// Draws one sample, with the normal draws' table at hand: the hot paths keep it in a stored property, since
    /// reading the static costs a call (the check that it is initialised) per draw.
    func sample<R: RandomSource>(_ rng: inout R, normals: Ziggurat.Table) -> SimDuration {
        switch self {
        case .constant(let v):
            return v
        case .exponential(let m):
            // 1 - U is in (0, 1], so the log is finite.
            return SimDuration(saturating: -Double(m.nanoseconds) * PortableMath.log(1 - rng.nextUnit()))
        case .uniform(let lo, let hi):
            return SimDuration(saturating: rng.uniform(Double(lo.nanoseconds), Double(hi.nanoseconds)))
        case .normal(let m, let s):
            return SimDuration(saturating: abs(Double(m.nanoseconds) + Double(s.nanoseconds) * Ziggurat.standardNormal(&rng, normals)))
        case .lognormal(let median, let sigma):
            return SimDuration(saturating: Double(median.nanoseconds) * PortableMath.exp(sigma * Ziggurat.standardNormal(&rng, normals)))
        }
    }

    /// A standard normal draw (the ziggurat method: one word and one comparison in 98.8% of draws; exact, and the
    /// same bits on every platform). A rejected point draws again from the same source, so a keyed draw stays a
    /// function of its key.
    @inline(__always)
    static func standardNormal<R: RandomSource>(_ rng: inout R) -> Double {
        Ziggurat.standardNormal(&rng, Ziggurat.table)
    }
}
