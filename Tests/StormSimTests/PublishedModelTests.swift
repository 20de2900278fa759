import Foundation
import Testing

@testable import StormSim

/// Models found missing while reproducing published work: Brooker's retry circuit breaker, a token bucket that
/// may go into debt, and Poisson clients whose first request is sent at a fixed time.
@Suite struct PublishedModelTests {
    /// One closed-loop client against a service that fails every attempt; 3 attempts per request. The
    /// failure-rate budget (10% over 10 s, from 10 attempts on) allows retries while fewer than 10 attempts have
    /// ended: requests 1 to 3 retry twice each (9 attempts); from the 10th attempt on, every retry is refused and
    /// first attempts alone go out.
    static func failing(_ budget: String, errorRate: Double = 1) -> String {
        """
        { "name": "rcb", "duration": "10s", "network": { "latency": { "dist": "constant", "value": "1ms" } },
          "clients": { "count": 1, "target": "api",
                       "arrival": { "type": "closed", "think": { "dist": "constant", "value": "100ms" } },
                       "policy": { "maxAttempts": 3, "jitter": "none", "backoff": { "type": "constant", "base": "10ms" },
                                   "budget": \(budget) } },
          "services": [ { "name": "api", "workers": 1, "serviceTime": { "dist": "constant", "value": "1ms" },
                          "errorRate": \(errorRate) } ] }
        """
    }

    @Test func retryCircuitBreakerStopsRetriesButNotFirstAttempts() throws {
        let r = Runner.run(try scenario(Self.failing(#"{ "type": "failureRate", "threshold": 0.1, "window": "10s", "minCalls": 10 }"#)))
        let requests = r.value("requests")!
        #expect(requests > 50)
        #expect(r.value("retries") == 6)
        #expect(r.value("attempts") == requests + 6)
        #expect(r.value("budget_refused") == requests - 3)
        #expect(r.value("failed") == requests)
        // Healthy: no failure, nothing refused.
        let healthy = Runner.run(try scenario(Self.failing(#"{ "type": "failureRate" }"#, errorRate: 0)))
        #expect(healthy.value("budget_refused") == 0 && healthy.value("succeeded") == healthy.value("requests"))
    }

    @Test func retryCircuitBreakerStateTrace() {
        let budget = RetryBudget.failureRate(threshold: 0.5, window: .seconds(10), minCalls: 4)
        var s = BudgetState(budget)
        let t = SimTime.zero + .seconds(1)
        for failed in [true, true, false] { s.attemptEnded(failed: failed, now: t) }
        #expect(s.tryRetry(budget, after: .error, now: t) != nil)  // 3 calls < minCalls
        s.attemptEnded(failed: true, now: t)  // 3 of 4 failed: 75% > 50%
        #expect(s.tryRetry(budget, after: .error, now: t) == nil)
        s.attemptEnded(failed: false, now: t)
        s.attemptEnded(failed: false, now: t)  // 3 of 6: 50%, not above
        #expect(s.tryRetry(budget, after: .error, now: t) != nil)
        // The window forgets: 11 s later only new calls count.
        #expect(s.tryRetry(budget, after: .error, now: t + .seconds(11)) != nil)
    }

    /// A bucket of 2 tokens, retries cost 1, failures cost 1. With a floor of 0 (the default, gRPC's clamp) the
    /// balance stops at 0 and a retry needs a whole token; with a floor of -3 failures and retries run a debt
    /// down to -3, which successes must repay before retries resume.
    @Test func tokenBucketDebt() {
        func bucket(floor: Double) -> RetryBudget {
            .tokenBucket(.init(capacity: 2, initial: 2, earnPerRequest: 0, earnPerSuccess: 1, refundLastRetryOnSuccess: false,
                               costPerRetry: 1, costPerTimeoutRetry: 1, costPerThrottledRetry: 1, costPerFailure: 1, threshold: nil, floor: floor))
        }
        let clamped = bucket(floor: 0)
        var c = BudgetState(clamped)
        c.attemptFailed(clamped)  // 1
        #expect(c.tryRetry(clamped, after: .error, now: .zero) == 1)  // 0
        c.attemptFailed(clamped)  // clamped at 0
        #expect(c.tokens == 0 && c.tryRetry(clamped, after: .error, now: .zero) == nil)

        let debt = bucket(floor: -3)
        var d = BudgetState(debt)
        d.attemptFailed(debt)  // 1
        #expect(d.tryRetry(debt, after: .error, now: .zero) == 1)  // 0
        d.attemptFailed(debt)  // -1
        #expect(d.tryRetry(debt, after: .error, now: .zero) == 1)  // -2
        d.attemptFailed(debt)  // -3
        #expect(d.tokens == -3)
        #expect(d.tryRetry(debt, after: .error, now: .zero) == nil)  // would leave -4
        d.attemptFailed(debt)
        #expect(d.tokens == -3)  // failures charge down to the floor only
        for _ in 0..<3 { d.requestFinished(debt, succeeded: true, lastRetryCost: nil) }  // repay: 0
        #expect(d.tokens == 0 && d.tryRetry(debt, after: .error, now: .zero) == 1)
    }

    @Test func tokenBucketFloorIsValidated() {
        let text = ScenarioDecoderTests.minimal.replacingOccurrences(
            of: #""arrival": { "type": "burst" }"#,
            with: #""arrival": { "type": "burst" }, "policy": { "budget": { "type": "tokenBucket", "capacity": 10, "floor": 5 } }"#)
        #expect(issues(text) == ["clients.policy.budget.floor: expected tokens, 0 or a negative number down to -1e12 (a debt), found a number (5)"])
    }

    /// `firstAt`: every client's first request at exactly that time; later ones follow the Poisson process.
    @Test func poissonFirstRequestAtAFixedTime() throws {
        func run(_ firstAt: String) throws -> RunResult {
            Runner.run(try scenario("""
                { "name": "p", "duration": "10s", "metrics": { "interval": "500ms" },
                  "clients": { "count": 50, "target": "api", "arrival": { "type": "poisson", "rate": 0.1\(firstAt) } },
                  "services": [ { "name": "api", "workers": 100, "serviceTime": { "dist": "constant", "value": "1ms" } } ] }
                """))
        }
        let requests = { (r: RunResult) in r.seriesRows.map { $0[r.seriesHeader.firstIndex(of: "requests")!] } }
        let atZero = requests(try run(#", "firstAt": "0s""#))
        #expect(atZero[0] >= 50)
        let atTwo = requests(try run(#", "firstAt": "2s""#))
        #expect(atTwo[0..<4].allSatisfy { $0 == 0 })
        #expect(atTwo[4] >= 50)
        // Without it, the first requests are spread out: far fewer than 50 in the first half second.
        #expect(requests(try run(""))[0] < 10)
    }
}
