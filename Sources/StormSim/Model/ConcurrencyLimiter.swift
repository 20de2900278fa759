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

    init(_ config: ConcurrencyLimit) {
        self.config = config
        switch config.algorithm {
        case .fixed(let limit): estimate = Double(limit)
        case .aimd(let a): estimate = Double(a.initialLimit)
        case .gradient2(let g): estimate = Double(g.initialLimit)
        }
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
