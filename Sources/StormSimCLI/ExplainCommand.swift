import StormSim

/// `stormsim explain FILE`: the scenario with every default filled in and where each value came from, an
/// estimate of each service's load, and the warnings.
struct ExplainCommand {
    var file: String
    var overrides: [Override]
    var json: Bool
    var strict: Bool

    init(_ args: inout Arguments) throws(CommandError) {
        overrides = try args.overrides()
        strict = args.flag("--strict")
        json = try args.jsonFormat()
        file = try args.scenarioFile()
    }

    func execute() throws(CommandError) {
        let explanation: ScenarioExplanation
        do {
            explanation = try ScenarioDecoder.explain(file: file, overrides: overrides)
        } catch {
            throw CommandError(code: .invalidScenario, message: "invalid scenario\n" + error.description)
        }
        print(json ? jsonText(explanation) : text(explanation), terminator: "")
        if strict && !explanation.warnings.isEmpty {
            throw CommandError(code: .invalidScenario, message: "\(explanation.warnings.count) warning(s) and --strict")
        }
    }

    func text(_ e: ExplainCommand.Explanation) -> String {
        let set = e.set
        let first = set.variants[0]
        var out = "\(ScenarioDecoder.displayName(file)): \(set.name), \(set.variants.count) variant(s)\n"
        if set.variants.count > 1 {
            out += "The values below are variant 1's (\(first.name)); the variants change:\n"
            for (k, path) in set.variedPaths.enumerated() {
                let labels = set.variants.map { $0.parameters[k].label }
                var distinct: [String] = []
                for l in labels where !distinct.contains(l) { distinct.append(l) }
                out += "  \(path): \(distinct.prefix(12).joined(separator: ", "))\(distinct.count > 12 ? ", ..." : "")\n"
            }
        }
        out += "\nVALUES (source: file, --set, vary, preset NAME, or default)\n"
        func shown(_ value: String) -> String { value.count > 60 ? String(value.prefix(57)) + "..." : value }
        let width = min(56, e.values.map(\.path.count).max() ?? 0)
        let valueWidth = e.values.map { shown($0.value).count }.max() ?? 0
        for v in e.values {
            out += "  " + pad(v.path, width) + "  " + pad(shown(v.value), valueWidth) + "  " + v.source.description + "\n"
        }
        out += "\nLOAD BEFORE ANY FAULT (means: no retries, no queueing; the run measures the rest)\n"
        let estimate = ScenarioWarnings(first.scenario)
        for (j, s) in first.scenario.services.enumerated() {
            var parts: [String] = []
            if let capacity = estimate.capacityPerSecond(j) { parts.append("capacity about \(ScenarioWarnings.rate(capacity))/s") }
            if let offered = estimate.offeredPerSecond(j) {
                parts.append("offered \(ScenarioWarnings.rate(offered))/s")
                if let capacity = estimate.capacityPerSecond(j) { parts.append("utilization \(NumberFormat.rounded(offered / capacity, digits: 2))") }
            }
            if let wait = estimate.fullQueueWaitSeconds(j) { parts.append("a full queue waits \(ScenarioWarnings.seconds(wait))") }
            if parts.isEmpty { parts.append(s.kind.rawValue) }
            out += "  \(s.name): \(parts.joined(separator: ", "))\n"
        }
        out += "\n" + warningsText(e.warnings)
        return out
    }

    typealias Explanation = ScenarioExplanation

    func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }

    func warningsText(_ warnings: [ScenarioWarning]) -> String {
        guard !warnings.isEmpty else { return "No warnings.\n" }
        return "WARNINGS (\(warnings.count))\n" + warnings.map { "  \($0.description)\n" }.joined()
    }

    func jsonText(_ e: ScenarioExplanation) -> String {
        let values: [JSONValue] = e.values.map { v in
            .object([
                JSONMember(key: "path", value: .string(v.path)),
                JSONMember(key: "value", value: v.value == "none" ? .null : ((try? JSONParser.parse(v.value)) ?? .string(v.value))),
                JSONMember(key: "source", value: .string(v.source.description)),
            ])
        }
        let doc = JSONValue.object([
            JSONMember(key: "file", value: .string(file)),
            JSONMember(key: "scenario", value: .string(e.set.name)),
            JSONMember(key: "variants", value: .array(e.set.variants.map { .string($0.name) })),
            JSONMember(key: "values", value: .array(values)),
            JSONMember(key: "warnings", value: warningsJSON(e.warnings)),
        ])
        return doc.compactText + "\n"
    }
}

func warningsJSON(_ warnings: [ScenarioWarning]) -> JSONValue {
    .array(warnings.map { w in
        .object([
            JSONMember(key: "kind", value: .string(w.kind.rawValue)), JSONMember(key: "path", value: .string(w.path)),
            JSONMember(key: "message", value: .string(w.message)),
        ])
    })
}

/// Prints a scenario's warnings on stderr ("Warning: FILE: PATH: message"); with `strict`, any warning is an error
/// (exit 3) once they are printed.
func reportWarnings(_ warnings: [ScenarioWarning], file: String, strict: Bool) throws(CommandError) {
    let name = ScenarioDecoder.displayName(file)
    for w in warnings { writeStandardError("Warning: \(name): \(w.description)\n") }
    if strict && !warnings.isEmpty {
        throw CommandError(code: .invalidScenario, message: "\(name): \(warnings.count) warning(s) and --strict")
    }
}
