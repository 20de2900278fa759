import Foundation
import Testing

@testable import StormSim

/// Envoy's outlier detection, step by step on its own state, and in runs.
@Suite struct OutlierDetectionTests {
    func detector(_ configure: (inout OutlierDetection) -> Void = { _ in }, count: Int = 10) -> OutlierDetector {
        var config = OutlierDetection()
        configure(&config)
        return OutlierDetector(config, units: 1, count: count, rng: Xoshiro256(seed: 1))
    }

    func s(_ seconds: Double) -> SimTime { SimTime(nanoseconds: Int64(seconds * 1e9)) }

    /// Ejected on the 5th consecutive 5xx (a success in between starts the count again); back at the first sweep
    /// 30 s after; ejected again, back only after 60 s (the multiplier is 2); healthy sweeps bring it down.
    @Test func consecutiveErrorsTimeline() {
        var d = detector()
        var ejections: [Bool] = []
        for _ in 0..<4 { ejections.append(d.record(unit: 0, position: 2, error: true, gateway: false, now: s(1))) }
        ejections.append(d.record(unit: 0, position: 2, error: false, gateway: false, now: s(1)))  // a success resets
        for _ in 0..<4 { ejections.append(d.record(unit: 0, position: 2, error: true, gateway: false, now: s(1))) }
        #expect(!ejections.contains(true))
        let fifth = d.record(unit: 0, position: 2, error: true, gateway: false, now: s(1.5))  // the 5th in a row
        #expect(fifth)
        #expect(d.ejected[2] && d.multiplier[2] == 1)
        for t in [10.0, 20, 30] { _ = d.sweep(now: s(t)); #expect(d.ejected[2], "still out at \(t) s") }  // 28.5 s < 30 s
        _ = d.sweep(now: s(40))
        #expect(!d.ejected[2])
        for _ in 0..<5 { _ = d.record(unit: 0, position: 2, error: true, gateway: false, now: s(41)) }
        #expect(d.ejected[2] && d.multiplier[2] == 2)
        for t in [50.0, 60, 70, 80, 90, 100] { _ = d.sweep(now: s(t)); #expect(d.ejected[2], "still out at \(t) s") }  // 59 s < 60 s
        _ = d.sweep(now: s(110))
        #expect(!d.ejected[2] && d.ejections[2] == 2)
        #expect(d.ejectedTime[2] == Int64(38.5e9) + Int64(69e9))
        _ = d.sweep(now: s(120))
        #expect(d.multiplier[2] == 1)  // one healthy interval takes one off
    }

    /// At most `maxEjectionPercent` of the instances are ejected at once (10% of 10: one), but one always may be.
    @Test func maxEjectionPercent() {
        var d = detector()
        for _ in 0..<5 { _ = d.record(unit: 0, position: 0, error: true, gateway: false, now: s(1)) }
        for _ in 0..<5 { _ = d.record(unit: 0, position: 1, error: true, gateway: false, now: s(1)) }
        #expect(d.ejected[0] && !d.ejected[1])
        var few = detector(count: 3)  // 1 of 3 is 33%, over 10%: still one may go
        for _ in 0..<5 { _ = few.record(unit: 0, position: 0, error: true, gateway: false, now: s(1)) }
        #expect(few.ejected[0])
    }

    /// Success rate: among 5 or more instances with 100 requests in the interval, one below mean - 1.9 stdev is
    /// ejected at the sweep; with 4 such instances, nothing is.
    @Test func successRateEjectsAtTheSweep() {
        func run(instances: Int) -> OutlierDetector {
            var d = detector(count: instances)
            for p in 0..<instances {
                for k in 0..<200 {
                    // Instance 0 fails one in four, spread out so it never has 5 errors in a row; the others one in 100.
                    let error = p == 0 ? k % 4 == 0 : k % 100 == 0
                    _ = d.record(unit: 0, position: p, error: error, gateway: false, now: s(5))
                }
            }
            #expect(!d.ejected.contains(true))
            _ = d.sweep(now: s(10))
            return d
        }
        #expect(run(instances: 6).ejected == [true, false, false, false, false, false])
        #expect(!run(instances: 4).ejected.contains(true))
    }

    /// Gateway failures (503 refusals, timeouts) eject only when enforced (Envoy enforces 0% by default).
    @Test func gatewayFailuresAreEnforcedOnlyWhenAsked() {
        var off = detector { $0.consecutive5xx = 100 }
        for _ in 0..<10 { _ = off.record(unit: 0, position: 0, error: true, gateway: true, now: s(1)) }
        #expect(!off.ejected[0])
        var on = detector { $0.consecutive5xx = 100; $0.enforcingConsecutiveGatewayFailure = 100 }
        for _ in 0..<5 { _ = on.record(unit: 0, position: 0, error: true, gateway: true, now: s(1)) }
        #expect(on.ejected[0])
    }

    /// In a run: a balancer stops picking an ejected instance; below the panic threshold it picks every instance.
    @Test func ejectedInstancesAreNotPickedUnlessInPanic() throws {
        func run(panic: Double, failing: String) throws -> RunResult {
            let json = """
                { "name": "od", "seed": 1, "duration": "25s",
                  "clients": { "count": 100, "target": "s", "arrival": { "type": "poisson", "rate": 4 } },
                  "services": [ { "name": "s", "workers": 10, "instances": 4,
                                  "balancer": { "type": "round-robin", "scope": "global", "panicThreshold": \(panic) },
                                  "serviceTime": { "dist": "constant", "value": "1ms" },
                                  "outlierDetection": { "maxEjectionPercent": 100 },
                                  "faults": [ { "type": "errorRate", "from": "0s", "to": "25s", "errorRate": 1, "instances": \(failing) } ] } ] }
                """
            let (result, problems) = Runner.runAudited(Variant(name: "base", parameters: [], scenario: try scenario(json)))
            #expect(problems.isEmpty, "\(problems.prefix(3))")
            return result
        }
        // One of four fails: ejected after 5 errors, for the whole run (its 30 s are not over at 25 s).
        let one = try run(panic: 50, failing: "[0]")
        #expect(one.instances[0].values[0] == 5 && one.instances[0].values[7] == 1)
        // Three of four fail: all three are ejected, leaving 25% healthy, under the 50% panic threshold: every
        // instance is picked again, and they keep failing.
        let panic = try run(panic: 50, failing: "[0, 1, 2]")
        #expect(panic.value("errors")! > 0.5 * panic.value("requests")!)
        let noPanic = try run(panic: 0, failing: "[0, 1, 2]")
        #expect(noPanic.value("errors")! < 100)
    }
}

/// Active health checks: thresholds step by step, an instance in an outage left out of the picks, and the claims
/// of `scenarios/health-check-spiral.json`.
@Suite struct HealthCheckTests {
    @Test func thresholds() {
        var config = HealthCheck()
        config.unhealthyThreshold = 3
        config.healthyThreshold = 2
        var h = HealthChecker(config, units: 1, count: 2)
        var changes: [Bool] = []
        for success in [false, false, true, false, false, false, true, true] {
            changes.append(h.record(unit: 0, position: 1, success: success))
        }
        // A success breaks the run of failures; the third failure in a row marks it down; two successes bring it back.
        #expect(changes == [false, false, false, false, false, true, false, true])
        #expect(h.healthy == [true, true] && h.markedDown[1] == 1 && h.failures[1] == 5 && h.probes[1] == 8)
    }

    /// An instance that never answers during an outage: every balancer's probes time out, 3 in a row take it out of
    /// its picks, and after the outage 2 successes bring it back. The invariants hold with probes in flight.
    @Test func outageIsDetectedByProbes() throws {
        func run(_ path: String) throws -> RunResult {
            let json = """
                { "name": "hc", "seed": 1, "duration": "60s",
                  "clients": { "count": 200, "hosts": 4, "target": "s", "arrival": { "type": "poisson", "rate": 5 }, "policy": { "timeout": "1s" } },
                  "services": [ { "name": "s", "workers": 4, "instances": 4, "queue": { "capacity": 200 },
                                  "serviceTime": { "dist": "exponential", "mean": "5ms" },
                                  "healthCheck": { "interval": "2s", "timeout": "500ms", "path": "\(path)" },
                                  "faults": [ { "type": "outage", "from": "10s", "to": "30s", "answer": "never", "instances": [1] } ] } ] }
                """
            let (r, problems) = Runner.runAudited(Variant(name: "base", parameters: [], scenario: try scenario(json)))
            #expect(problems.isEmpty, "\(problems.prefix(3))")
            return r
        }
        for path in ["queue", "direct"] {
            let r = try run(path)
            let marked = InstanceMetric.allCases.firstIndex(of: .markedUnhealthy)!
            #expect(r.instances[1].values[marked] == 4, "each of the 4 client hosts' balancers, once (\(path))")
            #expect(r.instances.filter { $0.instance != 1 }.allSatisfy { $0.values[marked] == 0 }, "\(path)")
            // Out of the picks for most of the 20 s: its share of attempts falls well under a quarter.
            let attempts = r.instances.map { $0.values[0] }
            #expect(attempts[1] < 0.8 * attempts[0], "\(path)")
        }
    }
}

/// The claims of `scenarios/health-check-spiral.json` (README, "The health-check death spiral").
@Suite struct HealthCheckSpiralTests {
    /// The committed results (`GoldenTests` checks that the code reproduces them).
    static let results = committedResults("health-check-spiral")

    func value(_ variant: String, _ metric: String) -> Double { Self.results[variant]!.value(metric)! }

    @Test func claims() throws {
        try #require(Self.results.count == 4)
        // The spike alone is absorbed by the queues: nothing refused, no retry.
        #expect(value("no-health-checks", "rejected") == 0 && value("no-health-checks", "retries") == 0)
        // Probes waiting in those queues time out, healthy instances are taken out, the rest overflow and refuse
        // work: the clients retry, and the tail grows by more than half.
        #expect(value("probes-in-queue", "rejected") > 5_000 && value("probes-in-queue", "retries") > 5_000)
        #expect(value("probes-in-queue", "latency_p99_ms") > 1.5 * value("no-health-checks", "latency_p99_ms"))
        // Out-of-band probes see nothing wrong; the panic threshold keeps every instance in the picks when fewer
        // than half are healthy: no refusal.
        #expect(value("probes-out-of-band", "rejected") == 0 && value("probes-in-queue-panic-50", "rejected") == 0)
    }
}
