import Foundation
import Testing

@testable import StormSim

/// Hedged requests (gRPC's hedging policy): against the analytic first-completion time of two attempts, and each
/// rule's effect.
@Suite struct HedgingTests {
    /// Poisson clients (20/s in all) into a service with workers enough that nothing queues, service time
    /// U(0, 100 ms), no network time: only the hedging policy decides the latency.
    func hedging(_ policy: String, errorRate: Double = 0, duration: String = "1000s") -> String {
        """
        { "name": "hedge", "seed": 3, "duration": "\(duration)",
          "clients": { "count": 20, "target": "s", "arrival": { "type": "poisson", "rate": 1 }, "policy": \(policy) },
          "services": [ { "name": "s", "workers": 1000, "errorRate": \(errorRate),
                          "serviceTime": { "dist": "uniform", "min": "0ms", "max": "100ms" } } ] }
        """
    }

    func run(_ json: String) throws -> RunResult {
        let (result, problems) = Runner.runAudited(Variant(name: "base", parameters: [], scenario: try scenario(json)))
        #expect(problems.isEmpty, "\(problems.prefix(3))")
        return result
    }

    /// Two attempts, the second after d = 50 ms: the answer comes at T = min(S1, d + S2) with S1, S2 uniform on
    /// [0, 100 ms], so P(T > t) = P(S1 > t) P(S2 > t - d): mean 47.92 ms (50 without hedging), p90 84.7 ms (90),
    /// p99 98.07 ms (99). Half the requests send a hedge (S1 > d); the hedge wins when S1 - S2 > d, an eighth of
    /// the time; every hedge sent leaves one attempt out to cancel. About 20,000 requests: the standard error of
    /// the mean is 0.4%, of the fractions 0.35 points; tolerances are about five of those.
    @Test func firstCompletionOfTwoAttempts() throws {
        let r = try run(hedging(#"{ "hedging": { "maxAttempts": 2, "delay": "50ms" } }"#))
        func survival(_ t: Double) -> Double {
            func s(_ x: Double) -> Double { x < 0 ? 1 : x > 100 ? 0 : 1 - x / 100 }
            return s(t) * s(t - 50)
        }
        var mean = 0.0
        let step = 0.001
        for i in 0..<100_000 { mean += survival((Double(i) + 0.5) * step) * step }
        #expect(abs(mean - 47.917) < 0.01)
        func quantile(_ q: Double) -> Double {
            var lo = 0.0, hi = 100.0
            for _ in 0..<60 { let mid = (lo + hi) / 2; if survival(mid) > 1 - q { lo = mid } else { hi = mid } }
            return lo
        }
        let requests = r.value("requests")!
        #expect(relativeError(r.value("latency_mean_ms")!, mean) < 0.02)
        #expect(relativeError(r.value("latency_p90_ms")!, quantile(0.9)) < 0.02)
        #expect(relativeError(r.value("latency_p99_ms")!, quantile(0.99)) < 0.02)
        #expect(abs(r.value("hedges")! / requests - 0.5) < 0.02)
        #expect(abs(r.value("hedge_wins")! / requests - 0.125) < 0.015)
        #expect(r.value("cancelled")! == r.value("hedges")!)
        #expect(r.value("succeeded")! == requests && r.value("retries")! == 0)
    }

    /// gRPC's rules: with no non-fatal codes, an error ends the request at once, hedges still out are cancelled;
    /// with errors non-fatal, the next hedge goes at once and the request fails only when all have failed.
    @Test func fatalAndNonFatalFailures() throws {
        let fatal = try run(hedging(#"{ "hedging": { "maxAttempts": 3, "delay": "20ms" } }"#, errorRate: 1, duration: "100s"))
        #expect(fatal.value("succeeded")! == 0)
        // The first error ends the request: hedges go only while it is out (at 20 and 40 ms; the first answer
        // comes at a uniform time up to 100 ms, or sooner from a hedge), and those still out are cancelled.
        #expect(fatal.value("amplification")! < 2.5 && fatal.value("cancelled")! > 0)
        let nonFatal = try run(hedging(#"{ "hedging": { "maxAttempts": 3, "delay": "20ms", "nonFatal": ["error"] } }"#, errorRate: 1, duration: "100s"))
        #expect(nonFatal.value("succeeded")! == 0)
        #expect(nonFatal.value("attempts")! == 3 * nonFatal.value("requests")!)
        let half = try run(hedging(#"{ "hedging": { "maxAttempts": 3, "delay": "1s", "nonFatal": ["error"] } }"#, errorRate: 0.5, duration: "200s"))
        // Each failed attempt sends the next at once: a request fails only if all three fail (1/8).
        #expect(abs(half.value("success_rate")! - 0.875) < 0.02)
    }

    /// A hedge budget (the Azure SDK's) caps hedges at a share of the requests: with every request slow enough to
    /// hedge, 25% gives at most 1.25 attempts per request.
    @Test func hedgeBudgetCapsTheLoad() throws {
        let free = try run(hedging(#"{ "hedging": { "maxAttempts": 2, "delay": "0ms" } }"#, duration: "100s"))
        #expect(abs(free.value("amplification")! - 2) < 0.001)
        let capped = try run(hedging(#"{ "hedging": { "maxAttempts": 2, "delay": "0ms", "budgetPercent": 25 } }"#, duration: "100s"))
        #expect(capped.value("amplification")! <= 1.25 && capped.value("amplification")! > 1.2)
    }

    /// An adaptive delay: with "p30", once 100 requests have succeeded the hedge goes after their 30th percentile;
    /// before, after `initialDelay` (80 ms, when a fifth of the requests would hedge). With service times uniform
    /// on [0, 100 ms] and a delay d >= 30 ms, the latencies below d are the first attempts', so their 30th
    /// percentile is 30 ms: the delay settles there and 70% of the requests hedge.
    @Test func adaptiveDelayFollowsTheObservedQuantile() throws {
        let r = try run(hedging(#"{ "hedging": { "maxAttempts": 2, "delay": "p30", "initialDelay": "80ms" } }"#, duration: "300s"))
        let requests = r.value("requests")!
        #expect(abs(r.value("hedges")! / requests - 0.7) < 0.03)
        #expect(r.value("failed")! == 0)
    }

    @Test func hedgingKeysAreChecked() {
        #expect(issues(hedging(#"{ "hedging": { "maxAttempts": 2, "delay": "p100" } }"#)).contains { $0.contains("clients.policy.hedging.delay") })
        #expect(issues(hedging(#"{ "hedging": { "maxAttempts": 2, "delay": "5ms", "initialDelay": "1ms" } }"#)).contains { $0.contains("clients.policy.hedging.initialDelay") })
        #expect(issues(hedging(#"{ "maxAttempts": 3, "hedging": { "maxAttempts": 2 } }"#)).contains { $0.contains("either retries or hedges") })
        #expect(issues(hedging(#"{ "hedging": { "maxAttempts": 6 } }"#)).contains { $0.contains("clients.policy.hedging.maxAttempts") })
        #expect(issues(hedging(#"{ "hedging": { "maxAttempts": 2, "nonFatal": ["eror"] } }"#)).contains { $0.contains("did you mean \"error\"") })
        #expect(issues(hedging(#"{ "hedging": { "delay": "5ms" } }"#)).contains { $0.contains("clients.policy.hedging.maxAttempts") })
    }
}

/// The claims of `scenarios/hedging-tail.json` (README, "Hedging and the tail").
@Suite struct HedgingTailTests {
    /// The committed results (`GoldenTests` checks that the code reproduces them).
    static let results = committedResults("hedging-tail")

    func value(_ variant: String, _ metric: String) -> Double { Self.results[variant]!.value(metric)! }

    @Test func claims() throws {
        try #require(Self.results.count == 12)
        // At 30% load, a hedge after the 95th percentile halves the 99.9th for about 5% more attempts.
        #expect(value("hedge-after-p95_load-30", "latency_p999_ms") < 0.5 * value("no-hedging_load-30", "latency_p999_ms"))
        #expect(value("hedge-after-p95_load-30", "amplification") < 1.08)
        // Hedging at once doubles the load.
        #expect(value("hedge-at-once_load-30", "amplification") == 2)
        // At 90% load, both overload the fleet: most requests fail.
        #expect(value("hedge-after-p95_load-90", "success_rate") < 0.5)
        #expect(value("hedge-at-once_load-90", "success_rate") < 0.5)
        // A hedge budget of 10% caps the extra load and the fleet stays up; at 30% the p95 hedge keeps its gain.
        for variant in ["hedge-after-p95-budget-10_load-90", "hedge-at-once-budget-10_load-90"] {
            #expect(value(variant, "amplification") <= 1.1 + 1e-9 && value(variant, "success_rate") > 0.99, "\(variant)")
        }
        #expect(value("hedge-after-p95-budget-10_load-30", "latency_p999_ms") == value("hedge-after-p95_load-30", "latency_p999_ms"))
        // Following the observed p95 gives the same gain at 30% and does not avert the collapse at 90%.
        #expect(value("hedge-after-observed-p95_load-30", "latency_p999_ms") < 0.5 * value("no-hedging_load-30", "latency_p999_ms"))
        #expect(value("hedge-after-observed-p95_load-30", "amplification") < 1.08)
        #expect(value("hedge-after-observed-p95_load-90", "success_rate") < 0.5)
    }
}
