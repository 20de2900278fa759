import Foundation

/// Builds a gnuplot script that draws a dashboard of one results folder: load over time, amplification, success
/// and p99 per variant (with 95% intervals when replicated), latency percentiles, a timeline with the fault
/// windows shaded, and a heatmap for two-parameter sweeps. Which panels appear depends on what the results hold.
public enum PlotScript {
    public enum Format: String, Sendable, CaseIterable { case png, svg }

    public struct PlotError: Error, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    struct Run {
        var scenario: String
        var replications: Int
        var interval: Double
        var target: String
        var varied: [String]
        var variants: [(name: String, values: [String])]
        var triggers: [(from: Double, to: Double, what: String)]
        var summaryColumns: [String]
        /// Whether any variant had a success with a latency above 0 (latency panels need one).
        var hasLatency: Bool
        /// Whether the target's `out_of_picks` and `limit` columns hold values in some variant (a fleet with
        /// outlier detection or health checks; concurrency limits).
        var hasOutOfPicks = false
        var hasLimits = false
        /// Whether the target's `down` column holds values (its instances may crash), and its `hits` (it caches).
        var hasDown = false
        var hasHits = false
        /// Whether the target's `instances` column holds values (it autoscales), and its `oldest_age_s` (it is a
        /// message queue).
        var hasInstances = false
        var isMessageQueue = false
        /// Instances of the target with a column of their own in the time series (0: none), and the variant whose
        /// instances' loads differ most (from `instances.csv`), to draw them.
        var instanceColumns = 0
        var unevenVariant: String? = nil
        /// Services with an amplification column, in order (more than one: a call chain).
        var services: [String]
        /// The variants (of the first 16) with a failure of some cause in their time series.
        var failing: Set<String> = []
        /// Whether the clients' `budget_tokens` and `breaker_open` columns hold values in some variant.
        var hasBudgetTokens = false
        var hasBreaker = false
        /// Per variant (by name), the earlier variant whose time series is byte-identical to it, if any.
        var sameAs: [String: String] = [:]
        /// Whether requests stop arriving well before the end in some variant (a burst, a closed loop that ends):
        /// only then does the makespan say something.
        var hasMakespan = true
        /// The run's simulated duration, in s.
        var duration: Double = 0
        /// `set xrange` for time panels: up to a little after the last attempt in any variant (a herd that is
        /// over in 6 s of a 120 s run should fill the panel), or empty for the whole run.
        var timeRange: String
    }

    /// - Parameters:
    ///   - results: the results folder (with run.json, summary.csv, timeseries/), as named in messages.
    ///   - read: the contents of a file of the folder by its relative path (`run.json`, `timeseries/base.csv`), or
    ///     nil when it cannot be read. The caller does the reading; everything read is checked here.
    ///   - dataPrefix: how the script reaches that folder from where gnuplot runs ("" when beside the data).
    ///   - output: the image path as the script writes it.
    public static func make(
        results: String, read: (String) -> [UInt8]?, dataPrefix: String, output: String, format: Format
    ) throws(PlotError) -> String {
        let run = try load(results, read: read)
        var panels: [String] = []
        // Lines stay readable up to 16 variants (16 line styles); bars up to 30; beyond, a sweep is a heatmap.
        let tooManyLines = run.variants.count > 16, tooManyBars = run.variants.count > 30
        let data = { (file: String) in gq(dataPrefix + file) }
        // 16 distinguishable line styles: 8 colours, solid then dashed.
        let colors = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"]
        let styles = (0..<16).map { "set linetype \($0 + 1) lc rgb \"\(colors[$0 % 8])\" lw 2 dt \($0 < 8 ? 1 : 2)" }.joined(separator: "\n")
        let line = "set datafile separator \",\"\nset datafile columnheaders\n" + styles + "\n"
        // A variant whose time series equals an earlier one's is drawn dashed and says so: its line hides behind it.
        let titled = { (v: String) in (run.sameAs[v] == nil ? "" : " dt 3") + " title " + gq(v + (run.sameAs[v].map { " (same as \($0))" } ?? "")) }
        // Many variants: the legend goes outside the data.
        let key = run.variants.count > 6 ? "set key outside below center horizontal font \",8\"" : "set key top right"

        // Load over time.
        if run.variants.count == 1 {
            let f = data("timeseries/\(run.variants[0].name).csv")
            panels.append("""
                set title "Load and outcomes over time"
                set xlabel "time (s)"; set ylabel "per second"; set key top right
                \(shade(run))plot \(f) using (\(time)):(\(series(.attempts))/\(run.interval)) with lines lw 2 title "attempts", \\
                     '' using (\(time)):(\(series(.retries))/\(run.interval)) with lines lw 2 title "retries", \\
                     '' using (\(time)):(\(series(.successes))/\(run.interval)) with lines lw 2 title "successes (goodput)", \\
                     '' using (\(time)):(\(series(.timeouts))/\(run.interval)) with lines lw 1 dt 2 title "timeouts", \\
                     '' using (\(time)):(\(series(.rejected))/\(run.interval)) with lines lw 1 dt 3 title "rejected"
                unset object
                """)
            panels.append("""
                set title \(gq("\(run.target): queue and utilization"))
                set xlabel "time (s)"; set ylabel "queue length (mean)"; set y2label "utilization"; set y2range [0:1.05]
                set ytics nomirror; set y2tics; set key top right
                \(shade(run))plot \(f) using (\(time)):(\(series(.queueLength, run.target))) with lines lw 2 title "queue length", \\
                     '' using (\(time)):(\(series(.utilization, run.target))) axes x1y2 with lines lw 2 title "utilization", \\
                     '' using (\(time)):(\(series(.wasted, run.target))/\(run.interval)) with lines lw 1 dt 2 title "wasted (per s)"
                unset object; unset y2tics; unset y2label; set ytics mirror; set autoscale y2
                """)
        } else if !tooManyLines {
            let lines = run.variants.map { v in
                "\(data("timeseries/\(v.name).csv")) using (\(time)):(\(series(.attempts))/\(run.interval)) with lines lw 2\(titled(v.name))"
            }
            panels.append("""
                set title "Attempts per second, by variant"
                set xlabel "time (s)"; set ylabel "attempts per second"; \(key)
                \(shade(run))plot \(lines.joined(separator: ", \\\n     "))
                unset object
                """)
        }

        // Bars per variant.
        if !tooManyBars && run.variants.count > 1 {
            let suffix = run.replications > 1 ? "_mean" : ""
            for (metric, title, ylabel, range) in [
                (SummaryMetric.amplification.rawValue, "Amplification (attempts per request)", "attempts per request", "[0:*]"),
                (SummaryMetric.successRate.rawValue, "Success rate", "succeeded / requests", "[0:1.1]"),
            ] {
                panels.append(bars(run, data: data("summary.csv"), metric: metric + suffix,
                                   ci: run.replications > 1 ? metric + "_ci95" : nil, title: title, ylabel: ylabel, range: range))
            }
            if run.hasLatency {
                panels.append(bars(run, data: data("summary.csv"), metric: SummaryMetric.latencyP99.rawValue, ci: nil,
                                   title: run.replications > 1 ? "p99 latency (pooled over replications)" : "p99 latency", ylabel: "ms"))
            }
            if run.hasMakespan {
                panels.append(bars(run, data: data("summary.csv"), metric: SummaryMetric.makespan.rawValue + suffix,
                                   ci: run.replications > 1 ? SummaryMetric.makespan.rawValue + "_ci95" : nil, title: "Makespan: when the last request finished", ylabel: "s"))
            }
        }

        // Per-hop amplification for call chains: attempts reaching each service per client request.
        if run.services.count > 1 && !tooManyBars {
            let suffix = run.replications > 1 ? "_mean" : ""
            let first = run.services[0]
            let rest = run.services.dropFirst().map { "'' using (column(\(gq(ServiceMetric.amplification.column($0) + suffix)))) title \(gq($0))" }
            panels.append("""
                set title "Amplification at each hop (attempts reaching the service per client request)"
                set style data histogram; set style histogram clustered gap 1; set style fill solid 0.8 border -1
                set logscale y; set ylabel "attempts per request"; set xlabel ""; set key top left; set xtics rotate by -30
                plot \(data("summary.csv")) using (column(\(gq(ServiceMetric.amplification.column(first) + suffix)))):xtic(stringcolumn("variant")) title \(gq(first))\(rest.isEmpty ? "" : ", \\\n     " + rest.joined(separator: ", \\\n     "))
                unset logscale y; set style data lines; set xtics norotate; set xtics autofreq
                """)
        }

        // Latency percentiles.
        if !tooManyLines && run.hasLatency {
            let s = data("summary.csv")
            panels.append("""
                set title "Latency percentiles of succeeded requests"
                set style data histogram; set style histogram clustered gap 1; set style fill solid 0.8 border -1
                set logscale y; set ylabel "ms"; set xlabel ""; set key top left; set xtics rotate by -30
                plot \(s) using (\(summary(.latencyP50))):xtic(stringcolumn("variant")) title "p50", \\
                     '' using (\(summary(.latencyP90))) title "p90", \\
                     '' using (\(summary(.latencyP99))) title "p99", \\
                     '' using (\(summary(.latencyP999))) title "p99.9"
                unset logscale y; set style data lines; set xtics norotate; set xtics autofreq
                """)
        }

        // Timeline with the trigger shaded: goodput of each variant.
        if !run.triggers.isEmpty && run.variants.count > 1 && run.variants.count <= 16 {
            // For a message queue the sends all succeed at once: what matters is the messages deleted.
            let done = run.isMessageQueue ? series(.served, run.target) : series(.successes)
            let lines = run.variants.map { v in
                "\(data("timeseries/\(v.name).csv")) using (\(time)):(\(done)/\(run.interval)) with lines lw 2\(titled(v.name))"
            }
            let queues = run.variants.map { v in
                "\(data("timeseries/\(v.name).csv")) using (\(time)):(\(series(.queueLength, run.target))) with lines lw 2\(titled(v.name))"
            }
            let retries = run.variants.map { v in
                "\(data("timeseries/\(v.name).csv")) using (\(time)):(\(series(.retries))/\(run.interval)) with lines lw 2\(titled(v.name))"
            }
            let what = run.triggers.map(\.what).joined(separator: ", ")
            panels.append("""
                set title \(gq("\(run.isMessageQueue ? "\(run.target): messages deleted" : "Goodput") around the trigger (shaded: \(what))"))
                set xlabel "time (s)"; set ylabel \(gq(run.isMessageQueue ? "messages deleted per second" : "successes per second")); \(key)
                \(shade(run))plot \(lines.joined(separator: ", \\\n     "))
                unset object
                """)
            if !run.isMessageQueue {
                panels.append("""
                    set title "Retries per second around the trigger"
                    set xlabel "time (s)"; set ylabel "retries per second"; \(key)
                    \(shade(run))plot \(retries.joined(separator: ", \\\n     "))
                    unset object
                    """)
            }
            panels.append("""
                set title \(gq("\(run.target) \(run.isMessageQueue ? "messages visible" : "queue length") around the trigger"))
                set xlabel "time (s)"; set ylabel \(gq(run.isMessageQueue ? "messages visible (mean)" : "queue length (mean)")); \(key)
                \(shade(run))plot \(queues.joined(separator: ", \\\n     "))
                unset object
                """)
        }

        // A fleet's state over time: instances out of the balancers' picks, concurrency limits, instances down.
        if !tooManyLines && (run.hasOutOfPicks || run.hasLimits || run.hasDown || run.hasInstances || run.isMessageQueue) {
            for (metric, title, ylabel, shown) in [
                (ServiceSeriesMetric.oldestAge, "\(run.target): age of the oldest message not deleted (at each interval's end)", "seconds", run.isMessageQueue),
                (ServiceSeriesMetric.duplicates, "\(run.target): messages processed twice (per interval)", "messages", run.isMessageQueue),
                (ServiceSeriesMetric.instances, "\(run.target): instances serving (autoscaling; mean per interval)", "instances", run.hasInstances),
                (ServiceSeriesMetric.down, "\(run.target): instances down after a crash (mean per interval)", "instances", run.hasDown),
                (ServiceSeriesMetric.outOfPicks, "\(run.target): instances out of the picks (mean over balancers)", "instances", run.hasOutOfPicks),
                (ServiceSeriesMetric.limit, "\(run.target): concurrency limit (mean per instance)", "attempts", run.hasLimits),
            ] where shown {
                let lines = run.variants.map { v in
                    "\(data("timeseries/\(v.name).csv")) using (\(time)):(\(series(metric, run.target))) with lines lw 2\(titled(v.name))"
                }
                panels.append("""
                    set title \(gq(title))
                    set xlabel "time (s)"; set ylabel \(gq(ylabel)); \(key)
                    set yrange [0:*]; set offsets 0, 0, graph 0.08, 0
                    \(shade(run))plot \(lines.joined(separator: ", \\\n     "))
                    unset object; set autoscale y; set offsets 0, 0, 0, 0
                    """)
            }
        }

        // A cache's hit ratio over time (hits / attempts of each interval).
        if !tooManyLines && run.hasHits {
            let hits = series(.hits, run.target), attempts = series(.attempts, run.target)
            let lines = run.variants.map { v in
                "\(data("timeseries/\(v.name).csv")) using (\(time)):(\(attempts) > 0 ? \(hits) / \(attempts) : NaN) with lines lw 2\(titled(v.name))"
            }
            panels.append("""
                set title \(gq("\(run.target): cache hit ratio (hits / attempts per interval)"))
                set xlabel "time (s)"; set ylabel "hit ratio"; set yrange [0:1.05]; \(run.variants.count > 6 ? key : "set key center right")
                \(shade(run))plot \(lines.joined(separator: ", \\\n     "))
                unset object; set autoscale y
                """)
        }

        // The load on each instance of a fleet (up to 20 of them), in the first variant.
        if (2...20).contains(run.instanceColumns),
            let first = run.variants.first(where: { $0.name == run.unevenVariant }) ?? run.variants.first
        {
            let file = data("timeseries/\(first.name).csv")
            let lines = (0..<run.instanceColumns).map { k in
                "\(k == 0 ? file : "''") using (\(time)):(column(\(gq(OutputColumns.instanceColumn(service: run.target, instance: k))))/\(run.interval)) with lines lw 1 title \(gq("instance \(k)"))"
            }
            panels.append("""
                set title \(gq("\(run.target): attempts per second at each instance (\(first.name))"))
                set xlabel "time (s)"; set ylabel "attempts per second"; set key top right
                \(shade(run))plot \(lines.joined(separator: ", \\\n     "))
                unset object
                """)
        }

        panels += policyPanels(run, data: data, titled: titled, key: key, tooManyLines: tooManyLines)

        // Heatmaps for two-parameter sweeps.
        if run.varied.count == 2 {
            let xs = unique(run.variants.map { $0.values[0] }), ys = unique(run.variants.map { $0.values[1] })
            if xs.count * ys.count == run.variants.count {
                let suffix = run.replications > 1 ? "_mean" : ""
                // Red is bad in both: low success, high amplification.
                // Anchored scales: a success rate runs from 0 to 1 and amplification from 1 (no retries), so a
                // small range of values does not fill the whole palette.
                for (metric, title, higherIsBetter, range) in [(SummaryMetric.successRate, "Success rate", true, "[0:1]"), (SummaryMetric.amplification, "Amplification", false, "[1:*]")] {
                    panels.append(heatmap(run, data: data("summary.csv"), metric: metric.rawValue + suffix, title: title, xs: xs, ys: ys,
                                          higherIsBetter: higherIsBetter, range: range))
                }
            }
        }
        guard !panels.isEmpty else { throw PlotError(message: "\(results): nothing to plot") }

        let columns = panels.count == 1 ? 1 : 2
        let rows = (panels.count + columns - 1) / columns
        let width = columns == 1 ? 1000 : 1600, height = 420 * rows
        let terminal = format == .png
            ? "set terminal pngcairo size \(width),\(height) font \"sans,10\" noenhanced"
            : "set terminal svg size \(width),\(height) font \"sans,10\" noenhanced dynamic"
        var script = """
            # Generated by stormsim plot from the results of \(gq(run.scenario)). Run it from this file's folder: gnuplot THIS.gp
            \(terminal)
            set output \(gq(output))
            \(line)set grid; set style data lines
            set multiplot layout \(rows),\(columns) title \(gq(headline(run)))

            """
        for panel in panels {
            script += panel + "\nreset session\n" + line + "set grid; set style data lines\n\n"
        }
        script += "unset multiplot\n"
        return script
    }

    /// A gnuplot string literal that is only ever text: single quotes (gnuplot substitutes neither backquoted
    /// commands nor macros inside them), a quote doubled, and control characters (a newline would end the
    /// command) replaced by spaces. Every string that comes from a results folder goes through here: a folder
    /// downloaded from someone else must not run commands through the script.
    /// A column of the time series, as a gnuplot expression.
    static func series(_ m: SeriesMetric) -> String { "column(\"\(m.rawValue)\")" }
    static func series(_ m: ServiceSeriesMetric, _ service: String) -> String { "column(\(gq(m.column(service))))" }
    static let time = "column(\"time_s\")"
    /// A column of summary.csv, as a gnuplot expression.
    static func summary(_ m: SummaryMetric) -> String { "column(\"\(m.rawValue)\")" }

    public static func gq(_ text: String) -> String {
        var out = "'"
        for scalar in text.unicodeScalars {
            if scalar == "'" { out += "''" } else if scalar.value < 0x20 || scalar.value == 0x7F { out += " " } else { out.unicodeScalars.append(scalar) }
        }
        return out + "'"
    }

    static func shade(_ run: Run) -> String {
        run.timeRange + run.triggers.enumerated().map { i, t in
            "set object \(i + 1) rect from first \(NumberFormat.shortest(t.from)), graph 0 to first \(NumberFormat.shortest(t.to)), graph 1 fc rgb \"#f4cccc\" fs solid 0.6 noborder behind\n"
        }.joined()
    }

    /// Bars per variant with each value written above its bar; `range` fixes the y axis (rates: 0 to 1).
    static func bars(_ run: Run, data: String, metric: String, ci: String?, title: String, ylabel: String, range: String = "[0:*]") -> String {
        let error = ci.map { ", '' using 0:(column(\(gq(metric)))):(column(\(gq($0)))) with yerrorbars lc rgb \"black\" pt 0 title \"95% CI\"" } ?? ""
        let labels = ", '' using 0:(column(\(gq(metric)))):(abs(column(\(gq(metric)))) >= 1000 ? sprintf(\"%.0f\", column(\(gq(metric)))) : sprintf(\"%.3g\", column(\(gq(metric))))) with labels offset 0,0.7 font \",8\" notitle"
        return """
            set title \(gq(title))
            set style fill solid 0.7 border -1; set boxwidth 0.7; set ylabel \(gq(ylabel)); set xlabel ""; set key top right
            set yrange \(range); set offsets 0, 0, graph 0.1, 0; set xtics rotate by -30
            plot \(data) using 0:(column(\(gq(metric)))):xtic(stringcolumn("variant")) with boxes lc rgb "#4a7ebb" notitle\(error)\(labels)
            set xtics norotate; set offsets 0, 0, 0, 0
            """
    }

    static func heatmap(_ run: Run, data: String, metric: String, title: String, xs: [String], ys: [String], higherIsBetter: Bool, range: String) -> String {
        let palette = higherIsBetter
            ? "(0 \"#b2182b\", 0.5 \"#f7f7f7\", 1 \"#2166ac\")" : "(0 \"#2166ac\", 0.5 \"#f7f7f7\", 1 \"#b2182b\")"
        let xtics = xs.enumerated().map { "\(gq($1)) \($0)" }.joined(separator: ", ")
        let ytics = ys.enumerated().map { "\(gq($1)) \($0)" }.joined(separator: ", ")
        return """
            set title \(gq("\(title) by \(run.varied[0]) and \(run.varied[1])"))
            set xlabel \(gq(run.varied[0])); set ylabel \(gq(run.varied[1]))
            set xtics (\(xtics)) rotate by -30; set ytics (\(ytics))
            set xrange [-0.5:\(xs.count) - 0.5]; set yrange [-0.5:\(ys.count) - 0.5]
            set palette defined \(palette); set cblabel \(gq(metric)); set cbrange \(range)
            plot \(data) using (int(column(0)) / \(ys.count)):(int(column(0)) % \(ys.count)):(column(\(gq(metric)))) with image notitle, \\
                 '' using (int(column(0)) / \(ys.count)):(int(column(0)) % \(ys.count)):(sprintf("%.2f", column(\(gq(metric))))) with labels font ",7" notitle
            """
    }

    static func unique(_ values: [String]) -> [String] {
        var seen: [String] = []
        for v in values where !seen.contains(v) { seen.append(v) }
        return seen
    }
}
