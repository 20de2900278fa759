import Foundation
import StormSim

/// `stormsim margin FILE`: the largest trigger the system recovers from, per variant, with the stability curve.
struct MarginCommand {
    var file: String
    var overrides: [Override]
    var scale: Margin.Scale
    /// `--scale both`: the boundary in duration x magnitude.
    var both: Bool
    var trigger: Int?
    var replications: Int
    var steps: Int
    var start: Double?
    var maxSize: Double?
    var jobs: Int
    var seed: UInt64?
    var outDir: String?
    var json: Bool
    var quiet: Bool

    init(_ args: inout Arguments) throws(CommandError) {
        overrides = try args.overrides()
        let scaleText = try args.value("--scale") ?? "duration"
        both = scaleText == "both"
        guard let s = both ? .duration : Margin.Scale(rawValue: scaleText) else { throw args.usage("--scale \(scaleText): expected duration, magnitude or both") }
        scale = s
        trigger = try args.integer("--trigger", in: 1...1_000, what: "a trigger number (see the list with --trigger 0 ... or 'stormsim explain')")
        replications = try args.integer("--replications", in: 2...10_000, what: "a number of replications") ?? 10
        steps = try args.integer("--steps", in: 0...30, what: "a number of bisection steps") ?? 6
        func number(_ name: String) throws(CommandError) -> Double? {
            guard let text = try args.value(name) else { return nil }
            let value: Double?
            if scaleText == "duration", case .success(let d) = DurationText.parse(.string(text)) { value = Double(d.nanoseconds) / 1e9 }
            else { value = Double(text.hasPrefix("x") ? String(text.dropFirst()) : text) }
            guard let v = value, v.isFinite, v > 0, v <= 1e6 else {
                throw args.usage("\(name) \(text): expected a positive \(scaleText == "duration" ? "duration such as 10s" : "number such as 2 or x2")")
            }
            return v
        }
        start = try number("--start")
        maxSize = try number("--max")
        jobs = try args.integer("--jobs", in: 1...1024) ?? ProcessInfo.processInfo.activeProcessorCount
        seed = try args.seed()
        outDir = try args.value("--out")
        json = try args.jsonFormat()
        quiet = args.flag("--quiet")
        file = try args.scenarioFile()
    }

    func execute() throws(CommandError) {
        let set = try loadScenarioSet(file, overrides: overrides, seed: seed)
        let name = ScenarioDecoder.displayName(file)
        let triggers = Margin.triggers(set.variants[0].scenario)
        guard !triggers.isEmpty else {
            throw CommandError(code: .invalidScenario, message: "\(name): no trigger to scale: add a fault window or a load change that starts after 0 s")
        }
        let list = triggers.enumerated().map { "  \($0 + 1): \($1.what), \(NumberFormat.shortest($1.from.seconds))-\(NumberFormat.shortest($1.to.seconds)) s" }.joined(separator: "\n")
        if triggers.count > 1 && trigger == nil {
            throw CommandError(code: .usage, message: "\(name) has \(triggers.count) triggers; choose one with --trigger N:\n\(list)", helpCommand: "margin")
        }
        let index = (trigger ?? 1) - 1
        guard index < triggers.count else {
            throw CommandError(code: .usage, message: "--trigger \(index + 1): \(name) has \(triggers.count) trigger(s):\n\(list)", helpCommand: "margin")
        }
        let chosen = triggers[index]
        if (scale == .magnitude || both) && chosen.magnitude == nil {
            throw CommandError(code: .usage, message: "\(chosen.what) has no magnitude to scale; use --scale duration", helpCommand: "margin")
        }
        let current = scale == .duration ? chosen.duration : chosen.magnitude!
        let from = start ?? current
        let upper = maxSize ?? (scale == .duration ? from * 16 : (chosen.magnitudeIsFactor ? from * 16 : 1))
        let lower = scale == .duration ? min(from, 0.001) : (chosen.magnitudeIsFactor ? min(from, 1) : min(from, 0.001))
        Interrupt.shared.startPolling()
        if both {
            try boundary(set: set, trigger: chosen)
            return
        }
        var curves: [(variant: String, curve: Margin.Curve)] = []
        let r = replications
        for (v, variant) in set.variants.enumerated() {
            let curve = curveOf(variant, index: v, of: set, trigger: chosen, scale: scale, from: from, upper: upper, lower: lower)
            if Interrupt.shared.isRaised { throw CommandError(code: .interrupted, message: "interrupted; nothing written") }
            curves.append((variant.name, curve))
        }
        let report = MarginReport(scenario: set.name, trigger: chosen, scale: scale, replications: r, curves: curves)
        let dir = outDir ?? "results/\(set.name)/margin"
        for (file, text) in [("margin.json", report.json.compactText + "\n"), ("curve.csv", report.table.text), ("margin.gp", report.plotScript)] {
            do { try AtomicFile.write(text, to: "\(dir)/\(file)") } catch { throw CommandError(code: .failure, message: error.description) }
        }
        let image = MarginReport.render(folder: dir)
        if json { print(report.json.compactText); return }
        guard !quiet else { return }
        print(report.text, terminator: "")
        print("\nwrote \(dir)/: margin.json, curve.csv, margin.gp\(image.map { ", " + $0 } ?? "")")
    }

    /// The stability curve of one variant: `replications` runs at each size the search asks for.
    func curveOf(_ variant: Variant, index v: Int, of set: ScenarioSet, trigger chosen: Margin.Trigger, scale: Margin.Scale,
                 from: Double, upper: Double, lower: Double, label: String = "") -> Margin.Curve {
        var evaluated = 0
        let workers = jobs, r = replications
        return Margin.search(start: from, maxSize: upper, minSize: lower, steps: steps) { size in
            evaluated += 1
            let scaled = scale == .duration ? Margin.scaled(variant.scenario, chosen, duration: size) : Margin.scaled(variant.scenario, chosen, magnitude: size)
            let one = ScenarioSet(name: set.name, variedPaths: [], variants: [Variant(name: variant.name, parameters: [], scenario: scaled)])
            let jobs = (0..<r).map { Replications.Job(variant: 0, replication: $0, index: $0) }
            let progress = Progress(label: "\(set.name): \(variant.name)\(label) (\(v + 1) of \(set.variants.count)), size \(evaluated)",
                                    jobs: jobs.map { _ in scaled.duration }, variants: 0, enabled: !quiet && !json)
            let results = Interrupt.shared.isRaised ? [] : BatchRunner.results(jobs, of: one, workers: workers) { i, now in
                progress.update(job: i, simulated: now)
                return Interrupt.shared.isRaised
            }
            progress.finish()
            return Margin.Point(size: size, recovered: results.filter { $0.value("recovered") == 1 }.count, n: r)
        }
    }
}
