import Foundation
import Testing

/// Width and height of a PNG, or nil if the bytes are not a PNG (signature, then the IHDR chunk).
func pngSize(_ data: Data) -> (width: Int, height: Int)? {
    let bytes = [UInt8](data)
    guard bytes.count > 24, bytes[0..<8] == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], bytes[12..<16] == [0x49, 0x48, 0x44, 0x52]
    else { return nil }
    let be = { (i: Int) in Int(bytes[i]) << 24 | Int(bytes[i + 1]) << 16 | Int(bytes[i + 2]) << 8 | Int(bytes[i + 3]) }
    return (be(16), be(20))
}

@Suite struct PlotTests {
    /// Every bundled scenario's committed results have a rendered dashboard in plots/, and each is a real picture:
    /// a valid PNG of at least 1000 x 400 pixels and more than 20 KB (a blank or broken render is far smaller).
    @Test func committedPlotsAreValidPictures() throws {
        let results = try FileManager.default.contentsOfDirectory(atPath: repositoryRoot.appendingPathComponent("results").path)
            .filter { FileManager.default.fileExists(atPath: repositoryRoot.appendingPathComponent("results/\($0)/run.json").path) }
        #expect(results.count >= 6)
        for name in results {
            let url = repositoryRoot.appendingPathComponent("plots/\(name).png")
            let data = try Data(contentsOf: url)
            let size = pngSize(data)
            #expect(size != nil, "\(name).png is not a PNG")
            #expect((size?.width ?? 0) >= 1000 && (size?.height ?? 0) >= 400, "\(name).png is \(String(describing: size))")
            #expect(data.count > 20_000, "\(name).png has only \(data.count) bytes")
            let script = try read(repositoryRoot.appendingPathComponent("plots/\(name).gp"))
            #expect(script.contains("../results/\(name)/"))
        }
    }

    /// The fleet panels appear where the results hold fleet state: instances out of the picks for outlier detection
    /// and health checks, the mean limit for concurrency limits; a scenario with neither has no such panel.
    @Test func fleetPanelsFollowTheData() throws {
        func script(_ name: String) throws -> String { try read(repositoryRoot.appendingPathComponent("plots/\(name).gp")) }
        #expect(try script("health-check-spiral").contains("instances out of the picks"))
        #expect(try script("one-bad-host").contains("instances out of the picks"))
        #expect(try script("adaptive-limits").contains("concurrency limit (mean per instance)"))
        #expect(try !script("thundering-herd").contains("out of the picks"))
        #expect(try !script("adaptive-limits").contains("out of the picks"))
        // The load per instance, for the variant whose instances differ most: the ring hash's bad host.
        #expect(try script("one-bad-host").contains("attempts per second at each instance (ring-hash)"))
        #expect(try !script("thundering-herd").contains("at each instance"))
    }

    /// Plots that answer the question: fixed axes for rates, values on bars, identical variants marked, no
    /// makespan for open loops, policy state and failure causes over time, per-interval p99, the legend outside
    /// with many variants, anchored heat-map scales, and the key parameters in the title.
    @Test func panelsAnswerTheQuestion() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        func script(_ name: String) throws -> String {
            let out = dir.appendingPathComponent("\(name).gp").path
            let r = try stormsim(["plot", repositoryRoot.appendingPathComponent("results/\(name)").path, "--script-only", "--script", out])
            #expect(r.status == 0, "\(r.stderr)")
            return try read(URL(fileURLWithPath: out))
        }
        let storm = try script("metastable-retry-storm")
        #expect(storm.contains("set title 'Success rate'") && storm.contains("set yrange [0:1.1]"))
        #expect(storm.contains("with labels offset 0,0.7"))
        #expect(!storm.contains("Makespan"))  // an open loop: requests arrive until the end
        #expect(storm.contains("set key outside below"))  // 7 variants
        #expect(storm.contains("Retry budget: tokens left") && storm.contains("Failures by cause, per second (unprotected)"))
        #expect(storm.contains("p99 latency of the requests that succeeded in each interval") && storm.contains("column(\"latency_p99_ms\")"))
        #expect(storm.contains("stormsim: metastable-retry-storm | 180 s simulated, clients call api | load x2 30-40 s | 7 variants"))
        let presets = try script("real-world-presets")
        #expect(presets.contains("dt 3 title 'aws-adaptive (same as aws-standard)'"))
        #expect(presets.contains("Circuit breakers open"))
        let herd = try script("jitter-comparison")
        #expect(herd.contains("Makespan"))  // a burst: the makespan is the point
        #expect(!herd.contains("set key outside"))
        let sweep = try script("retry-sweep")
        #expect(sweep.contains("set cbrange [0:1]") && sweep.contains("set cbrange [1:*]"))
        #expect(!sweep.contains("Failures by cause"))  // 50 variants: the heat maps say it
        // Failure panels only for variants that failed; an interval with no success breaks the p99 line.
        let hedging = try script("hedging-tail")
        #expect(!hedging.contains("Failures by cause, per second (no-hedging_load-30)"))
        #expect(hedging.contains("Failures by cause, per second (hedge-after-p95_load-90)"))
        #expect(storm.contains("(column(\"latency_p99_ms\") > 0 ? column(\"latency_p99_ms\") : NaN)"))
        #expect(try !script("thundering-herd").contains("Circuit breakers"))
    }

    /// `stormsim plot` writes a script beside the data and renders it with gnuplot, or, where gnuplot is not
    /// installed (CI installs it), says how to install it and how to run the script.
    @Test func plotRendersOrExplains() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let varied = smallScenario.replacingOccurrences(of: #"{ "name": "small","#, with: #"{ "name": "small", "vary": { "clients.policy.jitter": ["none", "full"] },"#)
        try write(varied, to: dir.appendingPathComponent("s.json"))
        #expect(try stormsim(["run", "s.json", "--quiet"], in: dir).status == 0)
        let r = try stormsim(["plot", "results/small"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let script = try read(dir.appendingPathComponent("results/small/plot.gp"))
        #expect(script.contains("set output 'plot.png'") && script.contains("'timeseries/full.csv'"))
        if r.stdout.contains("gnuplot is not installed") {
            #expect(r.stdout.contains("apt-get install gnuplot-nox") && r.stdout.contains("brew install gnuplot"))
        } else {
            let png = try Data(contentsOf: dir.appendingPathComponent("results/small/plot.png"))
            #expect(pngSize(png).map { $0.width >= 1000 } == true)
            let svg = try stormsim(["plot", "results/small", "--format", "svg", "--out", "small.svg"], in: dir)
            #expect(svg.status == 0)
            #expect(try read(dir.appendingPathComponent("small.svg")).contains("<svg"))
        }
    }

    /// Without gnuplot on PATH, plot writes the script, explains, and fails (1); --script-only succeeds.
    @Test func plotWithoutGnuplotFailsUnlessScriptOnly() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        try write(smallScenario, to: dir.appendingPathComponent("s.json"))
        #expect(try stormsim(["run", "s.json", "--quiet"], in: dir).status == 0)
        func plot(_ extra: [String]) throws -> (Int32, String) {
            let process = Process()
            process.executableURL = try stormsimBinary()
            process.arguments = ["plot", "results/small"] + extra
            process.currentDirectoryURL = dir
            process.environment = ["PATH": "/nonexistent"]
            let err = Pipe()
            process.standardError = err
            process.standardOutput = Pipe()
            try process.run()
            let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            return (process.terminationStatus, text)
        }
        let (status, stderr) = try plot([])
        #expect(status == 1 && stderr.contains("gnuplot is not installed") && stderr.contains("apt-get install gnuplot-nox"))
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("results/small/plot.gp").path))
        #expect(try plot(["--script-only"]).0 == 0)
    }

    @Test func plotErrors() throws {
        let missing = try stormsim(["plot", "/nonexistent/results"])
        #expect(missing.status == 1 && missing.stderr.contains("not a results folder of 'stormsim run'"))
        let format = try stormsim(["plot", "x", "--format", "gif"])
        #expect(format.status == 2 && format.stderr.contains("--format expects png or svg"))
    }
}
