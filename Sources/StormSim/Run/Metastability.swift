/// Did goodput come back after a trigger (a fault window or a load change), and how long did it take?
///
/// The trigger spans from the earliest window start to the latest window end. The pre-trigger level is the mean
/// goodput (successes per second) over the second half of the time before the trigger (the first half is
/// warm-up). Recovery is the first moment after the trigger ends from which goodput, averaged over 5 s, is back
/// to at least 90% of that level. A run that never gets there has not recovered.
enum Metastability {
    static let window = 5.0
    static let fraction = 0.9

    /// nil when there is no trigger (or no time before it to measure the normal level).
    static func recovery(_ w: World, scenario: Scenario) -> (recovered: Bool, time: Double?)? {
        var windows: [(SimDuration, SimDuration)] = scenario.services.flatMap { $0.faults.map { ($0.from, $0.to) } }
        windows += scenario.clients.load.map { ($0.from, $0.to) }
        guard let start = windows.map(\.0).min(), let end = windows.map(\.1).max(), start > .zero else { return nil }
        let series = w.series
        let interval = Double(series.interval)
        func goodput(_ row: Int) -> Double { series[row, ClientColumn.successes] / Double(series.width(ofRow: row)) * 1e9 }
        let firstPre = Int(Double(start.nanoseconds) / 2 / interval)
        let lastPre = Int(Double(start.nanoseconds) / interval) - 1
        guard lastPre >= firstPre, lastPre < series.rows else { return nil }
        let level = (firstPre...lastPre).reduce(0.0) { $0 + goodput($1) } / Double(lastPre - firstPre + 1)
        guard level > 0 else { return nil }
        let span = max(1, Int((window * 1e9 / interval).rounded()))
        var row = Int((Double(end.nanoseconds) / interval).rounded(.up))
        while row + span <= series.rows {
            let mean = (row..<(row + span)).reduce(0.0) { $0 + goodput($1) } / Double(span)
            if mean >= fraction * level {
                return (true, max(0, Double(row) * interval / 1e9 - end.seconds))
            }
            row += 1
        }
        return (false, nil)
    }
}
