import Foundation
import Testing

@testable import StormSim

@Suite struct ChainTests {
    static let scenarios = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scenarios")

    func bundled(_ name: String) throws -> ScenarioSet {
        try ScenarioDecoder.loadSet(file: Self.scenarios.appendingPathComponent("\(name).json").path)
    }

    /// With a attempts per hop and a dead leaf, hop k sees a^k attempts per request: exactly.
    @Test func amplificationIsExactlyAToTheDepth() throws {
        let set = try bundled("retry-amplification")
        let every = Runner.run(set.variants[0])
        let requests = every.value("requests")!
        #expect(requests == 100)
        for (k, name) in ["gateway", "orders", "inventory", "pricing", "db"].enumerated() {
            #expect(every.value("\(name)_attempts") == requests * pow(3, Double(k + 1)), "\(name)")
        }
        #expect(every.value("db_amplification") == 243)
        let edge = Runner.run(set.variants[1])
        #expect(edge.value("db_attempts") == 3 * requests)
        let budgeted = Runner.run(set.variants[2])
        #expect(budgeted.value("db_amplification")! < 10)
    }

    /// Stacked retry layers in one hop (application, SDK, sidecar) multiply too: 3 x 3 x 2 = 18.
    @Test func stackedProxyLayersMultiply() throws {
        let r = Runner.run(try scenario("""
            { "name": "stack", "duration": "10s",
              "clients": { "count": 10, "target": "sdk", "arrival": { "type": "burst" },
                           "policy": { "maxAttempts": 3, "jitter": "none", "backoff": { "type": "constant", "base": "1ms", "max": "1ms" } } },
              "services": [
                { "name": "sdk", "kind": "proxy", "calls": "sidecar",
                  "policy": { "maxAttempts": 3, "jitter": "none", "backoff": { "type": "constant", "base": "1ms", "max": "1ms" } } },
                { "name": "sidecar", "kind": "proxy", "calls": "api",
                  "policy": { "maxAttempts": 2, "jitter": "none", "backoff": { "type": "constant", "base": "1ms", "max": "1ms" } } },
                { "name": "api", "workers": 100, "serviceTime": { "dist": "constant", "value": "1ms" }, "errorRate": 1 } ] }
            """))
        #expect(r.value("api_amplification") == 18)
        #expect(r.value("sdk_amplification") == 3 && r.value("sidecar_amplification") == 9)
        #expect(r.value("failed") == 10)
    }

    /// A worker that waits on a slow dependency holds its worker: with one worker, the second of two
    /// simultaneous requests queues behind the first for the whole call (2 s). An asynchronous service does not.
    @Test func waitingWorkersCauseUpstreamQueueing() throws {
        func run(async: Bool) throws -> RunResult {
            try Runner.run(scenario("""
                { "name": "hold", "duration": "10s",
                  "clients": { "count": 2, "target": "front", "arrival": { "type": "burst" } },
                  "services": [
                    { "name": "front", "workers": 1, "async": \(async), "serviceTime": { "dist": "constant", "value": "0s" }, "calls": "slow" },
                    { "name": "slow", "workers": 10, "serviceTime": { "dist": "constant", "value": "1s" } } ] }
                """))
        }
        let sync = try run(async: false), async = try run(async: true)
        #expect(sync.value("latency_max_ms") == 2000)
        #expect(async.value("latency_max_ms") == 1000)
        #expect(sync.value("front_utilization")! > async.value("front_utilization")!)
    }

    /// Without deadline propagation a service serves attempts nobody waits for (wasted); with it, it drops them.
    @Test func deadlinePropagationDropsInsteadOfWasting() throws {
        func run(propagate: Bool) throws -> RunResult {
            try Runner.run(scenario("""
                { "name": "deadline", "duration": "30s",
                  "clients": { "count": 200, "target": "api", "arrival": { "type": "burst" }, "deadline": "500ms",
                               "propagateDeadline": \(propagate) },
                  "services": [ { "name": "api", "workers": 2, "queue": { "capacity": 1000 },
                                  "serviceTime": { "dist": "constant", "value": "100ms" } } ] }
                """))
        }
        let plain = try run(propagate: false), propagated = try run(propagate: true)
        // 2 workers serve 20 per second: 10 requests make their 500 ms deadline either way.
        #expect(plain.value("succeeded") == propagated.value("succeeded"))
        #expect(plain.value("api_wasted")! > 100 && plain.value("api_dropped") == 0)
        #expect(propagated.value("api_dropped")! > 100)
        #expect(propagated.value("api_wasted")! < 5)
        #expect(propagated.value("api_served")! < plain.value("api_served")! / 10)
    }

    /// A load change doubles arrivals within its window and nowhere else.
    @Test func loadSpikeChangesExactlyItsWindow() throws {
        let r = Runner.run(try scenario("""
            { "name": "spike", "duration": "30s",
              "clients": { "count": 500, "target": "s", "arrival": { "type": "poisson", "rate": 1 },
                           "load": [ { "from": "10s", "to": "20s", "multiplier": 3 } ] },
              "services": [ { "name": "s", "workers": 1000, "serviceTime": { "dist": "constant", "value": "1ms" } } ] }
            """))
        let c = r.seriesHeader.firstIndex(of: "requests")!
        let outside = r.seriesRows.enumerated().filter { !(10..<20).contains($0.offset) }.map { $0.element[c] }
        let inside = r.seriesRows[10..<20].map { $0[c] }
        // 500 per second outside (sd 22), 1,500 inside (sd 39).
        #expect(outside.allSatisfy { abs($0 - 500) < 120 })
        #expect(inside.allSatisfy { abs($0 - 1500) < 200 })
    }

    /// The metastable storm: unprotected, goodput never comes back after the spike; each protection (but a
    /// queue timeout as long as the client's) brings it back.
    @Test func metastableStormAndItsProtections() throws {
        let set = try bundled("metastable-retry-storm")
        #expect(set.variants.map(\.name) == ["unprotected", "retry-budget", "adaptive-lifo", "codel", "queue-timeout-1s",
            "queue-timeout-500ms", "deadline-propagation"])
        let results = BatchRunner.run(set.variants, jobs: 2)
        func recovered(_ i: Int) -> Double? { results[i].value("recovered") }
        #expect(recovered(0) == 0 && results[0].value("success_rate")! < 0.3)
        #expect(recovered(4) == 0)
        for i in [1, 2, 3, 5, 6] { #expect(recovered(i) == 1, "\(set.variants[i].name)") }
        #expect(results[1].value("recovery_time_s")! > 10)  // the budget needs a while
        #expect(results[2].value("recovery_time_s") == 0 && results[3].value("recovery_time_s") == 0)
    }

    /// Service time grows with the number in service (congestive collapse): 10 ms plus 1 ms per other request.
    @Test func concurrencyPenaltySlowsEveryone() throws {
        let r = Runner.run(try scenario("""
            { "name": "collapse", "duration": "10s",
              "clients": { "count": 11, "target": "s", "arrival": { "type": "burst" } },
              "services": [ { "name": "s", "workers": 100, "concurrencyPenalty": "1ms", "serviceTime": { "dist": "constant", "value": "10ms" } } ] }
            """))
        // Attempts start one after another at time 0, with 0, 1, ..., 10 others in service.
        #expect(r.value("latency_max_ms") == 20)
        #expect(r.value("latency_p50_ms")! < 20)
    }

    @Test func badChainsAreRefused() {
        #expect(issues("""
            { "name": "c", "duration": "1s", "clients": { "count": 1, "target": "a", "arrival": { "type": "burst" } },
              "services": [ { "name": "a", "workers": 1, "serviceTime": { "dist": "constant", "value": "1ms" }, "calls": "b" },
                            { "name": "b", "workers": 1, "serviceTime": { "dist": "constant", "value": "1ms" }, "calls": ["c", "a"] },
                            { "name": "c", "workers": 1, "serviceTime": { "dist": "constant", "value": "1ms" } } ] }
            """) == ["services[0].calls: the calls form a cycle (a -> b -> a); a request would never finish"])
        #expect(issues("""
            { "name": "c", "duration": "1s", "clients": { "count": 1, "target": "a", "arrival": { "type": "burst" } },
              "services": [ { "name": "a", "workers": 1, "serviceTime": { "dist": "constant", "value": "1ms" }, "calls": "bb" },
                            { "name": "b", "kind": "proxy" } ] }
            """) == [#"services[1].calls: missing; expected the name of the service a proxy forwards to"#,
                     #"services[0].calls[0]: "bb" names no service; did you mean "b"?"#])
    }
}
