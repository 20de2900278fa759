import Foundation

/// Folds the replications of each variant into its outputs, in a canonical order whatever order the jobs
/// finish in: results wait until every earlier job has been folded, so sums are always taken in the same order
/// and the bytes never depend on threads, shards or timing. Memory holds one accumulator per variant, plus the
/// results that arrived early; replication rows are streamed out as they are folded, and each variant's time
/// series is handed to `onFinished` (which writes it) as soon as it is complete, then dropped: a finished variant
/// keeps its summary and its attempts per interval only.
public final class Aggregator: @unchecked Sendable {
    public let set: ScenarioSet
    public let replications: Int
    let lock = NSLock()
    /// Results that arrived before an earlier job's, with their line of `replications.csv`.
    var pending: [Int: (result: RunResult, line: String?)] = [:]
    var nextJob = 0
    var accumulators: [Accumulator?]
    /// Summary row and time series per variant, once complete.
    public private(set) var finished: [VariantOutput?]
    /// Per-replication rows (only with more than one replication), streamed in job order.
    let replicationSink: ((String) -> Void)?
    /// Receives each variant's output as soon as it is complete (outside the lock: two variants may be handed over
    /// at once, from two threads); returns true when it wrote the time series, which is then dropped from memory.
    let finishedSink: ((Int, VariantOutput) -> Bool)?
    public private(set) var replicationHeader: [String]?

    public struct VariantOutput: Sendable {
        public var summary: [(column: String, value: CSVTable.Cell)]
        public var seriesHeader: [String]
        /// Empty once the series has been written (`seriesWritten`).
        public var seriesRows: SeriesRows
        public var seriesWritten = false
        /// The `attempts` column, per interval (kept for the terminal's sparklines after the rows are dropped).
        public var attemptsPerRow: [Double] = []
        /// Values of each metric per replication, for the expectations.
        public var means: [String: (mean: Double, ci95: Double)]
        /// A row per instance of the services with several: means over the replications.
        public var instances: [InstanceRow] = []
    }

    /// - Parameter replicationRow: receives each line of `replications.csv` (header first) in order.
    public init(
        set: ScenarioSet, replications: Int, replicationRow: ((String) -> Void)? = nil,
        onFinished: ((Int, VariantOutput) -> Bool)? = nil
    ) {
        self.set = set
        self.replications = replications
        finishedSink = onFinished
        accumulators = Array(repeating: nil, count: set.variants.count)
        finished = Array(repeating: nil, count: set.variants.count)
        replicationSink = replications > 1 ? replicationRow : nil
    }

    /// Hands over the result of job `index`; folds every job that is now next in order.
    /// A variant completed by this job is handed to `onFinished` after the lock is released, so that writing its
    /// time series does not hold up the other workers' results (variants finish in order, but two may be written
    /// at once).
    /// The result's line of `replications.csv` is formatted before the lock is taken (with runs of a few requests,
    /// the other worker waited on the lock for a fifth of the time).
    public func add(_ result: RunResult, job index: Int) {
        let line = replicationSink == nil ? nil : Self.replicationLine(result, replication: index % replications)
        var completed: [(Int, VariantOutput)] = []
        lock.lock()
        pending[index] = (result, line)
        while let next = pending.removeValue(forKey: nextJob) {
            if let output = fold(next.result, job: nextJob, line: next.line) { completed.append(output) }
            nextJob += 1
        }
        lock.unlock()
        for (v, output) in completed { finish(v, output) }
    }

    /// Writes a completed variant's series through `onFinished`, then keeps its output (without the rows, when
    /// they were written).
    func finish(_ v: Int, _ output: VariantOutput) {
        var output = output
        if let sink = finishedSink, sink(v, output) {
            output.seriesRows = SeriesRows([])
            output.seriesWritten = true
        }
        lock.lock()
        finished[v] = output
        lock.unlock()
    }

    /// True when every job has been folded.
    public var complete: Bool { nextJob == set.variants.count * replications }

    /// Folds one result; returns its variant's output when this was the variant's last replication.
    func fold(_ r: RunResult, job: Int, line: String?) -> (Int, VariantOutput)? {
        let v = job / replications
        if let line { streamRow(r, line: line) }
        if accumulators[v] == nil { accumulators[v] = Accumulator(first: r, replications: replications) }
        accumulators[v]!.add(r)
        if accumulators[v]!.count == replications {
            var output = accumulators[v]!.output(replications: replications, seed: set.variants[v].scenario.seed)
            accumulators[v] = nil
            if let column = output.seriesHeader.firstIndex(of: SeriesMetric.attempts.rawValue) {
                output.attemptsPerRow = output.seriesRows.indices.map { column < output.seriesRows.width ? output.seriesRows.cell($0, column) : .nan }
            }
            return (v, output)
        }
        return nil
    }

    /// Writes `line`, after the header on the first call.
    func streamRow(_ r: RunResult, line: String) {
        guard let sink = replicationSink else { return }
        if replicationHeader == nil {
            let metricStart = r.firstMetricIndex
            let header = r.summary[..<(metricStart - 1)].map(\.column) + ["replication", "seed"] + r.summary[metricStart...].map(\.column)
            replicationHeader = header
            sink(header.map(CSVTable.escape).joined(separator: ",") + "\n")
        }
        sink(line)
    }

    /// A result's line of `replications.csv`, built as bytes cell by cell (the arrays of cells and texts, joined,
    /// were a fifth of a short run's cost; appending each cell's String, 1% of the AWS sweep).
    static func replicationLine(_ r: RunResult, replication: Int) -> String {
        let metricStart = r.firstMetricIndex
        var line = TextBytes(capacity: 16 * (r.summary.count + 2))
        for (k, entry) in r.summary[..<(metricStart - 1)].enumerated() {
            if k > 0 { line.append(UInt8(ascii: ",")) }
            entry.value.append(to: &line)
        }
        if metricStart > 1 { line.append(UInt8(ascii: ",")) }
        NumberFormat.appendInteger(Int64(replication), to: &line)
        line.append(UInt8(ascii: ","))
        line.append(String(r.seed))
        for entry in r.summary[metricStart...] {
            line.append(UInt8(ascii: ","))
            entry.value.append(to: &line)
        }
        line.append(UInt8(ascii: "\n"))
        return line.text
    }

    /// The running sums of one variant's replications.
    struct Accumulator {
        var count = 0
        let leading: [(column: String, value: CSVTable.Cell)]
        let metricColumns: [String]
        var welford: [(mean: Double, m2: Double, n: Int)]
        var latency = Histogram()
        var seriesHeader: [String]
        /// Sums and counts of the time series (NaN cells are not counted), in replication order, so the means have
        /// the same bits however the runs stored their rows. Rows below `materialized` have cells of their own,
        /// row after row in one contiguous array; every later row has had the same values added so far (each run's
        /// template of its rows after the stored ones), so they share `tailSums` (and `lastSums`, the last row).
        /// A run costs the rows it stored, not the rows of its duration. A row's time_s is not summed: it is set once,
        /// when the row gets cells of its own.
        let rows: Int
        let width: Int
        /// The row width in ns, from any run that stored fewer rows than it has (shards store all their rows).
        var interval: Int64
        var materialized = 0
        var seriesSums: [Double] = []
        var seriesCounts: [Int] = []
        var tailSums: [Double]
        var tailCounts: [Int]
        var lastSums: [Double]
        var lastCounts: [Int]
        var single: RunResult?
        /// Sums of the instance rows' values, in replication order.
        var instanceSums: [InstanceRow] = []

        /// With one replication the run's own rows are the output: no sums are kept.
        init(first r: RunResult, replications: Int) {
            let start = r.firstMetricIndex
            leading = Array(r.summary[..<start])
            metricColumns = r.summary[start...].map(\.column)
            welford = Array(repeating: (0, 0, 0), count: metricColumns.count)
            seriesHeader = r.seriesHeader
            rows = replications > 1 ? r.seriesRows.count : 0
            width = r.seriesRows.width
            interval = r.seriesRows.interval
            tailSums = [Double](repeating: 0, count: width)
            tailCounts = [Int](repeating: 0, count: width)
            lastSums = tailSums
            lastCounts = tailCounts
        }

        mutating func add(_ r: RunResult) {
            count += 1
            if count == 1 { single = r } else { single = nil }
            let start = r.firstMetricIndex
            for (i, entry) in r.summary[start...].enumerated() {
                let cell = entry.value
                guard let x = cell.numericValue, x.isFinite else { continue }
                // Welford's update: the same operations in the same order give the same bits.
                var w = welford[i]
                w.n += 1
                let delta = x - w.mean
                w.mean += delta / Double(w.n)
                w.m2 += delta * (x - w.mean)
                welford[i] = w
            }
            latency.merge(r.latency)
            if instanceSums.isEmpty {
                instanceSums = r.instances
            } else if instanceSums.count == r.instances.count {
                for k in instanceSums.indices where instanceSums[k].values.count == r.instances[k].values.count {
                    for v in instanceSums[k].values.indices { instanceSums[k].values[v] += r.instances[k].values[v] }
                }
            }
            guard rows > 0, width > 0, r.seriesRows.count == rows, r.seriesRows.width == width else { return }
            let series = r.seriesRows
            if series.interval > 0 { interval = series.interval }
            let stored = Swift.min(series.storedCount, rows)
            let width = self.width
            // Rows this run stored beyond those with cells of their own: until now they were tail rows.
            if stored > materialized {
                seriesSums.reserveCapacity(stored * width)
                for row in materialized..<stored {
                    let last = row == rows - 1
                    seriesSums.append(contentsOf: last ? lastSums : tailSums)
                    seriesCounts.append(contentsOf: last ? lastCounts : tailCounts)
                    // time_s is the same in every replication: kept from this run, the first to store the row.
                    seriesSums[row * width] = series.stored[row * width]
                    seriesCounts[row * width] = 1
                }
                materialized = stored
            }
            let materialized = self.materialized
            seriesSums.withUnsafeMutableBufferPointer { sums in
                seriesCounts.withUnsafeMutableBufferPointer { counts in
                    series.stored.withUnsafeBufferPointer { cells in
                        for row in 0..<stored {
                            let base = row * width
                            for i in (base + 1)..<(base + width) where !cells[i].isNaN {  // after time_s
                                sums[i] += cells[i]
                                counts[i] += 1
                            }
                        }
                    }
                    // Rows others stored and this run did not: its templates.
                    for row in stored..<materialized {
                        let template = row == rows - 1 ? series.tailLast : series.tailFull
                        let base = row * width
                        for c in 1..<width where !template[c].isNaN {
                            sums[base + c] += template[c]
                            counts[base + c] += 1
                        }
                    }
                }
            }
            for c in 1..<width {
                if !series.tailFull[c].isNaN { tailSums[c] += series.tailFull[c]; tailCounts[c] += 1 }
                if !series.tailLast[c].isNaN { lastSums[c] += series.tailLast[c]; lastCounts[c] += 1 }
            }
        }

        func output(replications: Int, seed: UInt64) -> VariantOutput {
            if replications == 1, let r = single {
                var means: [String: (Double, Double)] = [:]
                for (column, cell) in r.summary[r.firstMetricIndex...] { means[column] = (cell.numericValue ?? .nan, .nan) }
                return VariantOutput(
                    summary: r.summary, seriesHeader: r.seriesHeader, seriesRows: r.seriesRows, means: means, instances: r.instances)
            }
            var summary = Array(leading.dropLast())  // scenario, variant, varied paths (seed is re-added)
            summary.append(("seed", .text(String(seed))))
            summary.append(("replications", .integer(replications)))
            // Latency pooled over every replication from the merged histogram.
            summary += SummaryMetric.allCases.compactMap { m in OutputColumns.latency(m, latency).map { (m.rawValue, $0) } }
            var means: [String: (Double, Double)] = [:]
            for (i, column) in metricColumns.enumerated() {
                let w = welford[i]
                let mean = w.n == 0 ? Double.nan : w.mean
                let sd = w.n < 2 ? Double.nan : (w.m2 / Double(w.n - 1)).squareRoot()
                let ci = StudentT.halfWidth(sd: sd, n: w.n)
                summary.append(("\(column)_mean", .number(mean)))
                summary.append(("\(column)_ci95", .number(ci)))
                means[column] = (mean, ci)
            }
            func mean(_ sum: Double, _ n: Int) -> Double { n == 0 ? Double.nan : sum / Double(n) }
            let averaged = SeriesRows(
                width: width, stored: zip(seriesSums, seriesCounts).map(mean), storedCount: materialized,
                tailFull: zip(tailSums, tailCounts).map(mean), tailLast: zip(lastSums, lastCounts).map(mean), count: rows,
                interval: interval)
            let instances = instanceSums.map { row in
                InstanceRow(service: row.service, instance: row.instance, values: row.values.map { $0 / Double(count) })
            }
            return VariantOutput(summary: summary, seriesHeader: seriesHeader, seriesRows: averaged, means: means, instances: instances)
        }
    }
}

extension CSVTable.Cell {
    /// The number in a numeric cell.
    public var numericValue: Double? {
        switch self {
        case .number(let d): return d
        case .integer(let i): return Double(i)
        default: return nil
        }
    }
}
