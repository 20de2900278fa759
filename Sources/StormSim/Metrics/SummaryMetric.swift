/// The metrics of `summary.csv`, by name and meaning: what every results row holds and what `expect` may bound.
/// Their values are read from a finished run in `OutputColumns` (an exhaustive switch, so a new case cannot be
/// forgotten there), and they are documented in the README's column table (a test checks it).
public enum SummaryMetric: String, CaseIterable, Sendable {
    case requests, succeeded, failed, unfinished
    case successRate = "success_rate"
    case attempts, retries, amplification, timeouts, rejected, errors, throttled, conflicts
    case nonRetryable = "non_retryable"
    case fastFailed = "fast_failed"
    case budgetRefused = "budget_refused"
    case breakerTrips = "breaker_trips"
    case dropped
    case hedges
    case hedgeWins = "hedge_wins"
    case cancelled
    case latencyMean = "latency_mean_ms"
    case latencyP50 = "latency_p50_ms"
    case latencyP90 = "latency_p90_ms"
    case latencyP99 = "latency_p99_ms"
    case latencyP999 = "latency_p999_ms"
    case latencyMax = "latency_max_ms"
    case makespan = "makespan_s"
    case wastedWorkFraction = "wasted_work_fraction"
    case peakToMean = "peak_to_mean_100ms"
    case retryPeakToMean = "retry_peak_to_mean_100ms"
    case recovered
    case recoveryTime = "recovery_time_s"
    case events

    /// Read from the latency histogram: with replications, also computed from the merged histogram (pooled).
    public var isLatency: Bool {
        switch self {
        case .latencyMean, .latencyP50, .latencyP90, .latencyP99, .latencyP999, .latencyMax: return true
        default: return false
        }
    }

    /// The summary metric names, then `<service>_<metric>` for each service.
    public static func names(services: [String]) -> [String] {
        allCases.map(\.rawValue) + services.flatMap { name in ServiceMetric.allCases.map { "\(name)_\($0.rawValue)" } }
    }
}

/// The per-service metrics of `summary.csv`: `<service>_<metric>`.
public enum ServiceMetric: String, CaseIterable, Sendable {
    case attempts, amplification, served, rejected, throttled, retries, dropped, wasted
    case wastedWorkFraction = "wasted_work_fraction"
    case utilization
    /// Outlier detection: ejections of its instances, by every balancer.
    case ejections
    /// Crashes of its instances, and the attempts they lost (queued or in service).
    case crashes, lost
    /// Its cache: hits / lookups (empty without a cache).
    case hitRatio = "hit_ratio"
    /// Instance-seconds it ran (an autoscaled fleet: scaled, running or starting; else instances x duration):
    /// what its capacity cost.
    case instanceSeconds = "instance_seconds"
    /// Message queues: messages processed more than once (successful processings beyond the one that deleted),
    /// and moved to the dead-letter queue; empty for other services.
    case duplicates
    case deadLettered = "dead_lettered"
}

/// The clients' columns of `timeseries/<variant>.csv` after `time_s`, in file order (then `attempt_1`... and each
/// service's `<service>_<metric>`). How each is computed is an exhaustive switch in `OutputColumns`.
public enum SeriesMetric: String, CaseIterable, Sendable {
    case requests, attempts, retries, successes, failures, timeouts, rejected, errors, throttled
    case nonRetryable = "non_retryable"
    case fastFailed = "fast_failed"
    case budgetRefused = "budget_refused"
    case inFlight = "in_flight"
    case latencyMean = "latency_mean_ms"
    case latencyP50 = "latency_p50_ms"
    case latencyP99 = "latency_p99_ms"
    case breakerOpen = "breaker_open"
    case budgetTokens = "budget_tokens"
}

/// The metric columns of `instances.csv`, one row per instance of a service with several: what happened to the
/// attempts sent to it, and its workers' utilization.
public enum InstanceMetric: String, CaseIterable, Sendable {
    case attempts, served, rejected, throttled, dropped, wasted, utilization
    /// Outlier detection: times ejected by any balancer, and seconds ejected (mean over the balancers).
    case ejections
    case ejectedSeconds = "ejected_s"
    /// Its concurrency limit at the end of the run (empty without one).
    case limit
    /// Active health checks: probes sent to it, probes failed, and the times a balancer marked it unhealthy.
    case probes
    case probesFailed = "probes_failed"
    case markedUnhealthy = "marked_unhealthy"
    /// Crashes: times it crashed, attempts lost in them, and seconds down.
    case crashes, lost
    case downSeconds = "down_s"
}

/// One instance's figures: the row of `instances.csv` (values in `InstanceMetric` order).
public struct InstanceRow: Equatable, Sendable {
    public var service: String
    public var instance: Int
    public var values: [Double]

    public init(service: String, instance: Int, values: [Double]) {
        self.service = service
        self.instance = instance
        self.values = values
    }
}

/// Each service's columns of the time series, `<service>_<metric>`, in file order.
public enum ServiceSeriesMetric: String, CaseIterable, Sendable {
    case attempts, retries, rejected, throttled, dropped, served
    case queueLength = "queue_length"
    case utilization, wasted
    /// The mean number of its instances out of a balancer's picks (ejected or failing health checks), over the
    /// balancers; empty without outlier detection or health checks.
    case outOfPicks = "out_of_picks"
    /// The mean concurrency limit of its instances; empty without one.
    case limit
    /// The mean number of its instances down after a crash; empty without `crash`.
    case down
    /// Attempts answered from its cache; empty without a cache.
    case hits
    /// The mean number of its instances serving (autoscaling); empty without `autoscale`.
    case instances
    /// Message queues: messages processed twice and dead-lettered in the interval, and the age of the oldest
    /// message not yet deleted at its end; empty for other services.
    case duplicates
    case deadLettered = "dead_lettered"
    case oldestAge = "oldest_age_s"

    /// The column name for a service.
    public func column(_ service: String) -> String { "\(service)_\(rawValue)" }
}

extension ServiceMetric {
    /// The summary column name for a service.
    public func column(_ service: String) -> String { "\(service)_\(rawValue)" }
}
