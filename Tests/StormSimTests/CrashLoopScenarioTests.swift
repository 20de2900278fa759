import Foundation
import Testing

@testable import StormSim

/// The claims of `scenarios/crash-loop-restart.json`, read from its committed results (`GoldenTests` proves the
/// code reproduces them).
@Suite struct CrashLoopScenarioTests {
    let results = committedResults("crash-loop-restart")

    /// Instances down in each second of a variant's run.
    func down(_ variant: String) throws -> [Double] {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("results/crash-loop-restart/timeseries/\(variant).csv")
        let rows = try String(contentsOf: file, encoding: .utf8).split(separator: "\n")
            .map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        let column = try #require(rows.first?.firstIndex(of: "api_down"))
        return rows.dropFirst().map { Double($0[column]) ?? .nan }
    }

    /// Without retries, and with AWS's 2026 quota, each instance crashes once and the fleet is back at 50 s for good.
    @Test(arguments: ["no-retries", "aws-standard-2026"])
    func oneCrashThenUp(variant: String) throws {
        let r = try #require(results[variant])
        #expect(r.value("api_crashes") == 10 && r.value("success_rate")! > 0.95 && r.value("amplification")! < 1.01)
        #expect(try down(variant)[50...].allSatisfy { $0 == 0 })
    }

    /// Three attempts without a budget: every restart is crashed again, the fleet is down at the end; jittered
    /// restarts crash more often and serve fewer.
    @Test func retriesMakeACrashLoopAndJitterDoesNotHelp() throws {
        let loop = try #require(results["3-attempts"]), jittered = try #require(results["3-attempts-jittered-restarts"])
        #expect(loop.value("api_crashes")! >= 40 && loop.value("success_rate")! < 0.25 && loop.value("amplification")! > 2.5)
        #expect(try down("3-attempts")[250...].allSatisfy { $0 == 10 })
        #expect(jittered.value("api_crashes")! > loop.value("api_crashes")!)
        #expect(jittered.value("success_rate")! < loop.value("success_rate")!)
    }
}
