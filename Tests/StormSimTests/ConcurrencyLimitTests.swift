import Foundation
import Testing

@testable import StormSim

/// Concurrency limits as Netflix's concurrency-limits computes them, step by step, and in a run.
@Suite struct ConcurrencyLimitTests {
    let ms: Int64 = 1_000_000

    /// AIMDLimit: +1 while at least half the limit is in use, x 0.9 on a drop or a round trip over 5 s, within
    /// [20, 200].
    @Test func aimdSteps() {
        var l = ConcurrencyLimiter(ConcurrencyLimit(.aimd(.init())))
        #expect(l.limit == 20)
        l.sample(rtt: 10 * ms, inflight: 10, dropped: false)
        #expect(l.limit == 21)
        l.sample(rtt: 10 * ms, inflight: 5, dropped: false)  // app limited: 5 x 2 < 21
        #expect(l.limit == 21)
        for _ in 0..<30 { l.sample(rtt: 10 * ms, inflight: 40, dropped: false) }
        #expect(l.limit == 51)
        l.sample(rtt: 10 * ms, inflight: 40, dropped: true)
        #expect(l.limit == 45)  // floor(51 x 0.9)
        l.sample(rtt: 6_000 * ms, inflight: 40, dropped: false)
        #expect(l.limit == 40)  // floor(45 x 0.9)
        for _ in 0..<40 { l.sample(rtt: 10 * ms, inflight: 40, dropped: true) }
        #expect(l.limit == 20)  // never below the minimum
    }

    /// Gradient2Limit: new = limit x gradient + queueSize, smoothed by 0.2, gradient = 1.5 x longRtt / rtt within
    /// [0.5, 1], the long round trip a plain average of the first 10 samples; no change while under half used.
    @Test func gradient2Steps() {
        var l = ConcurrencyLimiter(ConcurrencyLimit(.gradient2(.init())))
        l.sample(rtt: 10 * ms, inflight: 20, dropped: false)
        #expect(abs(l.estimate - 20.8) < 1e-9)  // 20 x 0.8 + (20 x 1 + 4) x 0.2
        l.sample(rtt: 10 * ms, inflight: 20, dropped: false)
        #expect(abs(l.estimate - 21.6) < 1e-9)
        l.sample(rtt: 40 * ms, inflight: 20, dropped: false)  // long 20 ms: gradient 0.75
        #expect(abs(l.estimate - (21.6 * 0.8 + (21.6 * 0.75 + 4) * 0.2)) < 1e-9)
        let before = l.estimate
        l.sample(rtt: 40 * ms, inflight: 2, dropped: false)  // under half used: unchanged
        #expect(l.estimate == before)
    }

    /// VegasLimit: the first sample only sets the no-load round trip; then no queue grows the limit by beta (6 x
    /// log10 root), a queue over beta shrinks it by the log10 root, a drop too, and an instance using under half of
    /// its limit leaves it alone. The log10 root is max(1, floor(log10 limit)), exact at powers of ten.
    @Test func vegasSteps() {
        #expect(ConcurrencyLimiter.log10Root(0) == 1 && ConcurrencyLimiter.log10Root(99) == 1)
        #expect(ConcurrencyLimiter.log10Root(100) == 2 && ConcurrencyLimiter.log10Root(10_000) == 4)
        var l = ConcurrencyLimiter(ConcurrencyLimit(.vegas(.init())), rng: Xoshiro256(seed: 1))
        l.sample(rtt: 10 * ms, inflight: 20, dropped: false)
        #expect(l.estimate == 20 && l.rttNoLoad == 10 * ms)
        l.sample(rtt: 10 * ms, inflight: 20, dropped: false)
        #expect(l.estimate == 26)
        l.sample(rtt: 20 * ms, inflight: 26, dropped: false)  // queue ceil(26 x 0.5) = 13 > 6
        #expect(l.estimate == 25)
        l.sample(rtt: 20 * ms, inflight: 26, dropped: true)
        #expect(l.estimate == 24)
        l.sample(rtt: 20 * ms, inflight: 5, dropped: false)
        #expect(l.estimate == 24)
    }

    /// A fixed limit of 3 on an instance of 2 workers and a queue of 100: at most one waits, the rest are refused
    /// at once, and the invariants hold.
    @Test func fixedLimitRefusesAtOnce() throws {
        let json = """
            { "name": "limit", "seed": 1, "duration": "50s",
              "clients": { "count": 100, "target": "s", "arrival": { "type": "poisson", "rate": 1 } },
              "services": [ { "name": "s", "workers": 2, "queue": { "capacity": 100 }, "concurrencyLimit": { "type": "fixed", "limit": 3 },
                              "serviceTime": { "dist": "exponential", "mean": "25ms" } } ] }
            """
        let (r, problems) = Runner.runAudited(Variant(name: "base", parameters: [], scenario: try scenario(json)))
        #expect(problems.isEmpty, "\(problems.prefix(3))")
        // Offered 2.5 erlangs to 2 workers with room for 3 in all: the M/M/2/3 queue refuses the share of time it is
        // full, P3 = (a^3 / 4) / (1 + a + a^2 / 2 + a^3 / 4) = 0.371 (PASTA). About 5,000 attempts: sd 0.7 points.
        let a = 2.5
        let p3 = (a * a * a / 4) / (1 + a + a * a / 2 + a * a * a / 4)
        #expect(abs(r.value("s_rejected")! / r.value("s_attempts")! - p3) < 0.02)
    }

    @Test func limitKeysAreChecked() {
        func service(_ limit: String) -> String {
            """
            { "name": "x", "duration": "10s", "clients": { "count": 1, "target": "s" },
              "services": [ { "name": "s", "workers": 1, "serviceTime": { "dist": "constant", "value": "1ms" }, "concurrencyLimit": \(limit) } ] }
            """
        }
        #expect(issues(service(#"{ "type": "cubic" }"#)).contains { $0.contains("services[0].concurrencyLimit.type") })
        #expect(issues(service(#"{ "type": "vegas", "minLimit": 3 }"#)).contains { $0.contains("services[0].concurrencyLimit.minLimit") })
        #expect(issues(service(#"{ "type": "fixed" }"#)).contains { $0.contains("services[0].concurrencyLimit.limit") })
        #expect(issues(service(#"{ "type": "aimd", "minLimit": 50 }"#)).contains { $0.contains("minLimit <= initialLimit") })
        #expect(issues(service(#"{ "type": "gradient2", "smoothing": 2 }"#)).contains { $0.contains("services[0].concurrencyLimit.smoothing") })
    }
}

/// The claims of `scenarios/adaptive-limits.json` (README, "Adaptive limits").
@Suite struct AdaptiveLimitsTests {
    /// The committed results (`GoldenTests` checks that the code reproduces them).
    static let results = committedResults("adaptive-limits")

    @Test func claims() throws {
        try #require(Self.results.count == 5)
        let pool = Self.results["static-pool"]!
        // The static pool does not come back after the spike: a metastable failure.
        #expect(pool.value("recovered")! == 0 && pool.value("success_rate")! < 0.3 && pool.value("amplification")! > 3)
        for variant in ["fixed-limit-40", "aimd", "gradient2"] {
            let r = Self.results[variant]!
            #expect(r.value("recovered")! == 1, "\(variant)")
            #expect(r.value("success_rate")! > 0.8 && r.value("amplification")! < 2.1, "\(variant)")
            #expect(r.value("timeouts")! == 0, "\(variant)")
        }
        // AIMD grows to its maximum (no drops, no slow samples); Gradient2 settles near the 20 workers.
        let limit = InstanceMetric.allCases.firstIndex(of: .limit)!
        #expect(Self.results["aimd"]!.instances.allSatisfy { $0.values[limit] == 200 })
        #expect(Self.results["gradient2"]!.instances.allSatisfy { $0.values[limit] >= 20 && $0.values[limit] < 30 })
        // Vegas reads the spread of exponential service times as queueing: its limit falls under the workers.
        #expect(Self.results["vegas"]!.instances.allSatisfy { $0.values[limit] < 20 })
        #expect(Self.results["vegas"]!.value("success_rate")! < 0.5)
    }
}

/// Envoy's max_requests circuit-breaker threshold on the caller.
@Suite struct MaxRequestsTests {
    /// Each of 2 client hosts may have 5 attempts in flight; a slow service keeps more than that waiting, so the
    /// excess is refused at once (fast-failed, never retried), and the invariant checker sees at most 5 per host.
    @Test func attemptsOverTheLimitFailFast() throws {
        func run(_ limit: String) throws -> RunResult {
            let json = """
                { "name": "mr", "seed": 1, "duration": "20s",
                  "clients": { "count": 100, "hosts": 2, "target": "s", "arrival": { "type": "poisson", "rate": 2 },
                               "policy": { "maxAttempts": 2, "timeout": "2s"\(limit) } },
                  "services": [ { "name": "s", "workers": 20, "serviceTime": { "dist": "exponential", "mean": "50ms" } } ] }
                """
            let (r, problems) = Runner.runAudited(Variant(name: "base", parameters: [], scenario: try scenario(json)), segments: 40)
            #expect(problems.isEmpty, "\(problems.prefix(3))")
            return r
        }
        let free = try run("")
        let limited = try run(#", "maxRequests": 5"#)
        #expect(free.value("fast_failed")! == 0)
        // 200 requests/s of 50 ms: 10 in flight on average, 5 per host, so a good part overflows.
        #expect(limited.value("fast_failed")! > 0.1 * limited.value("requests")!)
        #expect(limited.value("retries")! == 0 && limited.value("failed")! == limited.value("fast_failed")!)
    }
}
