import Testing

@testable import StormSim

/// Budgets, breakers and limiters against hand-computed traces, configured from the presets themselves.
@Suite struct PolicyStateTests {
    func preset(_ name: String, _ extra: String = "") throws -> RetryPolicy {
        let text = ScenarioDecoderTests.minimal.replacingOccurrences(
            of: #""arrival": { "type": "burst" }"#,
            with: #""arrival": { "type": "burst" }, "policy": { "preset": "\#(name)"\#(extra) }"#)
        return try scenario(text).clients.policy
    }

    func t(_ seconds: Double) -> SimTime { SimTime(nanoseconds: Int64(seconds * 1e9)) }

    /// gRPC retry throttling, 10 tokens / ratio 0.1: every failed attempt costs 1 and retries stop while tokens
    /// are at or below 5, so 5 net failures stop them; a success earns 0.1, so it takes 10 successes to make up
    /// for one more failure.
    @Test func grpcThrottling() throws {
        let budget = try preset("grpc").budgets[0].budget
        var s = BudgetState(budget)
        for _ in 1...4 {
            s.attemptFailed(budget)
            #expect(s.tryRetry(budget, after: .error, now: .zero) != nil)
        }
        s.attemptFailed(budget)
        #expect(s.tokens == 5)
        #expect(s.tryRetry(budget, after: .error, now: .zero) == nil)
        s.requestFinished(budget, succeeded: true, lastRetryCost: nil)  // 5.1
        #expect(s.tryRetry(budget, after: .error, now: .zero) != nil)
        s.attemptFailed(budget)  // 4.1
        for _ in 1...9 { s.requestFinished(budget, succeeded: true, lastRetryCost: nil) }
        #expect(s.tokens == 5)
        #expect(s.tryRetry(budget, after: .error, now: .zero) == nil)
        s.requestFinished(budget, succeeded: true, lastRetryCost: nil)  // the 10th success
        #expect(s.tryRetry(budget, after: .error, now: .zero) != nil)
        for _ in 0..<50 { s.attemptFailed(budget) }
        #expect(s.tokens == 0)
        for _ in 0..<200 { s.requestFinished(budget, succeeded: true, lastRetryCost: nil) }
        #expect(s.tokens == 10)  // capped at maxTokens
    }

    /// AWS standard retry quota: 500 tokens, 5 per retry (10 after a timeout), a success with no retry earns 1,
    /// a success after retries refunds the last retry's cost.
    @Test func awsStandardQuota() throws {
        let budget = try preset("aws-standard").budgets[0].budget
        var s = BudgetState(budget)
        var retries = 0
        while s.tryRetry(budget, after: .error, now: .zero) != nil { retries += 1 }
        #expect(retries == 100)
        #expect(s.tokens == 0)
        s.requestFinished(budget, succeeded: true, lastRetryCost: nil)
        #expect(s.tokens == 1)
        s.requestFinished(budget, succeeded: true, lastRetryCost: 10)
        #expect(s.tokens == 11)
        #expect(s.tryRetry(budget, after: .timeout, now: .zero) == 10)
        #expect(s.tryRetry(budget, after: .timeout, now: .zero) == nil)  // 1 left, a timeout retry costs 10
        #expect(s.tryRetry(budget, after: .error, now: .zero) == nil)  // and a plain one 5
        s.requestFinished(budget, succeeded: false, lastRetryCost: 5)  // failures refund nothing
        #expect(s.tokens == 1)
    }

    /// The 2026 quota: 14 tokens a retry after an error or a timeout, 5 after a throttle, so a full quota allows 35
    /// retries of failing calls but 100 of throttled ones; through the caller's state, a success refunds what its
    /// last retry cost.
    @Test func aws2026QuotaChargesByFailure() throws {
        let policy = try preset("aws-standard-2026")
        let budget = policy.budgets[0].budget
        var errors = BudgetState(budget), throttles = BudgetState(budget)
        var n = 0
        while errors.tryRetry(budget, after: .error, now: .zero) != nil { n += 1 }
        #expect(n == 35 && errors.tokens == 10)
        n = 0
        while throttles.tryRetry(budget, after: .throttled, now: .zero) != nil { n += 1 }
        #expect(n == 100 && throttles.tokens == 0)
        var caller = ClientPolicyState(policy: policy, clients: 1, hosts: 1, streams: RandomStreams(seed: 1), label: "")
        caller.requestStarted(client: 0, now: .zero)
        #expect(caller.tryRetry(client: 0, after: .throttled, now: .zero).allowed)
        #expect(caller.tryRetry(client: 0, after: .timeout, now: .zero).allowed)
        #expect(caller.budgets[0].instances[0].tokens == 481)
        caller.requestFinished(client: 0, succeeded: true, lastRetryAfter: .timeout)
        #expect(caller.budgets[0].instances[0].tokens == 495)
    }

    /// Finagle: 20% of requests in the last 10 s, plus a reserve of 10 retries per second (100 in the window).
    @Test func finagleRatioBudget() throws {
        let budget = try preset("finagle").budgets[0].budget
        var s = BudgetState(budget)
        var allowed = 0
        while s.tryRetry(budget, after: .error, now: t(1)) != nil { allowed += 1 }
        #expect(allowed == 100)  // the reserve alone
        for _ in 0..<50 { s.requestStarted(budget, now: t(1)) }
        allowed = 0
        while s.tryRetry(budget, after: .error, now: t(1)) != nil { allowed += 1 }
        #expect(allowed == 10)  // 20% of 50
        // 10 s later the window has forgotten all of it: the reserve is back.
        allowed = 0
        while s.tryRetry(budget, after: .error, now: t(12)) != nil { allowed += 1 }
        #expect(allowed == 100)
    }

    /// Envoy's retry budget: retries in flight at most max(20% of requests in flight, 3).
    @Test func envoyConcurrencyBudget() throws {
        let budget = try preset("envoy").budgets[0].budget
        var s = BudgetState(budget)
        for _ in 0..<5 { s.requestStarted(budget, now: .zero) }
        #expect(s.tryRetry(budget, after: .error, now: .zero) != nil)
        #expect(s.tryRetry(budget, after: .error, now: .zero) != nil)
        #expect(s.tryRetry(budget, after: .error, now: .zero) != nil)
        #expect(s.tryRetry(budget, after: .error, now: .zero) == nil)  // the minimum of 3
        for _ in 0..<20 { s.requestStarted(budget, now: .zero) }  // 25 in flight: 20% is 5
        #expect(s.tryRetry(budget, after: .error, now: .zero) != nil)
        #expect(s.tryRetry(budget, after: .error, now: .zero) != nil)
        #expect(s.tryRetry(budget, after: .error, now: .zero) == nil)
        s.retryEnded()
        #expect(s.tryRetry(budget, after: .error, now: .zero) != nil)
    }

    /// SRE adaptive throttling: p = max(0, (requests - K accepts) / (requests + 1)), K = 2, over 2 minutes.
    @Test func sreThrottlingProbability() throws {
        let budget = try preset("sre-throttling").budgets[0].budget
        var s = BudgetState(budget)
        for _ in 0..<100 { s.recordRequest(now: t(1)) }
        for _ in 0..<30 { s.recordAccept(now: t(1)) }
        #expect(abs(s.rejectionProbability(k: 2, now: t(2)) - 40.0 / 101) < 1e-12)
        for _ in 0..<20 { s.recordAccept(now: t(2)) }
        #expect(s.rejectionProbability(k: 2, now: t(2)) == 0)  // 100 - 2 * 50
        #expect(s.rejectionProbability(k: 2, now: t(200)) == 0)  // forgotten after the window
    }

    /// gobreaker: the 6th consecutive failure trips it; open for 60 s; then one probe; its success closes it.
    @Test func gobreakerTripsOnTheSixthConsecutiveFailure() throws {
        let b = try preset("gobreaker").breaker!.breaker
        var s = BreakerState(b)
        for i in 1...5 {
            let g = s.admit(b, now: t(Double(i)))!
            s.record(b, failed: true, callGeneration: g, now: t(Double(i)))
        }
        let g = s.admit(b, now: t(6))!
        s.record(b, failed: false, callGeneration: g, now: t(6))  // a success resets the count
        for i in 7...11 {
            s.record(b, failed: true, callGeneration: s.admit(b, now: t(Double(i)))!, now: t(Double(i)))
        }
        #expect(s.mode == .closed)
        s.record(b, failed: true, callGeneration: s.admit(b, now: t(12))!, now: t(12))
        #expect(s.mode == .open && s.trips == 1)
        #expect(s.admit(b, now: t(71.9)) == nil)  // fails fast for 60 s
        let probe = s.admit(b, now: t(72))!
        #expect(s.mode == .halfOpen)
        #expect(s.admit(b, now: t(72)) == nil)  // one probe only
        s.record(b, failed: false, callGeneration: probe, now: t(72.1))
        #expect(s.mode == .closed)
    }

    /// Outcomes of calls admitted before a state change are ignored (gobreaker's generations).
    @Test func staleOutcomesAreIgnored() throws {
        let b = try preset("gobreaker").breaker!.breaker
        var s = BreakerState(b)
        let old = s.admit(b, now: .zero)!
        for i in 1...6 { s.record(b, failed: true, callGeneration: s.admit(b, now: t(Double(i)))!, now: t(Double(i))) }
        let probe = s.admit(b, now: t(100))!
        s.record(b, failed: true, callGeneration: old, now: t(100))  // from before the trip
        #expect(s.mode == .halfOpen)
        s.record(b, failed: true, callGeneration: probe, now: t(100))
        #expect(s.mode == .open)
    }

    /// resilience4j: a 50% failure rate over the last 100 calls, judged only once 100 calls are in the window,
    /// after every call; half-open lets 10 calls through and judges them together.
    @Test func resilience4jCountWindow() throws {
        let b = try preset("resilience4j").breaker!.breaker
        var s = BreakerState(b)
        for i in 0..<99 {
            s.record(b, failed: i % 2 == 0, callGeneration: s.admit(b, now: .zero)!, now: .zero)  // 50 failures in 99
        }
        #expect(s.mode == .closed)  // rate 50.5% but fewer than 100 calls
        s.record(b, failed: false, callGeneration: s.admit(b, now: .zero)!, now: .zero)  // 50 of 100
        #expect(s.mode == .open)
        let probes = (0..<10).map { _ in s.admit(b, now: t(60))! }
        #expect(s.admit(b, now: t(60)) == nil)
        for (i, g) in probes.enumerated() { s.record(b, failed: i < 4, callGeneration: g, now: t(61)) }
        #expect(s.mode == .closed)  // 40% < 50%
    }

    /// Polly: the ratio is checked only when a call fails; successes never trip it even when the window is bad.
    @Test func pollyChecksOnlyOnFailure() throws {
        let b = try preset("polly").breaker!.breaker
        var s = BreakerState(b)
        for _ in 0..<99 { s.record(b, failed: true, callGeneration: s.admit(b, now: t(1))!, now: t(1)) }
        #expect(s.mode == .closed)  // 99 calls: below the minimum throughput of 100
        s.record(b, failed: false, callGeneration: s.admit(b, now: t(1))!, now: t(1))
        #expect(s.mode == .closed)  // 100 calls, 99% failures, but a success does not check
        s.record(b, failed: true, callGeneration: s.admit(b, now: t(1))!, now: t(1))
        #expect(s.mode == .open)
        #expect(s.admit(b, now: t(5.9)) == nil && s.admit(b, now: t(6.1)) != nil)  // BreakDuration 5 s
    }

    /// Hystrix reads a health snapshot taken at most every 500 ms, so it reacts up to 500 ms late.
    @Test func hystrixReactsFromItsSnapshot() throws {
        let b = try preset("hystrix").breaker!.breaker
        var s = BreakerState(b)
        s.record(b, failed: false, callGeneration: s.admit(b, now: t(0))!, now: t(0))  // snapshot at 0: 1 call
        for i in 0..<30 { s.record(b, failed: true, callGeneration: s.admit(b, now: t(0.01 * Double(i + 1)))!, now: t(0.01 * Double(i + 1))) }
        #expect(s.mode == .closed)  // 30 failures by 0.3 s, but the snapshot is from 0 s
        s.record(b, failed: true, callGeneration: s.admit(b, now: t(0.5))!, now: t(0.5))
        #expect(s.mode == .open)  // the 0.5 s snapshot sees 31 of 32 failed
    }

    /// A static client-side bucket (client-go: 10 qps, burst 100) delays rather than refuses.
    @Test func staticRateLimiterDelays() throws {
        let l = try preset("client-go").rateLimiter!.limiter
        var s = RateLimiterState(l)
        for _ in 0..<100 { #expect(s.acquire(now: .zero) == .zero) }
        #expect(s.acquire(now: .zero) == .milliseconds(100))
        #expect(s.acquire(now: .zero) == .milliseconds(200))
        // 100 ms later one more token has come in, and two were owed: the next attempt waits 200 ms.
        #expect(s.acquire(now: t(0.1)) == .milliseconds(200))
    }

    /// AWS adaptive: off until the first throttle, then the rate drops to 70% of the measured rate and grows
    /// back along a cubic.
    @Test func adaptiveLimiterSwitchesOnAtTheFirstThrottle() throws {
        let l = try preset("aws-adaptive").rateLimiter!.limiter
        var s = RateLimiterState(l)
        for i in 0..<100 {
            #expect(s.acquire(now: t(Double(i) * 0.01)) == .zero)
            s.observe(throttled: false, now: t(Double(i) * 0.01))
        }
        #expect(!s.enabled)
        s.observe(throttled: true, now: t(1))
        #expect(s.enabled)
        // measured ~100/s; the new rate is 0.7 * measured.
        #expect(s.fillRate > 50 && s.fillRate < 80)
        let cut = s.fillRate
        // Responses keep coming at 100/s: past K = cbrt(w_max * 0.3 / 0.4) s the cubic climbs above w_max.
        for i in 1...1000 { s.observe(throttled: false, now: t(1 + Double(i) * 0.01)) }
        #expect(s.fillRate > cut)
    }
}
