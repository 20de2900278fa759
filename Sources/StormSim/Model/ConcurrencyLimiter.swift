/// An instance's concurrency limit, as Netflix's concurrency-limits server-side limiter: an attempt that arrives
/// when the instance already holds `limit` attempts (in service or queued) is refused at once (503, counted as
/// rejected), and every attempt served is a sample that moves the limit: its time at the instance (the round trip
/// the limiter sees), the attempts in flight, and whether it was dropped (its caller had given up on it).
///
/// The algorithms and their defaults follow `concurrency-limits-core` (`FixedLimit`, `AIMDLimit`,
/// `Gradient2Limit`). One difference: the in-flight count of a sample is taken when the attempt leaves, where the
/// library records it when the request is admitted.
struct ConcurrencyLimiter {
    let config: ConcurrencyLimit
    /// The limit now (the library's `estimatedLimit`; the integer part applies).
    var estimate: Double
    /// Gradient2's long-term round trip: an exponential average over `longWindow` samples after a plain average
    /// of the first 10 (the library's `ExpAvgMeasurement`).
    var longRtt = 0.0
    var longSamples = 0
    var longSum = 0.0
    /// Vegas: the no-load round trip, samples since the last probe of it, and the probe's jitter (U[0.5, 1),
    /// drawn from the limiter's own stream).
    var rttNoLoad: Int64 = 0
    var probeCount = 0
    var probeJitter = 1.0
    var rng: Xoshiro256

    init(_ config: ConcurrencyLimit, rng: Xoshiro256 = Xoshiro256(seed: 0)) {
        self.config = config
        self.rng = rng
        switch config.algorithm {
        case .fixed(let limit): estimate = Double(limit)
        case .aimd(let a): estimate = Double(a.initialLimit)
        case .gradient2(let g): estimate = Double(g.initialLimit)
        case .vegas(let v): estimate = Double(v.initialLimit)
        }
        if case .vegas = config.algorithm { probeJitter = self.rng.uniform(0.5, 1) }
    }

    /// Vegas' log10 root: max(1, floor(log10 limit)), by integer division (exact at powers of ten).
    static func log10Root(_ limit: Int) -> Int {
        var digits = 0, x = limit
        while x >= 10 {
            x /= 10
            digits += 1
        }
        return max(1, digits)
    }

    /// The attempts the instance may hold.
    var limit: Int { Int(estimate) }

    /// A served attempt: `rtt` ns at the instance, `inflight` attempts held, `dropped` when its caller had given up.
    mutating func sample(rtt: Int64, inflight: Int, dropped: Bool) {
        switch config.algorithm {
        case .fixed:
            return
        case .aimd(let a):
            // AIMDLimit: back off on a drop or a round trip over the timeout; grow by one while at least half used.
            var next = estimate.rounded(.down)
            if dropped || rtt > a.timeout.nanoseconds {
                next *= a.backoffRatio
            } else if inflight * 2 >= Int(next) {
                next += 1
            }
            estimate = min(Double(a.maxLimit), max(Double(a.minLimit), next)).rounded(.down)
        case .vegas(let v):
            // VegasLimit: probe the no-load round trip every probeMultiplier x limit samples (jittered), keep the
            // smallest seen, and move the limit by the queue the round trip implies.
            let rtt = max(rtt, 1)
            probeCount += 1
            if probeJitter * Double(v.probeMultiplier) * estimate <= Double(probeCount) {
                probeJitter = rng.uniform(0.5, 1)
                probeCount = 0
                rttNoLoad = rtt
                return
            }
            if rttNoLoad == 0 || rtt < rttNoLoad {
                rttNoLoad = rtt
                return
            }
            let queue = (estimate * (1 - Double(rttNoLoad) / Double(rtt))).rounded(.up)
            let log = Double(Self.log10Root(Int(estimate)))
            var next: Double
            if dropped {
                next = estimate - log
            } else if Double(inflight * 2) < estimate {
                return
            } else if queue <= log {
                next = estimate + 6 * log  // no queueing: grow by beta
            } else if queue < 3 * log {
                next = estimate + log  // alpha: still little queueing
            } else if queue > 6 * log {
                next = estimate - log  // beta: queueing, shrink
            } else {
                return
            }
            next = max(1, min(Double(v.maxLimit), next))
            estimate = (1 - v.smoothing) * estimate + v.smoothing * next
        case .gradient2(let g):
            let shortRtt = Double(max(rtt, 1))
            let long = addLong(shortRtt, window: g.longWindow)
            // A long round trip far above the short one (after a long overload): bring it down faster (the
            // gradient below still uses this sample's value).
            if long / shortRtt > 2 { longRtt *= 0.95 }
            // No growth while the instance uses less than half its limit.
            if Double(inflight) < estimate / 2 { return }
            let gradient = max(0.5, min(1.0, g.tolerance * long / shortRtt))
            var next = estimate * gradient + g.queueSize
            next = estimate * (1 - g.smoothing) + next * g.smoothing
            estimate = max(Double(g.minLimit), min(Double(g.maxLimit), next))
        }
    }

    mutating func addLong(_ sample: Double, window: Int) -> Double {
        if longSamples < 10 {
            longSamples += 1
            longSum += sample
            longRtt = longSum / Double(longSamples)
        } else {
            let factor = 2 / Double(window + 1)
            longRtt = longRtt * (1 - factor) + sample * factor
        }
        return longRtt
    }
}
