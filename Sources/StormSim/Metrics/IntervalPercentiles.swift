/// Latency percentiles of each time-series row: one histogram (the buckets of `Histogram`) for the row being
/// filled, cleared when a success lands in a later row. Only the buckets the row touched are cleared and scanned,
/// so a row costs what its own successes cost, and memory stays one histogram whatever the run's length.
struct IntervalPercentiles {
    private var counts = [UInt32](repeating: 0, count: Histogram.bucketCount)
    private var touched: [Int] = []
    private var total = 0
    private var low = Int64.max, high = Int64.min
    /// The row being filled (-1 before the first success).
    private(set) var row = -1

    /// Whether the row being filled has successes.
    var isEmpty: Bool { total == 0 }

    mutating func record(_ value: Int64, row r: Int) {
        row = r
        let i = Histogram.index(of: value)
        if counts[i] == 0 { touched.append(i) }
        counts[i] &+= 1
        total += 1
        if value < low { low = value }
        if value > high { high = value }
    }

    /// The nearest-rank `q`-quantiles of the row, each its bucket's midpoint clamped to the row's extremes (as
    /// `Histogram.quantile`), in ns; then the row is cleared.
    mutating func take(_ qs: [Double]) -> [Double] {
        guard total > 0 else { return qs.map { _ in .nan } }
        touched.sort()
        var result: [Double] = []
        var k = 0, seen = 0
        for q in qs {
            let rank = max(1, Int((q * Double(total)).rounded(.up)))
            while k < touched.count && seen + Int(counts[touched[k]]) < rank {
                seen += Int(counts[touched[k]])
                k += 1
            }
            let (a, b) = Histogram.range(ofBucket: touched[min(k, touched.count - 1)])
            result.append(min(max(Double(a) / 2 + Double(b) / 2, Double(low)), Double(high)))
        }
        for i in touched { counts[i] = 0 }
        touched.removeAll(keepingCapacity: true)
        total = 0
        low = .max
        high = .min
        return result
    }
}
