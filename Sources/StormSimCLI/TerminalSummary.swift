import StormSim

/// The short human summary printed after a run.
enum TerminalSummary {
    static func text(_ r: RunResult, scenario: Scenario) -> String {
        func v(_ m: SummaryMetric) -> Double { r.value(m) ?? .nan }
        func n(_ m: SummaryMetric) -> String { NumberFormat.shortest(v(m)) }
        func ms(_ m: SummaryMetric) -> String { NumberFormat.rounded(v(m), digits: 1) + " ms" }
        func pct(_ x: Double) -> String { NumberFormat.rounded(100 * x, digits: 2) + "%" }
        var lines = [
            "\(scenario.name) [\(r.variant)] seed \(scenario.seed), \(DurationText.format(scenario.duration)) simulated",
            "  requests \(n(.requests)): succeeded \(n(.succeeded)) (\(pct(v(.successRate)))), failed \(n(.failed)), unfinished \(n(.unfinished))",
            "  attempts \(n(.attempts)) (amplification \(NumberFormat.rounded(v(.amplification), digits: 3))): timeouts \(n(.timeouts)), rejected \(n(.rejected)), errors \(n(.errors))",
        ]
        if v(.succeeded) > 0 {
            lines.append("  latency p50 \(ms(.latencyP50)), p99 \(ms(.latencyP99)), max \(ms(.latencyMax)); makespan \(NumberFormat.rounded(v(.makespan), digits: 3)) s")
        }
        let wasted = v(.wastedWorkFraction)
        if wasted.isFinite { lines.append("  wasted work \(pct(wasted)) of service time") }
        return lines.joined(separator: "\n")
    }

    static func speed(events: Int, wall: Duration, jobs: Int = 1) -> String {
        let seconds = Double(wall.components.seconds) + Double(wall.components.attoseconds) / 1e18
        let rate = seconds > 0 ? Double(events) / seconds : 0
        let across = jobs > 1 ? " across \(jobs) jobs" : ""
        return "\(events) events in \(NumberFormat.rounded(seconds, digits: 3)) s (\(NumberFormat.rounded(rate / 1e6, digits: 2)) M events/s\(across))"
    }

    /// A variant's aggregated output seen as a run result, for display: with replications, each metric's mean
    /// stands under its plain name (pooled latency percentiles keep theirs).
    /// Its time series holds only `time_s` and `attempts` (the rest went to disk as soon as it was complete).
    static func view(_ output: Aggregator.VariantOutput, variant: String, interval: SimDuration) -> RunResult {
        var summary = output.summary
        let plain = Set(summary.map(\.column))
        for (column, cell) in output.summary where column.hasSuffix("_mean") {
            let name = String(column.dropLast(5))
            if !plain.contains(name) { summary.append((name, cell)) }
        }
        let rows = output.attemptsPerRow.enumerated().map { [Double($0.offset) * interval.seconds, $0.element] }
        return RunResult(
            scenario: "", variant: variant, seed: 0, summary: summary, seriesHeader: ["time_s", SeriesMetric.attempts.rawValue],
            seriesRows: SeriesRows(rows), latency: Histogram(), events: 0, interrupted: false)
    }

    /// One row per variant: amplification, success rate, p99, makespan (closed loops and bursts only: an open loop's
    /// is the run's length), the recovery verdict when the scenario has a trigger, and a sparkline of attempts
    /// over time. With replications, means ± the 95% interval. The best value of each column is starred, and a
    /// variant best on every column is named. Sparklines share one scale, so their heights compare across rows.
    static func table(_ results: [RunResult], scenario: Scenario, replications: Int = 1) -> String {
        let width = 40
        // Bin only up to the last interval with any attempt in any variant: a storm that is over in 6 s of a
        // 120 s run still gets the whole width, and every row keeps the same time axis.
        let attempts = results.map(attemptsPerRow)
        let active = attempts.map { a in a.lastIndex { $0 > 0 }.map { $0 + 1 } ?? 0 }.max() ?? 0
        let lines = attempts.map { sparklineBins(Array($0.prefix(active)), width: width) }
        let span = results.first.map { r -> Double in
            r.seriesRows.count > 1 ? r.seriesRows.cell(1, 0) * Double(active) : Double(active)
        } ?? 0
        let peak = lines.flatMap { $0 }.max() ?? 0

        var openLoop = false
        switch scenario.clients.arrival {
        case .poisson, .trace: openLoop = true
        case .burst, .closed: openLoop = false
        }
        let hasTrigger = results.contains { $0.value(.recovered) != nil }
        // Each numeric column: title, metric, which way is better, how to print a value.
        var columns: [(title: String, metric: SummaryMetric, higherIsBetter: Bool?, format: (Double) -> String)] = [
            ("amplif.", .amplification, false, { NumberFormat.rounded($0, digits: 3) }),
            ("success", .successRate, true, { NumberFormat.rounded(100 * $0, digits: 2) + "%" }),
            ("p99 ms", .latencyP99, false, { NumberFormat.rounded($0, digits: 1) }),
        ]
        if !openLoop { columns.append(("makespan s", .makespan, false, { NumberFormat.rounded($0, digits: 3) })) }
        if hasTrigger {
            columns.append(("recovered", .recovered, true, { replications > 1 ? NumberFormat.rounded(100 * $0, digits: 0) + "%" : ($0 == 1 ? "yes" : "no") }))
            columns.append(("back after s", .recoveryTime, false, { NumberFormat.rounded($0, digits: 1) }))
        }
        // The best of each column (only when the variants differ in it).
        var best: [Double?] = []
        for c in columns {
            let values = results.compactMap { $0.value(c.metric) }.filter(\.isFinite)
            guard let higher = c.higherIsBetter, Set(values).count > 1, results.count > 1 else { best.append(nil); continue }
            best.append(higher ? values.max() : values.min())
        }
        var rows: [[String]] = [["variant"] + columns.map(\.title) + ["attempts, first \(NumberFormat.rounded(span, digits: 3)) s (peak \(NumberFormat.rounded(peak, digits: 1)) per bin)"]]
        var bestEverywhere: [String] = []
        for (r, bins) in zip(results, lines) {
            var row = [r.variant]
            var starred = 0, ranked = 0
            for (k, c) in columns.enumerated() {
                guard let x = r.value(c.metric), x.isFinite else { row.append(c.metric == .recoveryTime && hasTrigger ? "-" : ""); continue }
                // p99 is pooled over replications; the others are means with an interval.
                let ci = c.metric == .latencyP99 ? nil : r.value(c.metric.rawValue + "_ci95")
                var cell = c.format(x)
                if replications > 1, let ci, ci.isFinite, c.metric != .recovered {
                    cell += " ±" + (c.metric == .successRate ? NumberFormat.rounded(100 * ci, digits: 2) : c.format(ci))
                }
                if let b = best[k] {
                    ranked += 1
                    if x == b { cell = "*" + cell; starred += 1 }
                }
                row.append(cell)
            }
            if ranked > 0 && starred == ranked { bestEverywhere.append(r.variant) }
            row.append(sparkline(bins, peak: peak))
            rows.append(row)
        }
        let widths = (0..<rows[0].count).map { c in rows.map { $0[c].count }.max()! }
        var header = "\(scenario.name): \(results.count) variant(s), seed \(scenario.seed), \(DurationText.format(scenario.duration)) simulated"
        if replications > 1 { header += ", \(replications) replications (means ± 95% interval; p99 pooled)" }
        var out = [header] + rows.map { row in
            row.enumerated().map { c, cell in
                let pad = String(repeating: " ", count: widths[c] - cell.count)
                return c == 0 || c == row.count - 1 ? cell + pad : pad + cell
            }.joined(separator: "  ")
        }
        if best.contains(where: { $0 != nil }) {
            out.append(bestEverywhere.count == 1
                ? "* best in its column. \(bestEverywhere[0]) is best in every column\(replications > 1 ? " (by the means: check the intervals)" : "")."
                : "* best in its column; no variant is best in every one.")
        }
        return out.joined(separator: "\n")
    }

    static func attemptsPerRow(_ r: RunResult) -> [Double] {
        guard let column = r.seriesHeader.firstIndex(of: SeriesMetric.attempts.rawValue) else { return [] }
        return r.seriesRows.indices.map { row in
            let x = r.seriesRows.cell(row, column)
            return x.isNaN ? 0 : x
        }
    }

    /// Values grouped into at most `width` bins.
    static func sparklineBins(_ values: [Double], width: Int) -> [Double] {
        let perBin = max(1, (values.count + width - 1) / width)
        return stride(from: 0, to: values.count, by: perBin).map { values[$0..<min(values.count, $0 + perBin)].reduce(0, +) }
    }

    static func sparkline(_ bins: [Double], peak: Double) -> String {
        let bars = Array("▁▂▃▄▅▆▇█")
        return String(bins.map { b -> Character in
            if b <= 0 { return " " }
            return bars[min(bars.count - 1, Int(b / peak * Double(bars.count - 1) + 0.999))]
        })
    }
}
