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
    public static let count = 11
}

/// One service's columns in the time series.
public struct ServiceColumns: Sendable {
    public let attempts: Int
    public let rejected: Int
    public let served: Int
    public let queueLength: Int
    public let utilization: Int
    public let wasted: Int
    public static let width = 6

    public init(base: Int) {
        attempts = base
        rejected = base + 1
        served = base + 2
        queueLength = base + 3
        utilization = base + 4
        wasted = base + 5
    }

    /// The columns of service number `index`.
    public static func forService(_ index: Int) -> ServiceColumns {
        ServiceColumns(base: ClientColumn.count + index * width)
    }
}
