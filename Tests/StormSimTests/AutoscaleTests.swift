import Foundation
import Testing

@testable import StormSim

/// Horizontal autoscaling (`autoscale`): HPA's arithmetic, exact timelines of scale-ups and stabilized
/// scale-downs, the balancers' picks among the serving instances, and the books kept as the fleet changes size.
@Suite struct AutoscaleTests {
    /// 2,000 requests/s (Poisson) on a fleet of 10-worker instances with a constant 10 ms service time: each
    /// instance serves 1,000/s, so utilization is load / (1,000 x instances) to within a percent over a 15 s sync.
    func text(instances: Int, autoscale: String, load: String, duration: String, policy: String = #"{ "timeout": "1s" }"#,
              balancer: String = #""round-robin""#) -> String {
        """
        { "name": "hpa", "seed": 1, "duration": "\(duration)", "metrics": { "interval": "1s" },
          "clients": { "count": 2000, "target": "api", "arrival": { "type": "poisson", "rate": 1 },
                       "load": \(load), "policy": \(policy) },
          "services": [ { "name": "api", "instances": \(instances), "workers": 10, "queue": { "capacity": 10 },
                          "serviceTime": { "dist": "constant", "value": "10ms" }, "balancer": \(balancer),
                          "autoscale": \(autoscale) } ] }
        """
    }

    func column(_ r: RunResult, _ name: String) -> [Double] {
        let c = r.seriesHeader.firstIndex(of: name)!
        return r.seriesRows.map { $0[c] }
    }

    @Test func recommendationFollowsHPA() {
        let a = Autoscale(initial: 4, min: 1, max: 100, target: 0.5)
        // ceil(4 x 0.9 / 0.5) = 8; within 10% of the target: hold; below it: ceil(4 x 0.3 / 0.5) = 3.
        #expect(a.recommendation(measured: 4, unready: 0, utilization: 0.9, current: 4) == 8)
        #expect(a.recommendation(measured: 4, unready: 0, utilization: 0.54, current: 4) == 4)
        #expect(a.recommendation(measured: 4, unready: 0, utilization: 0.3, current: 4) == 3)
        // Four more starting count at 0%: 0.9 x 4 / 8 = 0.45 of capacity, below the target: hold at 8.
        #expect(a.recommendation(measured: 4, unready: 4, utilization: 0.9, current: 8) == 8)
        // Two starting: 0.9 x 4 / 6 = 0.6, 20% over: ceil(1.2 x 6) = 8.
        #expect(a.recommendation(measured: 4, unready: 2, utilization: 0.9, current: 6) == 8)
        // Scale-up limit: doubling, or four more, whichever is more.
        #expect(a.scaleUpLimit(from: 1) == 5 && a.scaleUpLimit(from: 3) == 7 && a.scaleUpLimit(from: 10) == 20)
    }

    @Test func scaleDownsAreStabilizedAndScaleUpsLimited() {
        var series = TimeSeries(interval: .seconds(1), end: .seconds(1000), columns: 1)
        var a = AutoscalerState(Autoscale(initial: 10, min: 2, max: 100, target: 0.5), column: 0, series: &series)
        let t = { (s: Int64) in SimTime.zero + .seconds(s) }
        // Recommendations 10, 6, 3 within 300 s: the highest (10) holds; 301 s after the 10, the next highest.
        #expect(a.decide(raw: 10, now: t(15)) == 10)
        #expect(a.decide(raw: 6, now: t(30)) == 10)
        #expect(a.decide(raw: 3, now: t(45)) == 10)
        #expect(a.decide(raw: 3, now: t(315)) == 6)  // the 10 of 15 s has left the window
        #expect(a.decide(raw: 1, now: t(345)) == 3)
        a.scaled = 3
        #expect(a.decide(raw: 1, now: t(700)) == 2)  // min
        #expect(a.decide(raw: 50, now: t(715)) == 7)  // 3 + 4
        a.scaled = 7
        #expect(a.decide(raw: 50, now: t(730)) == 14)  // doubled
    }

    /// 5 instances at 40% against a 50% target: ceil(5 x 0.8) is 4.0 only without noise, and measured
    /// utilization is a little above 0.4, so HPA holds at 5. The load grows 1.9-fold at 60 s: 76% at the sync
    /// of 75 s, ceil(5 x 1.52) = 8; the three new instances serve 30 s later, at 105 s, after which 8 run at
    /// 47.5% (within the tolerance). Instance-seconds: 5 x 75 + 8 x 75.
    @Test func aSurgeIsScaledUpAfterStartup() throws {
        let r = Runner.run(try scenario(text(
            instances: 5, autoscale: #"{ "max": 10, "target": 0.5 }"#,
            load: #"[ { "from": "60s", "to": "150s", "multiplier": 1.9 } ]"#, duration: "150s")))
        let serving = column(r, "api_instances")
        #expect(serving[0..<105].allSatisfy { $0 == 5 } && serving[105...].allSatisfy { $0 == 8 })
        #expect(r.value("api_instance_seconds") == 975)
        let utilization = column(r, "api_utilization")
        #expect(utilization[110..<150].allSatisfy { abs($0 - 0.475) < 0.04 })  // over the 8 serving
        #expect(r.value("success_rate")! > 0.999)
    }

    /// The load drops to a fifth at 60 s (10% utilization): HPA recommends ceil(4 x 0.2) = 1 from the sync of
    /// 75 s, but the recommendation of 4 made at 60 s (from the period before the drop) stays in the 120 s
    /// stabilization window until 180 s.
    @Test func aDropIsScaledDownAfterStabilization() throws {
        let r = Runner.run(try scenario(text(
            instances: 4, autoscale: #"{ "max": 10, "target": 0.5, "scaleDownStabilization": "120s" }"#,
            load: #"[ { "from": "60s", "to": "200s", "multiplier": 0.2 } ]"#, duration: "200s")))
        let serving = column(r, "api_instances")
        #expect(serving[0..<180].allSatisfy { $0 == 4 } && serving[180...].allSatisfy { $0 == 1 })
        #expect(r.value("api_instance_seconds") == 740)  // 4 x 180 + 1 x 20
    }

    /// Balancers pick only among the serving instances: 76% utilization from the start, so the sync of 15 s
    /// scales 5 to 8, serving at once (no start-up); instances 5 to 7 get attempts from then on, 8 and 9 never.
    @Test(arguments: [#""round-robin""#, #""random""#, #""least-request""#, #"{ "type": "round-robin", "slowStart": { "window": "5s" } }"#])
    func balancersPickOnlyServingInstances(balancer: String) throws {
        let r = Runner.run(try scenario(text(
            instances: 5, autoscale: #"{ "max": 10, "target": 0.5, "startup": "0s" }"#,
            load: #"[ { "from": "0s", "to": "30s", "multiplier": 1.9 } ]"#, duration: "30s", balancer: balancer)))
        #expect(column(r, "api_instances")[15...].allSatisfy { $0 == 8 })
        for k in 5..<10 {
            let attempts = column(r, "api_instance_\(k)_attempts")
            #expect(attempts[0..<15].allSatisfy { $0 == 0 } && attempts[16...].allSatisfy { k < 8 ? $0 > 0 : $0 == 0 }, "instance \(k)")
        }
    }

    /// Retries, timeouts, scale-ups and scale-downs: the books balance at every checkpoint.
    @Test func invariantsHoldWhileScaling() throws {
        let s = try scenario(text(
            instances: 2, autoscale: #"{ "min": 2, "max": 12, "target": 0.6, "startup": "20s", "scaleDownStabilization": "60s" }"#,
            load: #"[ { "from": "30s", "to": "90s", "multiplier": 3 } ]"#, duration: "200s",
            policy: #"{ "timeout": "300ms", "maxAttempts": 3 }"#, balancer: #""least-request""#))
        let (r, problems) = Runner.runAudited(Variant(name: "base", parameters: [], scenario: s))
        #expect(problems.isEmpty, "\(problems.prefix(3))")
        let serving = column(r, "api_instances")
        #expect(serving.max()! > 6 && serving.last! < serving.max()!)  // up, and down again
    }

    @Test func autoscaleKeysAreChecked() {
        let base = text(instances: 5, autoscale: "AUTOSCALE", load: "[]", duration: "10s")
        func first(_ autoscale: String, extra: String = "") -> String? {
            issues(base.replacingOccurrences(of: #""autoscale": AUTOSCALE"#, with: #""autoscale": \#(autoscale)\#(extra)"#)).first
        }
        #expect(first(#"{ "max": 4, "target": 0.5 }"#)?.contains("services[0].autoscale.max: the service starts with 5 instances") == true)
        #expect(first(#"{ "min": 8, "max": 6, "target": 0.5 }"#)?.hasPrefix("services[0].autoscale.min: 8 is above max (6)") == true)
        #expect(first(#"{ "max": 10 }"#)?.hasPrefix("services[0].autoscale.target: missing") == true)
        #expect(first(#"{ "max": 10, "target": 0.5 }"#, extra: #", "weights": [1, 1, 1, 1, 2]"#)?.hasPrefix("services[0].weights: not with autoscale") == true)
        #expect(first(#"{ "max": 10, "target": 0.5 }"#, extra: #", "faults": [ { "type": "outage", "from": "1s", "to": "2s", "instances": [9] } ]"#) == nil)
    }
}
