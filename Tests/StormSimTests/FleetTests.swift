import Foundation
import Testing

@testable import StormSim

/// Services of several instances behind a balancer: against queueing theory where it has an answer, and each
/// mechanism's claim on a scenario made to show it. Tolerances are about five seed-to-seed standard deviations,
/// measured over 20 seeds at these run lengths (release build, `stormsim run --seed`).
@Suite struct FleetTests {
    /// Open-loop Poisson clients (`clients` at 1 request/s) into `instances` single-worker instances with
    /// exponential 10 ms service (mu 100/s each), no retries, no timeouts, a queue too large to fill.
    func fleet(clients: Int, instances: Int, balancer: String, duration: String, extra: String = "") -> String {
        """
        { "name": "fleet", "seed": 1, "duration": "\(duration)",
          "clients": { "count": \(clients), "target": "s", "arrival": { "type": "poisson", "rate": 1 } },
          "services": [ { "name": "s", "workers": 1, "instances": \(instances), "balancer": \(balancer),
                          "queue": { "capacity": 1000000 }, "serviceTime": { "dist": "exponential", "mean": "10ms" }
                          \(extra) } ] }
        """
    }

    func audited(_ json: String) throws -> RunResult {
        let (result, problems) = Runner.runAudited(Variant(name: "base", parameters: [], scenario: try scenario(json)))
        #expect(problems.isEmpty, "\(problems.prefix(3))")
        return result
    }

    /// Random splitting of a Poisson stream of 200/s over 4 instances gives 4 independent M/M/1 queues at 50/s:
    /// mean response 1 / (mu - lambda / c) = 20 ms. About 200,000 requests; measured sd 0.7%, tolerance 3.5%.
    /// Utilization counts every instance's workers: rho = 0.5.
    @Test func randomSplittingGivesIndependentMM1Queues() throws {
        let r = try audited(fleet(clients: 200, instances: 4, balancer: #""random""#, duration: "1000s"))
        #expect(relativeError(r.value("latency_mean_ms")!, 20) < 0.035)
        #expect(abs(r.value("s_utilization")! - 0.5) < 0.01)
    }

    /// One round-robin balancer for all clients sends every 4th request to each instance, so each sees Erlang-4
    /// interarrival times: an E4/M/1 queue, with mean response 1 / (mu (1 - sigma)) where sigma solves
    /// sigma = (lambda / (lambda + mu (1 - sigma)))^4 (GI/M/1), here 14.325 ms, against 20 ms for random splitting.
    /// Measured sd 0.5%, tolerance 3%.
    @Test func roundRobinGivesErlangArrivals() throws {
        let lambda = 200.0, mu = 100.0
        var sigma = 0.5
        for _ in 0..<500 { sigma = pow(lambda / (lambda + mu * (1 - sigma)), 4) }
        let expected = 1000 / (mu * (1 - sigma))
        #expect(abs(expected - 14.325) < 0.001)
        let r = try audited(fleet(clients: 200, instances: 4, balancer: #"{"type": "round-robin", "scope": "global"}"#, duration: "1000s"))
        #expect(relativeError(r.value("latency_mean_ms")!, expected) < 0.03)
    }

    /// The power of two choices: at rho 0.9, random splitting leaves each instance an M/M/1 queue (mean 100 ms),
    /// while least request (two choices, by attempts in flight) keeps queues short: about 40 ms over five seeds.
    @Test func leastRequestBeatsRandomUnderLoad() throws {
        let random = try audited(fleet(clients: 360, instances: 4, balancer: #""random""#, duration: "500s"))
        let twoChoices = try audited(fleet(clients: 360, instances: 4, balancer: #"{"type": "least-request", "scope": "global"}"#, duration: "500s"))
        #expect(relativeError(random.value("latency_mean_ms")!, 100) < 0.2)
        #expect(twoChoices.value("latency_mean_ms")! < 0.5 * random.value("latency_mean_ms")!)
    }

    /// A fault hits only the instances it names: with one round-robin balancer, every 4th attempt goes to
    /// instance 0, so an error rate of 1 there fails a quarter of the requests; `fraction: 0.5` takes instances
    /// 0 and 1, half.
    @Test func faultsHitOnlyTheirInstances() throws {
        let rr = #"{"type": "round-robin", "scope": "global", "start": "zero"}"#
        let one = try audited(fleet(clients: 100, instances: 4, balancer: rr, duration: "100s",
            extra: #", "faults": [ { "type": "errorRate", "from": "0s", "to": "100s", "errorRate": 1, "instances": [0] } ]"#))
        let requests = one.value("requests")!
        #expect(abs(one.value("errors")! - requests / 4) <= 1)
        let half = try audited(fleet(clients: 100, instances: 4, balancer: rr, duration: "100s",
            extra: #", "faults": [ { "type": "errorRate", "from": "0s", "to": "100s", "errorRate": 1, "fraction": 0.5 } ]"#))
        #expect(abs(half.value("errors")! - half.value("requests")! / 2) <= 1)
    }

    /// One dead host behind a ring hash: its clients' retries go back to it and all fail. Avoiding the hosts a
    /// request tried (Envoy's previous_hosts) sends the retries elsewhere.
    @Test func avoidingPreviousHostsRescuesStickyClients() throws {
        func run(avoid: Bool) throws -> RunResult {
            let json = """
                { "name": "sticky", "seed": 1, "duration": "60s",
                  "clients": { "count": 200, "target": "s", "arrival": { "type": "poisson", "rate": 1 },
                    "policy": { "maxAttempts": 3, "timeout": "1s", "backoff": { "type": "constant", "base": "10ms" },
                                "avoidPreviousHosts": \(avoid), "hostReselectAttempts": 5 } },
                  "services": [ { "name": "s", "workers": 10, "instances": 10, "balancer": "ring-hash",
                                  "serviceTime": { "dist": "exponential", "mean": "10ms" },
                                  "faults": [ { "type": "outage", "from": "0s", "to": "60s", "instances": [3] } ] } ] }
                """
            return try audited(json)
        }
        let sticky = try run(avoid: false)
        let avoiding = try run(avoid: true)
        // About a tenth of the clients hash to instance 3; each of their requests fails three times.
        #expect(sticky.value("failed")! > 0.05 * sticky.value("requests")!)
        #expect(avoiding.value("failed")! < 0.01 * sticky.value("failed")!)
    }

    /// A fleet's time series count the attempts at each instance, after every service's columns, and they add up
    /// to the service's.
    @Test func perInstanceColumnsAddUp() throws {
        let s = try scenario(fleet(clients: 100, instances: 3, balancer: #""random""#, duration: "20s"))
        let r = Runner.run(s)
        let header = r.seriesHeader
        let columns = (0..<3).map { header.firstIndex(of: "s_instance_\($0)_attempts")! }
        #expect(columns == [header.count - 3, header.count - 2, header.count - 1])
        let total = header.firstIndex(of: "s_attempts")!
        for row in r.seriesRows {
            #expect(columns.reduce(0) { $0 + row[$1] } == row[total])
        }
        let single = Runner.run(try scenario(fleet(clients: 100, instances: 1, balancer: #""random""#, duration: "5s")))
        #expect(!single.seriesHeader.contains { $0.contains("_instance_") })
    }

    /// A service of one instance is the service as it always was: naming the default balancer changes no byte.
    @Test func oneInstanceIsUnchanged() throws {
        let plain = queueingScenario(clients: 50, workers: 2, serviceTime: #"{"dist":"exponential","mean":"10ms"}"#, duration: "50s")
        let named = plain.replacingOccurrences(of: #""workers": 2,"#, with: #""workers": 2, "instances": 1, "balancer": "least-request","#)
        #expect(named != plain)
        let a = Runner.run(try scenario(plain)), b = Runner.run(try scenario(named))
        #expect(a.summary.map { "\($0.value)" } == b.summary.map { "\($0.value)" })  // as text: NaN is not equal to itself
    }

    @Test func badFleetKeysAreNamed() {
        func service(_ extra: String) -> String {
            """
            { "name": "x", "duration": "10s", "clients": { "count": 1, "target": "s" },
              "services": [ { "name": "s", "workers": 1, "serviceTime": { "dist": "constant", "value": "1ms" }\(extra) } ] }
            """
        }
        #expect(issues(service(#", "instances": 0"#)).contains { $0.contains("services[0].instances") })
        #expect(issues(service(#", "balancer": "round-robbin""#)).contains { $0.contains("did you mean \"round-robin\"") })
        #expect(issues(service(#", "balancer": {"type": "random", "start": "zero"}"#)).contains { $0.contains("services[0].balancer.start") })
        #expect(issues(service(#", "balancer": {"type": "ring-hash", "scope": "client"}"#)).contains { $0.contains("services[0].balancer.scope") })
        #expect(issues(service(#", "instances": 4, "faults": [ { "type": "outage", "from": "1s", "to": "2s", "instances": [4] } ]"#))
            .contains { $0.contains("services[0].faults[0].instances[0]") && $0.contains("from 0 to 3") })
        #expect(issues(service(#", "instances": 4, "faults": [ { "type": "outage", "from": "1s", "to": "2s", "instances": [1], "fraction": 0.5 } ]"#))
            .contains { $0.contains("either instances or fraction") })
        #expect(issues(service(#", "outlierDetection": { "consecutive5xx": 0 }"#)).contains { $0.contains("services[0].outlierDetection.consecutive5xx") })
        #expect(issues(service(#", "outlierDetection": { "intervall": "5s" }"#)).contains { $0.contains("did you mean \"interval\"") })
        #expect(issues(service(#", "balancer": { "type": "random", "panicThreshold": 120 }"#)).contains { $0.contains("services[0].balancer.panicThreshold") })
        #expect(issues(service(#", "healthCheck": { "path": "sidecar" }"#)).contains { $0.contains("services[0].healthCheck.path") })
        #expect(issues(service(#", "balancer": { "type": "random", "key": "client" }"#)).contains { $0.contains("services[0].balancer.key") })
        #expect(issues(service(#", "balancer": { "type": "ring-hash", "slowStart": { "window": "10s" } }"#)).contains { $0.contains("services[0].balancer.slowStart") })
        #expect(issues(service(#", "balancer": { "type": "random", "slowStart": { "aggression": 2 } }"#)).contains { $0.contains("services[0].balancer.slowStart.window") })
        #expect(issues(service(#", "balancer": { "type": "ring-hash", "key": { "zipf": 1.2 } }"#)).contains { $0.contains("services[0].balancer.key.keys") })
        #expect(issues(service(#", "healthCheck": { "unhealthyThreshold": 0 }"#)).contains { $0.contains("services[0].healthCheck.unhealthyThreshold") })
    }
}

/// The claims of `scenarios/one-bad-host.json` (README, "One bad host"): one of 10 instances answers every
/// attempt with an error for 60 s.
@Suite struct OneBadHostTests {
    /// The committed results (`GoldenTests` checks that the code reproduces them).
    static let results = committedResults("one-bad-host")

    func attemptsAtTheBadHost(_ variant: String) -> Double {
        Self.results[variant]!.instances.first { $0.instance == 3 }!.values[InstanceMetric.allCases.firstIndex(of: .attempts)!]
    }

    @Test func claims() throws {
        try #require(Self.results.count == 6)
        let success = Self.results.mapValues { $0.value("success_rate")! }
        // Round robin moves each retry on to the next host: the bad host costs almost nothing.
        #expect(success["round-robin"]! > 0.999)
        // A ring hash keeps the bad host's clients on it: they fail every attempt, about a tenth of the requests.
        #expect(success["ring-hash"]! < 0.95)
        // Retries that avoid the hosts they tried win those requests back.
        #expect(success["ring-hash-other-host"]! > 0.998)
        // Least request counts attempts in flight, and the bad host answers at once: it draws more attempts than
        // under round robin.
        #expect(attemptsAtTheBadHost("least-request") > 1.1 * attemptsAtTheBadHost("round-robin"))
        // Outlier detection ejects it from every client host's balancer: nearly no attempt is wasted on it.
        for variant in ["round-robin-ejection", "least-request-ejection"] {
            #expect(Self.results[variant]!.value("amplification")! < 1.01, "\(variant)")
            #expect(attemptsAtTheBadHost(variant) < 0.25 * attemptsAtTheBadHost("round-robin"), "\(variant)")
        }
    }
}

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

/// A ring hash on hot keys: requests carry a key drawn from a Zipf popularity, and the instance that owns the
/// hottest keys gets their whole load.
@Suite struct HotKeyTests {
    @Test func zipfKeysConcentrateTheLoad() throws {
        func shares(_ key: String) throws -> [Double] {
            let json = """
                { "name": "hot", "seed": 1, "duration": "20s",
                  "clients": { "count": 500, "target": "s", "arrival": { "type": "poisson", "rate": 1 } },
                  "services": [ { "name": "s", "workers": 50, "instances": 10, "balancer": { "type": "ring-hash", "key": \(key) },
                                  "serviceTime": { "dist": "exponential", "mean": "1ms" } } ] }
                """
            let r = Runner.run(try scenario(json))
            let attempts = r.instances.map { $0.values[0] }
            let total = attempts.reduce(0, +)
            return attempts.map { $0 / total }
        }
        // 1,000 keys with exponent 1.2: the hottest key alone is 1 / sum(k^-1.2) = 23.1% of the requests (10,000
        // of them: sd 0.5 points), and its instance has its share of the other keys too.
        var h = 0.0
        for k in 1...1000 { h += 1 / pow(Double(k), 1.2) }
        #expect(abs(1 / h - 0.231) < 0.001)
        let hot = try shares(#"{ "zipf": 1.2, "keys": 1000 }"#)
        #expect(hot.max()! > 0.231 - 0.02)
        let spread = try shares(#""client""#)
        #expect(spread.max()! < 0.2)
    }
}

/// Instance weights: every balancer sends in proportion to them.
@Suite struct WeightTests {
    func shares(_ balancer: String) throws -> [Double] {
        let json = """
            { "name": "w", "seed": 1, "duration": "20s",
              "clients": { "count": 500, "target": "s", "arrival": { "type": "poisson", "rate": 1 } },
              "services": [ { "name": "s", "workers": 50, "instances": 3, "weights": [1, 1, 2], "balancer": \(balancer),
                              "serviceTime": { "dist": "exponential", "mean": "1ms" } } ] }
            """
        let r = Runner.run(try scenario(json))
        let attempts = r.instances.map { $0.values[0] }
        let total = attempts.reduce(0, +)
        return attempts.map { $0 / total }
    }

    /// Smooth weighted round robin is exact: 1:1:2 gives a quarter, a quarter and a half (within one pick).
    /// Random and least request (about 10,000 picks, light load) come within two points; the ring within five.
    @Test func sharesFollowTheWeights() throws {
        let rr = try shares(#"{ "type": "round-robin", "scope": "global" }"#)
        #expect(abs(rr[2] - 0.5) < 0.001 && abs(rr[0] - 0.25) < 0.001)
        let random = try shares(#""random""#)
        #expect(abs(random[2] - 0.5) < 0.02)
        let least = try shares(#"{ "type": "least-request", "scope": "global" }"#)
        #expect(least[2] > 0.4)
        let ring = try shares(#"{ "type": "ring-hash" }"#)
        #expect(abs(ring[2] - 0.5) < 0.08)
    }

    @Test func weightsAreChecked() {
        let base = """
            { "name": "x", "duration": "10s", "clients": { "count": 1, "target": "s" },
              "services": [ { "name": "s", "workers": 1, "instances": 2, "serviceTime": { "dist": "constant", "value": "1ms" }, "weights": WEIGHTS } ] }
            """
        #expect(issues(base.replacingOccurrences(of: "WEIGHTS", with: "[1, 2, 3]")).contains { $0.contains("services[0].weights") && $0.contains("2 weights") })
        #expect(issues(base.replacingOccurrences(of: "WEIGHTS", with: "[1, 0]")).contains { $0.contains("services[0].weights[1]") })
    }
}

/// Instances of different sizes (instanceWorkers): each holds its own workers, utilization counts them all.
@Suite struct InstanceWorkersTests {
    @Test func unequalInstancesAndTheirUtilization() throws {
        let json = """
            { "name": "sizes", "seed": 1, "duration": "200s",
              "clients": { "count": 200, "target": "s", "arrival": { "type": "poisson", "rate": 1 } },
              "services": [ { "name": "s", "workers": 1, "instances": 2, "instanceWorkers": [2, 6], "weights": [1, 3],
                              "balancer": "random", "queue": { "capacity": 100000 },
                              "serviceTime": { "dist": "exponential", "mean": "20ms" } } ] }
            """
        let (r, problems) = Runner.runAudited(Variant(name: "base", parameters: [], scenario: try scenario(json)))
        #expect(problems.isEmpty, "\(problems.prefix(3))")
        // 200 requests/s of 20 ms are 4 busy workers out of 8: 0.5, split 1:3 onto 2 and 6 workers, 0.5 each.
        #expect(abs(r.value("s_utilization")! - 0.5) < 0.02)
        let utilization = InstanceMetric.allCases.firstIndex(of: .utilization)!
        #expect(r.instances.allSatisfy { abs($0.values[utilization] - 0.5) < 0.03 })
    }

    @Test func sizesAreChecked() {
        let base = """
            { "name": "x", "duration": "10s", "clients": { "count": 1, "target": "s" },
              "services": [ { "name": "s", "workers": 1, "instances": 2, "serviceTime": { "dist": "constant", "value": "1ms" }, "instanceWorkers": SIZES } ] }
            """
        #expect(issues(base.replacingOccurrences(of: "SIZES", with: "[1]")).contains { $0.contains("services[0].instanceWorkers") && $0.contains("2 worker counts") })
        #expect(issues(base.replacingOccurrences(of: "SIZES", with: "[1, 0.5]")).contains { $0.contains("services[0].instanceWorkers[1]") })
    }
}

/// Envoy's slow start: an instance back from an ejection ramps its weight over the window, from 10%.
@Suite struct SlowStartTests {
    @Test func aReturningInstanceRampsUp() throws {
        func attemptsAtTheReturner(_ slowStart: String) throws -> Double {
            let json = """
                { "name": "ss", "seed": 1, "duration": "100s",
                  "clients": { "count": 100, "target": "s", "arrival": { "type": "poisson", "rate": 1 } },
                  "services": [ { "name": "s", "workers": 10, "instances": 4,
                                  "balancer": { "type": "round-robin", "scope": "global"\(slowStart) },
                                  "outlierDetection": { "maxEjectionPercent": 50 },
                                  "serviceTime": { "dist": "exponential", "mean": "5ms" },
                                  "faults": [ { "type": "outage", "from": "0s", "to": "10s", "instances": [0] } ] } ] }
                """
            let (r, problems) = Runner.runAudited(Variant(name: "base", parameters: [], scenario: try scenario(json)))
            #expect(problems.isEmpty, "\(problems.prefix(3))")
            return r.instances[0].values[0]
        }
        // Ejected at once, back at the 40 s sweep; then a quarter of the 100 requests/s without slow start
        // (about 1,500 attempts in 60 s), about 60% of that with a 60 s linear ramp from 10%.
        let plain = try attemptsAtTheReturner("")
        let ramped = try attemptsAtTheReturner(#", "slowStart": { "window": "60s" }"#)
        #expect(plain > 1_400)
        #expect(ramped < 0.75 * plain && ramped > 0.4 * plain)
    }
}
