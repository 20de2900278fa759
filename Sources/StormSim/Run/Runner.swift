/// Runs one scenario variant from start to end and turns the model's statistics into result tables.
public enum Runner {
    /// Simulates `scenario` until its duration.
    /// - Parameters:
    ///   - variant: the variant's name, written into the outputs.
    ///   - checkpointEvery: events between checkpoints (a power of two).
    ///   - checkpoint: called every `checkpointEvery` events with the simulated time reached; returning true stops
    ///     the run early and marks the result interrupted.
    public static func run(
        _ scenario: Scenario, variant: String = "base", checkpointEvery: Int = 65_536,
        checkpoint: (SimTime) -> Bool = { _ in false }
    ) -> RunResult {
        run(Variant(name: variant, parameters: [], scenario: scenario), checkpointEvery: checkpointEvery, checkpoint: checkpoint)
    }

    /// Simulates one variant until its scenario's duration.
    ///   - traceRequests: record every step of the first N requests (`RunResult.trace`).
    public static func run(
        _ variant: Variant, traceRequests: Int = 0, checkpointEvery: Int = 65_536,
        checkpoint: (SimTime) -> Bool = { _ in false }
    ) -> RunResult {
        run(variant, traceRequests: traceRequests, checkpointEvery: checkpointEvery, segments: 1, audit: nil, checkpoint: checkpoint)
    }

    /// Simulates one variant and checks the model's invariants (`World.checkInvariants`) between `segments` equal
    /// stretches of simulated time and at the end. The result is byte for byte that of `run`.
    /// - Returns: the result, and every broken invariant with the time it was seen.
    static func runAudited(
        _ variant: Variant, segments: Int = 16, checkpointEvery: Int = 65_536, checkpoint: (SimTime) -> Bool = { _ in false }
    ) -> (RunResult, [String]) {
        var problems: [String] = []
        let result = run(variant, traceRequests: 0, checkpointEvery: checkpointEvery, segments: segments, audit: { world, queue, at in
            problems += world.checkInvariants(queue: queue).map { "at \(NumberFormat.shortest(at.seconds)) s: \($0)" }
        }, checkpoint: checkpoint)
        return (result, problems)
    }

    static func run(
        _ variant: Variant, traceRequests: Int, checkpointEvery: Int, segments: Int,
        audit: ((World, borrowing EventQueue, SimTime) -> Void)?, checkpoint: (SimTime) -> Bool
    ) -> RunResult {
        let scenario = variant.scenario
        var world = World(scenario: scenario, traceRequests: traceRequests)
        var queue = EventQueue()
        world.start(queue: &queue)
        var simulation = Simulation(model: world, queue: queue)
        let end = SimTime.zero + scenario.duration
        let limit = Stall.limit(for: scenario)
        var watch = InstantWatch(limit: limit, checkpointEvery: checkpointEvery)
        var stalled = false
        var completed = true
        for k in 1...max(1, segments) {
            let until = k >= segments ? end : SimTime.zero + SimDuration(nanoseconds: scenario.duration.nanoseconds / Int64(segments) * Int64(k))
            completed = simulation.run(until: until, checkpointEvery: checkpointEvery) { now in
                if watch.stalled(at: now) {
                    stalled = true
                    return true
                }
                return checkpoint(now)
            }
            if let audit { simulation.inspect { audit($0, $1, until) } }
            if !completed { break }
        }
        let stall = stalled ? Stall.diagnose(&simulation, scenario: scenario, limit: limit) : nil
        let interrupted = !completed
        world = simulation.model
        world.finishSeries()
        return RunResult(
            scenario: scenario.name, variant: variant.name, seed: scenario.seed,
            summary: summaryRow(world, variant: variant, events: simulation.eventsProcessed),
            seriesHeader: timeSeriesHeader(scenario), seriesRows: timeSeriesRows(world),
            latency: world.stats.latency, events: simulation.eventsProcessed, interrupted: interrupted,
            trace: world.trace, stall: stall)
    }

    static func summaryRow(_ w: World, variant: Variant, events: Int) -> [(column: String, value: CSVTable.Cell)] {
        let scenario = variant.scenario
        let t = w.stats.totals
        let requests = Double(t.requests)
        let h = w.stats.latency
        func ms(_ ns: Double) -> CSVTable.Cell { .number(ns / 1e6) }
        let busy = w.services.reduce(0) { $0 + Double($1.busyTime) }
        let wasted = w.services.reduce(0) { $0 + Double($1.wastedTime) }
        var row: [(column: String, value: CSVTable.Cell)] = [("scenario", .text(scenario.name)), ("variant", .text(variant.name))]
        // One column per varied path, headed by the path: numbers stay numbers, so plots can use them as axes.
        for p in variant.parameters {
            if case .number(let d) = p.value, p.label == VariantExpansion.autoLabel(p.value) {
                row.append((p.path, .number(d)))
            } else {
                row.append((p.path, .text(p.label)))
            }
        }
        let dropped = w.services.reduce(0) { $0 + $1.dropped }
        let counts: [(String, Int)] = [
            ("requests", t.requests), ("succeeded", t.succeeded), ("failed", t.failed),
        ]
        row.append(("seed", .text(String(scenario.seed))))
        row += counts.map { ($0.0, .integer($0.1)) }
        row.append(("unfinished", .integer(t.requests - t.succeeded - t.failed)))
        row.append(("success_rate", .number(Double(t.succeeded) / requests)))
        row.append(("attempts", .integer(t.attempts)))
        row.append(("retries", .integer(t.retries)))
        row.append(("amplification", .number(Double(t.attempts) / requests)))
        let outcomes: [(String, Int)] = [
            ("timeouts", t.timeouts), ("rejected", t.rejected), ("errors", t.errors), ("throttled", t.throttled),
            ("conflicts", t.conflicts), ("non_retryable", t.nonRetryable), ("fast_failed", t.fastFailed),
            ("budget_refused", t.budgetRefused), ("breaker_trips", w.callers[0].state.breakerTrips), ("dropped", dropped),
        ]
        row += outcomes.map { ($0.0, .integer($0.1)) }
        row += [
            ("latency_mean_ms", ms(h.mean)), ("latency_p50_ms", ms(h.quantile(0.5))), ("latency_p90_ms", ms(h.quantile(0.9))),
            ("latency_p99_ms", ms(h.quantile(0.99))), ("latency_p999_ms", ms(h.quantile(0.999))),
            ("latency_max_ms", h.count == 0 ? .empty : ms(Double(h.max))),
            ("makespan_s", t.lastFinish.map { .number($0.seconds) } ?? .empty),
            ("wasted_work_fraction", .number(wasted / busy)),
            ("peak_to_mean_100ms", .number(w.stats.synchrony.peakToMean)),
            ("retry_peak_to_mean_100ms", .number(w.stats.retrySynchrony.peakToMean)),
        ]
        let recovery = Metastability.recovery(w, scenario: scenario)
        row.append(("recovered", recovery.map { .integer($0.recovered ? 1 : 0) } ?? .empty))
        row.append(("recovery_time_s", recovery?.time.map { .number($0) } ?? .empty))
        row.append(("events", .integer(events)))
        for s in w.services {
            let name = s.config.name
            let capacity = Double(s.config.workers) * Double(scenario.duration.nanoseconds)
            row += [
                ("\(name)_attempts", .integer(s.arrivals)),
                ("\(name)_amplification", .number(Double(s.arrivals) / requests)),
                ("\(name)_served", .integer(s.served)),
                ("\(name)_rejected", .integer(s.rejected)),
                ("\(name)_throttled", .integer(s.throttled)),
                ("\(name)_retries", .integer(s.retries)),
                ("\(name)_dropped", .integer(s.dropped)),
                ("\(name)_wasted", .integer(s.wasted)),
                ("\(name)_wasted_work_fraction", .number(Double(s.wastedTime) / Double(s.busyTime))),
                ("\(name)_utilization", .number(Double(s.busyTime) / capacity)),
            ]
        }
        return row
    }

    /// The metric columns of summary.csv (after `seed`), for services with these names.
    public static func metricColumns(services: [String]) -> [String] {
        var columns = ["requests", "succeeded", "failed", "unfinished", "success_rate", "attempts", "retries",
            "amplification", "timeouts", "rejected", "errors", "throttled", "conflicts", "non_retryable", "fast_failed",
            "budget_refused", "breaker_trips", "dropped", "latency_mean_ms", "latency_p50_ms", "latency_p90_ms",
            "latency_p99_ms", "latency_p999_ms", "latency_max_ms", "makespan_s", "wasted_work_fraction", "peak_to_mean_100ms",
            "retry_peak_to_mean_100ms", "recovered", "recovery_time_s", "events"]
        for name in services {
            columns += ["attempts", "amplification", "served", "rejected", "throttled", "retries", "dropped", "wasted",
                "wasted_work_fraction", "utilization"].map { "\(name)_\($0)" }
        }
        return columns
    }

    /// Time-series column names, in order, for a scenario.
    public static func timeSeriesHeader(_ scenario: Scenario) -> [String] {
        var header = ["time_s", "requests", "attempts", "retries", "successes", "failures", "timeouts", "rejected",
            "errors", "throttled", "non_retryable", "fast_failed", "budget_refused", "in_flight", "latency_mean_ms",
            "breaker_open", "budget_tokens"]
        let attemptColumns = min(scenario.clients.policy.maxAttempts, ClientColumn.maxAttemptColumns)
        for n in 1...attemptColumns {
            header.append(n == ClientColumn.maxAttemptColumns && scenario.clients.policy.maxAttempts > n ? "attempt_\(n)_or_more" : "attempt_\(n)")
        }
        for s in scenario.services {
            header += ["attempts", "retries", "rejected", "throttled", "dropped", "served", "queue_length", "utilization", "wasted"]
                .map { "\(s.name)_\($0)" }
        }
        return header
    }

    static func timeSeriesRows(_ w: World) -> [[Double]] {
        let series = w.stats.series
        var rows: [[Double]] = []
        rows.reserveCapacity(series.rows)
        for row in 0..<series.rows {
            let width = Double(series.width(ofRow: row))
            var cells: [Double] = [Double(Int64(row) * series.interval) / 1e9]
            for c in [ClientColumn.requests, ClientColumn.attempts, ClientColumn.retries, ClientColumn.successes,
                ClientColumn.failures, ClientColumn.timeouts, ClientColumn.rejected, ClientColumn.errors,
                ClientColumn.throttled, ClientColumn.nonRetryable, ClientColumn.fastFailed, ClientColumn.budgetRefused,
                ClientColumn.inFlightEnd]
            {
                cells.append(series[row, c])
            }
            let successes = series[row, ClientColumn.successes]
            cells.append(successes > 0 ? series[row, ClientColumn.latencySum] / successes / 1e6 : .nan)
            cells.append(w.callers[0].state.breaker == nil ? .nan : series[row, ClientColumn.breakerOpenEnd])
            cells.append(w.callers[0].state.tokenBudget == nil ? .nan : series[row, ClientColumn.tokensEnd])
            for n in 0..<w.stats.attemptColumns { cells.append(series[row, ClientColumn.count + n]) }
            for s in w.services {
                let c = s.columns
                cells += [
                    series[row, c.attempts], series[row, c.retries], series[row, c.rejected], series[row, c.throttled],
                    series[row, c.dropped], series[row, c.served],
                    series[row, c.queueLength] / width, series[row, c.utilization] / width / Double(s.config.workers),
                    series[row, c.wasted],
                ]
            }
            rows.append(cells)
        }
        return rows
    }
}
