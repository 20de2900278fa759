import Foundation
import StormSim

/// `stormsim compare A B`: two results folders, variant by variant and metric by metric, with whether each
/// difference is more than chance (`Comparison`), and gates for CI.
struct CompareCommand {
    var baseline: String
    var candidate: String
    var metrics: [String]
    var gates: [Comparison.Gate]
    var format: String

    init(_ args: inout Arguments) throws(CommandError) {
        let base = try args.value("--baseline")
        metrics = try args.values("--metric")
        let gateTexts = try args.values("--fail-if")
        format = try args.value("--format") ?? "text"
        guard ["text", "markdown", "json", "csv"].contains(format) else {
            throw args.usage("--format \(format): expected text, markdown, json or csv")
        }
        let folders = try args.positionals()
        switch (folders.count, base) {
        case (2, nil): (baseline, candidate) = (folders[0], folders[1])
        case (1, let b?): (baseline, candidate) = (b, folders[0])
        case (_, nil): throw args.usage("expected two results folders, A (the baseline) and B, found \(folders.count)")
        case (_, _?): throw args.usage("with --baseline, expected one results folder (B), found \(folders.count)")
        }
        gates = []
        for text in gateTexts {
            guard let gate = Comparison.Gate.parse(text) else {
                throw args.usage("--fail-if \"\(text)\": expected \"METRIC DIRECTION\", DIRECTION one of decreases, increases, worsens, changes")
            }
            if gate.direction == .worsens && Comparison.better(gate.metric) == nil {
                throw args.usage("--fail-if \"\(text)\": \(gate.metric) has no better direction; say decreases or increases")
            }
            gates.append(gate)
        }
    }

    func execute() throws(CommandError) {
        let a: Comparison.Folder, b: Comparison.Folder
        do {
            a = try Comparison.Folder.load(baseline)
            b = try Comparison.Folder.load(candidate)
        } catch { throw CommandError(code: .invalidScenario, message: error.message) }
        var chosen = metrics
        if chosen.isEmpty {
            chosen = ["success_rate", "amplification", "latency_p99_ms", "wasted_work_fraction", "recovered"]
        }
        let known = Set(a.values.values.flatMap(\.keys)).union(b.values.values.flatMap(\.keys))
        for m in metrics + gates.map(\.metric) where !known.contains(m) {
            throw CommandError(code: .usage, message: "no column '\(m)' in \(baseline)/summary.csv or \(candidate)/summary.csv", helpCommand: "compare")
        }
        let rows = Comparison.rows(a: a, b: b, metrics: chosen)
        let onlyA = a.variants.filter { b.values[$0] == nil }, onlyB = b.variants.filter { a.values[$0] == nil }
        let tripped = gates.map { ($0, $0.tripped(by: rows)) }
        let text: String
        switch format {
        case "json": text = json(rows, onlyA: onlyA, onlyB: onlyB, tripped: tripped, a: a, b: b)
        case "csv": text = csv(rows)
        case "markdown": text = markdown(rows, onlyA: onlyA, onlyB: onlyB, tripped: tripped, a: a, b: b)
        default: text = plain(rows, onlyA: onlyA, onlyB: onlyB, tripped: tripped, a: a, b: b)
        }
        print(text, terminator: text.hasSuffix("\n") ? "" : "\n")
        if tripped.contains(where: { !$0.1.isEmpty }) {
            let names = tripped.filter { !$0.1.isEmpty }.map { "\"\($0.0.text)\" (\($0.1.map(\.variant).joined(separator: ", ")))" }
            throw CommandError(code: .gateTripped, message: "gate tripped: " + names.joined(separator: "; "))
        }
    }

    /// 4 significant digits, or empty.
    func number(_ x: Double?) -> String {
        guard let x, !x.isNaN else { return "" }
        if x == x.rounded() && abs(x) < 1e9 { return String(Int(x)) }
        return String(format: "%.4g", x)
    }

    func describe(_ f: Comparison.Folder) -> String {
        let reps = f.seeds.values.first?.count ?? 1
        return reps > 1 ? "\(f.path) (\(reps) replications)" : "\(f.path) (one run)"
    }

    func how(_ rows: [Comparison.Row]) -> String {
        if rows.contains(where: \.paired) { return "differences paired by seed (common random numbers)" }
        if rows.contains(where: { $0.interval != nil }) { return "Welch's interval (different seeds)" }
        return "one run on a side: no intervals, every difference shown"
    }

    func table(_ rows: [Comparison.Row]) -> [[String]] {
        rows.map { r in
            [r.variant, r.metric, number(r.a), number(r.b), number(r.difference), r.interval.map { "±" + number($0) } ?? "", r.verdict]
        }
    }

    func footer(onlyA: [String], onlyB: [String], tripped: [(Comparison.Gate, [Comparison.Row])]) -> [String] {
        var lines: [String] = []
        if !onlyA.isEmpty { lines.append("only in A: " + onlyA.joined(separator: ", ")) }
        if !onlyB.isEmpty { lines.append("only in B: " + onlyB.joined(separator: ", ")) }
        for (gate, rows) in tripped {
            lines.append(rows.isEmpty ? "gate \"\(gate.text)\": passed" : "gate \"\(gate.text)\": TRIPPED by " + rows.map(\.variant).joined(separator: ", "))
        }
        return lines
    }

    func plain(_ rows: [Comparison.Row], onlyA: [String], onlyB: [String], tripped: [(Comparison.Gate, [Comparison.Row])], a: Comparison.Folder, b: Comparison.Folder) -> String {
        let head = ["variant", "metric", "A", "B", "B - A", "95%", "verdict"]
        let body = table(rows)
        let widths = head.indices.map { k in ([head] + body).map { $0[k].count }.max()! }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { k, c in k < 2 || k == 6 ? c.padding(toLength: widths[k], withPad: " ", startingAt: 0) : String(repeating: " ", count: widths[k] - c.count) + c }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
        var out = ["A: \(describe(a))", "B: \(describe(b))", how(rows), "", line(head)]
        out += body.map(line)
        out += footer(onlyA: onlyA, onlyB: onlyB, tripped: tripped)
        return out.joined(separator: "\n") + "\n"
    }

    func markdown(_ rows: [Comparison.Row], onlyA: [String], onlyB: [String], tripped: [(Comparison.Gate, [Comparison.Row])], a: Comparison.Folder, b: Comparison.Folder) -> String {
        func escape(_ s: String) -> String { s.replacingOccurrences(of: "|", with: "\\|") }
        var out = ["**A** `\(describe(a))` · **B** `\(describe(b))` · \(how(rows))", "",
                   "| variant | metric | A | B | B − A | 95% | verdict |", "|---|---|---:|---:|---:|---:|---|"]
        out += table(rows).map { "| " + $0.map(escape).joined(separator: " | ") + " |" }
        let notes = footer(onlyA: onlyA, onlyB: onlyB, tripped: tripped)
        if !notes.isEmpty { out += [""] + notes.map { "- " + $0 } }
        return out.joined(separator: "\n") + "\n"
    }

    func csv(_ rows: [Comparison.Row]) -> String {
        var table = CSVTable(header: ["variant", "metric", "a", "b", "difference", "interval95", "paired", "significant", "verdict"])
        for r in rows {
            table.append([
                .text(r.variant), .text(r.metric), .number(r.a), .number(r.b), .number(r.difference),
                r.interval.map { .number($0) } ?? .empty, .integer(r.paired ? 1 : 0),
                r.significant.map { .integer($0 ? 1 : 0) } ?? .empty, .text(r.verdict),
            ])
        }
        return table.text
    }

    func json(_ rows: [Comparison.Row], onlyA: [String], onlyB: [String], tripped: [(Comparison.Gate, [Comparison.Row])], a: Comparison.Folder, b: Comparison.Folder) -> String {
        func num(_ x: Double?) -> JSONValue { x.map { $0.isNaN ? .null : .number($0) } ?? .null }
        let items: [JSONValue] = rows.map { r in
            .object([
                JSONMember(key: "variant", value: .string(r.variant)), JSONMember(key: "metric", value: .string(r.metric)),
                JSONMember(key: "a", value: num(r.a)), JSONMember(key: "b", value: num(r.b)),
                JSONMember(key: "difference", value: num(r.difference)), JSONMember(key: "interval95", value: num(r.interval)),
                JSONMember(key: "paired", value: .bool(r.paired)),
                JSONMember(key: "significant", value: r.significant.map { .bool($0) } ?? .null),
                JSONMember(key: "verdict", value: .string(r.verdict)),
            ])
        }
        let gateItems: [JSONValue] = tripped.map { gate, rows in
            .object([
                JSONMember(key: "gate", value: .string(gate.text)), JSONMember(key: "tripped", value: .bool(!rows.isEmpty)),
                JSONMember(key: "variants", value: .array(rows.map { .string($0.variant) })),
            ])
        }
        return JSONValue.object([
            JSONMember(key: "a", value: .string(a.path)), JSONMember(key: "b", value: .string(b.path)),
            JSONMember(key: "comparisons", value: .array(items)),
            JSONMember(key: "only_in_a", value: .array(onlyA.map { .string($0) })),
            JSONMember(key: "only_in_b", value: .array(onlyB.map { .string($0) })),
            JSONMember(key: "gates", value: .array(gateItems)),
        ]).compactText + "\n"
    }
}
