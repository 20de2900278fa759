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

    /// The nearest-rank `q`-quantiles of the row (in increasing order), each its bucket's midpoint clamped to the
    /// row's extremes (as `Histogram.quantile`), in ns; then the row is cleared.
    mutating func take(_ qs: [Double]) -> [Double] {
        guard total > 0 else { return qs.map { _ in .nan } }
        touched.sort()
        var cursor = Cursor()
        let result = qs.map { quantile($0, &cursor) }
        clear()
        return result
    }

    /// `take([0.5, 0.99])` without allocating: called for every row of every run.
    mutating func takeMedianAndP99() -> (p50: Double, p99: Double) {
        guard total > 0 else { return (.nan, .nan) }
        touched.sort()
        var cursor = Cursor()
        let p50 = quantile(0.5, &cursor)
        let p99 = quantile(0.99, &cursor)
        clear()
        return (p50, p99)
    }

    /// Where a walk through the sorted buckets has got to: quantiles asked in increasing order go on from it.
    struct Cursor {
        var k = 0
        var seen = 0
    }

    private func quantile(_ q: Double, _ cursor: inout Cursor) -> Double {
        let rank = max(1, Int((q * Double(total)).rounded(.up)))
        while cursor.k < touched.count && cursor.seen + Int(counts[touched[cursor.k]]) < rank {
            cursor.seen += Int(counts[touched[cursor.k]])
            cursor.k += 1
        }
        let (a, b) = Histogram.range(ofBucket: touched[min(cursor.k, touched.count - 1)])
        return min(max(Double(a) / 2 + Double(b) / 2, Double(low)), Double(high))
    }

    private mutating func clear() {
        for i in touched { counts[i] = 0 }
        touched.removeAll(keepingCapacity: true)
        total = 0
        low = .max
        high = .min
    }
}
