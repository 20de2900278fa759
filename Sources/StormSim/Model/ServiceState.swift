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

    /// Which of its faults are active now (each instance applies those that hit it).
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
    /// Its instances have concurrency limiters (`World.limiters`).
    let limited: Bool
    /// Its instances may crash (`config.crash`).
    let crashes: Bool
    /// It has a look-aside cache (`World.caches[s]`).
    let cached: Bool
    /// It is a message queue (`World.messageQueues`).
    let isMessageQueue: Bool
    /// How long a worker takes to answer a health probe.
    let probeTime: SimDuration
    /// Instances out of the balancers' picks (summed over every watching balancer), and the sum of its
    /// instances' concurrency limits: gauges of the `out_of_picks` and `limit` columns, with what divides them.
    var outGauge: Gauge
    var limitGauge: Gauge
    /// Instances down after a crash: the gauge of the `down` column.
    var downGauge: Gauge
    var watchingBalancers = 0
    /// Some balancer of this service hears how its attempts end (least request counts them in flight, outlier
    /// detection counts errors); round robin, random and ring hash without outlier detection do not.
    var balancersListen = false

    init(config: Service, instances: Range<Int>, streams: RandomStreams, columns: ServiceColumns, series: TimeSeries) {
        self.config = config
        self.instances = instances
        self.columns = columns
        outGauge = Gauge(series: series, areaColumn: columns.outOfPicks)
        limitGauge = Gauge(series: series, areaColumn: columns.limit)
        downGauge = Gauge(series: series, areaColumn: columns.down)
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
        limited = config.concurrencyLimit != nil
        crashes = config.canCrash
        cached = config.cache != nil
        isMessageQueue = config.kind == .sqs
        probeTime = config.healthCheck?.probeTime ?? .zero
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
    /// Recomputes an instance's effective parameters from the active faults that hit it (`position`: its place
    /// in the service's fleet). Overlapping faults combine: the fewest workers, the product of slowdowns, the
    /// highest error rate; an outage overrides everything.
    func applyFaults(to instance: inout InstanceState, position: Int) {
        instance.workersNow = config.workers(ofInstance: position)
        instance.slowdown = 1
        instance.errorRateNow = config.errorRate
        instance.outageAnswered = nil
        for (fault, active) in zip(config.faults, activeFaults) where active && fault.hits(instance: position) {
            switch fault.effect {
            case .outage(let answered): instance.outageAnswered = (instance.outageAnswered ?? true) && answered
            case .capacity(let workers): instance.workersNow = min(instance.workersNow, workers)
            case .slowdown(let factor): instance.slowdown *= factor
            case .errorRate(let rate): instance.errorRateNow = max(instance.errorRateNow, rate)
            case .cacheFlush, .crash: break  // the service's cache, or a crash (World.faultChanges)
            }
        }
        // A crashed instance is an outage of its own: a reset answers at once, a lost connection never.
        if instance.crashed {
            instance.outageAnswered = (instance.outageAnswered ?? true) && (config.crash?.lose ?? .reset) == .reset
        }
    }
}
