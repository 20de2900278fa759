import Foundation
import Testing

@Suite struct RunCommandTests {
    @Test func runWritesSummaryAndTimeSeries() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        try write(smallScenario, to: dir.appendingPathComponent("small.json"))
        let r = try stormsim(["run", "small.json"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.isEmpty)
        #expect(r.stdout.contains("small [base] seed 3"))
        #expect(r.stdout.contains("events in"))
        let summary = try read(dir.appendingPathComponent("results/small/summary.csv"))
        let lines = summary.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines[0].hasPrefix("scenario,variant,seed,requests,succeeded,failed,unfinished,success_rate,attempts,retries,amplification,"))
        #expect(lines[1].hasPrefix("small,base,3,200,"))
        let series = try read(dir.appendingPathComponent("results/small/timeseries/base.csv"))
        #expect(series.hasPrefix("time_s,requests,attempts,retries,successes,failures,timeouts,rejected,errors,throttled,non_retryable,fast_failed,budget_refused,in_flight,latency_mean_ms,latency_p50_ms,latency_p99_ms,breaker_open,budget_tokens,attempt_1,attempt_2,attempt_3,api_attempts,"))
        #expect(series.split(separator: "\n").count == 6)  // header + 5 one-second rows
    }

    @Test func sameSeedSameBytesOtherSeedOtherBytes() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        try write(smallScenario, to: dir.appendingPathComponent("small.json"))
        _ = try stormsim(["run", "small.json", "--out", "a", "--quiet"], in: dir)
        _ = try stormsim(["run", "small.json", "--out", "b", "--quiet"], in: dir)
        _ = try stormsim(["run", "small.json", "--out", "c", "--seed", "4", "--quiet"], in: dir)
        for file in ["summary.csv", "timeseries/base.csv"] {
            let a = try read(dir.appendingPathComponent("a/\(file)"))
            #expect(a == (try read(dir.appendingPathComponent("b/\(file)"))))
            #expect(a != (try read(dir.appendingPathComponent("c/\(file)"))))
        }
    }

    @Test func setOverridesKeysByPath() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        try write(smallScenario, to: dir.appendingPathComponent("small.json"))
        let r = try stormsim(["run", "small.json", "--quiet", "--set", "clients.count=50", "--set", "clients.policy.jitter=none",
            "--set", "services[0].workers=100"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let summary = try read(dir.appendingPathComponent("results/small/summary.csv"))
        #expect(summary.contains("\nsmall,base,3,50,50,0,0,1,50,0,1,"))
    }

    @Test func quietPrintsNothing() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        try write(smallScenario, to: dir.appendingPathComponent("small.json"))
        let r = try stormsim(["run", "small.json", "--quiet"], in: dir)
        #expect(r.status == 0 && r.stdout.isEmpty && r.stderr.isEmpty)
    }

    @Test func bundledScenarioRuns() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = repositoryRoot.appendingPathComponent("scenarios/thundering-herd.json").path
        let r = try stormsim(["run", file, "--out", dir.path], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("thundering-herd [base] seed 1, 120s simulated"))
        #expect(r.stdout.contains("requests 10000"))
        // The committed results were written by a release build; this test runs a debug build. Identical bytes
        // show that the build configuration does not change results.
        for file in ["summary.csv", "timeseries/base.csv"] {
            let committed = try read(repositoryRoot.appendingPathComponent("results/thundering-herd/\(file)"))
            #expect(try read(dir.appendingPathComponent(file)) == committed, "\(file) differs from results/")
        }
    }

    /// The table's peak of attempts per bin is a mean over replications, shown to one decimal (it had read
    /// "peak 2367.0000000000005 per bin" for the bundled jitter comparison with three replications).
    @Test func replicatedTableShowsARoundedPeak() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = repositoryRoot.appendingPathComponent("scenarios/jitter-comparison.json").path
        let r = try stormsim(["run", file, "--replications", "3", "--out", dir.path], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let peak = try #require(r.stdout.firstMatch(of: /\(peak ([0-9.]+) per bin\)/)?.1)
        #expect(peak == "2367", "peak \(peak)")
    }
}

@Suite struct UsageTests {
    @Test func helpGoesToStdoutWithExitZero() throws {
        for args in [["--help"], ["-h"], ["help"], ["run", "--help"], ["help", "run"]] {
            let r = try stormsim(args)
            #expect(r.status == 0, "\(args)")
            #expect(r.stdout.contains("USAGE: stormsim"), "\(args)")
            #expect(r.stderr.isEmpty)
        }
        #expect(try stormsim(["--help"]).stdout.contains("EXIT CODES"))
        #expect(try stormsim(["run", "--help"]).stdout.contains("--set PATH=VALUE"))
    }

    @Test func versionPrintsTheVersion() throws {
        let r = try stormsim(["--version"])
        #expect(r.status == 0 && r.stdout.hasPrefix("stormsim "))
    }

    @Test(arguments: [
        (["frobnicate"], "unknown command 'frobnicate'"),
        ([], "missing a command"),
        (["run"], "missing the scenario FILE"),
        (["run", "a.json", "b.json"], "expected one scenario FILE, found 2"),
        (["run", "a.json", "--bogus"], "unknown option '--bogus'"),
        (["run", "a.json", "--seed", "minus-one"], "--seed expects an integer"),
        (["run", "a.json", "--seed", "-1"], "--seed expects an integer from 0 to 18446744073709551615, found '-1'"),
        (["run", "a.json", "--set", "nopath"], "--set expects PATH=VALUE"),
        (["run", "a.json", "--set", "a..b=1"], "is not a path"),
        (["run", "a.json", "--out"], "--out needs a value"),
    ])
    func usageErrorsExitTwoWithAHint(args: [String], message: String) throws {
        let r = try stormsim(args)
        #expect(r.status == 2, "\(args): \(r.stderr)")
        #expect(r.stderr.hasPrefix("Error: "), "\(args): \(r.stderr)")
        #expect(r.stderr.contains(message), "\(args): \(r.stderr)")
        #expect(r.stderr.contains("--help'"))
        #expect(r.stdout.isEmpty)
    }

    @Test func invalidScenarioExitsThreeAndWritesNothing() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        try write(#"{"name": "bad", "duration": "10", "clients": {"count": 0}}"#, to: dir.appendingPathComponent("bad.json"))
        let r = try stormsim(["run", "bad.json"], in: dir)
        #expect(r.status == 3)
        #expect(r.stderr.contains("bad.json: duration: \"10\" has no unit"))
        #expect(r.stderr.contains("bad.json: clients.count: expected an integer from 1 to 10000000, found 0"))
        #expect(r.stderr.contains("bad.json: services: missing"))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("results").path))
    }

    @Test func missingFileExitsThree() throws {
        let r = try stormsim(["run", "/nonexistent/x.json"])
        #expect(r.status == 3)
        #expect(r.stderr.contains("/nonexistent/x.json: (top level): the file does not exist"))
    }
}

@Suite struct VariantRunTests {
    let varied = smallScenario.replacingOccurrences(
        of: #"{ "name": "small","#,
        with: #"{ "name": "small", "vary": { "clients.policy.jitter": ["none", "full", "equal", "decorrelated"], "clients.policy.maxAttempts": [2, 4] },"#)

    @Test func outputsAreIdenticalWhateverJobs() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        try write(varied, to: dir.appendingPathComponent("v.json"))
        let one = try stormsim(["run", "v.json", "--out", "one", "--jobs", "1"], in: dir)
        let two = try stormsim(["run", "v.json", "--out", "two", "--jobs", "2", "--quiet"], in: dir)
        let many = try stormsim(["run", "v.json", "--out", "many", "--jobs", "7", "--quiet"], in: dir)
        #expect(one.status == 0 && two.status == 0 && many.status == 0)
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("one/timeseries").path).sorted()
        #expect(names == ["decorrelated_2.csv", "decorrelated_4.csv", "equal_2.csv", "equal_4.csv", "full_2.csv", "full_4.csv", "none_2.csv", "none_4.csv"])
        for file in ["summary.csv"] + names.map({ "timeseries/\($0)" }) {
            let a = try read(dir.appendingPathComponent("one/\(file)"))
            #expect(a == (try read(dir.appendingPathComponent("two/\(file)"))), "\(file)")
            #expect(a == (try read(dir.appendingPathComponent("many/\(file)"))), "\(file)")
        }
        let summary = try read(dir.appendingPathComponent("one/summary.csv")).split(separator: "\n")
        #expect(summary.count == 9)
        #expect(summary[0].hasPrefix("scenario,variant,clients.policy.jitter,clients.policy.maxAttempts,seed,requests,"))
        #expect(summary[1].hasPrefix("small,none_2,none,2,3,200,"))
        #expect(summary[8].hasPrefix("small,decorrelated_4,decorrelated,4,3,200,"))
        // The terminal shows a table with one row per variant.
        #expect(one.stdout.contains("small: 8 variant(s), seed 3, 5s simulated"))
        #expect(one.stdout.contains("\nfull_4 "))
    }

    @Test func staleTimeSeriesOfEarlierVariantsAreRemoved() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        try write(varied, to: dir.appendingPathComponent("v.json"))
        _ = try stormsim(["run", "v.json", "--out", "o", "--quiet"], in: dir)
        _ = try stormsim(["run", "v.json", "--out", "o", "--quiet", "--set", "vary={}"], in: dir)
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("o/timeseries").path)
        #expect(names == ["base.csv"])
    }

    @Test func badJobsIsAUsageError() throws {
        for value in ["0", "-2", "many", "100000"] {
            let r = try stormsim(["run", "x.json", "--jobs", value])
            #expect(r.status == 2)
            #expect(r.stderr.contains("--jobs expects an integer from 1 to 1024"))
        }
    }
}

@Suite struct PresetsAndTraceTests {
    @Test func presetsListsEveryPresetWithItsSource() throws {
        let r = try stormsim(["presets"])
        #expect(r.status == 0)
        for name in ["aws-standard", "aws-legacy", "aws-adaptive", "grpc", "grpc-legacy", "envoy", "finagle", "sre-throttling",
            "gobreaker", "resilience4j", "polly", "hystrix", "go-retryablehttp", "cenkalti-backoff", "client-go"]
        {
            #expect(r.stdout.contains("\n\(name)\n") || r.stdout.hasPrefix("\(name)\n"), "\(name)")
        }
        #expect(r.stdout.contains("source: botocore retries/standard.py and quota.py"))
        let one = try stormsim(["presets", "grpc"])
        #expect(one.stdout.hasPrefix("grpc\n") && one.stdout.contains(#""threshold":5"#))
        let bad = try stormsim(["presets", "grcp"])
        #expect(bad.status == 2 && bad.stderr.contains("no preset named 'grcp'"))
    }

    @Test func traceWritesTraceCSV() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        try write(smallScenario, to: dir.appendingPathComponent("s.json"))
        let r = try stormsim(["run", "s.json", "--trace", "3", "--quiet"], in: dir)
        #expect(r.status == 0)
        let trace = try read(dir.appendingPathComponent("results/small/trace.csv")).split(separator: "\n")
        #expect(trace[0] == "variant,request,client,caller,service,instance,attempt,time_s,event,detail")
        #expect(trace[1].hasPrefix("base,0,"))
        #expect(Set(trace.dropFirst().map { $0.split(separator: ",")[1] }) == ["0", "1", "2"])
        // Bad trace options are usage errors.
        let window = try stormsim(["run", "s.json", "--trace-window", "5s"], in: dir)
        #expect(window.status == 2 && window.stderr.contains("--trace-window expects A..B"))
        let backwards = try stormsim(["run", "s.json", "--trace-window", "5s..1s"], in: dir)
        #expect(backwards.status == 2 && backwards.stderr.contains("the end must come after the start"))
        let both = try stormsim(["run", "s.json", "--trace-from", "1s", "--trace-window", "1s..2s"], in: dir)
        #expect(both.status == 2 && both.stderr.contains("not both"))
        let unit = try stormsim(["run", "s.json", "--trace-from", "5"], in: dir)
        #expect(unit.status == 2 && unit.stderr.contains("has no unit"))
        // A failed-only trace alone traces up to 10 requests.
        #expect(try stormsim(["run", "s.json", "--trace-failed", "--quiet"], in: dir).status == 0)
        // A run without --trace removes the stale trace.
        _ = try stormsim(["run", "s.json", "--quiet"], in: dir)
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("results/small/trace.csv").path))
    }
}

@Suite struct BenchCommandTests {
    @Test func benchHelpAndErrors() throws {
        let help = try stormsim(["bench", "--help"])
        #expect(help.status == 0 && help.stdout.contains("USAGE: stormsim bench"))
        let bad = try stormsim(["bench", "--workload", "nosuch"])
        #expect(bad.status == 2 && bad.stderr.contains("no workload named 'nosuch'"))
        let elsewhere = try stormsim(["bench", "--workload", "thundering-herd", "--root", "/nonexistent"])
        #expect(elsewhere.status == 3 && elsewhere.stderr.contains("bench needs the repository's scenarios"))
        let both = try stormsim(["bench", "--quick", "--full"])
        #expect(both.status == 2 && both.stderr.contains("contradict"))
    }

    /// One workload in-process, as the parent runs each child: a parseable line with events, wall and memory.
    @Test func oneWorkloadPrintsAResultLine() throws {
        let r = try stormsim(["bench", "--workload", "thundering-herd", "--root", repositoryRoot.path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.hasPrefix("events=204230 wall="))
        #expect(r.stdout.contains(" rss_kb=") && r.stdout.hasSuffix(" runs=1\n"))
    }

    /// A sweep workload is `stormsim run` with replications, files written: its line counts every run and the
    /// events of all of them, as the replications file lists them.
    @Test func sweepWorkloadCountsEveryRun() throws {
        let r = try stormsim(["bench", "--workload", "aws-sweep-1s", "--replications", "2", "--root", repositoryRoot.path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.hasSuffix(" runs=190\n"), "\(r.stdout)")  // 19 client counts x 5 policies x 2
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = try stormsim(["run", repositoryRoot.appendingPathComponent("bench/aws-jitter-sweep.json").path,
                                "--replications", "2", "--set", "metrics.interval=1s", "--out", dir.path, "--quiet"])
        #expect(run.status == 0, "\(run.stderr)")
        let lines = try String(contentsOf: dir.appendingPathComponent("replications.csv"), encoding: .utf8).split(separator: "\n")
        let column = lines[0].split(separator: ",").firstIndex(of: "events")!
        let total = lines.dropFirst().reduce(0) { $0 + Int($1.split(separator: ",", omittingEmptySubsequences: false)[column])! }
        #expect(r.stdout.hasPrefix("events=\(total) wall="))
    }
}
