import Foundation
import Testing

@testable import StormSim

@Suite struct RetryBehaviourTests {
    /// A service that fails every attempt at once, no jitter, base 100 ms, multiplier 2, 5 attempts: the request
    /// fails after waits of 100 + 200 + 400 + 800 ms, exactly.
    @Test func failingRequestFollowsTheBackoffTimeline() throws {
        let s = try scenario("""
            { "name": "timeline", "duration": "10s",
              "clients": { "count": 1, "target": "s", "arrival": { "type": "burst" },
                           "policy": { "maxAttempts": 5, "jitter": "none",
                                       "backoff": { "type": "exponential", "base": "100ms", "multiplier": 2, "max": "10s" } } },
              "services": [ { "name": "s", "workers": 1, "serviceTime": { "dist": "constant", "value": "0s" }, "errorRate": 1 } ] }
            """)
        let r = Runner.run(s)
        #expect(r.value("failed") == 1)
        #expect(r.value("attempts") == 5)
        #expect(r.value("retries") == 4)
        #expect(r.value("errors") == 5)
        #expect(r.value("makespan_s") == 1.5)
        // The time series puts attempts at 0, 0.1, 0.3, 0.7 and 1.5 s: four in the first second, one in the second.
        #expect(r.timeSeries.rows[0][2] == "4" && r.timeSeries.rows[1][2] == "1")
    }

    /// With a timeout the client stops waiting, retries, and the service's work on the abandoned attempt is wasted.
    @Test func timeoutsAbandonAttemptsAndWasteWork() throws {
        let s = try scenario("""
            { "name": "slow", "duration": "10s",
              "clients": { "count": 1, "target": "s", "arrival": { "type": "burst" },
                           "policy": { "timeout": "100ms", "maxAttempts": 3, "jitter": "none",
                                       "backoff": { "type": "constant", "base": "50ms", "max": "50ms" } } },
              "services": [ { "name": "s", "workers": 1, "serviceTime": { "dist": "constant", "value": "1s" } } ] }
            """)
        let r = Runner.run(s)
        // Attempts at 0, 0.15 and 0.3 s each time out after 100 ms; the request fails at 0.4 s.
        #expect(r.value("timeouts") == 3)
        #expect(r.value("failed") == 1)
        #expect(r.value("makespan_s") == 0.4)
        // The single worker serves them one after another: 0-1 s, 1-2 s, 2-3 s, all abandoned.
        #expect(r.value("s_served") == 3)
        #expect(r.value("s_wasted") == 3)
        #expect(r.value("wasted_work_fraction") == 1)
    }

    /// A full queue rejects at once; the rejection is retried like any failure.
    @Test func fullQueueRejects() throws {
        let s = try scenario("""
            { "name": "reject", "duration": "60s",
              "clients": { "count": 3, "target": "s", "arrival": { "type": "burst" },
                           "policy": { "maxAttempts": 2, "jitter": "none", "backoff": { "type": "constant", "base": "5s", "max": "5s" } } },
              "services": [ { "name": "s", "workers": 1, "queue": { "capacity": 1 }, "serviceTime": { "dist": "constant", "value": "1s" } } ] }
            """)
        let r = Runner.run(s)
        // Client 0 is served, client 1 queues, client 2 is rejected and succeeds on its retry at 5 s.
        #expect(r.value("rejected") == 1)
        #expect(r.value("succeeded") == 3)
        #expect(r.value("attempts") == 4)
        #expect(r.value("latency_max_ms") == 6000)
    }

    /// Published result (policies.md): open-loop retries against a service that fails each attempt with
    /// probability p independently of load, with k retries, give load factor 1 + p + ... + p^k and success
    /// 1 - p^(k+1). With p = 0.3 and k = 3: 1.417 and 0.9919. About 100,000 requests: the standard error of the
    /// amplification is below 0.2%, and of the success rate below 0.03 percentage points.
    @Test(arguments: [("none", 0.3), ("full", 0.3), ("decorrelated", 0.5)])
    func openLoopAmplificationMatchesTheory(jitter: String, p: Double) throws {
        let s = try scenario("""
            { "name": "p", "duration": "1000s",
              "clients": { "count": 100, "target": "s", "arrival": { "type": "poisson", "rate": 1 },
                           "policy": { "maxAttempts": 4, "jitter": "\(jitter)" } },
              "services": [ { "name": "s", "workers": 1000, "serviceTime": { "dist": "exponential", "mean": "5ms" }, "errorRate": \(p) } ] }
            """)
        let r = Runner.run(s)
        let finished = r.value("succeeded")! + r.value("failed")!
        let load = (0...3).reduce(0.0) { $0 + pow(p, Double($1)) }
        #expect(relativeError(r.value("amplification")!, load) < 0.01)
        #expect(abs(r.value("succeeded")! / finished - (1 - pow(p, 4))) < 0.003)
    }

    /// Closed-loop clients keep exactly one request in flight each.
    @Test func closedLoopKeepsOneRequestPerClient() throws {
        let s = try scenario("""
            { "name": "closed", "duration": "100s",
              "clients": { "count": 10, "target": "s", "arrival": { "type": "closed", "think": { "dist": "constant", "value": "90ms" } } },
              "services": [ { "name": "s", "workers": 10, "serviceTime": { "dist": "constant", "value": "10ms" } } ] }
            """)
        let r = Runner.run(s)
        // Each client completes a request every 100 ms: 1,000 in 100 s, minus the last one in flight at the end.
        #expect(r.value("requests")! >= 9_990 && r.value("requests")! <= 10_000)
        #expect(r.value("latency_max_ms") == 10)
        #expect(r.value("unfinished")! <= 10)
    }

    /// A burst with a spread starts every request within [at, at + spread).
    @Test func burstSpreadIsRespected() throws {
        let s = try scenario("""
            { "name": "spread", "duration": "20s", "metrics": { "interval": "1s" },
              "clients": { "count": 1000, "target": "s", "arrival": { "type": "burst", "at": "2s", "spread": "3s" } },
              "services": [ { "name": "s", "workers": 1000, "serviceTime": { "dist": "constant", "value": "1ms" } } ] }
            """)
        let r = Runner.run(s)
        let requestsPerRow = r.timeSeries.rows.map { Int($0[1])! }
        #expect(requestsPerRow[0] == 0 && requestsPerRow[1] == 0 && requestsPerRow[5] == 0)
        #expect(requestsPerRow[2] + requestsPerRow[3] + requestsPerRow[4] == 1000)
        for row in 2...4 { #expect(abs(requestsPerRow[row] - 333) < 60) }  // binomial sd 15
    }
}
