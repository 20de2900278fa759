/// Per-interval statistics, accumulated as events happen: one row per `interval`, a fixed set of columns.
///
/// Columns hold either counts (an event adds 1 to the row its time falls in) or time integrals of a gauge
/// (`Gauge` adds value × time), turned into means when the table is written. Memory never grows with the number
/// of events, and a run pays only for the rows it reaches: rows are stored up to the last one anything was written
/// in (`storedRows`), and every later row holds the same values, which the gauges leave when they finish (`tail`):
/// no counts, and each gauge's last value. A storm that is over after 2 s of a 600 s run stores 20 rows of 6,000.
public struct TimeSeries: Sendable {
    public let interval: Int64
    public let end: Int64
    public let rows: Int
    public let columns: Int
    /// Row-major: `values[row * columns + column]`, for the stored rows (and zeros after them, up to capacity).
    public private(set) var values: [Double]
    /// Rows written so far: every row after these holds `tailFull` (the last row of the run: `tailLast`).
    public private(set) var storedRows = 0
    /// The values of every row after the stored ones, full rows and the last row (which may be cut short).
    public private(set) var tailFull: [Double]
    public private(set) var tailLast: [Double]
    /// The row that `add` used last, and the span of time it covers: event times only grow, so a division is
    /// needed only when a row ends.
    var cachedRowStart: Int64 = 0
    var cachedRowEnd: Int64 = -1
    var cachedBase = 0

    public init(interval: SimDuration, end: SimDuration, columns: Int) {
        self.interval = interval.nanoseconds
        self.end = end.nanoseconds
        let r = (end.nanoseconds + interval.nanoseconds - 1) / interval.nanoseconds
        self.rows = Int(Swift.max(1, r))
        self.columns = columns
        values = []
        tailFull = [Double](repeating: 0, count: columns)
        tailLast = tailFull
    }

    func row(at t: Int64) -> Int { Swift.min(rows - 1, Int(t / interval)) }

    /// Stores rows up to `row` (zeros), growing the storage geometrically.
    mutating func store(upTo row: Int) {
        guard row >= storedRows else { return }
        storedRows = row + 1
        let needed = storedRows * columns
        if values.count < needed {
            let grown = Swift.max(needed, Swift.min(rows * columns, Swift.max(16 * columns, 2 * values.count)))
            values.append(contentsOf: repeatElement(0, count: grown - values.count))
        }
    }

    /// Adds `amount` to `column` in the row that holds time `t`. - Complexity: O(1) (amortized, as rows are reached).
    @inline(__always)
    public mutating func add(_ column: Int, at t: SimTime, _ amount: Double = 1) {
        let ns = t.nanoseconds
        if ns >= cachedRowEnd || ns < cachedRowStart {
            let r = row(at: ns)
            if r >= storedRows { store(upTo: r) }
            cachedRowStart = Int64(r) * interval
            cachedRowEnd = r == rows - 1 ? Int64.max : cachedRowStart + interval
            cachedBase = r * columns
        }
        values[cachedBase &+ column] += amount
    }

    /// Adds `amount` to a cell (a gauge's area). A stored row is one addition in place; a row past the stored ones
    /// goes through the subscript, which stores it first.
    @inline(__always)
    mutating func accumulate(_ amount: Double, row: Int, column: Int) {
        guard row < storedRows else {
            self[row, column] += amount
            return
        }
        values[row &* columns &+ column] += amount
    }

    public subscript(row: Int, column: Int) -> Double {
        get {
            if row < storedRows { return values[row * columns + column] }
            return row == rows - 1 ? tailLast[column] : tailFull[column]
        }
        set {
            if row >= storedRows { store(upTo: row) }
            values[row * columns + column] = newValue
        }
    }

    /// The width of a row in nanoseconds (the last one may be cut short by the end of the run).
    public func width(ofRow row: Int) -> Int64 {
        Swift.min(interval, end - Int64(row) * interval)
    }

    /// A finished gauge's value, held by every row after the stored ones: its integral over each of them, its
    /// value at each one's end. Gauges add in the order they finish, as they would row by row.
    mutating func extendTail(areaColumn: Int?, endColumn: Int?, value: Double) {
        if let areaColumn {
            tailFull[areaColumn] += value * Double(interval)
            tailLast[areaColumn] += value * Double(width(ofRow: rows - 1))
        }
        if let endColumn {
            tailFull[endColumn] = value
            tailLast[endColumn] = value
        }
    }
}

/// A piecewise-constant quantity (queue length, busy workers, requests in flight) integrated over time into a
/// `TimeSeries` column, with its value at each row's end recorded in another column.
public struct Gauge: Sendable {
    public private(set) var value: Double = 0
    var last: Int64 = 0
    var nextBoundary: Int64
    /// The row that holds `last` (boundaries crossed so far): kept as a count, so no division per change.
    var row = 0
    let areaColumn: Int?
    let endColumn: Int?

    /// - Parameters:
    ///   - areaColumn: receives ∫ value dt over each row, in value·ns, when given.
    ///   - endColumn: receives the value at each row's end, when given.
    public init(series: TimeSeries, areaColumn: Int?, endColumn: Int? = nil) {
        nextBoundary = series.interval
        self.areaColumn = areaColumn
        self.endColumn = endColumn
    }

    /// Changes the value by `delta` at time `t` (t never decreases). - Complexity: O(1) plus rows crossed.
    @inline(__always)
    public mutating func change(by delta: Double, at t: SimTime, in series: inout TimeSeries) {
        advance(to: t.nanoseconds, in: &series)
        value += delta
    }

    /// Integrates up to `t`, closing every row boundary crossed on the way.
    @inline(__always)
    public mutating func advance(to t: Int64, in series: inout TimeSeries) {
        let t = Swift.min(t, series.end)
        if t >= nextBoundary { crossBoundaries(upTo: t, in: &series) }
        if t > last {
            if let areaColumn { series.accumulate(value * Double(t - last), row: Swift.min(row, series.rows - 1), column: areaColumn) }
            last = t
        }
    }

    /// Closes each row whose end is at or before `t` (and not after the series' end).
    mutating func crossBoundaries(upTo t: Int64, in series: inout TimeSeries) {
        while t >= nextBoundary && nextBoundary <= series.end {
            if let areaColumn { series.accumulate(value * Double(nextBoundary - last), row: row, column: areaColumn) }
            if let endColumn { series[row, endColumn] = value }
            last = nextBoundary
            nextBoundary += series.interval
            row += 1
        }
    }

    /// Sets the value at time `t`.
    public mutating func set(_ newValue: Double, at t: SimTime, in series: inout TimeSeries) {
        if newValue != value { change(by: newValue - value, at: t, in: &series) }
    }

    /// Closes the series at its end (the last row included, even when cut short): up to the end of the stored
    /// rows, row by row; after them, the gauge's value holds for every row (`TimeSeries.extendTail`).
    public mutating func finish(in series: inout TimeSeries) {
        if series.storedRows < series.rows {
            advance(to: Int64(series.storedRows) * series.interval, in: &series)
            series.extendTail(areaColumn: areaColumn, endColumn: endColumn, value: value)
            return
        }
        advance(to: series.end, in: &series)
        if let endColumn, series.end % series.interval != 0 {
            series[series.rows - 1, endColumn] = value
        }
    }
}
