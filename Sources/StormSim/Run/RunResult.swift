/// What one run of one variant produced: the summary row, the time series, and how much work it took.
public struct RunResult: Sendable {
    public var scenario: String
    public var variant: String
    public var seed: UInt64
    /// Summary columns in output order: `scenario`, `variant`, one per varied path, `seed`, then the metrics.
    public var summary: [(column: String, value: CSVTable.Cell)]
    /// Time-series column names and values, one row per interval (NaN for an empty cell).
    public var seriesHeader: [String]
    public var seriesRows: SeriesRows
    /// Completion times of succeeded requests: merged exactly across replications.
    public var latency: Histogram
    /// Events popped from the event queue.
    public var events: Int
    /// True when the run was stopped early (Ctrl-C, or a stall); its results are incomplete and must not be
    /// written.
    public var interrupted: Bool
    /// Why the run stalled (simulated time stopped advancing), with the keys to change; nil for a run that did not.
    public var stall: String?
    /// Every step of the traced requests, in time order.
    public var trace: [TraceEvent] = []
    /// A row per instance of each service with several (`instances.csv`); empty when every service has one.
    public var instances: [InstanceRow] = []

    public init(
        scenario: String, variant: String, seed: UInt64, summary: [(column: String, value: CSVTable.Cell)],
        seriesHeader: [String], seriesRows: SeriesRows, latency: Histogram, events: Int, interrupted: Bool,
        trace: [TraceEvent] = [], stall: String? = nil
    ) {
        self.scenario = scenario
        self.variant = variant
        self.seed = seed
        self.summary = summary
        self.seriesHeader = seriesHeader
        self.seriesRows = seriesRows
        self.latency = latency
        self.events = events
        self.interrupted = interrupted
        self.trace = trace
        self.stall = stall
    }

    /// A summary value by column name (for tests and the terminal summary).
    public func value(_ column: String) -> Double? {
        guard let cell = summary.first(where: { $0.column == column })?.value else { return nil }
        switch cell {
        case .number(let d): return d
        case .integer(let i): return Double(i)
        default: return nil
        }
    }

    /// A summary metric's value.
    public func value(_ m: SummaryMetric) -> Double? { value(m.rawValue) }

    /// The time series as a CSV table.
    public var timeSeries: CSVTable {
        var table = CSVTable(header: seriesHeader)
        for row in seriesRows { table.append(row.map { .number($0) }) }
        return table
    }

    /// Index of the first metric column in `summary` (after `seed`).
    public var firstMetricIndex: Int { (summary.firstIndex { $0.column == "seed" } ?? -1) + 1 }
}

extension CSVTable.Cell: @unchecked Sendable {}
