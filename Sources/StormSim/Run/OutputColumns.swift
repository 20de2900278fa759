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

    /// One time-series value: the row's series, the row's width in ns, and the world.
    typealias SeriesRead = @Sendable (TimeSeries, Int, Double, World) -> Double

    /// The clients' time-series columns after `time_s`, in order (then `attempt_1`... and the services').
    static let clientSeries: [(name: String, read: SeriesRead)] = [
        ("requests", { s, r, _, _ in s[r, ClientColumn.requests] }),
        ("attempts", { s, r, _, _ in s[r, ClientColumn.attempts] }),
        ("retries", { s, r, _, _ in s[r, ClientColumn.retries] }),
        ("successes", { s, r, _, _ in s[r, ClientColumn.successes] }),
        ("failures", { s, r, _, _ in s[r, ClientColumn.failures] }),
        ("timeouts", { s, r, _, _ in s[r, ClientColumn.timeouts] }),
        ("rejected", { s, r, _, _ in s[r, ClientColumn.rejected] }),
        ("errors", { s, r, _, _ in s[r, ClientColumn.errors] }),
        ("throttled", { s, r, _, _ in s[r, ClientColumn.throttled] }),
        ("non_retryable", { s, r, _, _ in s[r, ClientColumn.nonRetryable] }),
        ("fast_failed", { s, r, _, _ in s[r, ClientColumn.fastFailed] }),
        ("budget_refused", { s, r, _, _ in s[r, ClientColumn.budgetRefused] }),
        ("in_flight", { s, r, _, _ in s[r, ClientColumn.inFlightEnd] }),
        ("latency_mean_ms", { s, r, _, _ in
            let successes = s[r, ClientColumn.successes]
            return successes > 0 ? s[r, ClientColumn.latencySum] / successes / 1e6 : .nan
        }),
        ("breaker_open", { s, r, _, w in w.callers[0].state.breaker == nil ? .nan : s[r, ClientColumn.breakerOpenEnd] }),
        ("budget_tokens", { s, r, _, w in w.callers[0].state.tokenBudget == nil ? .nan : s[r, ClientColumn.tokensEnd] }),
    ]

    /// Per service, `<service>_<suffix>` time-series columns, in order.
    static let serviceSeries: [(suffix: String, read: @Sendable (TimeSeries, Int, Double, ServiceState) -> Double)] = [
        ("attempts", { s, r, _, v in s[r, v.columns.attempts] }),
        ("retries", { s, r, _, v in s[r, v.columns.retries] }),
        ("rejected", { s, r, _, v in s[r, v.columns.rejected] }),
        ("throttled", { s, r, _, v in s[r, v.columns.throttled] }),
        ("dropped", { s, r, _, v in s[r, v.columns.dropped] }),
        ("served", { s, r, _, v in s[r, v.columns.served] }),
        ("queue_length", { s, r, width, v in s[r, v.columns.queueLength] / width }),
        ("utilization", { s, r, width, v in s[r, v.columns.utilization] / width / Double(v.config.workers) }),
        ("wasted", { s, r, _, v in s[r, v.columns.wasted] }),
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

    /// The time-series rows of a finished run, in `seriesNames` order.
    static func seriesRows(_ w: World) -> [[Double]] {
        let series = w.stats.series
        var rows: [[Double]] = []
        rows.reserveCapacity(series.rows)
        for row in 0..<series.rows {
            let width = Double(series.width(ofRow: row))
            var cells: [Double] = [Double(Int64(row) * series.interval) / 1e9]
            for c in clientSeries { cells.append(c.read(series, row, width, w)) }
            for n in 0..<w.stats.attemptColumns { cells.append(series[row, ClientColumn.count + n]) }
            for s in w.services {
                for c in serviceSeries { cells.append(c.read(series, row, width, s)) }
            }
            rows.append(cells)
        }
        return rows
    }
}
