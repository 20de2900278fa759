import Testing

@testable import StormSim

/// Each semantic warning has a scenario that triggers it and a near neighbour that does not. The base is the
/// starter scenario `stormsim init` writes (clients -> api -> payments -> bank, 400 requests/s), which must raise
/// none.
@Suite struct ScenarioWarningsTests {
    func warnings(chain: Int = 3, arrival: StarterScenario.ArrivalKind = .poisson, preset: String? = nil, _ sets: [String] = []) throws -> [ScenarioWarning] {
        var starter = StarterScenario()
        starter.chain = chain
        starter.arrival = arrival
        starter.preset = preset
        var overrides: [Override] = []
        for text in sets { overrides.append(try Override.parse(text)) }
        let set = try ScenarioDecoder.decodeSet(text: starter.text, file: "starter.json", overrides: overrides)
        return ScenarioWarnings.check(set)
    }

    func kinds(_ w: [ScenarioWarning]) -> [ScenarioWarning.Kind] { w.map(\.kind) }

    @Test func theStarterScenariosRaiseNone() throws {
        for arrival in StarterScenario.ArrivalKind.allCases {
            for chain in 1...StarterScenario.maxChain {
                let w = try warnings(chain: chain, arrival: arrival)
                #expect(w.isEmpty, "\(arrival) chain \(chain): \(w.map(\.description))")
            }
        }
    }

    @Test func aFullQueueThatOutlivesTheCallersTimeout() throws {
        // bank: 12 workers x 20 ms; payments waits 800 ms. 10,000 places wait about 17 s.
        let w = try warnings(["services[2].queue.capacity=10000"])
        #expect(kinds(w) == [.queueOutlivesTimeout])
        #expect(w.first?.path == "services[2].queue.capacity")
        #expect(w.first?.message.contains("payments gives up after 800 ms (services[1].policy.timeout)") == true)
        // A queue timeout within the caller's, or adaptive LIFO, answers it.
        #expect(try warnings(["services[2].queue.capacity=10000", "services[2].queue.timeout=400ms"]).isEmpty)
        #expect(try warnings(["services[2].queue.capacity=10000", "services[2].queue.discipline=adaptive-lifo"]).isEmpty)
    }

    @Test func aPresetWithoutATimeout() throws {
        let w = try warnings(preset: "aws-standard", ["clients.hosts=200", "clients.policy.timeout=none"])
        #expect(kinds(w) == [.noTimeout])
        #expect(w.first?.path == "clients.policy.timeout" && w.first?.message.contains("the preset aws-standard sets no timeout") == true)
        #expect(try warnings(preset: "aws-standard", ["clients.hosts=200"]).isEmpty)
        // A policy of one attempt with no timeout is a plain call, not a trap.
        #expect(try warnings(["clients.policy.timeout=none", #"vary={"clients.policy.maxAttempts": [1]}"#]).filter { $0.kind == .noTimeout }.isEmpty)
    }

    @Test func aPresetThatDoesNotRetryTheFailuresProduced() throws {
        // gRPC's policy retries UNAVAILABLE, not DEADLINE_EXCEEDED; the slowdown produces timeouts.
        let w = try warnings(preset: "grpc", ["clients.hosts=200"])
        #expect(kinds(w) == [.failuresNotRetried])
        #expect(w.first?.path == "clients.policy.retryOn" && w.first?.message.contains("timeouts") == true)
        #expect(try warnings(preset: "grpc", ["clients.hosts=200", #"clients.policy.retryOn=["timeout","rejected","error"]"#]).isEmpty)
        // Server errors that the policy leaves out count too.
        let errors = try warnings(["services[2].errorRate=0.1", #"clients.policy.retryOn=["timeout"]"#])
        #expect(kinds(errors) == [.failuresNotRetried] && errors.first?.message.contains("server errors (from bank)") == true)
    }

    @Test func aBudgetPerHostWithEveryClientOnOneHost() throws {
        let w = try warnings(preset: "aws-standard")
        #expect(kinds(w) == [.sharedBucket])
        #expect(w.first?.path == "clients.hosts" && w.first?.message.contains("all 200 clients share one") == true)
        #expect(try warnings(preset: "aws-standard", ["clients.hosts=200"]).isEmpty)
        #expect(try warnings(preset: "aws-standard", ["clients.policy.budget.scope=client"]).isEmpty)
    }

    @Test func aDownstreamTimeoutLongerThanItsCallers() throws {
        let w = try warnings(["services[1].policy.timeout=2s"])
        #expect(kinds(w) == [.downstreamTimeoutLonger])
        #expect(w.first?.path == "services[1].policy.timeout" && w.first?.message.contains("(900ms, services[0].policy.timeout)") == true)
        #expect(try warnings(["services[1].policy.timeout=850ms"]).isEmpty)
    }

    @Test func retriesMultiplyingAcrossLayers() throws {
        // 3 x 3 x 3 = 27 attempts at bank per request.
        let w = try warnings(["services[0].policy.maxAttempts=3", "services[1].policy.maxAttempts=3"])
        #expect(kinds(w) == [.retriesMultiply])
        #expect(w.first?.path == "services[1].policy.maxAttempts" && w.first?.message.contains("27 attempts at bank") == true)
        // 3 x 3 = 9 stays under the threshold of 10.
        #expect(try warnings(["services[1].policy.maxAttempts=3"]).isEmpty)
    }

    @Test func offeredLoadAboveCapacityBeforeAnyFault() throws {
        let w = try warnings(["clients.count=400"])
        #expect(kinds(w).contains(.overloadedBeforeFault))
        #expect(w.first { $0.kind == .overloadedBeforeFault }?.message.contains("bank is offered 800 attempts/s against a capacity of about 600/s") == true)
        #expect(try warnings(["clients.count=280"]).isEmpty)
        // A burst is a trigger, not a base load.
        #expect(try warnings(arrival: .burst).isEmpty)
    }

    @Test func aWarningOfSomeVariantsNamesThem() throws {
        let w = try warnings([#"vary={"services[1].policy.timeout": ["500ms", "2s"]}"#])
        #expect(w.count == 1 && w.first?.message.hasSuffix("(in variant 2s)") == true)
    }
}

/// `explain`: every value of the first variant, with where it came from.
@Suite struct ExplainTests {
    @Test func sourcesOfValues() throws {
        let text = """
            {"name": "e", "duration": "10s",
             "//": "a comment, ignored",
             "clients": {"count": 10, "target": "api", "arrival": {"type": "poisson", "rate": 1},
                         "policy": {"preset": "aws-standard", "timeout": "1s", "backoff": {"base": "2s"}}},
             "services": [{"name": "api", "workers": 2, "serviceTime": {"dist": "exponential", "mean": "10ms"}}],
             "vary": {"clients.policy.maxAttempts": [2, 4], "//": "comment"}}
            """
        let log = ExplainLog()
        let json = try JSONParser.parse(text)
        let set = try ScenarioDecoder.decodeSet(json: json, file: "e.json", overrides: [try Override.parse("clients.hosts=5")], log: log)
        #expect(set.variants.map(\.name) == ["2", "4"])
        func source(_ path: String) -> String? { log.values.first { $0.path == path }.map { "\($0.value) \($0.source)" } }
        #expect(source("clients.count") == "10 file")
        #expect(source("clients.hosts") == "5 --set")
        #expect(source("clients.policy.maxAttempts") == "2 vary")
        #expect(source("clients.policy.preset") == "\"aws-standard\" file")
        #expect(source("clients.policy.backoff.base") == "\"2s\" file")
        #expect(source("clients.policy.backoff.max") == "\"20s\" preset aws-standard")
        #expect(source("clients.policy.budget.capacity") == "500 preset aws-standard")
        #expect(source("services[0].queue.capacity") == "1000 default")
        #expect(source("clients.policy.breaker") == "none default")
        #expect(source("metrics.interval") == "\"1s\" default")
        // Only leaves: an object whose members are listed is not listed itself.
        #expect(source("clients.policy.backoff") == nil)
        #expect(!log.values.contains { $0.path.contains("//") })
    }
}
