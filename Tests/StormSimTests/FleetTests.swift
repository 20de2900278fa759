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
