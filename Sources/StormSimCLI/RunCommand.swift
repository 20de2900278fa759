import Foundation
import StormSim

/// `stormsim run FILE`: simulate, write the CSVs atomically, print a summary.
struct RunCommand {
    var file: String
    var outDir: String?
    var seed: UInt64?
    var overrides: [Override]
    var quiet: Bool

    init(_ args: inout Arguments) throws(CommandError) {
        outDir = try args.value("--out")
        if let text = try args.value("--seed") {
            guard let s = UInt64(text) else {
                throw args.usage("--seed expects an integer from 0 to 18446744073709551615, found '\(text)'")
            }
            seed = s
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
        var scenario: Scenario
        do {
            scenario = try ScenarioDecoder.load(file: file, overrides: overrides)
        } catch {
            throw CommandError(code: .invalidScenario, message: "invalid scenario\n" + error.description)
        }
        if let seed { scenario.seed = seed }

        Interrupt.shared.install()
        let clock = ContinuousClock()
        let started = clock.now
        var progress = Progress(label: scenario.name, total: scenario.duration, enabled: !quiet)
        let result = Runner.run(scenario) { now in
            progress.update(simulated: now)
            return Interrupt.shared.isRaised
        }
        progress.finish()
        let wall = clock.now - started
        if result.interrupted || Interrupt.shared.isRaised {
            throw CommandError(code: .interrupted, message: "interrupted; no results written (earlier results are untouched)")
        }

        let dir = outDir ?? "results/\(scenario.name)"
        let written: [String]
        do {
            written = try ResultWriter.write([result], to: dir)
        } catch {
            throw CommandError(code: .failure, message: error.description)
        }
        if !quiet {
            print(TerminalSummary.text(result, scenario: scenario))
            print("wrote " + written.joined(separator: ", "))
            print(TerminalSummary.speed(events: result.events, wall: wall))
        }
    }
}
