import Testing

@testable import StormSim

/// Policies in whole runs, against hand-computed counts.
@Suite struct PolicyRunTests {
    /// One closed-loop client calling a service that fails every attempt at once: requests never overlap, so the
    /// budget's arithmetic is exact.
    func deadService(policy: String, think: String = "10s", duration: String = "300s", extra: String = "") throws -> RunResult {
        try Runner.run(scenario("""
            { "name": "dead", "duration": "\(duration)",
              "clients": { "count": 1, "target": "s", "arrival": { "type": "closed", "think": { "dist": "constant", "value": "\(think)" } },
                           "policy": \(policy) },
              "services": [ { "name": "s", "workers": 1, "serviceTime": { "dist": "constant", "value": "1ms" }, "errorRate": 1\(extra) } ] }
            """))
    }

    /// gRPC: the first request makes all 4 attempts (tokens 10 -> 6); every later one fails its first attempt
    /// (tokens <= 5) and its retry is refused.
    @Test func grpcBudgetAgainstADeadService() throws {
        let r = try deadService(policy: #"{ "preset": "grpc" }"#)
        let requests = r.value("requests")!
        #expect(requests > 20)
        #expect(r.value("attempts") == requests + 3)
        #expect(r.value("budget_refused") == requests - 1)
    }

    /// AWS standard: 500 tokens at 5 per retry pay for exactly 100 retries (50 requests' 2 retries each), then
    /// every retry is refused; failures earn nothing back.
    @Test func awsQuotaAgainstADeadService() throws {
        let r = try deadService(policy: #"{ "preset": "aws-standard" }"#, think: "1s", duration: "1000s")
        #expect(r.value("requests")! > 100)
        #expect(r.value("retries") == 100)
        #expect(r.value("budget_refused") == r.value("requests")! - 50)
    }

    /// AWS standard since 2026: a retry after an error costs 14, so the 500 tokens pay for 35 retries (17 requests'
    /// two and one of the 18th), and 10 tokens are left, too few for another.
    @Test func aws2026QuotaAgainstADeadService() throws {
        let r = try deadService(policy: #"{ "preset": "aws-standard-2026" }"#, think: "1s", duration: "1000s")
        #expect(r.value("requests")! > 100)
        #expect(r.value("retries") == 35)
        #expect(r.value("budget_refused") == r.value("requests")! - 17)
    }

    /// The committed brownout comparison: the 2026 quota retries less (14 tokens a retry against 5) and ends where
    /// the earlier standard mode does.
    @Test func aws2026InTheBrownout() throws {
        let results = committedResults("real-world-presets")
        let before = try #require(results["aws-standard"]), after = try #require(results["aws-standard-2026"])
        #expect(after.value("retries")! < 0.7 * before.value("retries")!)
        #expect(abs(after.value("success_rate")! - before.value("success_rate")!) < 0.001)
        #expect(after.value("latency_p99_ms")! <= before.value("latency_p99_ms")! * 1.01)
    }

    /// gobreaker with one breaker for all clients: six failures trip it, then every request fails fast for 60 s.
    @Test func gobreakerFailsFastOnceOpen() throws {
        let r = try deadService(policy: #"{ "preset": "gobreaker", "breaker": { "scope": "global" } }"#, think: "1s", duration: "30s")
        #expect(r.value("attempts") == 6)
        #expect(r.value("breaker_trips") == 1)
        #expect(r.value("fast_failed") == r.value("requests")! - 6)
        #expect(r.value("failed") == r.value("requests"))
    }

    /// Non-retryable errors (4xx) are never retried, whatever maxAttempts says.
    @Test func nonRetryableErrorsAreNotRetried() throws {
        let r = try Runner.run(scenario("""
            { "name": "4xx", "duration": "100s",
              "clients": { "count": 20, "target": "s", "arrival": { "type": "poisson", "rate": 5 }, "policy": { "maxAttempts": 5 } },
              "services": [ { "name": "s", "workers": 100, "serviceTime": { "dist": "constant", "value": "1ms" }, "nonRetryableRate": 0.2 } ] }
            """))
        #expect(r.value("attempts") == r.value("requests"))
        #expect(r.value("non_retryable") == r.value("failed"))
        #expect(abs(r.value("failed")! / r.value("requests")! - 0.2) < 0.02)  // 10,000 requests: sd 0.004
    }

    /// A service rate limit of 1 token per 10 s throttles the other two of three simultaneous requests; honouring
    /// Retry-After (2 s, replacing the backoff) brings them back at 2 s and 4 s... until tokens refill at 10 s.
    @Test func throttledRequestsHonourRetryAfter() throws {
        let json = """
            { "name": "429", "duration": "60s",
              "clients": { "count": 3, "target": "s", "arrival": { "type": "burst" },
                           "policy": { "maxAttempts": 10, "jitter": "none", "retryAfter": "replace",
                                       "backoff": { "type": "constant", "base": "50ms", "max": "50ms" } } },
              "services": [ { "name": "s", "workers": 10, "serviceTime": { "dist": "constant", "value": "0s" },
                              "rateLimit": { "rate": 0.1, "burst": 1, "retryAfter": "2s" } } ] }
            """
        let r = Runner.run(try scenario(json))
        // Client 0 at 0 s; the others retry every 2 s. The next token arrives at 10 s: client 1 is served (after
        // throttles at 0, 2, 4, 6, 8 s); client 2 is throttled at 0, 2, ..., 18 s, its 10th and last attempt,
        // just before the following token at 20 s.
        #expect(r.value("succeeded") == 2)
        #expect(r.value("latency_max_ms") == 10_000)
        #expect(r.value("throttled") == 15)
        #expect(r.value("failed") == 1)
        let ignoring = Runner.run(try scenario(json.replacingOccurrences(of: #""retryAfter": "replace""#, with: #""retryAfter": "ignore""#)))
        #expect(ignoring.value("succeeded") == 1)  // 10 attempts 50 ms apart are over before a token comes
    }

    /// cenkalti/backoff gives up once the next attempt would start after maxElapsed.
    @Test func maxElapsedStopsRetrying() throws {
        let r = try Runner.run(scenario("""
            { "name": "elapsed", "duration": "60s",
              "clients": { "count": 1, "target": "s", "arrival": { "type": "burst" },
                           "policy": { "preset": "cenkalti-backoff", "maxElapsed": "10s", "jitter": "none" } },
              "services": [ { "name": "s", "workers": 1, "serviceTime": { "dist": "constant", "value": "1ms" }, "errorRate": 1 } ] }
            """))
        // Attempts take 1 ms; waits are 0.5, 0.75, 1.125, 1.6875, 2.53125 s, so the 6th attempt fails at
        // 6.59975 s, and the next wait (3.796875 s) would start it at 10.397 s, past 10 s.
        #expect(r.value("attempts") == 6)
        #expect(r.value("failed") == 1)
        #expect(r.value("makespan_s") == 6.59975)
    }

    /// Without jitter the herd's retries come in synchronised waves; full jitter spreads them.
    @Test func jitterLowersPeakToMean() throws {
        let json = """
            { "name": "sync", "duration": "60s",
              "clients": { "count": 2000, "target": "s", "arrival": { "type": "burst" },
                           "policy": { "timeout": "200ms", "maxAttempts": 5, "jitter": "JITTER",
                                       "backoff": { "type": "exponential", "base": "1s", "multiplier": 2, "max": "10s" } } },
              "services": [ { "name": "s", "workers": 20, "queue": { "capacity": 100 }, "serviceTime": { "dist": "exponential", "mean": "10ms" } } ] }
            """
        let none = Runner.run(try scenario(json.replacingOccurrences(of: "JITTER", with: "none")))
        let full = Runner.run(try scenario(json.replacingOccurrences(of: "JITTER", with: "full")))
        #expect(none.value("retry_peak_to_mean_100ms")! > 2 * full.value("retry_peak_to_mean_100ms")!)
    }

    /// The trace records every step of the first N requests, and tracing changes no result.
    @Test func traceRecordsStepsAndChangesNothing() throws {
        let s = try scenario("""
            { "name": "t", "duration": "10s",
              "clients": { "count": 5, "target": "s", "arrival": { "type": "burst" },
                           "policy": { "maxAttempts": 3, "jitter": "none", "backoff": { "type": "constant", "base": "1s", "max": "1s" } } },
              "services": [ { "name": "s", "workers": 1, "serviceTime": { "dist": "constant", "value": "1ms" }, "errorRate": 1 } ] }
            """)
        let v = Variant(name: "base", parameters: [], scenario: s)
        let traced = Runner.run(v, traceRequests: 2), plain = Runner.run(v)
        #expect(ResultWriter.summaryTable([traced]).text == ResultWriter.summaryTable([plain]).text)
        let first = traced.trace.filter { $0.request == 0 }.map { "\($0.time.seconds) \($0.event) \($0.detail)" }
        #expect(first == [
            "0.0 send attempt 1", "0.0 serve waited 0s", "0.001 served serverError", "0.001 response serverError", "0.001 backoff 1s",
            "1.001 send attempt 2", "1.001 serve waited 0s", "1.002 served serverError", "1.002 response serverError", "1.002 backoff 1s",
            "2.002 send attempt 3", "2.002 serve waited 0s", "2.003 served serverError", "2.003 response serverError", "2.003 give-up attempts",
        ])
        #expect(Set(traced.trace.map(\.request)) == [0, 1])
    }
}
