import Foundation
import StormSim

/// `stormsim run FILE`: simulate every variant, write the CSVs atomically, print a summary.
struct RunCommand {
    var file: String
    var outDir: String?
    var seed: UInt64?
    var jobs: Int
    var overrides: [Override]
    var quiet: Bool
    var trace: Int

    init(_ args: inout Arguments) throws(CommandError) {
        outDir = try args.value("--out")
        if let text = try args.value("--seed") {
            guard let s = UInt64(text) else {
                throw args.usage("--seed expects an integer from 0 to 18446744073709551615, found '\(text)'")
            }
            seed = s
        }
        jobs = ProcessInfo.processInfo.activeProcessorCount
        if let text = try args.value("--jobs") {
            guard let j = Int(text), j >= 1, j <= 1024 else {
                throw args.usage("--jobs expects an integer from 1 to 1024, found '\(text)'")
            }
            jobs = j
        }
        trace = 0
        if let text = try args.value("--trace") {
            guard let n = Int(text), n >= 0, n <= 100_000 else {
                throw args.usage("--trace expects a number of requests from 0 to 100000, found '\(text)'")
            }
            trace = n
        }
        overrides = try args.overrides()
        quiet = args.flag("--quiet")
        let files = try args.positionals()
        guard files.count == 1 else {
            throw args.usage(files.isEmpty ? "missing the scenario FILE" : "expected one scenario FILE, found \(files.count)")
        }
        file = files[0]
    }

    func execute() throws(CommandError) {
        var set: ScenarioSet
        do {
            set = try ScenarioDecoder.loadSet(file: file, overrides: overrides)
        } catch {
            throw CommandError(code: .invalidScenario, message: "invalid scenario\n" + error.description)
        }
        if let seed {
            for i in set.variants.indices { set.variants[i].scenario.seed = seed }
        }

        Interrupt.shared.install()
        let clock = ContinuousClock()
        let started = clock.now
        let progress = Progress(label: set.name, variants: set.variants, enabled: !quiet)
        let results = BatchRunner.run(
            set.variants, jobs: jobs, traceRequests: trace,
            checkpoint: { variant, now in
                progress.update(variant: variant, simulated: now)
                return Interrupt.shared.isRaised
            },
            finished: { progress.variantFinished($0) })
        progress.finish()
        let wall = clock.now - started
        if Interrupt.shared.isRaised || results.contains(where: \.interrupted) {
            throw CommandError(code: .interrupted, message: "interrupted; no results written (earlier results are untouched)")
        }

        let dir = outDir ?? "results/\(set.name)"
        let written: [String]
        do {
            written = try ResultWriter.write(results, to: dir, trace: trace > 0)
        } catch {
            throw CommandError(code: .failure, message: error.description)
        }
        if !quiet {
            if results.count == 1 {
                print(TerminalSummary.text(results[0], scenario: set.variants[0].scenario))
                print("wrote " + written.joined(separator: ", "))
            } else {
                print(TerminalSummary.table(results, scenario: set.variants[0].scenario))
                print("wrote \(dir)/summary.csv and \(results.count) time series in \(dir)/timeseries/")
            }
            print(TerminalSummary.speed(events: results.reduce(0) { $0 + $1.events }, wall: wall, jobs: min(jobs, results.count)))
        }
    }
}
