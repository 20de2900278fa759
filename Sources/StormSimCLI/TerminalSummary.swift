import StormSim

/// The short human summary printed after a run.
enum TerminalSummary {
    static func text(_ r: RunResult, scenario: Scenario) -> String {
        func v(_ column: String) -> Double { r.value(column) ?? .nan }
        func n(_ column: String) -> String { NumberFormat.shortest(v(column)) }
        func ms(_ column: String) -> String { NumberFormat.rounded(v(column), digits: 1) + " ms" }
        func pct(_ x: Double) -> String { NumberFormat.rounded(100 * x, digits: 2) + "%" }
        var lines = [
            "\(scenario.name) [\(r.variant)] seed \(scenario.seed), \(DurationText.format(scenario.duration)) simulated",
            "  requests \(n("requests")): succeeded \(n("succeeded")) (\(pct(v("success_rate")))), failed \(n("failed")), unfinished \(n("unfinished"))",
            "  attempts \(n("attempts")) (amplification \(NumberFormat.rounded(v("amplification"), digits: 3))): timeouts \(n("timeouts")), rejected \(n("rejected")), errors \(n("errors"))",
        ]
        if v("succeeded") > 0 {
            lines.append("  latency p50 \(ms("latency_p50_ms")), p99 \(ms("latency_p99_ms")), max \(ms("latency_max_ms")); makespan \(NumberFormat.rounded(v("makespan_s"), digits: 3)) s")
        }
        let wasted = v("wasted_work_fraction")
        if wasted.isFinite { lines.append("  wasted work \(pct(wasted)) of service time") }
        return lines.joined(separator: "\n")
    }

    static func speed(events: Int, wall: Duration) -> String {
        let seconds = Double(wall.components.seconds) + Double(wall.components.attoseconds) / 1e18
        let rate = seconds > 0 ? Double(events) / seconds : 0
        return "\(events) events in \(NumberFormat.rounded(seconds, digits: 3)) s (\(NumberFormat.rounded(rate / 1e6, digits: 2)) M events/s)"
    }
}
