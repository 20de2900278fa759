/// The live state of one service: its instances (each with its workers and queue, in `World.instances`), its
/// faults and rate limit (its totals are its instances', `World.counts(service:)`).
struct ServiceState {
    var config: Service
    /// Its instances: indices into `World.instances`.
    let instances: Range<Int>
    /// Salts of this service's keyed draws.
    let timeSalt: UInt64
    let outcomeSalt: UInt64

    /// Columns of this service in the time series.
    let columns: ServiceColumns

    /// What the active faults make of the service right now (`workersNow` is copied to its instances).
    var workersNow: Int
    var slowdown = 1.0
    var errorRateNow: Double
    /// nil: no outage; true: attempts are answered with an error at once; false: never answered.
    var outageAnswered: Bool?
    var activeFaults: [Bool]

    /// Optimistic concurrency: the row its attempts read and write.
    var row = OCCRow()

    /// Rate limit bucket.
    var limitTokens: Double
    var limitLast = SimTime.zero

    /// Salt of the keyed draw of the time after downstream calls.
    let afterSalt: UInt64
    /// Scalars of `config` that the hot paths read (copying `config`, which holds arrays, costs reference
    /// counting on every event).
    let hasCalls: Bool
    let holdsWorkerWhileCalling: Bool
    let isOCC: Bool
    let concurrencyPenalty: Int64
    let nonRetryableRate: Double
    /// Work whose deadline passed is dropped (from the queue, and before calling downstream).
    let dropExpired: Bool

    init(config: Service, instances: Range<Int>, streams: RandomStreams, columns: ServiceColumns, series: TimeSeries) {
        self.config = config
        self.instances = instances
        self.columns = columns
        workersNow = config.workers
        errorRateNow = config.errorRate
        activeFaults = Array(repeating: false, count: config.faults.count)
        limitTokens = config.rateLimit?.burst ?? 0
        timeSalt = streams.key("service/\(config.name)/time")
        outcomeSalt = streams.key("service/\(config.name)/outcome")
        afterSalt = streams.key("service/\(config.name)/after")
        hasCalls = !config.calls.isEmpty
        holdsWorkerWhileCalling = !config.async
        isOCC = config.kind == .occ
        concurrencyPenalty = config.concurrencyPenalty.nanoseconds
        nonRetryableRate = config.nonRetryableRate
        dropExpired = config.dropExpired
    }
}

extension ServiceState {
    /// Takes a rate-limit token for an arriving attempt. - Returns: nil if it may proceed, else the Retry-After
    /// hint of the throttled response.
    mutating func throttle(now: SimTime) -> SimDuration? {
        guard let limit = config.rateLimit else { return nil }
        limitTokens = min(limit.burst, limitTokens + limit.rate * (now - limitLast).seconds)
        limitLast = now
        if limitTokens >= 1 {
            limitTokens -= 1
            return nil
        }
        return limit.retryAfter ?? SimDuration(saturating: (1 - limitTokens) / limit.rate * 1e9)
    }
}

extension ServiceState {
    /// Recomputes the effective parameters from the faults now active.
    mutating func applyFaults() {
        workersNow = config.workers
        slowdown = 1
        errorRateNow = config.errorRate
        outageAnswered = nil
        for (fault, active) in zip(config.faults, activeFaults) where active {
            switch fault.effect {
            case .outage(let answered): outageAnswered = (outageAnswered ?? true) && answered
            case .capacity(let workers): workersNow = min(workersNow, workers)
            case .slowdown(let factor): slowdown *= factor
            case .errorRate(let rate): errorRateNow = max(errorRateNow, rate)
            }
        }
    }
}
