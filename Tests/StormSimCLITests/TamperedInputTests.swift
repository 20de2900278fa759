import Foundation
import Testing

/// Results folders and shards read back are untrusted input: a CI artifact of a fork's pull request, a file edited
/// by hand, a shard of another run. Each tampering must end in a clear error, never a trap, never a silent merge,
/// and never a command run through gnuplot.
@Suite struct TamperedInputTests {
    static let sweep = smallScenario.replacingOccurrences(
        of: #"{ "name": "small","#, with: #"{ "name": "small", "vary": { "clients.policy.maxAttempts": [1, 3] },"#)

    /// A tampering of a shard: a description and what it does to the lines of jobs.jsonl and to shard.json.
    struct Tampering: CustomStringConvertible, Sendable {
        var description: String
        var job: (@Sendable (inout [String: Any]) -> Void)? = nil
        var manifest: (@Sendable (inout [String: Any]) -> Void)? = nil
        var text: (@Sendable (String) -> String)? = nil
    }

    static let tamperings: [Tampering] = [
        Tampering(description: "an events count that overflows Int") { $0["events"] = 1e30 },
        Tampering(description: "a fractional job number") { $0["job"] = 0.5 },
        Tampering(description: "an extra summary column") { $0["summary"] = ($0["summary"] as! [Any]) + [["extra", ["n", "1"]]] },
        Tampering(description: "a missing summary column") { $0["summary"] = Array(($0["summary"] as! [Any]).dropLast()) },
        Tampering(description: "another seed") { $0["seed"] = "12345" },
        Tampering(description: "a job of another run (other --set)") { $0["run"] = "0123abcd" },
        Tampering(description: "a histogram whose buckets do not add up") {
            var h = $0["latency"] as! [String: Any]
            h["count"] = "999999"
            $0["latency"] = h
        },
        Tampering(description: "a histogram bucket out of range") {
            var h = $0["latency"] as! [String: Any]
            h["buckets"] = [[1e9, "1"]]
            $0["latency"] = h
        },
        Tampering(description: "a time series with a row missing") { $0["seriesRows"] = Array(($0["seriesRows"] as! [Any]).dropLast()) },
        Tampering(description: "a time-series row with an extra cell") {
            var rows = $0["seriesRows"] as! [[Any]]
            rows[0].append(1)
            $0["seriesRows"] = rows
        },
        Tampering(description: "another variant's name") { $0["variant"] = "9" },
        Tampering(description: "a truncated line", text: { String($0.prefix($0.count / 2)) }),
        Tampering(description: "replications of 1e30 in shard.json", manifest: { $0["replications"] = 1e30 }),
        Tampering(description: "fractional jobs in shard.json", manifest: { $0["jobs"] = 3.5 }),
        Tampering(description: "a shard manifest of an older format", manifest: { $0["format"] = "stormsim-shard-1" }),
    ]

    /// Writes the sweep, runs it in 2 shards, and returns the folder.
    func shards() throws -> URL {
        let dir = try temporaryFolder()
        try write(Self.sweep, to: dir.appendingPathComponent("s.json"))
        for k in 1...2 {
            let r = try stormsim(["run", "s.json", "--replications", "2", "--shard", "\(k)/2", "--out", "shard\(k)", "--quiet"], in: dir)
            #expect(r.status == 0, "\(r.stderr)")
        }
        return dir
    }

    @Test(arguments: tamperings)
    func tamperedShardsAreRefused(_ tampering: Tampering) throws {
        let dir = try shards()
        defer { try? FileManager.default.removeItem(at: dir) }
        let jobs = dir.appendingPathComponent("shard1/jobs.jsonl")
        var lines = try read(jobs).split(separator: "\n").map(String.init)
        if let change = tampering.job {
            var json = try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as! [String: Any]
            change(&json)
            lines[0] = String(decoding: try JSONSerialization.data(withJSONObject: json), as: UTF8.self)
        }
        if let change = tampering.text { lines[0] = change(lines[0]) }
        try write(lines.joined(separator: "\n") + "\n", to: jobs)
        if let change = tampering.manifest {
            let url = dir.appendingPathComponent("shard1/shard.json")
            var json = try JSONSerialization.jsonObject(with: Data(try read(url).utf8)) as! [String: Any]
            change(&json)
            try write(String(decoding: try JSONSerialization.data(withJSONObject: json), as: UTF8.self), to: url)
        }
        let r = try stormsim(["merge", "shard1", "shard2", "--out", "merged"], in: dir)
        #expect(r.status == 1 || r.status == 3, "\(tampering): status \(r.status), \(r.stderr)")
        #expect(r.stderr.hasPrefix("Error: "), "\(tampering)")
        #expect(!r.stderr.contains("Fatal error") && !r.stderr.contains("crashed"), "\(tampering)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("merged/summary.csv").path), "\(tampering)")
    }

    @Test func untamperedShardsMerge() throws {
        let dir = try shards()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try stormsim(["merge", "shard1", "shard2", "--out", "merged", "--quiet"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
    }

    /// Strings from run.json reach the gnuplot script only as inert single-quoted text; values the script relies
    /// on are checked.
    @Test func tamperedRunDescriptionRunsNothingThroughGnuplot() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        try write(Self.sweep, to: dir.appendingPathComponent("s.json"))
        #expect(try stormsim(["run", "s.json", "--out", "r", "--quiet"], in: dir).status == 0)
        let url = dir.appendingPathComponent("r/run.json")
        var json = try JSONSerialization.jsonObject(with: Data(try read(url).utf8)) as! [String: Any]
        let marker = dir.appendingPathComponent("PWNED").path
        json["description"] = "`touch \(marker)`"
        json["varied"] = ["x`touch \(marker)`\nsystem('touch \(marker)')"]
        json["triggers"] = [["from_s": 1, "to_s": 2, "what": "o'`touch \(marker)`'\n!touch \(marker)"]]
        try write(String(decoding: try JSONSerialization.data(withJSONObject: json), as: UTF8.self), to: url)
        let r = try stormsim(["plot", "r", "--script", "r/plot.gp"], in: dir)
        #expect(!FileManager.default.fileExists(atPath: marker))
        let script = try read(dir.appendingPathComponent("r/plot.gp"))
        // No double-quoted string and no line of the script holds the injected text.
        for line in script.split(separator: "\n") where line.contains("touch") {
            // The varied path is a single-quoted literal; the trigger's quote is doubled inside one.
            #expect(line.contains("'x`touch") || line.contains("o''`touch"), "\(line)")
            #expect(!line.contains("\"x`") && !line.hasPrefix("system") && !line.hasPrefix("!"), "\(line)")
        }
        _ = r
        for (key, value, expected) in [
            ("replications", 1e30 as Any, "replications is 1e+30"), ("interval_s", 0 as Any, "interval_s is 0"),
            ("target", "api`id`" as Any, "target name"), ("variants", [["name": "../../etc/passwd", "values": []]] as Any, "variant name"),
        ] {
            var bad = json
            bad[key] = value
            try write(String(decoding: try JSONSerialization.data(withJSONObject: bad), as: UTF8.self), to: url)
            let p = try stormsim(["plot", "r"], in: dir)
            #expect(p.status == 1, "\(key)")
            #expect(p.stderr.contains(expected) && p.stderr.contains("tampered"), "\(key): \(p.stderr)")
        }
    }
}
