import StormSim
import Testing

/// What a team can do with `import StormSim` in its own test suite: load a scenario (a file or JSON text, with
/// overrides), or build one in code, run it, and hold the summary metrics to its own bounds.
@Suite struct PublicAPITests {
    let text = """
        { "name": "checkout", "seed": 7, "duration": "60s",
          "clients": { "count": 200, "target": "payments", "arrival": { "type": "poisson", "rate": 2 },
                       "policy": { "timeout": "500ms", "maxAttempts": 3, "budget": { "type": "ratio", "ratio": 0.1, "scope": "global" } } },
          "services": [ { "name": "payments", "workers": 40, "serviceTime": { "dist": "exponential", "mean": "50ms" },
                          "faults": [ { "type": "outage", "from": "20s", "to": "30s" } ] } ],
          "vary": { "clients.policy.maxAttempts": [1, 3] } }
        """

    /// Every variant of a scenario, run and read by metric.
    @Test func runEveryVariantAndReadTheSummary() throws {
        let set = try ScenarioDecoder.decodeSet(text: text, file: "checkout.json")
        #expect(set.variants.map(\.name) == ["1", "3"])
        let results = set.variants.map { Runner.run($0) }
        for r in results {
            #expect(r.value(.successRate)! > 0.7 && r.value(.recovered) == 1)
            #expect(r.value("payments_utilization")! < 0.5)
        }
        // One budget for all clients caps the retries of the outage near 10% of the requests of its window.
        #expect(results[1].value(.amplification)! < 1.05 && results[1].value(.budgetRefused)! > 1000)
        #expect(results[1].value(.successRate)! >= results[0].value(.successRate)!)
    }

    /// `--set` from code, and the errors a bad scenario gives.
    @Test func overridesAndErrors() throws {
        let override = try Override.parse("services[0].workers=5")
        let scenario = try ScenarioDecoder.decode(text: text, file: "checkout.json", overrides: [override])
        #expect(scenario.services[0].workers == 5)
        #expect(throws: ScenarioError.self) {
            try ScenarioDecoder.decode(text: #"{ "name": "x" }"#, file: "bad.json")
        }
    }

    /// A scenario built in code: 100 clients in one burst against 10 workers.
    @Test func buildAScenarioInCode() {
        let policy = RetryPolicy(
            timeout: .milliseconds(200), maxAttempts: 2,
            backoff: Backoff(kind: .exponential, base: .milliseconds(10), multiplier: 2, max: .seconds(1)), jitter: .full)
        let scenario = Scenario(
            name: "in-code", duration: .seconds(10),
            clients: Clients(count: 100, target: "api", arrival: .burst(at: .zero, spread: .zero), policy: policy),
            services: [Service(name: "api", workers: 10, queueCapacity: 1000, serviceTime: .constant(value: .milliseconds(5)))])
        let r = Runner.run(scenario)
        #expect(r.value(.requests) == 100 && r.value(.succeeded) == 100)
        #expect(r.value(.makespan)! == 0.05)  // ten rounds of 5 ms
        #expect(Runner.metricColumns(services: ["api"]).contains("api_utilization"))
    }
}
