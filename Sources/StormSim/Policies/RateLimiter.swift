/// A client-side rate limiter that delays attempts rather than refusing them: a token bucket of `rate` per second
/// and `burst` tokens (client-go's workqueue bucket), optionally adapting its rate with CUBIC on throttled
/// responses (the AWS SDKs' adaptive mode).
public struct RateLimiter: Equatable, Sendable {
    public enum AppliesTo: String, Sendable, CaseIterable { case retries, attempts }
    public var rate: Double
    public var burst: Double
    public var appliesTo: AppliesTo
    /// AWS adaptive mode: starts disabled, switches on at the first throttle, then sets its rate by CUBIC.
    public var adaptive: Bool
}

public struct ScopedRateLimiter: Equatable, Sendable {
    public var limiter: RateLimiter
    public var scope: PolicyScope
}

/// The live state of one limiter instance. Tokens are taken in advance (the bucket may go negative), so callers
/// wait in arrival order, each for the time its token takes to arrive.
struct RateLimiterState {
    var tokens: Double
    var fillRate: Double
    var capacity: Double
    var last = SimTime.zero
    var enabled: Bool
    // CUBIC (botocore adaptive.py, as described in policies.md).
    var measuredRate = 0.0
    var bucketStart = SimTime.zero
    var bucketCount = 0.0
    var lastFailure = SimTime.zero
    var wMax = 0.0
    var k = 0.0

    init(_ l: RateLimiter) {
        fillRate = l.adaptive ? 0.5 : l.rate
        capacity = l.adaptive ? 1 : l.burst
        tokens = l.adaptive ? 0 : l.burst
        enabled = !l.adaptive
    }

    /// Takes a token for an attempt sent at `now`. - Returns: how long the attempt must wait first.
    mutating func acquire(now: SimTime) -> SimDuration {
        guard enabled else { return .zero }
        tokens = min(capacity, tokens + fillRate * (now - last).seconds)
        last = now
        tokens -= 1
        if tokens >= 0 { return .zero }
        return SimDuration(saturating: -tokens / fillRate * 1e9)
    }

    /// Adaptive mode: every response updates the measured rate; a throttled one cuts the rate, others grow it.
    mutating func observe(throttled: Bool, now: SimTime) {
        bucketCount += 1
        let elapsed = (now - bucketStart).seconds
        if elapsed >= 0.5 {
            measuredRate = 0.8 * (bucketCount / elapsed) + 0.2 * measuredRate
            bucketStart = now
            bucketCount = 0
        }
        let newRate: Double
        if throttled {
            let r = enabled ? min(measuredRate, fillRate) : measuredRate
            wMax = r
            k = PortableMath.cbrt(wMax * (1 - 0.7) / 0.4)
            lastFailure = now
            newRate = 0.7 * r
            if !enabled { last = now; tokens = 0 }
            enabled = true
        } else {
            guard enabled else { return }
            let t = (now - lastFailure).seconds - k
            newRate = 0.4 * t * t * t + wMax
        }
        tokens = min(capacity, tokens + fillRate * (now - last).seconds)
        last = now
        fillRate = max(min(newRate, 2 * measuredRate), 0.5)
        capacity = max(min(newRate, 2 * measuredRate), 1)
        tokens = min(tokens, capacity)
    }
}
