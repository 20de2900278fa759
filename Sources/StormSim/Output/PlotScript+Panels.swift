/// Panels of the clients' side over time: retry budget tokens, breaker state, why requests failed, and latency
/// percentiles per interval; and the dashboard's headline.
extension PlotScript {
    static func policyPanels(
        _ run: Run, data: (String) -> String, titled: (String) -> String, key: String, tooManyLines: Bool
    ) -> [String] {
        var panels: [String] = []
        func file(_ v: String) -> String { data("timeseries/\(v).csv") }
        if !tooManyLines {
            for (metric, title, ylabel, range, shown) in [
                (SeriesMetric.budgetTokens, "Retry budget: tokens left (mean per bucket, at each interval's end)", "tokens", "[0:*]", run.hasBudgetTokens),
                (SeriesMetric.breakerOpen, "Circuit breakers open (fraction of breakers, at each interval's end)", "fraction open", "[0:1.05]", run.hasBreaker),
            ] where shown {
                let lines = run.variants.map { v in
                    "\(file(v.name)) using (\(time)):(\(series(metric))) with lines lw 2\(titled(v.name))"
                }
                panels.append("""
                    set title \(gq(title))
                    set xlabel "time (s)"; set ylabel \(gq(ylabel)); set yrange \(range); \(key)
                    \(shade(run))plot \(lines.joined(separator: ", \\\n     "))
                    unset object; set autoscale y
                    """)
            }
        }
        // Why requests failed, over time: one panel for each of the first four variants with failures (not for a sweep of
        // many).
        let causes: [(SeriesMetric, String)] = [
            (.timeouts, "timeouts"), (.rejected, "rejected"), (.errors, "errors"), (.throttled, "throttled"),
            (.fastFailed, "failed fast (breaker, throttling)"), (.budgetRefused, "retries refused by a budget"),
        ]
        if !run.isMessageQueue && !tooManyLines {
            for v in run.variants.filter({ run.failing.contains($0.name) && run.sameAs[$0.name] == nil }).prefix(4) {
                let lines = causes.enumerated().map { k, cause in
                    "\(k == 0 ? file(v.name) : "''") using (\(time)):(\(series(cause.0))/\(run.interval)) with lines lw \(k < 3 ? 2 : 1) title \(gq(cause.1))"
                }
                panels.append("""
                    set title \(gq("Failures by cause, per second" + (run.variants.count > 1 ? " (\(v.name))" : "")))
                    set xlabel "time (s)"; set ylabel "per second"; set key top right
                    \(shade(run))plot \(lines.joined(separator: ", \\\n     "))
                    unset object
                    """)
            }
        }
        // Latency of each interval's successes: p50 and p99 of one variant, p99 of each of several.
        if run.hasLatency && !tooManyLines {
            let lines: [String]
            if run.variants.count == 1 {
                let f = file(run.variants[0].name)
                lines = [
                    "\(f) using (\(time)):(\(gap(series(.latencyP50)))) with lines lw 2 title \"p50\"",
                    "'' using (\(time)):(\(gap(series(.latencyP99)))) with lines lw 2 title \"p99\"",
                ]
            } else {
                lines = run.variants.map { v in "\(file(v.name)) using (\(time)):(\(gap(series(.latencyP99)))) with lines lw 2\(titled(v.name))" }
            }
            panels.append("""
                set title \(gq(run.variants.count == 1 ? "Latency of the requests that succeeded in each interval" : "p99 latency of the requests that succeeded in each interval"))
                set xlabel "time (s)"; set ylabel "ms"; set logscale y; \(run.variants.count == 1 ? "set key top right" : key)
                \(shade(run))plot \(lines.joined(separator: ", \\\n     "))
                unset object; unset logscale y
                """)
        }
        return panels
    }

    /// A column whose empty cells (an interval with no success) break the line instead of being joined over.
    static func gap(_ column: String) -> String { "(\(column) > 0 ? \(column) : NaN)" }

    /// The dashboard's title: the scenario and its key parameters.
    static func headline(_ run: Run) -> String {
        var parts = ["stormsim: \(run.scenario)"]
        var setup: [String] = []
        if run.duration > 0 { setup.append("\(NumberFormat.shortest(run.duration)) s simulated") }
        setup.append("clients call \(run.target)" + (run.services.count > 1 ? " (\(run.services.joined(separator: " -> ")))" : ""))
        parts.append(setup.joined(separator: ", "))
        if !run.triggers.isEmpty {
            parts.append(run.triggers.prefix(3).map { "\($0.what) \(NumberFormat.shortest($0.from))-\(NumberFormat.shortest($0.to)) s" }.joined(separator: "; "))
        }
        var runs = "\(run.variants.count) variant\(run.variants.count == 1 ? "" : "s")"
        let named = run.varied.filter { $0 != "variants" }
        if !named.isEmpty { runs += " (\(named.joined(separator: " x ")))" }
        if run.replications > 1 { runs += ", \(run.replications) replications each" }
        parts.append(runs)
        return parts.joined(separator: " | ")
    }
}
