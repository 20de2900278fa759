import Foundation
import Testing

@testable import StormSim

/// Runs that would exhaust memory are refused before they start, with the estimate and the key to change.
@Suite struct ResourceEstimateTests {
    func set(_ text: String) throws -> ScenarioSet { try ScenarioDecoder.decodeSet(text: text, file: "t.json") }

    static func poisson(clients: Int, duration: String, interval: String = "1s", policy: String = "",
                        capacity: Int = 1000, extra: String = "") -> String {
        """
        { "name": "e", "duration": "\(duration)", "metrics": { "interval": "\(interval)" }\(extra),
          "clients": { "count": \(clients), "target": "api", "arrival": { "type": "poisson", "rate": 1 }\(policy) },
          "services": [ { "name": "api", "workers": 10, "queue": { "capacity": \(capacity) },
                          "serviceTime": { "dist": "constant", "value": "1ms" } } ] }
        """
    }

    /// The issue's cases: each would grow until the machine runs out.
    @Test func runsThatWouldExhaustMemoryAreRefused() throws {
        // 1,000,000 s at a 1 s interval with 20 variants: each variant's series goes to disk as soon as it is
        // complete, so what counts is two live runs of 10^6 rows (measured: 1.49 GB peak at 30 columns a row; the
        // columns of caches, autoscaling and message queues made it 35, and the estimate 2.0 GB); 3 at once do
        // not fit.
        let rows = try set(Self.poisson(clients: 1, duration: "1000000s",
                                        extra: #", "vary": { "services[0].workers": { "from": 1, "to": 20, "step": 1 } }"#))
        let r = ResourceEstimate.of(rows, replications: 1, jobs: 2, trace: 0)
        #expect(r.bytes > 1.6e9 && r.bytes < 2.2e9, "\(r.bytes)")
        #expect(r.parts[0].what.hasPrefix("time series of the running jobs"))
        #expect(r.refusal(maxBytes: ResourceEstimate.defaultMaxBytes) == nil)
        #expect(ResourceEstimate.of(rows, replications: 1, jobs: 3, trace: 0).refusal(maxBytes: 2e9)?.contains("--max-memory") == true)
        // 10^7 clients in one burst, two at once.
        let burst = try set("""
            { "name": "b", "duration": "60s", "vary": { "services[0].workers": [1, 2] },
              "clients": { "count": 10000000, "target": "api", "arrival": { "type": "burst" } },
              "services": [ { "name": "api", "workers": 10, "serviceTime": { "dist": "constant", "value": "1ms" } } ] }
            """)
        #expect(ResourceEstimate.of(burst, replications: 1, jobs: 2, trace: 0).refusal(maxBytes: 4e9) != nil)
        // --trace 100000 with 1,000 attempts each.
        let traced = try set(Self.poisson(clients: 1000, duration: "600s", policy: #", "policy": { "maxAttempts": 1000 }"#))
        let t = ResourceEstimate.of(traced, replications: 1, jobs: 1, trace: 100_000)
        #expect(t.parts[0].what == "traced requests" && t.refusal(maxBytes: 4e9) != nil)
        #expect(ResourceEstimate.of(traced, replications: 1, jobs: 1, trace: 0).refusal(maxBytes: 4e9) == nil)
        // 10^6 clients retrying every 1 ms into a queue of 10^8: abandoned attempts fill the queue.
        let queue = try set(Self.poisson(clients: 1_000_000, duration: "100s", policy: """
            , "policy": { "timeout": "1ms", "maxAttempts": 100, "backoff": { "type": "constant", "base": "1ms" } }
            """, capacity: 100_000_000))
        let q = ResourceEstimate.of(queue, replications: 1, jobs: 1, trace: 0)
        #expect(q.bytes > 2e10 && q.parts[0].what.hasPrefix("requests in flight"))
    }

    /// Variants, replications and load multiply the work of a command.
    @Test func workCountsVariantsReplicationsAndLoad() throws {
        let one = try set(Self.poisson(clients: 1000, duration: "1000s"))
        #expect(ResourceEstimate.of(one, replications: 1, jobs: 1, trace: 0).requests == 1e6)
        #expect(ResourceEstimate.of(one, replications: 30_000, jobs: 1, trace: 0).refusal(maxBytes: .infinity)?.contains("3e10 requests") == true)
        let spiked = try set(Self.poisson(clients: 1000, duration: "1000s", policy: #", "load": [ { "from": "100s", "to": "200s", "multiplier": 3 } ]"#))
        #expect(ResourceEstimate.of(spiked, replications: 1, jobs: 1, trace: 0).requests == 1.2e6)
    }

    /// Every bundled scenario runs under the default limit, as the README's commands do.
    @Test func bundledScenariosFitTheDefaultLimit() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scenarios")
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) where name.hasSuffix(".json") && name != "schema.json" {
            let s = try ScenarioDecoder.loadSet(file: folder.appendingPathComponent(name).path)
            let e = ResourceEstimate.of(s, replications: 10, jobs: 2, trace: 100)
            #expect(e.refusal(maxBytes: ResourceEstimate.defaultMaxBytes) == nil, "\(name): \(ResourceEstimate.format(e.bytes))")
        }
    }

    @Test func sizesParse() {
        #expect(ResourceEstimate.parseSize("512M") == 512e6)
        #expect(ResourceEstimate.parseSize("16G") == 16e9)
        #expect(ResourceEstimate.parseSize("2tb") == 2e12)
        #expect(ResourceEstimate.parseSize("100000") == 1e5)
        #expect(ResourceEstimate.parseSize("-1G") == nil && ResourceEstimate.parseSize("lots") == nil)
    }
}
