/// Every output column, declared once: its name, what it means, and how it is read from a finished run. The
/// summary rows, the time series, the replication aggregates, the shard checks and the `expect` keys all read these
/// lists, so adding a metric is one entry here (and its line in the README's column tables).
enum OutputColumns {
    /// What a summary column is read from.
    struct Run {
        let world: World
        let scenario: Scenario
        let events: Int
        let recovery: (recovered: Bool, time: Double?)?
        var totals: Statistics.Totals { world.stats.totals }
        var requests: Double { Double(world.stats.totals.requests) }
    }

    struct Summary: Sendable {
        let name: String
        let meaning: String
        let read: @Sendable (Run) -> CSVTable.Cell
        /// Read from the latency histogram: with replications, also computed from the merged histogram (pooled).
        let latency: (@Sendable (Histogram) -> CSVTable.Cell)?

        init(_ name: String, _ meaning: String, _ read: @escaping @Sendable (Run) -> CSVTable.Cell) {
            self.name = name
            self.meaning = meaning
            self.read = read
            latency = nil
        }

        init(latency name: String, _ meaning: String, _ fromHistogram: @escaping @Sendable (Histogram) -> CSVTable.Cell) {
            self.name = name
            self.meaning = meaning
            self.latency = fromHistogram
            read = { fromHistogram($0.world.stats.latency) }
        }
    }

    static func ms(_ ns: Double) -> CSVTable.Cell { .number(ns / 1e6) }

    /// The clients' metric columns of summary.csv, in order (after `scenario`, `variant`, the varied paths and `seed`).
    static let summary: [Summary] = [
        Summary("requests", "new requests sent by clients") { .integer($0.totals.requests) },
        Summary("succeeded", "requests that succeeded") { .integer($0.totals.succeeded) },
        Summary("failed", "requests that ran out of attempts or gave up") { .integer($0.totals.failed) },
        Summary("unfinished", "requests still open at the end") { .integer($0.totals.requests - $0.totals.succeeded - $0.totals.failed) },
        Summary("success_rate", "succeeded / requests") { .number(Double($0.totals.succeeded) / $0.requests) },
        Summary("attempts", "attempts sent by clients") { .integer($0.totals.attempts) },
        Summary("retries", "attempts after the first") { .integer($0.totals.retries) },
        Summary("amplification", "attempts / requests") { .number(Double($0.totals.attempts) / $0.requests) },
        Summary("timeouts", "attempts that timed out") { .integer($0.totals.timeouts) },
        Summary("rejected", "attempts refused by a full queue") { .integer($0.totals.rejected) },
        Summary("errors", "attempts answered with a server error") { .integer($0.totals.errors) },
        Summary("throttled", "attempts refused by a rate limit") { .integer($0.totals.throttled) },
        Summary("conflicts", "optimistic-concurrency writes that lost") { .integer($0.totals.conflicts) },
        Summary("non_retryable", "attempts answered with a non-retryable error") { .integer($0.totals.nonRetryable) },
        Summary("fast_failed", "attempts failed by the breaker or throttling before being sent") { .integer($0.totals.fastFailed) },
        Summary("budget_refused", "retries refused by a budget") { .integer($0.totals.budgetRefused) },
        Summary("breaker_trips", "times a client breaker opened") { .integer($0.world.callers[0].state.breakerTrips) },
        Summary("dropped", "attempts dropped by the services' queues") { .integer($0.world.services.reduce(0) { $0 + $1.dropped }) },
        Summary(latency: "latency_mean_ms", "mean latency of succeeded requests") { ms($0.mean) },
        Summary(latency: "latency_p50_ms", "median latency") { ms($0.quantile(0.5)) },
        Summary(latency: "latency_p90_ms", "90th percentile latency") { ms($0.quantile(0.9)) },
        Summary(latency: "latency_p99_ms", "99th percentile latency") { ms($0.quantile(0.99)) },
        Summary(latency: "latency_p999_ms", "99.9th percentile latency") { ms($0.quantile(0.999)) },
        Summary(latency: "latency_max_ms", "largest latency") { $0.count == 0 ? .empty : ms(Double($0.max)) },
        Summary("makespan_s", "when the last request finished") { $0.totals.lastFinish.map { .number($0.seconds) } ?? .empty },
        Summary("wasted_work_fraction", "service time spent on attempts nobody waited for") { r in
            let busy = r.world.services.reduce(0) { $0 + Double($1.busyTime) }
            let wasted = r.world.services.reduce(0) { $0 + Double($1.wastedTime) }
            return .number(wasted / busy)
        },
        Summary("peak_to_mean_100ms", "most attempts in a 100 ms bin over the mean") { .number($0.world.stats.synchrony.peakToMean) },
        Summary("retry_peak_to_mean_100ms", "the same for retries alone") { .number($0.world.stats.retrySynchrony.peakToMean) },
        Summary("recovered", "goodput came back after the trigger and stayed back") { r in r.recovery.map { .integer($0.recovered ? 1 : 0) } ?? .empty },
        Summary("recovery_time_s", "from when, after the trigger") { r in r.recovery?.time.map { .number($0) } ?? .empty },
        Summary("events", "events the simulation handled") { .integer($0.events) },
    ]

    /// Per service, `<service>_<suffix>` columns after the clients' ones, in order.
    static let serviceSummary: [(suffix: String, meaning: String, read: @Sendable (ServiceState, Run) -> CSVTable.Cell)] = [
        ("attempts", "attempts that reached it", { s, _ in .integer(s.arrivals) }),
        ("amplification", "its attempts per client request", { s, r in .number(Double(s.arrivals) / r.requests) }),
        ("served", "attempts it served", { s, _ in .integer(s.served) }),
        ("rejected", "attempts refused by its full queue", { s, _ in .integer(s.rejected) }),
        ("throttled", "attempts refused by its rate limit", { s, _ in .integer(s.throttled) }),
        ("retries", "retries that reached it", { s, _ in .integer(s.retries) }),
        ("dropped", "attempts its queue dropped", { s, _ in .integer(s.dropped) }),
        ("wasted", "attempts it served after their caller gave up", { s, _ in .integer(s.wasted) }),
        ("wasted_work_fraction", "its service time spent on them", { s, _ in .number(Double(s.wastedTime) / Double(s.busyTime)) }),
        ("utilization", "busy workers over workers, over the run", { s, r in
            .number(Double(s.busyTime) / (Double(s.config.workers) * Double(r.scenario.duration.nanoseconds)))
        }),
    ]

    /// The metric column names of summary.csv for services with these names.
    static func summaryNames(services: [String]) -> [String] {
        summary.map(\.name) + services.flatMap { name in serviceSummary.map { "\(name)_\($0.suffix)" } }
    }

    /// The metric cells of one run, in `summaryNames` order.
    static func summaryCells(_ run: Run) -> [(column: String, value: CSVTable.Cell)] {
        summary.map { ($0.name, $0.read(run)) }
            + run.world.services.flatMap { s in serviceSummary.map { ("\(s.config.name)_\($0.suffix)", $0.read(s, run)) } }
    }

    /// How one time-series cell is computed from the run's series: planned once per run (`seriesPlan`), then
    /// evaluated for every row with a switch, not a call (a sweep of 9,500 runs of 6,000 rows has 1.6 billion cells).
    enum SeriesCell {
        /// The count in a column.
        case value(Int)
        /// A time integral in a column, divided by the row's width and by `divisor`: a mean over the interval.
        case mean(Int, divisor: Double)
        /// The mean latency of the row's successes, in ms.
        case latencyMean
        /// Empty (NaN): a gauge of something the run does not have.
        case none
    }

    /// The clients' time-series columns after `time_s`, in order (then `attempt_1`... and the services').
    static let clientSeries: [(name: String, cell: @Sendable (World) -> SeriesCell)] = [
        ("requests", { _ in .value(ClientColumn.requests) }),
        ("attempts", { _ in .value(ClientColumn.attempts) }),
        ("retries", { _ in .value(ClientColumn.retries) }),
        ("successes", { _ in .value(ClientColumn.successes) }),
        ("failures", { _ in .value(ClientColumn.failures) }),
        ("timeouts", { _ in .value(ClientColumn.timeouts) }),
        ("rejected", { _ in .value(ClientColumn.rejected) }),
        ("errors", { _ in .value(ClientColumn.errors) }),
        ("throttled", { _ in .value(ClientColumn.throttled) }),
        ("non_retryable", { _ in .value(ClientColumn.nonRetryable) }),
        ("fast_failed", { _ in .value(ClientColumn.fastFailed) }),
        ("budget_refused", { _ in .value(ClientColumn.budgetRefused) }),
        ("in_flight", { _ in .value(ClientColumn.inFlightEnd) }),
        ("latency_mean_ms", { _ in .latencyMean }),
        ("breaker_open", { w in w.callers[0].state.breaker == nil ? .none : .value(ClientColumn.breakerOpenEnd) }),
        ("budget_tokens", { w in w.callers[0].state.tokenBudget == nil ? .none : .value(ClientColumn.tokensEnd) }),
    ]

    /// Per service, `<service>_<suffix>` time-series columns, in order.
    static let serviceSeries: [(suffix: String, cell: @Sendable (ServiceState) -> SeriesCell)] = [
        ("attempts", { .value($0.columns.attempts) }),
        ("retries", { .value($0.columns.retries) }),
        ("rejected", { .value($0.columns.rejected) }),
        ("throttled", { .value($0.columns.throttled) }),
        ("dropped", { .value($0.columns.dropped) }),
        ("served", { .value($0.columns.served) }),
        ("queue_length", { .mean($0.columns.queueLength, divisor: 1) }),
        ("utilization", { .mean($0.columns.utilization, divisor: Double($0.config.workers)) }),
        ("wasted", { .value($0.columns.wasted) }),
    ]

    /// Time-series column names, in order, for a scenario.
    static func seriesNames(_ scenario: Scenario) -> [String] {
        var header = ["time_s"] + clientSeries.map(\.name)
        let attemptColumns = min(scenario.clients.policy.maxAttempts, ClientColumn.maxAttemptColumns)
        for n in 1...attemptColumns {
            header.append(n == ClientColumn.maxAttemptColumns && scenario.clients.policy.maxAttempts > n ? "attempt_\(n)_or_more" : "attempt_\(n)")
        }
        for s in scenario.services { header += serviceSeries.map { "\(s.name)_\($0.suffix)" } }
        return header
    }

    /// How each column after `time_s` is computed, for this run.
    static func seriesPlan(_ w: World) -> [SeriesCell] {
        clientSeries.map { $0.cell(w) } + (0..<w.stats.attemptColumns).map { .value(ClientColumn.count + $0) }
            + w.services.flatMap { s in serviceSeries.map { $0.cell(s) } }
    }

    /// The time-series rows of a finished run, in `seriesNames` order.
    static func seriesRows(_ w: World) -> [[Double]] {
        let series = w.stats.series
        let plan = seriesPlan(w)
        var rows: [[Double]] = []
        rows.reserveCapacity(series.rows)
        for row in 0..<series.rows {
            let width = Double(series.width(ofRow: row))
            var cells: [Double] = []
            cells.reserveCapacity(plan.count + 1)
            cells.append(Double(Int64(row) * series.interval) / 1e9)
            for cell in plan {
                switch cell {
                case .value(let c): cells.append(series[row, c])
                case .mean(let c, let divisor): cells.append(divisor == 1 ? series[row, c] / width : series[row, c] / width / divisor)
                case .latencyMean:
                    let successes = series[row, ClientColumn.successes]
                    cells.append(successes > 0 ? series[row, ClientColumn.latencySum] / successes / 1e6 : .nan)
                case .none: cells.append(.nan)
                }
            }
            rows.append(cells)
        }
        return rows
    }
}
