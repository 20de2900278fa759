/// The live state of one service: busy workers and the bounded queue.
struct ServiceState {
    var config: Service
    var busy = 0
    /// Attempt slots waiting for a worker.
    var queue: RingBuffer<UInt32>
    /// Salts of this service's keyed draws.
    let timeSalt: UInt64
    let outcomeSalt: UInt64

    var busyGauge: Gauge
    var queueGauge: Gauge
    /// Columns of this service in the time series.
    let columns: ServiceColumns

    /// What the active faults make of the service right now.
    var workersNow: Int
    var slowdown = 1.0
    var errorRateNow: Double
    /// nil: no outage; true: attempts are answered with an error at once; false: never answered.
    var outageAnswered: Bool?
    var activeFaults: [Bool]
    var blackholed = 0

    /// Optimistic concurrency: the row's version, bumped by every write that lands.
    var version: UInt64 = 0
    var conflicts = 0

    /// Rate limit bucket.
    var limitTokens: Double
    var limitLast = SimTime.zero

    // Totals for the summary.
    var arrivals = 0
    var rejected = 0
    var throttled = 0
    var served = 0
    var wasted = 0
    var retries = 0
    var dropped = 0
    /// Salt of the keyed draw of the time after downstream calls.
    let afterSalt: UInt64
    /// Scalars of `config` that the hot paths read (copying `config`, which holds arrays, costs reference
    /// counting on every event).
    let hasCalls: Bool
    let holdsWorkerWhileCalling: Bool
    let isOCC: Bool
    let concurrencyPenalty: Int64
    let nonRetryableRate: Double
    let dropExpired: Bool
    let queueTimeout: Int64
    let queueCapacity: Int
    /// Adaptive LIFO: since when the queue has been non-empty.
    var nonEmptySince: SimTime? = nil
    /// CoDel: the current interval, its minimum queueing delay so far, and whether the last one was overloaded.
    var codelIntervalStart = SimTime.zero
    var codelMinDelay = Int64.max
    var codelOverloaded = false
    var busyTime: Int64 = 0
    var wastedTime: Int64 = 0

    init(config: Service, streams: RandomStreams, columns: ServiceColumns, series: TimeSeries) {
        self.config = config
        self.columns = columns
        workersNow = config.workers
        errorRateNow = config.errorRate
        activeFaults = Array(repeating: false, count: config.faults.count)
        limitTokens = config.rateLimit?.burst ?? 0
        queue = RingBuffer(initialCapacity: Swift.min(config.queueCapacity, 1024), filler: 0)
        timeSalt = streams.key("service/\(config.name)/time")
        outcomeSalt = streams.key("service/\(config.name)/outcome")
        afterSalt = streams.key("service/\(config.name)/after")
        hasCalls = !config.calls.isEmpty
        holdsWorkerWhileCalling = !config.async
        isOCC = config.kind == .occ
        concurrencyPenalty = config.concurrencyPenalty.nanoseconds
        nonRetryableRate = config.nonRetryableRate
        dropExpired = config.dropExpired
        queueTimeout = config.queueTimeout?.nanoseconds ?? Int64.max
        queueCapacity = config.queueCapacity
        busyGauge = Gauge(series: series, areaColumn: columns.utilization)
        queueGauge = Gauge(series: series, areaColumn: columns.queueLength)
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

extension ServiceState {
    /// The next queued attempt by the service's discipline.
    mutating func popQueued(now: SimTime) -> UInt32? {
        let next: UInt32?
        switch config.discipline {
        case .fifo: next = queue.popFirst()
        case .lifo: next = queue.popLast()
        case .adaptiveLifo:
            let congested = nonEmptySince.map { now - $0 >= config.adaptiveAfter } ?? false
            next = congested ? queue.popLast() : queue.popFirst()
        }
        if queue.isEmpty { nonEmptySince = nil }
        return next
    }

    mutating func enqueue(_ attempt: UInt32, now: SimTime) {
        if queue.isEmpty { nonEmptySince = now }
        queue.append(attempt)
    }

    /// CoDel's verdict on an attempt that waited `delay` ns: drop it?
    mutating func codelDrops(waited delay: Int64, now: SimTime) -> Bool {
        guard let codel = config.codel else { return false }
        codelMinDelay = Swift.min(codelMinDelay, delay)
        if now - codelIntervalStart >= codel.interval {
            codelOverloaded = codelMinDelay > codel.target.nanoseconds
            codelIntervalStart = now
            codelMinDelay = Int64.max
        }
        return codelOverloaded && delay > 2 * codel.target.nanoseconds
    }
}
