/// Where each statistic lives in the time series' columns.
public enum ClientColumn {
    public static let requests = 0
    public static let attempts = 1
    public static let retries = 2
    public static let successes = 3
    public static let failures = 4
    public static let timeouts = 5
    public static let rejected = 6
    public static let errors = 7
    public static let inFlightEnd = 8
    public static let inFlightArea = 9
    public static let latencySum = 10
    public static let throttled = 11
    public static let nonRetryable = 12
    public static let fastFailed = 13
    public static let budgetRefused = 14
    public static let breakerOpenEnd = 15
    public static let tokensEnd = 16
    /// The p50 and p99 latency of the row's successes, in ns (written when the row is over).
    public static let latencyP50 = 17
    public static let latencyP99 = 18
    public static let count = 19
    /// Attempts by attempt number get columns after the fixed ones: attempt_1 ... attempt_K.
    public static let maxAttemptColumns = 10
}

/// One service's columns in the time series.
public struct ServiceColumns: Sendable {
    public let attempts: Int
    public let rejected: Int
    public let served: Int
    public let queueLength: Int
    public let utilization: Int
    public let wasted: Int
    public let throttled: Int
    public let retries: Int
    public let dropped: Int
    /// Instances out of the balancers' picks, and concurrency limits: integrated gauges.
    public let outOfPicks: Int
    public let limit: Int
    /// Instances down after a crash: an integrated gauge.
    public let down: Int
    /// Attempts answered from the service's cache.
    public let hits: Int
    /// Instances serving (autoscaling): an integrated gauge.
    public let instances: Int
    /// Message queues: messages processed twice, and moved to the dead-letter queue; the send time of the oldest
    /// message not gone at each row's end (-1: none).
    public let duplicates: Int
    public let deadLettered: Int
    public let oldestSent: Int
    public static let width = 17

    public init(base: Int) {
        attempts = base
        rejected = base + 1
        served = base + 2
        queueLength = base + 3
        utilization = base + 4
        wasted = base + 5
        throttled = base + 6
        retries = base + 7
        dropped = base + 8
        outOfPicks = base + 9
        limit = base + 10
        down = base + 11
        hits = base + 12
        instances = base + 13
        duplicates = base + 14
        deadLettered = base + 15
        oldestSent = base + 16
    }

    /// The columns of service number `index`, after the client columns and `attemptColumns` attempt columns.
    public static func forService(_ index: Int, attemptColumns: Int) -> ServiceColumns {
        ServiceColumns(base: ClientColumn.count + attemptColumns + index * width)
    }
}
