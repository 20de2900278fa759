/// The statistics recorder: what the end users (the clients, caller 0) experienced, as totals and as one row per
/// metrics interval, recorded as events happen (streaming: fixed memory). Every method is named for what happened
/// and takes the caller it happened to; the recorder decides what counts. Calls made by services to their
/// dependencies are counted per service, in `ServiceState`, not here.
///
/// It owns the time series, which services also write into (their columns follow the clients').
struct Statistics {
    struct Totals {
        var requests = 0, attempts = 0, retries = 0, succeeded = 0, failed = 0
        var timeouts = 0, rejected = 0, errors = 0, throttled = 0, nonRetryable = 0
        var fastFailed = 0, budgetRefused = 0, gaveUpElapsed = 0, conflicts = 0, gaveUpDeadline = 0
        /// Hedging: hedges sent (attempts after the first), requests won by a hedge, attempts cancelled in flight.
        var hedges = 0, hedgeWins = 0, cancelled = 0
        var lastFinish: SimTime? = nil
    }

    var series: TimeSeries
    var totals = Totals()
    /// Requests in flight over time; the fraction of breaker instances open and the mean tokens of the first token
    /// bucket, at row ends.
    var inFlight: Gauge
    var breakerGauge: Gauge
    var tokenGauge: Gauge
    /// `attempt_1` ... `attempt_K` columns (the last one also counts later attempts).
    let attemptColumns: Int
    /// Completion times of the requests that succeeded.
    var latency = Histogram()
    /// The successes' latencies in the time-series row being filled, for its p50 and p99.
    var rowLatency = IntervalPercentiles()
    /// Synchronisation of all attempts, and of retries alone (a herd's first attempts all come at once whatever
    /// the policy; jitter acts on the retries).
    var synchrony = Synchrony()
    var retrySynchrony = Synchrony()

    init(series: TimeSeries, attemptColumns: Int) {
        self.series = series
        self.attemptColumns = attemptColumns
        inFlight = Gauge(series: series, areaColumn: ClientColumn.inFlightArea, endColumn: ClientColumn.inFlightEnd)
        breakerGauge = Gauge(series: series, areaColumn: nil, endColumn: ClientColumn.breakerOpenEnd)
        tokenGauge = Gauge(series: series, areaColumn: nil, endColumn: ClientColumn.tokensEnd)
    }

    @inline(__always)
    static func counts(_ caller: Int) -> Bool { caller == 0 }

    @inline(__always)
    mutating func requestStarted(caller: Int, now: SimTime) {
        guard Self.counts(caller) else { return }
        totals.requests += 1
        series.add(ClientColumn.requests, at: now)
        inFlight.change(by: 1, at: now, in: &series)
    }

    /// Attempt `number` of a request went out (1 is the first attempt).
    ///
    /// `@_transparent`: the optimizer kept this one out of line despite `@inline(__always)` (one call per attempt,
    /// +0.6% instructions on bench-overload, measured with callgrind); inlined, the recorder costs nothing.
    @_transparent
    mutating func attemptSent(caller: Int, number: Int, hedge: Bool = false, now: SimTime) {
        guard Self.counts(caller) else { return }
        totals.attempts += 1
        series.add(ClientColumn.attempts, at: now)
        series.add(ClientColumn.count + min(number, attemptColumns) - 1, at: now)
        synchrony.record(now)
        if hedge {
            totals.hedges += 1
        } else if number > 1 {
            totals.retries += 1
            series.add(ClientColumn.retries, at: now)
            retrySynchrony.record(now)
        }
    }

    /// An attempt came back with a failure (a success is counted by `requestSucceeded`). `@_transparent` like
    /// `attemptSent`: the optimizer left it out of line once `responseArrives` grew.
    @_transparent
    mutating func attemptFailed(caller: Int, _ outcome: Outcome, now: SimTime) {
        guard Self.counts(caller) else { return }
        switch outcome {
        case .success: break
        case .nonRetryable: totals.nonRetryable += 1; series.add(ClientColumn.nonRetryable, at: now)
        case .serverError: totals.errors += 1; series.add(ClientColumn.errors, at: now)
        case .rejected: totals.rejected += 1; series.add(ClientColumn.rejected, at: now)
        case .throttled: totals.throttled += 1; series.add(ClientColumn.throttled, at: now)
        case .conflict: totals.conflicts += 1; series.add(ClientColumn.errors, at: now)
        }
    }

    @inline(__always)
    mutating func attemptTimedOut(caller: Int, now: SimTime) {
        guard Self.counts(caller) else { return }
        totals.timeouts += 1
        series.add(ClientColumn.timeouts, at: now)
    }

    /// The breaker or adaptive throttling failed an attempt before it was sent.
    @inline(__always)
    mutating func fastFailed(caller: Int, now: SimTime) {
        guard Self.counts(caller) else { return }
        totals.fastFailed += 1
        series.add(ClientColumn.fastFailed, at: now)
    }

    /// A hedge won its request: the answer that ended it came from an attempt after the first.
    mutating func hedgeWon(caller: Int) {
        guard Self.counts(caller) else { return }
        totals.hedgeWins += 1
    }

    /// An attempt in flight was cancelled by its caller (its request had its answer).
    mutating func attemptCancelled(caller: Int) {
        guard Self.counts(caller) else { return }
        totals.cancelled += 1
    }

    @inline(__always)
    mutating func gaveUp(caller: Int, _ reason: GiveUp, now: SimTime) {
        guard Self.counts(caller) else { return }
        switch reason {
        case .budget:
            totals.budgetRefused += 1
            series.add(ClientColumn.budgetRefused, at: now)
        case .elapsed: totals.gaveUpElapsed += 1
        case .deadline: totals.gaveUpDeadline += 1
        default: break
        }
    }

    @inline(__always)
    mutating func requestSucceeded(caller: Int, latency: SimDuration, now: SimTime) {
        guard Self.counts(caller) else { return }
        self.latency.record(latency.nanoseconds)
        series.add(ClientColumn.latencySum, at: now, Double(latency.nanoseconds))
        let row = series.row(at: now.nanoseconds)
        if row != rowLatency.row && !rowLatency.isEmpty { closeLatencyRow() }
        rowLatency.record(latency.nanoseconds, row: row)
    }

    @inline(__always)
    mutating func requestFinished(caller: Int, succeeded: Bool, now: SimTime) {
        guard Self.counts(caller) else { return }
        if succeeded {
            totals.succeeded += 1
            series.add(ClientColumn.successes, at: now)
        } else {
            totals.failed += 1
            series.add(ClientColumn.failures, at: now)
        }
        totals.lastFinish = now
        inFlight.change(by: -1, at: now, in: &series)
    }

    /// The clients' breakers or token buckets changed: bring their gauges up to date.
    mutating func policyStateChanged(_ state: ClientPolicyState, now: SimTime) {
        if let open = state.breakerOpenFraction { breakerGauge.set(open, at: now, in: &series) }
        if let tokens = state.meanTokens { tokenGauge.set(tokens, at: now, in: &series) }
    }

    /// Closes the client gauges at the end of the run.
    /// Writes the p50 and p99 of the row `rowLatency` was filling.
    mutating func closeLatencyRow() {
        let at = SimTime(nanoseconds: Int64(rowLatency.row) * series.interval)
        let (p50, p99) = rowLatency.takeMedianAndP99()
        series.add(ClientColumn.latencyP50, at: at, p50)
        series.add(ClientColumn.latencyP99, at: at, p99)
    }

    mutating func finish() {
        if !rowLatency.isEmpty { closeLatencyRow() }
        inFlight.finish(in: &series)
        breakerGauge.finish(in: &series)
        tokenGauge.finish(in: &series)
        synchrony.finish()
        retrySynchrony.finish()
    }
}
