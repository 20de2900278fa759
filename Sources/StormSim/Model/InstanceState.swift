/// One instance of a service: its own workers and its own queue. A service is a list of instances; every instance
/// of every service lives in one flat array in `World` (`World.instances`, indexed by `ServiceState.instances`),
/// so a fleet of many instances costs no nested array and no copy-on-write check per event. An attempt is bound to
/// its instance when it is sent (`AttemptState.instance`): a balancer chooses there.
///
/// Each instance integrates its busy workers and its queue length into its service's `utilization` and
/// `queue_length` columns (areas add up, so the columns hold the service's totals), and counts its own worker time.
///
/// Today every service has exactly one instance, which holds what used to be the service's workers and queue.
struct InstanceState {
    /// Workers serving an attempt now.
    var busy = 0
    /// What the active faults that hit this instance make of it: the workers they leave (at most the service's
    /// `workers`), the factor on service time, the error rate, and an outage (nil: none; true: attempts are
    /// answered with an error at once; false: never answered).
    var workersNow: Int
    var slowdown = 1.0
    var errorRateNow: Double
    var outageAnswered: Bool? = nil
    /// Attempts it may hold at once (in service and queued) under a concurrency limit (`World.limiters`); past
    /// it, an arriving attempt is refused. `Int.max` without one.
    var limit = Int.max
    /// Its own column of attempts in the time series, or -1 (see `Service.seriesPerInstance`).
    var attemptsColumn = -1
    /// Crashes (`Service.crash`): down until it restarts; when it last started (warm-up, and CrashLoopBackOff's
    /// reset after a long run; `.zero`: it started with the run, warm); crashes in the current run of them (the
    /// backoff's exponent) and in all; since when it has held more than the crash threshold.
    var crashed = false
    var startedAt = SimTime.zero
    var crashStreak = 0
    var crashes = 0
    var overSince: SimTime? = nil
    /// When it last crashed, and the time it has been down in all, in ns (counted at each restart and at the end).
    var crashedAt = SimTime.zero
    /// When its pending restart is due (`.never`: held down by a `crash` fault window until it closes).
    var restartDue = SimTime.never
    var downTime: Int64 = 0
    /// The attempts waiting for a worker, and the rules that order and drop them.
    var queue: ServiceQueue
    /// Busy workers and queue length over time, integrated into the service's columns.
    var busyGauge: Gauge
    var queueGauge: Gauge
    /// Worker time spent, in ns (on abandoned attempts too).
    var busyTime: Int64 = 0
    /// What happened to the attempts sent to it. A service's totals are the sums over its instances; keeping them
    /// here, in the state an event touches anyway, spares each event a write to a second array.
    var counts = AttemptCounts()

    init(_ config: Service, columns: ServiceColumns, series: TimeSeries) {
        workersNow = config.workers
        errorRateNow = config.errorRate
        queue = ServiceQueue(config)
        busyGauge = Gauge(series: series, areaColumn: columns.utilization)
        queueGauge = Gauge(series: series, areaColumn: columns.queueLength)
    }

    /// What happened to the attempts an instance (or, summed, a service) was sent.
    struct AttemptCounts {
        var arrivals = 0
        var rejected = 0
        var throttled = 0
        var served = 0
        /// Served after their caller had given up.
        var wasted = 0
        /// Worker time, in ns, spent on the wasted ones.
        var wastedTime: Int64 = 0
        var retries = 0
        var dropped = 0
        /// Swallowed by an outage that never answers.
        var blackholed = 0
        /// Queued or in service when the instance crashed.
        var lost = 0

        static func + (a: AttemptCounts, b: AttemptCounts) -> AttemptCounts {
            AttemptCounts(
                arrivals: a.arrivals + b.arrivals, rejected: a.rejected + b.rejected, throttled: a.throttled + b.throttled,
                served: a.served + b.served, wasted: a.wasted + b.wasted, wastedTime: a.wastedTime + b.wastedTime,
                retries: a.retries + b.retries, dropped: a.dropped + b.dropped, blackholed: a.blackholed + b.blackholed,
                lost: a.lost + b.lost)
        }
    }

    /// True when a worker is free to start an attempt.
    var hasIdleWorker: Bool { busy < workersNow }

    /// A worker starts an attempt.
    @inline(__always)
    mutating func workerStarts(now: SimTime, series: inout TimeSeries) {
        busy += 1
        busyGauge.change(by: 1, at: now, in: &series)
    }

    /// A worker is free again after `worked` ns.
    @inline(__always)
    mutating func workerFree(worked: Int64, now: SimTime, series: inout TimeSeries) {
        busy -= 1
        busyGauge.change(by: -1, at: now, in: &series)
        busyTime += worked
    }
}
