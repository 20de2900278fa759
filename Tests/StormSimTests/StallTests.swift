import Foundation
import Testing

@testable import StormSim

/// Runs that cannot advance simulated time end with a diagnosis instead of hanging, and workloads that would
/// take hours are refused before they start.
@Suite struct StallTests {
    /// Two closed-loop clients with zero think time and zero latency, and one worker: whatever makes a request
    /// fail at once (`failing`, merged into the service or the policy) starts the next one at the same instant.
    static func loop(service: String = "", policy: String = "") -> String {
        """
        { "name": "loop", "duration": "10s",
          "clients": { "count": 2, "target": "api",
                       "arrival": { "type": "closed", "think": { "dist": "constant", "value": "0s" } },
                       "policy": { "maxAttempts": 1\(policy) } },
          "services": [ { "name": "api", "workers": 1, "serviceTime": { "dist": "constant", "value": "10ms" }\(service) } ] }
        """
    }

    @Test(arguments: [
        ("a queue of capacity 0", loop(service: #", "queue": { "capacity": 0 }"#), "rejected by a full queue"),
        ("a rate limit answering at once", loop(service: #", "rateLimit": { "rate": 1, "burst": 1 }"#), "throttled"),
        ("an open breaker", loop(service: #", "errorRate": 1"#,
                                policy: #", "breaker": { "trip": { "type": "consecutive", "failures": 1 }, "openFor": "30s" }"#), "failed fast"),
    ])
    func zeroTimeLoopsStallWithTheirCause(_ what: String, _ text: String, _ cause: String) throws {
        let r = Runner.run(try scenario(text))
        let stall = try #require(r.stall, "\(what): the run must stall, not finish or hang")
        #expect(r.interrupted)
        #expect(stall.contains("closed-loop clients sent"), "\(what)")
        #expect(stall.contains(cause), "\(what): \(stall)")
        #expect(stall.contains("clients.arrival.think"), "\(what): names the key to change")
        #expect(r.events <= Stall.limit(for: try scenario(text)) + Stall.watched + 1_000_000)
    }

    @Test func aBurstAtOneInstantIsNotAStall() throws {
        // 20,000 clients at exactly the same time, with zero latency: many events at t = 0, all legitimate.
        let r = Runner.run(try scenario("""
            { "name": "herd", "duration": "10s",
              "clients": { "count": 20000, "target": "api", "arrival": { "type": "burst" } },
              "services": [ { "name": "api", "workers": 100, "queue": { "capacity": 0 },
                              "serviceTime": { "dist": "constant", "value": "1ms" } } ] }
            """))
        #expect(r.stall == nil && !r.interrupted)
        #expect(r.value("requests") == 20000)
    }

    @Test func instantWatchSeesAClockThatStopped() {
        struct Echo: EventHandler {
            mutating func handle(_ event: Event, queue: inout EventQueue) {
                queue.schedule(.retryDue, at: event.time, a: event.a + 1)  // forever at the same instant
            }
        }
        var queue = EventQueue()
        queue.schedule(.retryDue, at: .zero + .milliseconds(5), a: 0)
        var sim = Simulation(model: Echo(), queue: queue)
        var watch = InstantWatch(limit: 1000, checkpointEvery: 256)
        #expect(sim.run(until: .zero + .seconds(1), checkpointEvery: 256) { watch.stalled(at: $0) } == false)
        #expect(sim.now == .zero + .milliseconds(5))
        // Checkpoints at 256, 512, 768, 1024 and 1280 events all read 5 ms: 1,024 events at one instant since the
        // first of them, the bound. The next event is still queued, in order.
        #expect(sim.eventsProcessed == 1280)
        #expect(sim.stepAtNow()?.a == 1280)
        // A clock that moves is never a stall, however many checkpoints pass.
        var moving = InstantWatch(limit: 1000, checkpointEvery: 256)
        #expect((0..<100).allSatisfy { !moving.stalled(at: .zero + .milliseconds(Int64($0))) })
    }

    @Test func workloadLimitsCountLoadChangesAttemptsAndThinning() {
        func poisson(count: Int, load: String = "", attempts: Int = 1) -> String {
            """
            { "name": "w", "duration": "10s",
              "clients": { "count": \(count), "target": "api", "arrival": { "type": "poisson", "rate": 1 },
                           "policy": { "maxAttempts": \(attempts) }\(load) },
              "services": [ { "name": "api", "workers": 1, "serviceTime": { "dist": "constant", "value": "1ms" } } ] }
            """
        }
        let spike = #", "load": [ { "from": "1s", "to": "2s", "multiplier": 1000000 } ]"#
        // 10 clients: 1e7 requests, 1e8 candidates: allowed.
        #expect(issues(poisson(count: 10, load: spike)) == [])
        // 1,000 clients: the load change makes 1e9 requests and 1e10 candidates.
        let refused = issues(poisson(count: 1000, load: spike))
        #expect(refused.contains { $0.hasPrefix("clients.arrival.rate:") && $0.contains("with the load changes make about 1e9 requests") })
        #expect(refused.contains { $0.hasPrefix("clients.load:") && $0.contains("1e10 candidate arrivals") })
        // 1e8 requests are fine with 1 attempt; 1,000 attempts each could mean 1e11 attempts.
        #expect(issues(poisson(count: 10_000_000, attempts: 1)) == [])
        #expect(issues(poisson(count: 10_000_000, attempts: 1000)).contains { $0.hasPrefix("clients.policy.maxAttempts:") && $0.contains("1e11 attempts") })
    }

    @Test func loadSecondsIntegratesStepsAndRamps() {
        let step = LoadChange(from: .seconds(10), to: .seconds(20), multiplier: 3)
        #expect(abs(LoadChange.loadSeconds([step], over: .seconds(60)) - 80) < 1e-6)
        let ramp = LoadChange(from: .seconds(0), to: .seconds(10), multiplier: 1, rampTo: 3)
        #expect(abs(LoadChange.loadSeconds([ramp], over: .seconds(10)) - 20) < 1e-6)
        // Cut off by the span: 10 s at x1, then only 5 s of the step at x3.
        #expect(abs(LoadChange.loadSeconds([step], over: .seconds(15)) - 25) < 1e-6)
    }

    /// Ctrl-C on a sweep: the workers stop claiming jobs, so the jobs that never started cost nothing.
    @Test func stoppedBatchLeavesLaterJobsUnstarted() throws {
        let set = ScenarioSet(name: "s", variedPaths: [], variants: [Variant(name: "base", parameters: [], scenario: try scenario(
            queueingScenario(clients: 10, workers: 1, serviceTime: #"{ "dist": "constant", "value": "1ms" }"#, duration: "1s")))])
        let delivered = Counter()
        BatchRunner.run(
            jobs: Replications.jobs(variants: 1, replications: 200), of: set, workers: 2,
            stop: { delivered.value >= 3 }, deliver: { _, _ in delivered.add() })
        // Each of the 2 workers finishes the job it holds when the stop comes: at most 3 + 2 jobs ran.
        #expect(delivered.value >= 3 && delivered.value <= 5)
    }

    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var n = 0
        func add() { lock.lock(); n += 1; lock.unlock() }
        var value: Int { lock.lock(); defer { lock.unlock() }; return n }
    }
}
