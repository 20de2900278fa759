/// Did goodput come back after a trigger (a fault window or a load change) and stay back, and when?
///
/// - The trigger spans from the earliest window start to the latest window end. A window that starts at time 0 (a
///   ramp-up of the load, a fault present from the start) shapes the whole run and is not a trigger.
/// - The normal level `L` is the mean goodput (successes per second) over the second half of the time before the
///   trigger (the first half is warm-up).
/// - Goodput is judged by its average over sliding 5 s windows (whole metric intervals), against a threshold of
///   90% of `L`. At low rates sampling noise alone moves a 5 s average by more than 10%, so the threshold is
///   lowered to three Poisson standard deviations below `L` when that is lower, and never below 50% of `L`.
/// - The run has recovered when every window from some moment after the trigger ends up to the end of the run is
///   at or above the threshold: goodput came back and stayed back. The recovery time is that moment, measured
///   from the end of the trigger. Late completions of requests sent during the trigger can lift the first windows
///   after it; a collapse that follows them fails a later window, so they no longer count as a recovery.
/// - There is no verdict (nil) without a trigger, when the normal level is 0
///   (nothing to come back to), or when the run ends less than one window after the trigger (nothing to judge).
enum Metastability {
    static let window = 5.0
    static let fraction = 0.9
    static let noiseDeviations = 3.0
    static let floorFraction = 0.5

    /// The goodput a 5 s average must reach to count as back, for a normal level of `level` per second.
    static func threshold(level: Double) -> Double {
        let noise = level - noiseDeviations * (level / window).squareRoot()
        return max(floorFraction * level, min(fraction * level, noise))
    }

    /// nil when there is no verdict (see the type's documentation).
    static func recovery<F>(_ w: World<F>, scenario: Scenario) -> (recovered: Bool, time: Double?)? {
        var windows: [(SimDuration, SimDuration)] = scenario.services.flatMap { $0.faults.map { ($0.from, $0.to) } }
        windows += scenario.clients.load.map { ($0.from, $0.to) }
        windows.removeAll { $0.0 == .zero }
        guard let start = windows.map(\.0).min(), let end = windows.map(\.1).max() else { return nil }
        let series = w.stats.series
        let goodput = (0..<series.rows).map { series[$0, ClientColumn.successes] / Double(series.width(ofRow: $0)) * 1e9 }
        return verdict(goodput: goodput, interval: series.interval, triggerStart: start, triggerEnd: end)
    }

    /// The verdict on a goodput series (successes per second in each interval of `interval` ns).
    static func verdict(
        goodput: [Double], interval: Int64, triggerStart start: SimDuration, triggerEnd end: SimDuration
    ) -> (recovered: Bool, time: Double?)? {
        guard start > .zero else { return nil }
        let interval = Double(interval)
        let firstPre = Int(Double(start.nanoseconds) / 2 / interval)
        let lastPre = Int(Double(start.nanoseconds) / interval) - 1
        guard lastPre >= firstPre, lastPre < goodput.count else { return nil }
        let level = goodput[firstPre...lastPre].reduce(0.0, +) / Double(lastPre - firstPre + 1)
        guard level > 0 else { return nil }
        let span = max(1, Int((window * 1e9 / interval).rounded()))
        let first = Int((Double(end.nanoseconds) / interval).rounded(.up))
        let last = goodput.count - span
        guard first <= last else { return nil }
        let bar = threshold(level: level) * Double(span)
        // Walk the windows from the end of the run back towards the trigger; the stretch that holds ends at the
        // first window (from the end) below the threshold.
        var sum = goodput[last..<(last + span)].reduce(0.0, +)
        var row = last
        while true {
            if sum < bar {
                guard row < last else { return (false, nil) }
                break
            }
            if row == first { row -= 1; break }
            sum += goodput[row - 1] - goodput[row - 1 + span]
            row -= 1
        }
        let back = row + 1
        return (true, max(0, Double(back) * interval / 1e9 - end.seconds))
    }
}
