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
    var pending: [Int: RunResult] = [:]
    var nextJob = 0
    var accumulators: [Accumulator?]
    /// Summary row and time series per variant, once complete.
    public private(set) var finished: [VariantOutput?]
    /// Per-replication rows (only with more than one replication), streamed in job order.
    let replicationSink: ((String) -> Void)?
    /// Receives each variant's output as soon as it is complete, in variant order; returns true when it wrote the
    /// time series, which is then dropped from memory.
    let finishedSink: ((Int, VariantOutput) -> Bool)?
    public private(set) var replicationHeader: [String]?

    public struct VariantOutput: Sendable {
        public var summary: [(column: String, value: CSVTable.Cell)]
        public var seriesHeader: [String]
        /// Empty once the series has been written (`seriesWritten`).
        public var seriesRows: [[Double]]
        public var seriesWritten = false
        /// The `attempts` column, per interval (kept for the terminal's sparklines after the rows are dropped).
        public var attemptsPerRow: [Double] = []
        /// Values of each metric per replication, for the expectations.
        public var means: [String: (mean: Double, ci95: Double)]
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
    public func add(_ result: RunResult, job index: Int) {
        lock.lock()
        defer { lock.unlock() }
        pending[index] = result
        while let next = pending.removeValue(forKey: nextJob) {
            fold(next, job: nextJob)
            nextJob += 1
        }
    }

    /// True when every job has been folded.
    public var complete: Bool { nextJob == set.variants.count * replications }

    func fold(_ r: RunResult, job: Int) {
        let v = job / replications
        if replications > 1 { streamRow(r, replication: job % replications) }
        if accumulators[v] == nil { accumulators[v] = Accumulator(first: r, replications: replications) }
        accumulators[v]!.add(r)
        if accumulators[v]!.count == replications {
            var output = accumulators[v]!.output(replications: replications, seed: set.variants[v].scenario.seed)
            accumulators[v] = nil
            if let column = output.seriesHeader.firstIndex(of: SeriesMetric.attempts.rawValue) {
                output.attemptsPerRow = output.seriesRows.map { column < $0.count ? $0[column] : .nan }
            }
            if let sink = finishedSink, sink(v, output) {
                output.seriesRows = []
                output.seriesWritten = true
            }
            finished[v] = output
        }
    }

    func streamRow(_ r: RunResult, replication: Int) {
        guard let sink = replicationSink else { return }
        let metricStart = r.firstMetricIndex
        if replicationHeader == nil {
            let header = r.summary[..<(metricStart - 1)].map(\.column) + ["replication", "seed"] + r.summary[metricStart...].map(\.column)
            replicationHeader = header
            sink(header.map(CSVTable.escape).joined(separator: ",") + "\n")
        }
        let cells = Array(r.summary[..<(metricStart - 1)].map(\.value)) + [.integer(replication), .text(String(r.seed))]
            + r.summary[metricStart...].map(\.value)
        sink(cells.map(\.text).joined(separator: ",") + "\n")
    }

    /// The running sums of one variant's replications.
    struct Accumulator {
        var count = 0
        let leading: [(column: String, value: CSVTable.Cell)]
        let metricColumns: [String]
        var welford: [(mean: Double, m2: Double, n: Int)]
        var latency = Histogram()
        var seriesHeader: [String]
        /// Sums and counts of the time series, one cell per (row, column), row after row in one contiguous array
        /// (nested arrays cost a uniqueness check per cell).
        let rows: Int
        let width: Int
        var seriesSums: [Double]
        var seriesCounts: [Int]
        var single: RunResult?

        /// With one replication the run's own rows are the output: no sums are kept.
        init(first r: RunResult, replications: Int) {
            let start = r.firstMetricIndex
            leading = Array(r.summary[..<start])
            metricColumns = r.summary[start...].map(\.column)
            welford = Array(repeating: (0, 0, 0), count: metricColumns.count)
            seriesHeader = r.seriesHeader
            rows = replications > 1 ? r.seriesRows.count : 0
            width = r.seriesRows.first?.count ?? 0
            seriesSums = [Double](repeating: 0, count: rows * width)
            seriesCounts = [Int](repeating: 0, count: rows * width)
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
            let (rows, width) = (self.rows, self.width)
            seriesSums.withUnsafeMutableBufferPointer { sums in
                seriesCounts.withUnsafeMutableBufferPointer { counts in
                    for (row, values) in r.seriesRows.enumerated() where row < rows {
                        let base = row * width
                        for (c, x) in values.enumerated() where c < width && !x.isNaN {
                            sums[base + c] += x
                            counts[base + c] += 1
                        }
                    }
                }
            }
        }

        func output(replications: Int, seed: UInt64) -> VariantOutput {
            if replications == 1, let r = single {
                var means: [String: (Double, Double)] = [:]
                for (column, cell) in r.summary[r.firstMetricIndex...] { means[column] = (cell.numericValue ?? .nan, .nan) }
                return VariantOutput(summary: r.summary, seriesHeader: r.seriesHeader, seriesRows: r.seriesRows, means: means)
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
            let averaged = (0..<rows).map { row in
                (0..<width).map { c in
                    let n = seriesCounts[row * width + c]
                    return n == 0 ? Double.nan : seriesSums[row * width + c] / Double(n)
                }
            }
            return VariantOutput(summary: summary, seriesHeader: seriesHeader, seriesRows: averaged, means: means)
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
