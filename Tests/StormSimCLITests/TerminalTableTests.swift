import Foundation
import Testing

/// The table `run` prints for several variants: the columns that matter for the scenario, the best value of each
/// column starred, intervals with replications.
@Suite struct TerminalTableTests {
    /// An open loop through an outage, with and without retries.
    let scenario = """
        { "name": "t", "seed": 2, "duration": "40s",
          "clients": { "count": 100, "target": "api", "arrival": { "type": "poisson", "rate": 5 },
                       "policy": { "timeout": "200ms", "maxAttempts": 1 } },
          "services": [ { "name": "api", "workers": 10, "serviceTime": { "dist": "exponential", "mean": "10ms" },
                          "faults": [ { "type": "outage", "from": "10s", "to": "15s" } ] } ],
          "vary": { "clients.policy.maxAttempts": [1, 3] } }
        """

    @Test func openLoopWithATriggerShowsRecoveryNotMakespan() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        try write(scenario, to: dir.appendingPathComponent("t.json"))
        let r = try stormsim(["run", "t.json", "--out", "out"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        let header = try #require(lines.first { $0.hasPrefix("variant") })
        #expect(header.contains("recovered") && header.contains("back after s") && !header.contains("makespan"))
        // Retries add attempts (amplification above 1) and win back the outage's failures: each is starred in
        // the column it wins, so neither is best in every column.
        let one = try #require(lines.first { $0.hasPrefix("1 ") }), three = try #require(lines.first { $0.hasPrefix("3 ") })
        #expect(one.contains("*1 ") && three.contains("yes"))
        #expect(lines.contains("* best in its column; no variant is best in every one."))
    }

    @Test func replicationsShowIntervals() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        try write(scenario, to: dir.appendingPathComponent("t.json"))
        let r = try stormsim(["run", "t.json", "--out", "out", "--replications", "3"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("3 replications (means ± 95% interval; p99 pooled)"))
        let three = try #require(r.stdout.split(separator: "\n").first { $0.hasPrefix("3 ") })
        #expect(three.contains(" ±"))
        #expect(three.contains("100%"))  // recovered in every replication
    }
}
