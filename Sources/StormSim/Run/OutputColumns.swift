/// Every output column and how it is read from a finished run. Summary metrics are named in `SummaryMetric` and
/// `ServiceMetric` (Metrics/, so the decoder can check `expect` keys against them) and read here by exhaustive
/// switches; time-series columns are declared here with their readers. The summary rows, the time series, the
/// replication aggregates and the shard checks all read these, so a metric is added in one place (and its line in
/// the README's column tables, which a test checks).
enum OutputColumns {
    /// What a summary column is read from.
    struct Run<F: ModelFeatures> {
        let world: World<F>
        let scenario: Scenario
        let events: Int
        let recovery: (recovered: Bool, time: Double?)?
        var totals: Statistics.Totals { world.stats.totals }
        var requests: Double { Double(world.stats.totals.requests) }
    }

    static func ms(_ ns: Double) -> CSVTable.Cell { .number(ns / 1e6) }

    /// A latency metric, from a latency histogram (one run's, or the replications' merged one); nil for others.
    static func latency(_ m: SummaryMetric, _ h: Histogram) -> CSVTable.Cell? {
        switch m {
        case .latencyMean: return ms(h.mean)
        case .latencyP50: return ms(h.quantile(0.5))
        case .latencyP90: return ms(h.quantile(0.9))
        case .latencyP99: return ms(h.quantile(0.99))
        case .latencyP999: return ms(h.quantile(0.999))
        case .latencyMax: return h.count == 0 ? .empty : ms(Double(h.max))
        default: return nil
        }
    }

    /// A client metric of one run.
    static func read<F>(_ m: SummaryMetric, _ r: Run<F>) -> CSVTable.Cell {
        let t = r.totals
        switch m {
        case .requests: return .integer(t.requests)  // new requests sent by clients
        case .succeeded: return .integer(t.succeeded)
        case .failed: return .integer(t.failed)  // ran out of attempts or gave up
        case .unfinished: return .integer(t.requests - t.succeeded - t.failed)  // still open at the end
        case .successRate: return .number(Double(t.succeeded) / r.requests)
        case .attempts: return .integer(t.attempts)  // sent by clients, first attempts and retries
        case .retries: return .integer(t.retries)
        case .amplification: return .number(Double(t.attempts) / r.requests)
        case .timeouts: return .integer(t.timeouts)
        case .rejected: return .integer(t.rejected)  // by a full queue
        case .errors: return .integer(t.errors)  // server errors
        case .throttled: return .integer(t.throttled)  // by a rate limit
        case .conflicts: return .integer(t.conflicts)  // optimistic-concurrency writes that lost
        case .nonRetryable: return .integer(t.nonRetryable)
        case .fastFailed: return .integer(t.fastFailed)  // by the breaker or throttling, before being sent
        case .budgetRefused: return .integer(t.budgetRefused)
        case .breakerTrips: return .integer(r.world.callers[0].state.breakerTrips)
        case .dropped: return .integer(r.world.services.indices.reduce(0) { $0 + r.world.counts(service: $1).dropped })  // by the services' queues
        case .hedges: return .integer(t.hedges)  // attempts after the first of hedging requests
        case .hedgeWins: return .integer(t.hedgeWins)  // requests answered by a hedge
        case .cancelled: return .integer(t.cancelled)  // attempts cancelled in flight when their request had its answer
        case .latencyMean, .latencyP50, .latencyP90, .latencyP99, .latencyP999, .latencyMax:
            return latency(m, r.world.stats.latency)!
        case .makespan: return t.lastFinish.map { .number($0.seconds) } ?? .empty  // when the last request finished
        case .wastedWorkFraction:  // service time spent on attempts nobody waited for
            let busy = r.world.services.indices.reduce(0) { $0 + Double(r.world.busyTime(service: $1)) }
            let wasted = r.world.services.indices.reduce(0) { $0 + Double(r.world.counts(service: $1).wastedTime) }
            return .number(wasted / busy)
        case .peakToMean: return .number(r.world.stats.synchrony.peakToMean)
        case .retryPeakToMean: return .number(r.world.stats.retrySynchrony.peakToMean)
        case .recovered: return r.recovery.map { .integer($0.recovered ? 1 : 0) } ?? .empty
        case .recoveryTime: return r.recovery?.time.map { .number($0) } ?? .empty
        case .events: return .integer(r.events)
        }
    }

    /// A service's metric of one run.
    static func read<F>(_ m: ServiceMetric, service index: Int, _ r: Run<F>) -> CSVTable.Cell {
        let s = r.world.services[index]
        let n = r.world.counts(service: index)
        let busyTime = r.world.busyTime(service: index)
        switch m {
        case .attempts: return .integer(n.arrivals)
        case .amplification: return .number(Double(n.arrivals) / r.requests)  // its attempts per client request
        case .served: return .integer(n.served)
        case .rejected: return .integer(n.rejected)
        case .throttled: return .integer(n.throttled)
        case .retries: return .integer(n.retries)
        case .dropped: return .integer(n.dropped)
        case .wasted: return .integer(n.wasted)  // served after their caller gave up
        case .wastedWorkFraction: return .number(Double(n.wastedTime) / Double(busyTime))
        case .ejections:  // by every balancer that watches the service
            return .integer(r.world.balancers.reduce(0) { $0 + ($1.service == index ? $1.detector?.ejections.reduce(0, +) ?? 0 : 0) })
        case .utilization:  // of every instance's workers, or of those an autoscaler had scaled
            let workerTime = r.world.autoscalers[index].map { Double(s.config.workers) * Double($0.scaledTime) }
                ?? Double(s.config.totalWorkers) * Double(r.scenario.duration.nanoseconds)
            return .number(Double(busyTime) / workerTime)
        case .duplicates: return r.world.messageQueues.queues[index].map { .integer($0.duplicates) } ?? .empty
        case .deadLettered: return r.world.messageQueues.queues[index].map { .integer($0.deadLettered) } ?? .empty
        case .instanceSeconds:
            return .number(r.world.autoscalers[index].map { Double($0.scaledTime) / 1e9 } ?? Double(s.config.instances) * r.scenario.duration.seconds)
        case .crashes: return .integer(s.instances.reduce(0) { $0 + r.world.instances[$1].crashes })
        case .lost: return .integer(n.lost)
        case .hitRatio:
            guard let cache = r.world.caches[index] else { return .number(.nan) }
            return .number(Double(cache.hits) / Double(cache.lookups))
        }
    }

    /// A row per instance of every service with several (none otherwise).
    static func instanceRows<F>(_ w: World<F>, scenario: Scenario) -> [InstanceRow] {
        var rows: [InstanceRow] = []
        for (s, service) in w.services.enumerated() where service.instances.count > 1 {
            for (position, i) in service.instances.enumerated() {
                let instance = w.instances[i]
                let n = instance.counts
                let values = InstanceMetric.allCases.map { m -> Double in
                    switch m {
                    case .attempts: return Double(n.arrivals)
                    case .served: return Double(n.served)
                    case .rejected: return Double(n.rejected)
                    case .throttled: return Double(n.throttled)
                    case .dropped: return Double(n.dropped)
                    case .wasted: return Double(n.wasted)
                    case .utilization:
                        return Double(instance.busyTime) / (Double(service.config.workers(ofInstance: position)) * Double(scenario.duration.nanoseconds))
                    case .ejections:
                        return Double(w.balancers.reduce(0) { $0 + ($1.first == service.instances.lowerBound ? $1.detector?.ejections[position] ?? 0 : 0) })
                    case .ejectedSeconds:
                        var seconds = 0.0, watchers = 0
                        for set in w.balancers where set.first == service.instances.lowerBound {
                            guard let d = set.detector else { continue }
                            seconds += Double(d.ejectedTime[position]) / 1e9
                            watchers += d.units
                        }
                        return watchers == 0 ? 0 : seconds / Double(watchers)
                    case .limit:
                        return w.limiters[i].map { Double($0.limit) } ?? .nan
                    case .crashes: return Double(instance.crashes)
                    case .lost: return Double(n.lost)
                    case .downSeconds: return Double(instance.downTime) / 1e9
                    case .probes, .probesFailed, .markedUnhealthy:
                        var n = 0
                        for set in w.balancers where set.first == service.instances.lowerBound {
                            guard let h = set.health else { continue }
                            n += m == .probes ? h.probes[position] : m == .probesFailed ? h.failures[position] : h.markedDown[position]
                        }
                        return Double(n)
                    }
                }
                rows.append(InstanceRow(service: scenario.services[s].name, instance: position, values: values))
            }
        }
        return rows
    }

    /// The metric column names of summary.csv for services with these names.
    static func summaryNames(services: [String]) -> [String] { SummaryMetric.names(services: services) }

    /// The metric cells of one run, in `summaryNames` order.
    static func summaryCells<F>(_ run: Run<F>) -> [(column: String, value: CSVTable.Cell)] {
        SummaryMetric.allCases.map { ($0.rawValue, read($0, run)) }
            + run.world.services.indices.flatMap { s in
                ServiceMetric.allCases.map { ($0.column(run.world.services[s].config.name), read($0, service: s, run)) }
            }
    }

    /// How one time-series cell is computed from the run's series: planned once per run (`seriesPlan`), then
    /// evaluated for every row with a switch, not a call (a sweep of 9,500 runs of 6,000 rows has 1.6 billion cells).
    enum SeriesCell {
        /// The count in a column.
        case value(Int)
        /// A time integral in a column, divided by the row's width and by `divisor`: a mean over the interval.
        case mean(Int, divisor: Double)
        /// A time integral over another (`over`), divided by `divisor`: a mean per unit of what the other counts.
        case areaRatio(Int, over: Int, divisor: Double)
        /// The time from the instant in a column (in s; negative: none) to the row's end, in s (0 for none).
        case ageAtEnd(Int)
        /// The mean latency of the row's successes, in ms.
        case latencyMean
        /// A latency percentile of the row's successes (a column in ns), in ms.
        case latencyPercentile(Int)
        /// Empty (NaN): a gauge of something the run does not have.
        case none
    }

    /// How a client column of the time series is computed, for this run.
    static func cell<F>(_ m: SeriesMetric, _ w: World<F>) -> SeriesCell {
        switch m {
        case .requests: return .value(ClientColumn.requests)
        case .attempts: return .value(ClientColumn.attempts)
        case .retries: return .value(ClientColumn.retries)
        case .successes: return .value(ClientColumn.successes)
        case .failures: return .value(ClientColumn.failures)
        case .timeouts: return .value(ClientColumn.timeouts)
        case .rejected: return .value(ClientColumn.rejected)
        case .errors: return .value(ClientColumn.errors)
        case .throttled: return .value(ClientColumn.throttled)
        case .nonRetryable: return .value(ClientColumn.nonRetryable)
        case .fastFailed: return .value(ClientColumn.fastFailed)
        case .budgetRefused: return .value(ClientColumn.budgetRefused)
        case .inFlight: return .value(ClientColumn.inFlightEnd)
        case .latencyMean: return .latencyMean
        case .latencyP50: return .latencyPercentile(ClientColumn.latencyP50)
        case .latencyP99: return .latencyPercentile(ClientColumn.latencyP99)
        case .breakerOpen: return w.callers[0].state.breaker == nil ? .none : .value(ClientColumn.breakerOpenEnd)
        case .budgetTokens: return w.callers[0].state.tokenBudget == nil ? .none : .value(ClientColumn.tokensEnd)
        }
    }

    /// How a service's column of the time series is computed.
    static func cell(_ m: ServiceSeriesMetric, _ s: ServiceState) -> SeriesCell {
        switch m {
        case .attempts: return .value(s.columns.attempts)
        case .retries: return .value(s.columns.retries)
        case .rejected: return .value(s.columns.rejected)
        case .throttled: return .value(s.columns.throttled)
        case .dropped: return .value(s.columns.dropped)
        case .served: return .value(s.columns.served)
        case .queueLength: return .mean(s.columns.queueLength, divisor: 1)
        case .utilization:
            // An autoscaled fleet: over the workers of the instances serving in the row.
            if s.config.autoscale != nil { return .areaRatio(s.columns.utilization, over: s.columns.instances, divisor: Double(s.config.workers)) }
            return .mean(s.columns.utilization, divisor: Double(s.config.totalWorkers))
        case .wasted: return .value(s.columns.wasted)
        case .outOfPicks: return s.watchingBalancers == 0 ? .none : .mean(s.columns.outOfPicks, divisor: Double(s.watchingBalancers))
        case .limit: return s.limited ? .mean(s.columns.limit, divisor: Double(s.config.instances)) : .none
        case .down: return s.crashes ? .mean(s.columns.down, divisor: 1) : .none
        case .hits: return s.cached ? .value(s.columns.hits) : .none
        case .instances: return s.config.autoscale != nil ? .mean(s.columns.instances, divisor: 1) : .none
        case .duplicates: return s.isMessageQueue ? .value(s.columns.duplicates) : .none
        case .deadLettered: return s.isMessageQueue ? .value(s.columns.deadLettered) : .none
        case .oldestAge: return s.isMessageQueue ? .ageAtEnd(s.columns.oldestSent) : .none
        }
    }

    /// Time-series column names, in order, for a scenario.
    static func seriesNames(_ scenario: Scenario) -> [String] {
        var header = ["time_s"] + SeriesMetric.allCases.map(\.rawValue)
        let attemptColumns = min(scenario.attemptColumnsBasis, ClientColumn.maxAttemptColumns)
        for n in 1...attemptColumns {
            header.append(n == ClientColumn.maxAttemptColumns && scenario.attemptColumnsBasis > n ? "attempt_\(n)_or_more" : "attempt_\(n)")
        }
        for s in scenario.services { header += ServiceSeriesMetric.allCases.map { $0.column(s.name) } }
        for s in scenario.services where s.seriesPerInstance {
            header += (0..<s.instances).map { instanceColumn(service: s.name, instance: $0) }
        }
        return header
    }

    /// The time-series column of the attempts at one instance of a fleet.
    public static func instanceColumn(service: String, instance k: Int) -> String { "\(service)_instance_\(k)_attempts"
    }

    /// How each column after `time_s` is computed, for this run.
    static func seriesPlan<F>(_ w: World<F>) -> [SeriesCell] {
        SeriesMetric.allCases.map { cell($0, w) } + (0..<w.stats.attemptColumns).map { .value(ClientColumn.count + $0) }
            + w.services.flatMap { s in ServiceSeriesMetric.allCases.map { cell($0, s) } }
            + w.services.filter { $0.config.seriesPerInstance }.flatMap { s in s.instances.map { SeriesCell.value(w.instances[$0].attemptsColumn) } }
    }

    /// One cell of a time-series row, from the row's raw columns (`read`): counts as they are, gauge areas as means
    /// over the row, latencies in ms.
    @inline(__always)
    static func value(of cell: SeriesCell, row: Int, rowWidth: Double, interval: Int64, _ read: (Int) -> Double) -> Double {
        switch cell {
        case .value(let c): return read(c)
        case .mean(let c, let divisor): return divisor == 1 ? read(c) / rowWidth : read(c) / rowWidth / divisor
        case .areaRatio(let c, let over, let divisor): return read(c) / read(over) / divisor
        case .ageAtEnd(let c):
            let since = read(c)
            return since < 0 ? 0 : (Double(Int64(row) * interval) + rowWidth) / 1e9 - since
        case .latencyMean:
            let successes = read(ClientColumn.successes)
            return successes > 0 ? read(ClientColumn.latencySum) / successes / 1e6 : .nan
        case .latencyPercentile(let c): return read(ClientColumn.successes) > 0 ? read(c) / 1e6 : .nan
        case .none: return .nan
        }
    }

    /// The time-series rows of a finished run, in `seriesNames` order: the rows the run reached, and the
    /// templates of the rows after them (see `TimeSeries` and `SeriesRows`).
    static func seriesRows<F>(_ w: World<F>) -> SeriesRows {
        let series = w.stats.series
        let plan = seriesPlan(w)
        let width = plan.count + 1
        func cells(_ row: Int, into out: inout [Double]) {
            let rowWidth = Double(series.width(ofRow: row))
            out.append(SeriesRows.time(ofRow: row, interval: series.interval))
            for cell in plan { out.append(value(of: cell, row: row, rowWidth: rowWidth, interval: series.interval) { series[row, $0] }) }
        }
        let storedCount = Swift.min(series.storedRows, series.rows)
        // The stored rows, written in place from the series' own storage (the same arithmetic as `cells`, without
        // an append and a subscript check per cell: this was the largest cost of short rows).
        let stored = [Double](unsafeUninitializedCapacity: storedCount * width) { out, initialized in
            series.values.withUnsafeBufferPointer { values in
                let columns = series.columns
                for row in 0..<storedCount {
                    let v = values.baseAddress! + row * columns
                    var o = out.baseAddress! + row * width
                    let rowWidth = Double(series.width(ofRow: row))
                    o.initialize(to: SeriesRows.time(ofRow: row, interval: series.interval))
                    for cell in plan {
                        o += 1
                        o.initialize(to: value(of: cell, row: row, rowWidth: rowWidth, interval: series.interval) { v[$0] })
                    }
                }
            }
            initialized = storedCount * width
        }
        var tailFull: [Double] = [], tailLast: [Double] = []
        if storedCount < series.rows - 1 { cells(storedCount, into: &tailFull) } else { tailFull = Array(repeating: .nan, count: width) }
        if storedCount < series.rows { cells(series.rows - 1, into: &tailLast) } else { tailLast = Array(repeating: .nan, count: width) }
        return SeriesRows(
            width: width, stored: stored, storedCount: storedCount, tailFull: tailFull, tailLast: tailLast,
            count: series.rows, interval: series.interval)
    }
}
