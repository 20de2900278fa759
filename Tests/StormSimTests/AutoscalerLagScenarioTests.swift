import Foundation
import Testing

@testable import StormSim

/// The claims of `scenarios/autoscaler-lag.json`, read from its committed results (`GoldenTests` proves the code
/// reproduces them).
@Suite struct AutoscalerLagScenarioTests {
    let results = committedResults("autoscaler-lag")

    /// A column of a variant's time series, one value per second.
    func column(_ name: String, _ variant: String) throws -> [Double] {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("results/autoscaler-lag/timeseries/\(variant).csv")
        let rows = try String(contentsOf: file, encoding: .utf8).split(separator: "\n")
            .map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        let index = try #require(rows.first?.firstIndex(of: Substring(name)))
        return rows.dropFirst().map { Double($0[index]) ?? .nan }
    }

    /// The second from which goodput stays at 90% of the 1,500/s offered (5 s averages) to the end.
    func backAt(_ variant: String) throws -> Int? {
        let goodput = try column("successes", variant)
        var back: Int? = nil
        for t in stride(from: goodput.count - 5, through: 120, by: -1) {
            guard goodput[t..<(t + 5)].reduce(0, +) / 5 >= 1350 else { break }
            back = t
        }
        return back
    }

    /// The first scale-up serves at 195 s (the sync of 135 s plus 60 s): without retries goodput is back within
    /// half a minute of it; with three attempts two scale-ups later, on many more instances, at a higher cost.
    @Test func retriesDelayTheRecoveryAndRaiseTheBill() throws {
        let serving = try column("api_instances", "no-retries")
        #expect(serving[0..<195].allSatisfy { $0 == 5 } && serving[195] == 9)
        let calm = try #require(try backAt("no-retries")), stormy = try #require(try backAt("3-attempts"))
        #expect(calm > 195 && calm < 230)
        #expect(stormy > calm + 100)
        let retrying = try #require(results["3-attempts"]), single = try #require(results["no-retries"])
        #expect(retrying.value("api_instance_seconds")! > 1.4 * single.value("api_instance_seconds")!)
        let most: Double = try column("api_instances", "3-attempts").max()!
        #expect(most > 1.6 * serving.max()!)
        #expect(retrying.value("success_rate")! < single.value("success_rate")! - 0.1)
    }

    /// AWS's 2026 quota recovers within a minute of the first scale-up, at a cost near no retries.
    @Test func aRetryQuotaRecoversNearlyAsFast() throws {
        let quota = try #require(results["aws-standard-2026"]), single = try #require(results["no-retries"])
        let back = try #require(try backAt("aws-standard-2026"))
        let stormy = try #require(try backAt("3-attempts"))
        #expect(back < 270 && back < stormy)
        #expect(quota.value("api_instance_seconds")! < 1.1 * single.value("api_instance_seconds")!)
    }

    /// Without autoscaling the fleet never recovers from three attempts.
    @Test func aFixedFleetStaysDown() throws {
        let r = try #require(results["3-attempts-fixed-fleet"])
        #expect(try backAt("3-attempts-fixed-fleet") == nil)
        #expect(r.value("success_rate")! < 0.15 && r.value("api_instance_seconds") == 3000)
    }
}
