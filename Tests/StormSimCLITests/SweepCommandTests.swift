import Foundation
import Testing

@Suite struct SweepCommandTests {
    let sweep = smallScenario.replacingOccurrences(
        of: #"{ "name": "small","#,
        with: #"{ "name": "small", "vary": { "clients.policy.jitter": ["none", "full"], "services[0].workers": {"from": 2, "to": 6, "step": 2} },"#)

    func files(_ dir: URL) throws -> [String: String] {
        var result: [String: String] = [:]
        let enumerator = FileManager.default.enumerator(atPath: dir.path)!
        while let path = enumerator.nextObject() as? String {
            var isFolder: ObjCBool = false
            FileManager.default.fileExists(atPath: dir.appendingPathComponent(path).path, isDirectory: &isFolder)
            if !isFolder.boolValue { result[path] = try read(dir.appendingPathComponent(path)) }
        }
        return result
    }

    /// Merging N shards gives exactly the bytes of the single-machine run, for several N.
    @Test func mergedShardsEqualTheSingleRun() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        try write(sweep, to: dir.appendingPathComponent("s.json"))
        let single = try stormsim(["run", "s.json", "--replications", "3", "--out", "single", "--quiet"], in: dir)
        #expect(single.status == 0, "\(single.stderr)")
        let expected = try files(dir.appendingPathComponent("single"))
        #expect(expected.keys.sorted() == [
            "manifest.json", "replications.csv", "run.json", "summary.csv", "summary.json", "timeseries/full_2.csv", "timeseries/full_4.csv", "timeseries/full_6.csv",
            "timeseries/none_2.csv", "timeseries/none_4.csv", "timeseries/none_6.csv",
        ])
        for n in [1, 2, 3, 7] {
            var folders: [String] = []
            for k in 1...n {
                let folder = "shards\(n)/\(k)"
                let r = try stormsim(["run", "s.json", "--replications", "3", "--shard", "\(k)/\(n)", "--out", folder, "--quiet", "--jobs", "2"], in: dir)
                #expect(r.status == 0, "\(r.stderr)")
                folders.append(folder)
            }
            let merged = try stormsim(["merge"] + folders.reversed() + ["--out", "merged\(n)", "--quiet"], in: dir)
            #expect(merged.status == 0, "\(merged.stderr)")
            #expect(try files(dir.appendingPathComponent("merged\(n)")) == expected, "\(n) shards")
        }
    }

    /// time_s of an averaged table is each row's start, as in a single run: not the mean of the replications'
    /// equal values (three times 0.1, divided by three, is 0.10000000000000002), also after a merge of shards.
    @Test func averagedTimeSeriesKeepEachRowsStart() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let fine = smallScenario.replacingOccurrences(of: #""duration": "5s","#, with: #""duration": "5s", "metrics": { "interval": "100ms" },"#)
        try write(fine, to: dir.appendingPathComponent("f.json"))
        let whole = try stormsim(["run", "f.json", "--replications", "3", "--out", "whole", "--quiet"], in: dir)
        #expect(whole.status == 0, "\(whole.stderr)")
        for k in 1...2 { _ = try stormsim(["run", "f.json", "--replications", "3", "--shard", "\(k)/2", "--out", "part\(k)", "--quiet"], in: dir) }
        let merged = try stormsim(["merge", "part1", "part2", "--out", "merged", "--quiet"], in: dir)
        #expect(merged.status == 0, "\(merged.stderr)")
        let expected = ["0"] + (1..<50).map { k in k % 10 == 0 ? "\(k / 10)" : "\(k / 10).\(k % 10)" }
        for folder in ["whole", "merged"] {
            let text = try read(dir.appendingPathComponent("\(folder)/timeseries/base.csv"))
            let times = text.split(separator: "\n").dropFirst().map { String($0.prefix { $0 != "," }) }
            #expect(times == expected, "\(folder): \(times.prefix(4))")
        }
    }

    @Test func mergeRefusesIncompleteOrMixedShards() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        try write(sweep, to: dir.appendingPathComponent("s.json"))
        for k in 1...3 { _ = try stormsim(["run", "s.json", "--shard", "\(k)/3", "--out", "a\(k)", "--quiet"], in: dir) }
        _ = try stormsim(["run", "s.json", "--shard", "1/3", "--seed", "9", "--out", "other", "--quiet"], in: dir)
        let missing = try stormsim(["merge", "a1", "a2", "--out", "m"], in: dir)
        #expect(missing.status == 3 && missing.stderr.contains("shard(s) 3/3 missing"))
        let twice = try stormsim(["merge", "a1", "a1", "a2", "a3", "--out", "m"], in: dir)
        #expect(twice.status == 3 && twice.stderr.contains("are both shard 1/3"))
        let mixed = try stormsim(["merge", "a2", "other", "a3", "--out", "m"], in: dir)
        #expect(mixed.status == 3 && mixed.stderr.contains("is a shard of another run"))
        let notShard = try stormsim(["merge", "s.json"], in: dir)
        #expect(notShard.status == 3 && notShard.stderr.contains("not a shard folder"))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("m").path))
    }

    @Test func missedExpectationsExitFourAfterWriting() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let gated = sweep.replacingOccurrences(of: #""name": "small","#, with: #""name": "small", "expect": { "amplification": { "max": 1.5 }, "success_rate": { "min": 0 } },"#)
        try write(gated, to: dir.appendingPathComponent("g.json"))
        let r = try stormsim(["run", "g.json", "--replications", "2", "--quiet"], in: dir)
        #expect(r.status == 4)
        #expect(r.stderr.contains("expectation(s) not met:"))
        #expect(r.stderr.contains("amplification = "))
        #expect(r.stderr.contains("(95% CI ± "))
        #expect(r.stderr.contains(", expected <= 1.5"))
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("results/small/summary.csv").path))
        let met = try stormsim(["run", "g.json", "--set", #"expect={"success_rate": {"min": 0}}"#], in: dir)
        #expect(met.status == 0 && met.stdout.contains("expectations: all met"))
    }

    /// The golden-results guard fails, with a diff, when a committed result no longer matches.
    @Test func goldenGuardFailsWhenAResultChanges() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("scenarios"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("scripts"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: repositoryRoot.appendingPathComponent("scripts/check-results"), to: dir.appendingPathComponent("scripts/check-results"))
        try write(smallScenario, to: dir.appendingPathComponent("scenarios/small.json"))
        func sh(_ command: String) throws -> Int32 {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/bin/sh")
            p.arguments = ["-c", command]
            p.currentDirectoryURL = dir
            var env = ProcessInfo.processInfo.environment
            env["STORMSIM"] = try stormsimBinary().path
            p.environment = env
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            p.waitUntilExit()
            return p.terminationStatus
        }
        #expect(try sh("git init -q . && git config user.email t@t && git config user.name t && $STORMSIM run scenarios/small.json --quiet && git add -A && git commit -qm golden") == 0)
        #expect(try sh("scripts/check-results") == 0)
        #expect(try sh("sed -i.bak 's/^small,base,3,200,/small,base,3,201,/' results/small/summary.csv && rm results/small/summary.csv.bak && git commit -qam changed") == 0)
        #expect(try sh("scripts/check-results") == 1)
    }
}

@Suite struct FleetOutputTests {
    let fleet = """
        { "name": "fleet", "seed": 2, "duration": "20s",
          "clients": { "count": 50, "target": "api", "arrival": { "type": "poisson", "rate": 2 } },
          "services": [ { "name": "api", "workers": 2, "instances": 3, "serviceTime": { "dist": "exponential", "mean": "50ms" } } ],
          "vary": { "services[0].balancer": ["random", "least-request"] } }
        """

    /// A service of several instances adds instances.csv: a row per variant and instance, the means over the
    /// replications; sharded and merged, the same bytes; a scenario without fleets writes none.
    @Test func instancesFileHasARowPerVariantAndInstance() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        try write(fleet, to: dir.appendingPathComponent("fleet.json"))
        let whole = try stormsim(["run", "fleet.json", "--replications", "2", "--out", "whole", "--quiet"], in: dir)
        #expect(whole.status == 0, "\(whole.stderr)")
        let text = try String(contentsOf: dir.appendingPathComponent("whole/instances.csv"), encoding: .utf8)
        let lines = text.split(separator: "\n")
        #expect(lines.first == "scenario,variant,service,instance,attempts,served,rejected,throttled,dropped,wasted,utilization,ejections,ejected_s,limit,probes,probes_failed,marked_unhealthy,crashes,lost,down_s")
        #expect(lines.count == 1 + 2 * 3)
        #expect(lines.dropFirst().map { $0.split(separator: ",").prefix(4).joined(separator: ",") } == [
            "fleet,random,api,0", "fleet,random,api,1", "fleet,random,api,2",
            "fleet,least-request,api,0", "fleet,least-request,api,1", "fleet,least-request,api,2",
        ])
        for k in 1...2 { _ = try stormsim(["run", "fleet.json", "--replications", "2", "--shard", "\(k)/2", "--out", "shard\(k)", "--quiet"], in: dir) }
        let merged = try stormsim(["merge", "shard1", "shard2", "--out", "merged"], in: dir)
        #expect(merged.status == 0, "\(merged.stderr)")
        #expect(try String(contentsOf: dir.appendingPathComponent("merged/instances.csv"), encoding: .utf8) == text)

        try write(smallScenario, to: dir.appendingPathComponent("small.json"))
        _ = try stormsim(["run", "small.json", "--out", "single", "--quiet"], in: dir)
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("single/instances.csv").path))
    }
}
