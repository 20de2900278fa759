/// `summary.json`: the numbers of `summary.csv`, typed, with the scenario, the seed, each variant's varied values
/// and its expectations met or missed, and the version of stormsim that wrote them. One variant per line, so a
/// diff of two files reads like a diff of the CSV.
public enum SummaryJSON {
    /// A seed as a JSON number when a double holds it exactly (below 2^53), else as a string.
    public static func seed(_ seed: UInt64) -> JSONValue {
        seed < 1 << 53 ? .number(Double(seed)) : .string(String(seed))
    }

    static func value(_ cell: CSVTable.Cell) -> JSONValue {
        switch cell {
        case .number(let d): return d.isFinite ? .number(d) : .null
        case .integer(let i): return .number(Double(i))
        case .text(let s): return .string(s)
        case .empty: return .null
        }
    }

    public static func text(_ outputs: [Aggregator.VariantOutput], set: ScenarioSet, replications: Int) -> String {
        let first = set.variants[0].scenario
        let violations = ExpectationCheck.violations(outputs, set: set)
        var lines: [String] = []
        for (output, variant) in zip(outputs, set.variants) {
            let values = variant.parameters.map { JSONMember(key: $0.path, value: .string($0.label)) }
            let expectations: [JSONValue] = variant.scenario.expectations.map { e in
                let (mean, ci) = output.means[e.metric] ?? (.nan, .nan)
                let missed = violations.contains { $0.variant == variant.name && $0.metric == e.metric }
                return .object([
                    JSONMember(key: "metric", value: .string(e.metric)),
                    JSONMember(key: "min", value: e.min.map { .number($0) } ?? .null),
                    JSONMember(key: "max", value: e.max.map { .number($0) } ?? .null),
                    JSONMember(key: "value", value: mean.isFinite ? .number(mean) : .null),
                    JSONMember(key: "ci95", value: ci.isFinite ? .number(ci) : .null),
                    JSONMember(key: "met", value: .bool(!missed)),
                ])
            }
            let item = JSONValue.object([
                JSONMember(key: "name", value: .string(variant.name)),
                JSONMember(key: "values", value: .object(values)),
                JSONMember(key: "summary", value: .object(output.summary.map { column, cell in
                    // The seed is text in the CSV (it may exceed a double's exact range); here a number when it fits.
                    if column == "seed", case .text(let s) = cell, let n = UInt64(s) { return JSONMember(key: column, value: seed(n)) }
                    return JSONMember(key: column, value: value(cell))
                })),
                JSONMember(key: "expectations", value: .array(expectations)),
            ])
            lines.append("    " + item.compactText)
        }
        let head = JSONValue.object([
            JSONMember(key: "stormsim", value: .string(StormSimVersion.text)),
            JSONMember(key: "scenario", value: .string(set.name)),
            JSONMember(key: "seed", value: seed(first.seed)),
            JSONMember(key: "replications", value: .number(Double(replications))),
            JSONMember(key: "varied", value: .array(set.variedPaths.map { .string($0) })),
            JSONMember(key: "expectations_met", value: .bool(violations.isEmpty)),
        ]).compactText
        // The head's members, then the variants one per line.
        return "{" + head.dropFirst().dropLast() + ",\n  \"variants\": [\n" + lines.joined(separator: ",\n") + "\n  ]\n}\n"
    }
}
