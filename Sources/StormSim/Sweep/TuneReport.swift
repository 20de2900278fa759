/// What `stormsim tune` writes: the recommendation, the frontier and every candidate's fate, as text, JSON and CSV.
public struct TuneReport {
    public let tuner: Tuner

    public init(_ tuner: Tuner) { self.tuner = tuner }

    var spec: TuneSpec { tuner.spec }

    /// The objective and each constraint (per condition when there are several), with their estimates.
    public func metrics(_ c: Int) -> [(name: String, estimate: Tuner.Estimate)] {
        var result = [(spec.minimize + (tuner.conditions.count > 1 ? " (mean over conditions)" : ""), Tuner.Estimate(tuner.objective(c)))]
        for (j, constraint) in spec.constraints.enumerated() {
            for (k, condition) in tuner.conditions.enumerated() {
                result.append((constraint.metric + (condition.isEmpty ? "" : " [\(condition)]"), tuner.constraintEstimate(c, j, condition: k)))
            }
        }
        return result
    }

    /// The varied paths and the candidate's values.
    public func values(_ c: Int) -> JSONValue {
        .object(tuner.candidates[c].parameters.map { JSONMember(key: $0.path, value: $0.value) })
    }

    static func estimateJSON(_ e: Tuner.Estimate) -> JSONValue {
        func n(_ x: Double) -> JSONValue { x.isFinite ? .number(x) : .null }
        return .object([
            JSONMember(key: "mean", value: n(e.mean)), JSONMember(key: "low", value: n(e.low)), JSONMember(key: "high", value: n(e.high)),
            JSONMember(key: "replications", value: .number(Double(e.n))),
        ])
    }

    func candidateJSON(_ c: Int) -> JSONValue {
        let cand = tuner.candidates[c]
        return .object([
            JSONMember(key: "name", value: .string(cand.name)), JSONMember(key: "values", value: values(c)),
            JSONMember(key: "status", value: .string(cand.status.rawValue)), JSONMember(key: "reason", value: .string(cand.reason)),
            JSONMember(key: "metrics", value: .object(metrics(c).map { JSONMember(key: $0.name, value: Self.estimateJSON($0.estimate)) })),
        ])
    }

    /// `tune.json`: recommended, frontier, candidates, the goal and the runs used.
    public func json(exports: [PolicyExport.File]) -> JSONValue {
        .object([
            JSONMember(key: "scenario", value: .string(tuner.set.name)),
            JSONMember(key: "minimize", value: .string(spec.minimize)),
            JSONMember(key: "require", value: .array(spec.constraints.map { .string($0.description) })),
            JSONMember(key: "conditions", value: .array(tuner.conditions.filter { !$0.isEmpty }.map { .string($0) })),
            JSONMember(key: "recommended", value: tuner.recommended.map(candidateJSON) ?? .null),
            JSONMember(key: "frontier", value: .array(tuner.frontier.map(candidateJSON))),
            JSONMember(key: "candidates", value: .array(tuner.candidates.indices.map(candidateJSON))),
            JSONMember(key: "runs", value: .number(Double(tuner.runs))),
            JSONMember(key: "exhaustive_runs", value: .number(Double(tuner.exhaustiveRuns))),
            JSONMember(key: "stages", value: .array(tuner.stages.map { .object([
                JSONMember(key: "replications", value: .number(Double($0.replications))), JSONMember(key: "candidates", value: .number(Double($0.alive))),
            ]) })),
            JSONMember(key: "exports", value: .object(exports.map { f in
                JSONMember(key: f.name, value: .array(f.notes.map { .string($0) }))
            })),
        ])
    }

    /// `candidates.csv` (or `frontier.csv` with `only`): a row per candidate, its values, status and each metric's
    /// mean and interval.
    public func table(only: [Int]? = nil) -> CSVTable {
        let rows = only ?? Array(tuner.candidates.indices)
        let paths = tuner.candidates.first?.parameters.map(\.path) ?? []
        let metricNames = tuner.candidates.indices.first.map { metrics($0).map(\.name) } ?? []
        var header = ["candidate"] + paths + ["status", "replications"]
        for m in metricNames { header += [m, m + "_low", m + "_high"] }
        header.append("reason")
        var table = CSVTable(header: header)
        for c in rows {
            let cand = tuner.candidates[c]
            var cells: [CSVTable.Cell] = [.text(cand.name)]
            for p in cand.parameters {
                if case .number(let x) = p.value { cells.append(.number(x)) } else { cells.append(.text(p.label)) }
            }
            cells += [.text(cand.status.rawValue), .integer(cand.replications)]
            for (_, e) in metrics(c) { cells += [.number(e.mean), .number(e.low), .number(e.high)] }
            cells.append(.text(cand.reason))
            table.append(cells)
        }
        return table
    }

    /// The report on the terminal.
    public var text: String {
        var out = "\(tuner.set.name): minimise \(spec.minimize)"
        if !spec.constraints.isEmpty { out += " subject to " + spec.constraints.map(\.description).joined(separator: ", ") }
        let named = tuner.conditions.filter { !$0.isEmpty }
        if !named.isEmpty { out += ", under every condition (\(named.joined(separator: ", ")))" }
        out += "\n\(tuner.candidates.count) candidates; racing: "
        out += tuner.stages.map { "\($0.alive) at \($0.replications)" }.joined(separator: ", ") + " replications\n"
        out += "\(tuner.runs) runs (an exhaustive grid at \(spec.maxReplications) replications: \(tuner.exhaustiveRuns); \(Int((Double(tuner.runs) / Double(max(1, tuner.exhaustiveRuns)) * 100).rounded()))%)\n\n"
        if let best = tuner.recommended {
            out += "RECOMMENDED  \(tuner.candidates[best].name)\n"
            for p in tuner.candidates[best].parameters { out += "  \(p.path) = \(p.value.compactText)\n" }
            for (name, e) in metrics(best) { out += "  \(name): \(Tuner.text(e))\n" }
        } else {
            out += "NO CANDIDATE meets every constraint."
            if let first = spec.constraints.first, let closest = tuner.candidates.indices.max(by: { a, b in
                let x = tuner.constraintEstimate(a, 0, condition: 0).mean, y = tuner.constraintEstimate(b, 0, condition: 0).mean
                return first.atLeast ? x < y : x > y
            }) {
                out += " Closest on \(first.metric): \(tuner.candidates[closest].name)\n"
                for (name, e) in metrics(closest) { out += "  \(name): \(Tuner.text(e))\n" }
            } else {
                out += "\n"
            }
        }
        let frontier = tuner.frontier
        if frontier.count > 1, let first = spec.constraints.first {
            out += "\nFRONTIER (\(spec.minimize) against \(first.metric); none better in both)\n"
            for c in frontier { out += "  \(tuner.candidates[c].name): " + metrics(c).prefix(2).map { "\($0.name) \(Tuner.text($0.estimate))" }.joined(separator: ", ") + "\n" }
        }
        let rejected = tuner.candidates.filter { $0.status == .infeasible || $0.status == .dominated }
        if !rejected.isEmpty {
            out += "\nREJECTED (\(rejected.filter { $0.status == .infeasible }.count) infeasible, \(rejected.filter { $0.status == .dominated }.count) worse)\n"
            for c in rejected.prefix(8) { out += "  \(c.name) (\(c.replications) replications): \(c.reason)\n" }
            if rejected.count > 8 { out += "  ... \(rejected.count - 8) more in candidates.csv\n" }
        }
        return out
    }
}
