import Testing

@testable import StormSim

@Suite struct DeterminismTests {
    let json = """
        { "name": "det", "seed": 9, "duration": "30s",
          "network": { "latency": { "dist": "normal", "mean": "2ms", "stddev": "1ms" } },
          "clients": { "count": 500, "target": "s", "arrival": { "type": "poisson", "rate": 2 },
                       "policy": { "timeout": "200ms", "maxAttempts": 4, "jitter": "decorrelated" } },
          "services": [ { "name": "s", "workers": 8, "queue": { "capacity": 50 },
                          "serviceTime": { "dist": "lognormal", "median": "8ms", "sigma": 0.8 }, "errorRate": 0.05 } ] }
        """

    func bytes(_ s: Scenario) -> String {
        let r = Runner.run(s)
        return ResultWriter.summaryTable([r]).text + r.timeSeries.text
    }

    @Test func sameSeedGivesIdenticalBytes() throws {
        let s = try scenario(json)
        #expect(bytes(s) == bytes(s))
    }

    @Test func otherSeedGivesDifferentResults() throws {
        var s = try scenario(json)
        let first = bytes(s)
        s.seed = 10
        #expect(bytes(s) != first)
    }

    /// Adding a service nobody calls shifts no random stream: the clients' results are unchanged.
    @Test func addingAComponentShiftsNoOtherStream() throws {
        let base = Runner.run(try scenario(json))
        let extended = json.replacingOccurrences(
            of: #""errorRate": 0.05 } ]"#,
            with: #""errorRate": 0.05 }, { "name": "idle", "workers": 1, "serviceTime": { "dist": "exponential", "mean": "1ms" } } ]"#)
        let other = Runner.run(try scenario(extended))
        for column in ["requests", "attempts", "succeeded", "latency_p99_ms", "s_served"] {
            #expect(base.value(column) == other.value(column), "\(column)")
        }
    }
}
