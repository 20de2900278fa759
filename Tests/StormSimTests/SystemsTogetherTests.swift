import Foundation
import Testing

@testable import StormSim

/// The systems that change under the storm, all at once: a cache with a soft TTL and coalescing in front of a
/// message queue and an autoscaled database whose instances crash in fault windows. The books must balance at
/// every checkpoint, and every feature must have been exercised.
@Suite struct SystemsTogetherTests {
    @Test func everythingAtOnceKeepsTheBooks() throws {
        let s = try scenario("""
            { "name": "edge", "duration": "60s", "seed": 1,
              "clients": { "count": 50, "target": "api", "arrival": { "type": "poisson", "rate": 2 },
                           "policy": { "timeout": "1s", "maxAttempts": 3 } },
              "services": [
                { "name": "api", "workers": 2, "serviceTime": { "dist": "exponential", "mean": "20ms" }, "calls": ["q", "db"],
                  "cache": { "keys": 50, "capacity": 20, "ttl": "3s", "softTtl": "1s", "coalesce": true } },
                { "name": "q", "kind": "sqs", "consumers": 2, "batch": 3, "visibilityTimeout": "100ms", "calls": "db",
                  "maxReceiveCount": 3, "visibilityBackoff": { "base": "50ms" }, "policy": { "timeout": "200ms", "maxAttempts": 2 } },
                { "name": "db", "instances": 3, "workers": 1, "serviceTime": { "dist": "exponential", "mean": "5ms" },
                  "balancer": { "type": "least-request", "slowStart": { "window": "2s" } },
                  "autoscale": { "min": 2, "max": 6, "target": 0.05, "startup": "1s", "sync": "2s", "scaleDownStabilization": "6s" },
                  "crash": { "heldAbove": 20, "for": "100ms", "restart": { "delay": "1s" }, "warmup": { "factor": 2, "period": "5s" } },
                  "faults": [ { "type": "crash", "from": "10s", "to": "12s", "instances": [1] },
                              { "type": "crash", "from": "20s", "to": "30s", "fraction": 0.5 } ] } ] }
            """)
        let (r, problems) = Runner.runAudited(Variant(name: "base", parameters: [], scenario: s))
        #expect(problems.isEmpty, "\(problems.prefix(5))")
        #expect(r.value("api_hit_ratio")! > 0.3 && r.value("q_served")! > 0 && r.value("q_dead_lettered")! > 0)
        #expect(r.value("db_crashes")! >= 3)
        let serving = r.seriesRows.map { $0[r.seriesHeader.firstIndex(of: "db_instances")!] }
        #expect(serving.max()! > 3)
    }
}
