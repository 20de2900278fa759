import Foundation
import Testing

/// Bad input, end to end through the binary: every case gives a clear message and a non-zero exit, never a crash.
@Suite struct ValidationTests {
    static let corpus = repositoryRoot.appendingPathComponent("Tests/Corpus/invalid")

    static var corpusCases: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: corpus.path)) ?? []
        return names.filter { $0.hasSuffix(".json") }.sorted()
    }

    @Test func corpusIsNotEmpty() {
        #expect(Self.corpusCases.count >= 40)
    }

    /// Each file in Tests/Corpus/invalid has a `.expected` file beside it with the exact stderr of
    /// `stormsim validate` (regenerate one with `stormsim validate NAME.json 2> NAME.expected` in that folder,
    /// after reading it).
    @Test(arguments: corpusCases)
    func invalidScenarioGivesItsExactMessage(file: String) throws {
        let expected = try read(Self.corpus.appendingPathComponent(file.replacingOccurrences(of: ".json", with: ".expected")))
        let r = try stormsim(["validate", file], in: Self.corpus)
        #expect(r.status == 3, "\(file): exit \(r.status)")
        #expect(r.stdout.isEmpty)
        #expect(r.stderr == expected)
        // `run` rejects it the same way, with the same lines, and writes nothing.
        let out = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: out) }
        let run = try stormsim(["run", file, "--out", out.appendingPathComponent("r").path], in: Self.corpus)
        #expect(run.status == 3)
        #expect(run.stderr.hasPrefix("Error: invalid scenario\n"))
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("r").path))
    }

    @Test func validateReportsEachFile() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        try write(smallScenario, to: dir.appendingPathComponent("good.json"))
        try write("{", to: dir.appendingPathComponent("bad.json"))
        let r = try stormsim(["validate", "good.json", "bad.json"], in: dir)
        #expect(r.status == 3)
        #expect(r.stdout == "good.json: OK (small: 200 clients, 1 service(s), 5s)\n")
        #expect(r.stderr == "bad.json: (top level): not valid JSON: line 1, column 2: unexpected end of file; expected a key in double quotes\nError: 1 of 2 file(s) invalid\n")
        let ok = try stormsim(["validate", "good.json"], in: dir)
        #expect(ok.status == 0 && ok.stderr.isEmpty)
    }

    @Test func validateAppliesOverrides() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        try write(smallScenario, to: dir.appendingPathComponent("s.json"))
        let r = try stormsim(["validate", "s.json", "--set", "services[0].workers=0", "--set", "clients.policy.jitter=ful"], in: dir)
        #expect(r.status == 3)
        #expect(r.stderr.contains("s.json: services[0].workers: expected an integer from 1 to 10000000, found 0\n"))
        #expect(r.stderr.contains(#"s.json: clients.policy.jitter: expected one of "none", "full", "equal", "decorrelated", "decorrelated-finagle" or {"type": "proportional", "fraction": 0.25}, found a string ("ful"); did you mean "full"?"#))
    }

    @Test func everyBundledScenarioValidates() throws {
        let dir = repositoryRoot.appendingPathComponent("scenarios")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".json") && $0 != "schema.json" }
        #expect(!files.isEmpty)
        for file in files {
            let r = try stormsim(["validate", file], in: dir)
            #expect(r.status == 0, "\(file): \(r.stderr)")
        }
    }

    /// An interrupted run (SIGINT, as Ctrl-C sends) stops promptly with exit 130, and the results of an earlier
    /// run stay byte for byte as they were, with no temporary files left behind.
    @Test func interruptedRunLeavesEarlierResultsUntouched() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        try write(smallScenario, to: dir.appendingPathComponent("s.json"))
        #expect(try stormsim(["run", "s.json", "--out", "out", "--quiet"], in: dir).status == 0)
        let before = try read(dir.appendingPathComponent("out/summary.csv"))
        let seriesBefore = try read(dir.appendingPathComponent("out/timeseries/base.csv"))

        // The same scenario made to run for minutes: open-loop clients for 500 simulated hours.
        let process = Process()
        process.executableURL = try stormsimBinary()
        process.arguments = ["run", "s.json", "--out", "out", "--set", #"clients.arrival={"type":"poisson","rate":1}"#,
            "--set", "duration=500h", "--set", "metrics.interval=1h"]
        process.currentDirectoryURL = dir
        let err = Pipe()
        process.standardError = err
        process.standardOutput = Pipe()
        try process.run()
        Thread.sleep(forTimeInterval: 0.7)
        let sentAt = Date()
        process.interrupt()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(Date().timeIntervalSince(sentAt) < 5, "the run did not stop promptly")
        #expect(process.terminationStatus == 130)
        #expect(stderr.contains("interrupted; no results written"))
        #expect(try read(dir.appendingPathComponent("out/summary.csv")) == before)
        #expect(try read(dir.appendingPathComponent("out/timeseries/base.csv")) == seriesBefore)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("out").path)
        #expect(leftovers.sorted() == ["manifest.json", "run.json", "summary.csv", "summary.json", "timeseries"])
    }

    @Test func unwritableOutputIsARuntimeError() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        try write(smallScenario, to: dir.appendingPathComponent("s.json"))
        try write("a file, not a folder", to: dir.appendingPathComponent("blocker"))
        let r = try stormsim(["run", "s.json", "--out", "blocker/out"], in: dir)
        #expect(r.status == 1)
        #expect(r.stderr.hasPrefix("Error: cannot write blocker: exists and is not a folder"))
    }
}
