import Foundation
import Testing

/// `stormsim compare`: identical folders show no difference, a known worse setting is flagged and trips its gate,
/// one run each has no interval, and bad arguments get clear errors.
@Suite struct CompareCommandTests {
    /// A small sweep of two jitters, run with `workers` workers and `replications` replications into `folder`.
    func run(_ dir: URL, folder: String, workers: Int, replications: Int, seed: Int = 3) throws {
        let sweep = smallScenario.replacingOccurrences(of: #"{ "name": "small","#, with: #"{ "name": "small", "vary": { "clients.policy.jitter": ["none", "full"] },"#)
        try write(sweep, to: dir.appendingPathComponent("s.json"))
        let r = try stormsim(["run", "s.json", "--replications", "\(replications)", "--seed", "\(seed)", "--set", "services[0].workers=\(workers)",
                              "--out", folder, "--quiet"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
    }

    @Test func identicalFoldersShowNoDifference() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        try run(dir, folder: "a", workers: 4, replications: 4)
        try run(dir, folder: "b", workers: 4, replications: 4)
        let r = try stormsim(["compare", "a", "b", "--format", "csv", "--fail-if", "success_rate changes"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let rows = r.stdout.split(separator: "\n").dropFirst()
        #expect(rows.count == 2 * 4)  // two variants; recovered is absent without a trigger
        #expect(rows.allSatisfy { $0.hasSuffix(",same") && $0.contains(",1,") })  // paired, same
    }

    /// Half the workers: the same burst waits longer, so more attempts time out: success falls and amplification
    /// rises, significantly on paired replications, and the gate trips with exit 5.
    @Test func aWorseSettingIsFlaggedAndTripsTheGate() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        try run(dir, folder: "a", workers: 4, replications: 5)
        try run(dir, folder: "b", workers: 2, replications: 5)
        let r = try stormsim(["compare", "a", "b", "--metric", "success_rate", "--metric", "amplification",
                              "--fail-if", "success_rate worsens", "--format", "json"], in: dir)
        #expect(r.status == 5, "\(r.stderr)")
        #expect(r.stderr.contains("gate tripped: \"success_rate worsens\" (none, full)"))
        let json = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        let rows = json["comparisons"] as! [[String: Any]]
        #expect(rows.count == 4)
        for row in rows {
            #expect(row["paired"] as? Bool == true && row["significant"] as? Bool == true, "\(row)")
            #expect(row["verdict"] as? String == "worse", "\(row)")
        }
        // The other way round, the candidate is better and no gate trips.
        let back = try stormsim(["compare", "a", "--baseline", "b", "--fail-if", "success_rate worsens"], in: dir)
        #expect(back.status == 0 && back.stdout.contains("better"), "\(back.stdout)")
    }

    /// Different seeds: no pairing, Welch's interval. One run each: no interval, every difference shown.
    @Test func unpairedAndSingleRuns() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        try run(dir, folder: "a", workers: 4, replications: 4)
        try run(dir, folder: "c", workers: 4, replications: 4, seed: 99)
        let welch = try stormsim(["compare", "a", "c", "--metric", "success_rate"], in: dir)
        #expect(welch.status == 0 && welch.stdout.contains("Welch's interval"), "\(welch.stdout)")
        try run(dir, folder: "s1", workers: 4, replications: 1)
        try run(dir, folder: "s2", workers: 2, replications: 1)
        let single = try stormsim(["compare", "s1", "s2", "--metric", "success_rate", "--format", "markdown"], in: dir)
        #expect(single.status == 0)
        #expect(single.stdout.contains("| none | success_rate |") && single.stdout.contains("worse (one run each)"), "\(single.stdout)")
    }

    @Test func badArgumentsAreExplained() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        try run(dir, folder: "a", workers: 4, replications: 1)
        let one = try stormsim(["compare", "a"], in: dir)
        #expect(one.status == 2 && one.stderr.contains("expected two results folders"))
        let gate = try stormsim(["compare", "a", "a", "--fail-if", "success_rate drops"], in: dir)
        #expect(gate.status == 2 && gate.stderr.contains("DIRECTION one of decreases, increases, worsens, changes"))
        let missing = try stormsim(["compare", "a", "nowhere"], in: dir)
        #expect(missing.status == 3 && missing.stderr.contains("nowhere: no such results folder"))
        let metric = try stormsim(["compare", "a", "a", "--metric", "sucess_rate"], in: dir)
        #expect(metric.status == 2 && metric.stderr.contains("no column 'sucess_rate'"))
    }
}
