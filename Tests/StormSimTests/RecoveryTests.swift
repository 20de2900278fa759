import Foundation
import Testing

@testable import StormSim

/// The `recovered` verdict: goodput must come back after the trigger and stay back until the end of the run.
@Suite struct RecoveryTests {
    /// Brooker's collapse model: 40 requests/s, a 5 s spike to 80/s, service time 1 s + 10 ms per other request in
    /// service, a 3 s timeout and 3 attempts with no backoff. Some seeds collapse for good once the spike has
    /// passed, yet completions of requests sent during the spike keep goodput near normal for a few seconds after
    /// it: the old verdict (the first 5 s average after the trigger) called those runs recovered.
    static func brooker(seed: Int) -> String {
        """
        { "name": "brooker", "seed": \(seed), "duration": "120s", "metrics": { "interval": "1s" },
          "clients": { "count": 40, "target": "api", "arrival": { "type": "poisson", "rate": 1 },
                       "policy": { "timeout": "3s", "maxAttempts": 3, "jitter": "none",
                                   "backoff": { "type": "constant", "base": "0s" } },
                       "load": [ { "from": "20s", "to": "25s", "multiplier": 2 } ] },
          "services": [ { "name": "api", "workers": 100000, "queue": { "capacity": 0 },
                          "serviceTime": { "dist": "constant", "value": "1s" }, "concurrencyPenalty": "10ms" } ] }
        """
    }

    /// Goodput per second in each row from `from` seconds on.
    func goodput(_ r: RunResult, from: Double) -> [Double] {
        let t = r.seriesHeader.firstIndex(of: "time_s")!, s = r.seriesHeader.firstIndex(of: "successes")!
        return r.seriesRows.filter { $0[t] >= from }.map { $0[s] }
    }

    @Test func aCollapseThatDrainsLateCompletionsHasNotRecovered() throws {
        // Seeds 6 and 9 collapse (measured: goodput 0 from about 31 s to the end); seed 1 rides the spike out.
        for seed in [6, 9] {
            let r = Runner.run(try scenario(Self.brooker(seed: seed)))
            let after = goodput(r, from: 25)
            // The artifact the verdict must see through: the first seconds after the trigger still look normal.
            #expect(after.prefix(5).reduce(0, +) / 5 > 30, "seed \(seed): late completions lift goodput after the spike")
            #expect(goodput(r, from: 60).allSatisfy { $0 == 0 }, "seed \(seed) collapses")
            #expect(r.value("recovered") == 0, "seed \(seed)")
            #expect(r.value("recovery_time_s") == nil, "seed \(seed)")
        }
        let calm = Runner.run(try scenario(Self.brooker(seed: 1)))
        #expect(calm.value("recovered") == 1)
        #expect(calm.value("recovery_time_s") == 0)
    }

    /// A dip after the first windows moves the recovery time past it: the time is when goodput came back for good.
    @Test func recoveryTimeIsWhenGoodputStaysBack() {
        // 1 s rows at 100/s; the trigger is 20 s to 30 s; goodput is 0 in it and back right after it.
        var goodput = [Double](repeating: 100, count: 60)
        for t in 20..<30 { goodput[t] = 0 }
        let trigger = (start: SimDuration.seconds(20), end: SimDuration.seconds(30))
        var v = Metastability.verdict(goodput: goodput, interval: 1_000_000_000, triggerStart: trigger.start, triggerEnd: trigger.end)
        #expect(v?.recovered == true && v?.time == 0)
        // Then a collapse of 4 s from 36 s: the windows starting at 33 s to 39 s dip below 90%, so goodput is back
        // for good from 40 s, 10 s after the trigger.
        for t in 36..<40 { goodput[t] = 0 }
        v = Metastability.verdict(goodput: goodput, interval: 1_000_000_000, triggerStart: trigger.start, triggerEnd: trigger.end)
        #expect(v?.recovered == true && v?.time == 10)
        // A single second at 60% is 92% of normal over 5 s: not a dip.
        goodput = [Double](repeating: 100, count: 60)
        goodput[45] = 60
        v = Metastability.verdict(goodput: goodput, interval: 1_000_000_000, triggerStart: trigger.start, triggerEnd: trigger.end)
        #expect(v?.recovered == true && v?.time == 0)
        // Goodput that is down over the last 5 s has not recovered, whatever came before.
        for t in 56..<60 { goodput[t] = 0 }
        v = Metastability.verdict(goodput: goodput, interval: 1_000_000_000, triggerStart: trigger.start, triggerEnd: trigger.end)
        #expect(v?.recovered == false && v?.time == nil)
    }

    @Test func noVerdictWithoutANormalLevelOrTimeToJudge() throws {
        // Goodput before the trigger is 0 (every request fails): nothing to come back to.
        let dead = Runner.run(try scenario("""
            { "name": "dead", "duration": "60s",
              "clients": { "count": 10, "target": "api", "arrival": { "type": "poisson", "rate": 1 } },
              "services": [ { "name": "api", "workers": 1, "serviceTime": { "dist": "constant", "value": "1ms" },
                              "errorRate": 1,
                              "faults": [ { "type": "outage", "from": "20s", "to": "30s", "answer": "error" } ] } ] }
            """))
        #expect(dead.value("recovered") == nil)
        // The run ends 2 s after the trigger: less than one 5 s window to judge.
        let short = Runner.run(try scenario("""
            { "name": "short", "duration": "32s",
              "clients": { "count": 10, "target": "api", "arrival": { "type": "poisson", "rate": 1 } },
              "services": [ { "name": "api", "workers": 1, "serviceTime": { "dist": "constant", "value": "1ms" },
                              "faults": [ { "type": "outage", "from": "20s", "to": "30s", "answer": "error" } ] } ] }
            """))
        #expect(short.value("recovered") == nil)
    }

    /// A window from time 0 (a ramp-up of the load) is not a trigger: alone it gives no verdict, and beside a later
    /// outage the verdict is on the outage.
    @Test func aWindowFromTimeZeroIsNotATrigger() throws {
        func run(outage: Bool) throws -> RunResult {
            Runner.run(try scenario("""
                { "name": "ramp", "duration": "60s",
                  "clients": { "count": 100, "target": "api", "arrival": { "type": "poisson", "rate": 1 },
                               "load": [ { "from": "0s", "to": "10s", "multiplier": 0.1, "rampTo": 1 } ] },
                  "services": [ { "name": "api", "workers": 10, "serviceTime": { "dist": "constant", "value": "1ms" }
                                  \(outage ? #", "faults": [ { "type": "outage", "from": "30s", "to": "35s" } ]"# : "") } ] }
                """))
        }
        #expect(try run(outage: false).value("recovered") == nil)
        let r = try run(outage: true)
        #expect(r.value("recovered") == 1 && r.value("recovery_time_s") == 0)
    }

    @Test func thresholdAllowsForSamplingNoiseAtLowRates() {
        // 1,000/s: a 5 s average has a standard deviation of 1.4%, so 90% applies.
        #expect(Metastability.threshold(level: 1000) == 900)
        // 40/s: three standard deviations of a 5 s average are 21% of the level; 90% would flag noise.
        #expect(abs(Metastability.threshold(level: 40) - (40 - 3 * (8.0).squareRoot())) < 1e-12)
        // 2/s: never below half the level, so a collapse to 0 is still seen.
        #expect(Metastability.threshold(level: 2) == 1)
    }
}
