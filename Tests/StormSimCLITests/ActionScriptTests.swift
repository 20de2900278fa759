import Foundation
import Testing

/// The GitHub Action's run step (`scripts/action/run.sh`), run as a new user's CI would run it: in a scratch
/// folder holding only a scenario.
@Suite struct ActionScriptTests {
    let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Runs the script in `dir` with `environment` added; returns the exit status and the step summary.
    func action(_ dir: URL, _ environment: [String: String]) throws -> (status: Int32, summary: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [repository.appendingPathComponent("scripts/action/run.sh").path]
        process.currentDirectoryURL = dir
        let summary = dir.appendingPathComponent("step-summary-\(UUID().uuidString).md")
        var env = ProcessInfo.processInfo.environment
        env["STORMSIM"] = try stormsimBinary().path
        env["GITHUB_STEP_SUMMARY"] = summary.path
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let err = Pipe()
        process.standardError = err
        process.standardOutput = Pipe()
        try process.run()
        let errText = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, (try? read(summary)) ?? "", errText)
    }

    @Test func aScratchRepositoryGetsResultsAndAStepSummary() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let scenario = smallScenario.replacingOccurrences(
            of: #"{ "name": "small","#,
            with: #"{ "name": "small", "vary": { "services[0].workers": [2, 8] }, "expect": { "success_rate": { "min": 0.9 } },"#)
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("scenarios"), withIntermediateDirectories: true)
        try write(scenario, to: dir.appendingPathComponent("scenarios/small.json"))

        // Two workers cannot serve the burst: the expectation is missed, the step fails with 4 after the summary.
        let r = try action(dir, ["SCENARIO": "scenarios/small.json", "REPLICATIONS": "3"])
        #expect(r.status == 4, "\(r.stderr)")
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("results/small/summary.json").path))
        #expect(r.summary.contains("### stormsim: small"))
        #expect(r.summary.contains("| variant | success | amplification | p99 ms |"))
        #expect(r.summary.contains("| 2 | ") && r.summary.contains("| 8 | "))
        #expect(r.summary.contains("expectation(s) missed:") && r.summary.contains("- 2: success_rate = "))

        // A candidate with twice the clients compared with the baseline: success falls, the gate trips with 5.
        let base = try action(dir, ["SCENARIO": "scenarios/small.json", "REPLICATIONS": "3", "OUT": "base", "ARGS": "--set expect={}"])
        #expect(base.status == 0, "\(base.stderr)")
        let worse = try action(dir, ["SCENARIO": "scenarios/small.json", "REPLICATIONS": "3", "OUT": "cand",
                                     "ARGS": "--set clients.count=400 --set expect={}", "BASELINE": "base", "FAIL_IF": "success_rate worsens"])
        #expect(worse.status == 5, "\(worse.stderr)")
        #expect(worse.summary.contains("#### Compared with base") && worse.summary.contains("TRIPPED"))
        let same = try action(dir, ["SCENARIO": "scenarios/small.json", "REPLICATIONS": "3", "OUT": "again",
                                    "ARGS": "--set expect={}", "BASELINE": "base", "FAIL_IF": "success_rate worsens"])
        #expect(same.status == 0 && same.summary.contains("passed"), "\(same.stderr)")

        // Shards, then the merge: the same files as the single run.
        for k in 1...2 {
            let shard = try action(dir, ["SCENARIO": "scenarios/small.json", "REPLICATIONS": "3", "SHARD": "\(k)/2"])
            #expect(shard.status == 0, "\(shard.stderr)")
        }
        let merged = try action(dir, ["MERGE": "results/small/shard-*", "OUT": "merged"])
        #expect(merged.status == 4)
        #expect(try read(dir.appendingPathComponent("merged/summary.csv")) == read(dir.appendingPathComponent("results/small/summary.csv")))

        // Inputs that would break a shell line are refused, not run.
        let bad = try action(dir, ["SCENARIO": "scenarios/small.json", "REPLICATIONS": "3; rm -rf ."])
        #expect(bad.status == 2 && bad.stderr.contains("replications must be a number"))
    }
}
