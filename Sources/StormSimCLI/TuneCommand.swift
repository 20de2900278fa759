import Foundation
import StormSim

/// `stormsim tune FILE`: recommends the setting of the scenario's `vary` that minimises a metric subject to
/// constraints, by racing with common random numbers.
struct TuneCommand {
    var file: String
    var overrides: [Override]
    var minimize: String?
    var require: [TuneSpec.Constraint]
    var maxReplications: Int?
    var firstReplications: Int
    var jobs: Int
    var seed: UInt64?
    var outDir: String?
    var json: Bool
    var quiet: Bool
    /// One round of refinement around the recommendation (`--no-refine` leaves it out).
    var refine: Bool

    init(_ args: inout Arguments) throws(CommandError) {
        overrides = try args.overrides()
        minimize = try args.value("--minimize")
        require = []
        for text in try args.values("--require") {
            guard let c = TuneSpec.Constraint.parse(text) else {
                throw args.usage("--require \(text): expected \"METRIC >= NUMBER\", \"METRIC <= NUMBER\" or \"recovered\"")
            }
            require.append(c)
        }
        maxReplications = try args.integer("--max-replications", in: 2...1_000, what: "a number of replications")
        firstReplications = try args.integer("--first-replications", in: 2...100, what: "a number of replications") ?? 3
        jobs = try args.integer("--jobs", in: 1...1024) ?? ProcessInfo.processInfo.activeProcessorCount
        seed = try args.seed()
        outDir = try args.value("--out")
        json = try args.jsonFormat()
        quiet = args.flag("--quiet")
        refine = !args.flag("--no-refine")
        file = try args.scenarioFile()
    }

    func execute() throws(CommandError) {
        var set = try loadScenarioSet(file, overrides: overrides, seed: seed)
        var spec = set.tune ?? TuneSpec()
        if let minimize { spec.minimize = minimize }
        if !require.isEmpty { spec.constraints = require }
        if let maxReplications { spec.maxReplications = maxReplications }
        let known = SummaryMetric.names(services: set.variants[0].scenario.services.map(\.name))
        if let problem = spec.problems(known: known).first {
            throw CommandError(code: .invalidScenario, message: "\(ScenarioDecoder.displayName(file)): \(problem.path): \(problem.message)")
        }
        var tuner = Tuner(set: set, spec: spec)
        guard tuner.candidates.count > 1 else {
            throw CommandError(code: .invalidScenario, message: "\(ScenarioDecoder.displayName(file)): nothing to choose from: give the settings to compare in \"vary\" (lists or ranges)")
        }
        Interrupt.shared.startPolling()
        let workers = jobs
        let showProgress = !quiet && !json
        var stage = 0
        tuner.race(firstReplications: min(firstReplications, spec.maxReplications), run: { jobs in
            stage += 1
            let progress = Progress(label: "\(set.name): tune stage \(stage)", jobs: jobs.map { set.variants[$0.variant].scenario.duration },
                                    variants: 0, enabled: showProgress)
            let results = BatchRunner.results(jobs, of: set, workers: workers) { index, now in
                progress.update(job: index, simulated: now)
                return Interrupt.shared.isRaised
            }
            progress.finish()
            return results
        })
        if Interrupt.shared.isRaised { throw CommandError(code: .interrupted, message: "interrupted; nothing written") }
        var note = ""
        if refine, let (refined, refinedSet, text, better) = try self.refine(tuner, spec: spec, workers: workers) {
            note = text
            if Interrupt.shared.isRaised { throw CommandError(code: .interrupted, message: "interrupted; nothing written") }
            if better {
                // The report is the neighbourhood's race; the grid's exhaustive count stays the yardstick.
                var r = refined
                r.gridRuns = tuner.exhaustiveRuns
                tuner = r
                set = refinedSet
            } else {
                tuner.addRuns(refined.runs - tuner.runs)
            }
        }
        if !note.isEmpty && !quiet && !json { print(note) }
        try write(TuneReport(tuner), set: set)
        try TuneCommand.checkRecommended(tuner)
    }

    func write(_ report: TuneReport, set: ScenarioSet) throws(CommandError) {
        let tuner = report.tuner
        let dir = outDir ?? "results/\(set.name)/tune"
        var exports: [PolicyExport.File] = []
        var files: [(String, String)] = []
        if let best = tuner.recommended {
            let variant = set.variants[tuner.candidates[best].variantIndex]
            let target = variant.scenario.services[variant.scenario.targetIndex].name
            exports = PolicyExport.all(variant.scenario.clients.policy, service: target)
            files.append(("recommended.json", report.values(best).prettyText() + "\n"))
            if let policy = recommendedPolicy(values: report.values(best)) { files.append(("recommended-policy.json", policy.prettyText() + "\n")) }
            for e in exports { files.append((e.name, e.text)) }
        }
        let doc = report.json(exports: exports)
        files.append(("tune.json", doc.compactText + "\n"))
        files.append(("candidates.csv", report.table().text))
        files.append(("frontier.csv", report.table(only: tuner.frontier).text))
        files.append(("frontier.gp", TunePlot.script(report)))
        for (name, text) in files {
            do { try AtomicFile.write(text, to: "\(dir)/\(name)") } catch { throw CommandError(code: .failure, message: error.description) }
        }
        let image = TunePlot.render(folder: dir)
        if json { print(doc.compactText); return }
        guard !quiet else { return }
        print(report.text, terminator: "")
        if let best = tuner.recommended {
            print("\nAS A SCENARIO SETTING (recommended.json; the whole clients.policy in recommended-policy.json):")
            print("  " + report.values(best).compactText)
            print("IN REAL SYSTEMS: " + exports.map(\.name).joined(separator: ", ") + " (what each cannot express is in tune.json)")
        }
        print("\nwrote \(dir)/: tune.json, candidates.csv, frontier.csv, frontier.gp\(image.map { ", " + $0 } ?? "")")
    }

    /// No candidate met the constraints: exit 4 (the files are written), as a missed expectation does.
    static func checkRecommended(_ tuner: Tuner) throws(CommandError) {
        guard tuner.recommended == nil else { return }
        throw CommandError(code: .expectationFailed, message: "no candidate meets every constraint (tune.json and candidates.csv say how close each came)")
    }

    /// The scenario's `clients.policy` with the recommended values applied, when they are clients' policy keys.
    func recommendedPolicy(values: JSONValue) -> JSONValue? {
        guard file != "-", let data = FileManager.default.contents(atPath: file),
            var json = try? JSONParser.parse(String(decoding: data, as: UTF8.self)), case .object(let members) = values
        else { return nil }
        for o in overrides { json = (try? json.setting(o.path, to: o.value)) ?? json }
        for m in members {
            guard let path = JSONPath.parse(m.key) else { continue }
            json = (try? json.setting(path, to: m.value)) ?? json
        }
        return json["clients"]?["policy"]
    }

    /// Races the values halfway between the recommendation and its neighbours on each continuous path, with the
    /// recommendation itself, under the same seeds. Returns the new race when it ran, with a note of what it found.
    func refine(_ tuner: Tuner, spec: TuneSpec, workers: Int) throws(CommandError) -> (Tuner, ScenarioSet, String, Bool)? {
        guard let best = tuner.recommended, let vary = tuner.refinement(), file != "-",
            let data = FileManager.default.contents(atPath: file),
            var doc = try? JSONParser.parse(String(decoding: data, as: UTF8.self))
        else { return nil }
        for o in overrides { doc = (try? doc.setting(o.path, to: o.value)) ?? doc }
        guard let withVary = try? doc.setting(JSONPath.root.appending("vary"), to: vary) else { return nil }
        var set: ScenarioSet
        do { set = try ScenarioDecoder.decodeSet(json: withVary, file: ScenarioDecoder.displayName(file)) } catch { return nil }
        if let seed { for i in set.variants.indices { set.variants[i].scenario.seed = seed } }
        var refined = Tuner(set: set, spec: spec)
        guard refined.candidates.count > 1 else { return nil }
        let showProgress = !quiet && !json
        refined.race(firstReplications: min(firstReplications, spec.maxReplications), run: { jobs in
            let progress = Progress(label: "\(set.name): refining", jobs: jobs.map { set.variants[$0.variant].scenario.duration }, variants: 0, enabled: showProgress)
            let results = BatchRunner.results(jobs, of: set, workers: workers) { index, now in
                progress.update(job: index, simulated: now)
                return Interrupt.shared.isRaised
            }
            progress.finish()
            return results
        })
        refined.addRuns(tuner.runs)
        let before = tuner.candidates[best].name
        guard let after = refined.recommended else { return nil }
        let values = refined.candidates[after].parameters.map { "\($0.path) = \($0.value.compactText)" }.joined(separator: ", ")
        let same = tuner.candidates[best].parameters.map(\.value) == refined.candidates[after].parameters.map(\.value)
        let tried = refined.candidates.count - 1, plural = tried == 1 ? "" : "s"
        let text = same
            ? "Refined around \(before): \(tried) setting\(plural) halfway to its neighbours; none better.\n"
            : "Refined around \(before): \(values) is better (\(tried) setting\(plural) halfway to its neighbours tried).\n"
        return (refined, set, text, !same)
    }
}
