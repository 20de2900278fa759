/// A validated scenario: plain values, every cross-field rule already checked. Built by `ScenarioDecoder`.
public struct Scenario: Equatable, Sendable {
    public var name: String
    public var description: String
    public var seed: UInt64
    /// Simulated time; the run stops here and requests still open are counted as unfinished.
    public var duration: SimDuration
    /// Width of one time-series row.
    public var metricsInterval: SimDuration
    /// One-way network latency, drawn independently for each message in each direction.
    public var networkLatency: Distribution
    public var clients: Clients
    public var services: [Service]
    /// Expectations a CI gate checks after the run.
    public var expectations: [Expectation] = []
    /// The attempts per request the time series has `attempt_k` columns for: in a set of variants, the most any
    /// variant allows, so that every variant's file has the same columns; nil: this scenario's own policy's.
    public var seriesAttempts: Int? = nil
    /// `seriesAttempts`, or the clients' attempts per request.
    public var attemptColumnsBasis: Int { seriesAttempts ?? clients.policy.attemptsPerRequest }

    public init(
        name: String, description: String = "", seed: UInt64 = 1, duration: SimDuration,
        metricsInterval: SimDuration = .seconds(1), networkLatency: Distribution = .constant(value: .zero),
        clients: Clients, services: [Service]
    ) {
        self.name = name
        self.description = description
        self.seed = seed
        self.duration = duration
        self.metricsInterval = metricsInterval
        self.networkLatency = networkLatency
        self.clients = clients
        self.services = services
    }

    /// The index of the service the clients call.
    public var targetIndex: Int { services.firstIndex { $0.name == clients.target }! }
}

public struct Clients: Equatable, Sendable {
    public var count: Int
    /// Processes the clients run in (client c is on host c mod hosts); budgets, breakers and limiters of scope
    /// "host" are shared by the clients of one host.
    public var hosts: Int
    /// The name of the service every client calls.
    public var target: String
    public var arrival: Arrival
    public var policy: RetryPolicy
    /// Changes of the arrival rate over time (poisson arrivals only).
    public var load: [LoadChange] = []
    /// An overall deadline per request, from its first send: attempts time out at it, no retry starts that could
    /// not finish before it, and the request fails when it passes.
    public var deadline: SimDuration? = nil
    /// Attempts carry the remaining deadline downstream; services drop queued attempts whose deadline passed.
    public var propagateDeadline: Bool = false

    public init(count: Int, hosts: Int = 1, target: String, arrival: Arrival, policy: RetryPolicy) {
        self.count = count
        self.hosts = hosts
        self.target = target
        self.arrival = arrival
        self.policy = policy
    }
}

/// When clients send new requests.
/// A change of the clients' arrival rate in a window: `multiplier` times the base rate from `from` to `to`
/// (a spike), or, with `rampTo`, a linear change from `multiplier` at `from` to `rampTo` at `to`.
public struct LoadChange: Equatable, Sendable {
    public var from: SimDuration
    public var to: SimDuration
    public var multiplier: Double
    public var rampTo: Double?

    public init(from: SimDuration, to: SimDuration, multiplier: Double, rampTo: Double? = nil) {
        self.from = from
        self.to = to
        self.multiplier = multiplier
        self.rampTo = rampTo
    }

    /// The multiplier at time t (1 outside the window).
    public func factor(at t: SimTime) -> Double {
        let ns = t.nanoseconds
        guard ns >= from.nanoseconds, ns < to.nanoseconds else { return 1 }
        guard let end = rampTo else { return multiplier }
        let x = Double(ns - from.nanoseconds) / Double(to.nanoseconds - from.nanoseconds)
        return multiplier + (end - multiplier) * x
    }

    /// The largest multiplier in the window.
    public var peak: Double { max(multiplier, rampTo ?? multiplier) }

    /// The integral of the combined multiplier (the product of `changes`) over [0, `span`), in seconds: the
    /// number of seconds at the base rate that the load amounts to. Simpson's rule between window edges, exact
    /// for up to two overlapping ramps.
    public static func loadSeconds(_ changes: [LoadChange], over span: SimDuration) -> Double {
        let end = Double(span.nanoseconds)
        var edges = [0.0, end]
        for c in changes { edges += [Double(c.from.nanoseconds), Double(c.to.nanoseconds)].filter { $0 > 0 && $0 < end } }
        edges.sort()
        func factor(_ ns: Double) -> Double {
            changes.reduce(1.0) { $0 * $1.factor(at: SimTime(nanoseconds: Int64(ns))) }
        }
        var total = 0.0
        for (a, b) in zip(edges, edges.dropFirst()) where b > a {
            // Sample just inside the segment: each window is half-open, so its edges belong to one side.
            let lo = a, hi = b - 1
            total += (hi - lo + 1) / 6 * (factor(lo) + 4 * factor((lo + hi) / 2) + factor(hi))
        }
        return total / 1e9
    }
}

public enum Arrival: Equatable, Sendable {
    /// Each client sends exactly one request, at `at` plus a uniform offset in [0, spread).
    case burst(at: SimDuration, spread: SimDuration)
    /// Each client independently sends requests as a Poisson process of `rate` per second (open loop), with no
    /// new request at or after `until`. The first request comes after one exponential gap from the start, or, with
    /// `firstAt`, at exactly that time (every client at once, as in Brooker's simulations).
    case poisson(ratePerSecond: Double, until: SimDuration, firstAt: SimDuration? = nil)
    /// Each client sends its next request once the previous one has finished, after a think time; the first
    /// request goes out after one think time from the start, and none at or after `until`.
    case closed(think: Distribution, until: SimDuration)
    /// Replayed traffic from a CSV file: requests at given times, or a rate that changes over time (`Trace`).
    case trace(Trace)
}

public struct Service: Equatable, Sendable {
    public enum Discipline: String, Sendable, CaseIterable {
        case fifo, lifo
        /// Facebook's adaptive LIFO: FIFO while the queue keeps emptying, LIFO once it has not been empty for
        /// `adaptiveAfter` (the newest requests are the ones whose callers are still waiting).
        case adaptiveLifo = "adaptive-lifo"
    }
    public enum Kind: String, Sendable, CaseIterable {
        /// Workers and a bounded queue.
        case queue
        /// Optimistic concurrency on one shared row: an attempt reads the row's version, then writes it
        /// conditionally; the write fails with a conflict if another write landed in between. Each of the four
        /// messages crosses the network once; the row itself takes no time and has no capacity limit.
        case occ
        /// A pass-through layer (a sidecar, an SDK's retry loop): no capacity limit and no time of its own; it
        /// forwards each attempt to what it `calls` with its own policy, so retry layers can be stacked.
        case proxy
        /// A message queue in the SQS model (`MessageQueueConfig`): sends are accepted at once; its consumers
        /// process the messages with its service time and calls.
        case sqs
    }

    public var name: String
    public var kind: Kind
    /// Attempts served at once.
    public var workers: Int
    /// Attempts that may wait for a worker; one more is rejected at once.
    public var queueCapacity: Int
    public var discipline: Discipline
    public var serviceTime: Distribution
    /// Probability that a served attempt returns a server error (5xx, retryable).
    public var errorRate: Double
    /// Probability that a served attempt returns a client error (4xx, never retried).
    public var nonRetryableRate: Double
    /// A token bucket on arriving attempts: past it, attempts are throttled (429) at once with a Retry-After hint.
    public var rateLimit: ServiceRateLimit?
    /// Changes that apply within time windows.
    public var faults: [Fault] = []
    /// Services this one calls for every attempt it serves (in parallel when several): a call chain.
    public var calls: [String] = []
    /// The policy of those calls (timeout, retries, budgets, breakers: the same object clients use).
    public var callPolicy: RetryPolicy = .noRetries
    /// Time after the downstream calls return (`serviceTime` is the time before them).
    public var afterCall: Distribution = .constant(value: .zero)
    /// False (the default): a worker stays busy while waiting on its downstream calls (thread per request).
    /// True: the worker is freed during the calls and the time after them needs no worker.
    public var async: Bool = false
    /// Congestive collapse: each attempt's service time grows by this much for every other attempt in service.
    public var concurrencyPenalty: SimDuration = .zero
    /// Attempts that waited longer than this in the queue are dropped when they reach the head (answered as
    /// rejected) instead of served.
    public var queueTimeout: SimDuration? = nil
    /// CoDel shedding (`target`, `interval`): while the minimum queueing delay over an interval stays above
    /// target, attempts that waited more than 2 × target are dropped at dequeue.
    public var codel: (target: SimDuration, interval: SimDuration)? = nil
    /// Adaptive LIFO switches to LIFO once the queue has been non-empty this long.
    public var adaptiveAfter: SimDuration = .milliseconds(100)
    /// Drop queued attempts whose propagated deadline has passed instead of serving them.
    public var dropExpired: Bool = true
    /// Instances of the service, each with its own `workers` and queue (a fleet behind a balancer).
    public var instances: Int = 1
    /// How each caller picks an instance.
    public var balancer: Balancer = Balancer()
    /// The balancers' weight of each instance (nil: equal).
    public var weights: [Double]? = nil
    /// Each instance's workers, when they differ (nil: `workers` each).
    public var instanceWorkers: [Int]? = nil

    /// Its instances may crash: under load (`crash`) or in a `crash` fault window.
    public var canCrash: Bool { crash != nil || faults.contains { $0.effect == .crash } }

    /// The workers of instance `k` (its position in the fleet).
    public func workers(ofInstance k: Int) -> Int { instanceWorkers?[k] ?? workers }
    /// Whether the time series count the attempts at each instance (`<name>_instance_<k>_attempts`): for fleets
    /// of 2 to 100 instances.
    public var seriesPerInstance: Bool { instances > 1 && instances <= 100 }
    /// The workers of every instance together.
    public var totalWorkers: Int { instanceWorkers?.reduce(0, +) ?? workers * instances }
    /// Envoy's outlier detection, run by each balancer on the instances it sends to; nil: none.
    public var outlierDetection: OutlierDetection? = nil
    /// A concurrency limit on each instance (Netflix's concurrency-limits); nil: none.
    public var concurrencyLimit: ConcurrencyLimit? = nil
    /// Active health checks by each balancer of each instance (Envoy's `health_checks`); nil: none.
    public var healthCheck: HealthCheck? = nil
    /// How its instances crash under load and restart (CrashLoopBackOff, warm-up); nil: they never crash.
    public var crash: Crash? = nil
    /// A look-aside cache in front of what it calls; nil: none.
    public var cache: CacheConfig? = nil
    /// Its horizontal autoscaler (Kubernetes' HPA); nil: a fixed fleet. With one, `instances` is the most it may
    /// scale to (`autoscale.max`) and `autoscale.initial` the instances at the start.
    public var autoscale: Autoscale? = nil
    /// A message queue's settings (`kind` sqs).
    public var messageQueue: MessageQueueConfig? = nil

    public static func == (a: Service, b: Service) -> Bool {
        a.name == b.name && a.kind == b.kind && a.workers == b.workers && a.queueCapacity == b.queueCapacity
            && a.discipline == b.discipline && a.serviceTime == b.serviceTime && a.errorRate == b.errorRate
            && a.nonRetryableRate == b.nonRetryableRate && a.rateLimit == b.rateLimit && a.faults == b.faults
            && a.calls == b.calls && a.callPolicy == b.callPolicy && a.afterCall == b.afterCall && a.async == b.async
            && a.concurrencyPenalty == b.concurrencyPenalty && a.queueTimeout == b.queueTimeout
            && a.codel?.target == b.codel?.target && a.codel?.interval == b.codel?.interval
            && a.adaptiveAfter == b.adaptiveAfter && a.dropExpired == b.dropExpired
            && a.instances == b.instances && a.balancer == b.balancer && a.outlierDetection == b.outlierDetection
            && a.concurrencyLimit == b.concurrencyLimit && a.healthCheck == b.healthCheck && a.weights == b.weights && a.instanceWorkers == b.instanceWorkers && a.crash == b.crash && a.cache == b.cache
            && a.autoscale == b.autoscale && a.messageQueue == b.messageQueue
    }

    public init(
        name: String, kind: Kind = .queue, workers: Int, queueCapacity: Int, discipline: Discipline = .fifo,
        serviceTime: Distribution, errorRate: Double = 0, nonRetryableRate: Double = 0, rateLimit: ServiceRateLimit? = nil
    ) {
        self.nonRetryableRate = nonRetryableRate
        self.rateLimit = rateLimit
        self.kind = kind
        self.name = name
        self.workers = workers
        self.queueCapacity = queueCapacity
        self.discipline = discipline
        self.serviceTime = serviceTime
        self.errorRate = errorRate
    }
}

/// A service's rate limit: `rate` attempts per second with bursts of `burst`; a throttled attempt is answered at
/// once with a Retry-After hint (`retryAfter`, or, when nil, the time until the next token).
public struct ServiceRateLimit: Equatable, Sendable {
    public var rate: Double
    public var burst: Double
    public var retryAfter: SimDuration?

    public init(rate: Double, burst: Double, retryAfter: SimDuration?) {
        self.rate = rate
        self.burst = burst
        self.retryAfter = retryAfter
    }
}

/// Something wrong with a service between `from` and `to`. Overlapping faults combine: the fewest workers, the
/// product of slowdowns, the highest error rate; an outage overrides everything.
public struct Fault: Equatable, Sendable {
    public enum Effect: Equatable, Sendable {
        /// Attempts fail: answered at once with a server error, or never answered (the caller times out).
        case outage(answered: Bool)
        /// Fewer workers; attempts already in service finish.
        case capacity(workers: Int)
        /// Service time multiplied by `factor` (for attempts that start serving within the window).
        case slowdown(factor: Double)
        /// Served attempts fail with this probability instead of the service's own error rate.
        case errorRate(Double)
        /// The service's cache is emptied when the window opens and stores nothing until it closes.
        case cacheFlush
        /// The instances it hits crash when the window opens (losing what they hold) and restart when it closes.
        case crash
    }
    public var from: SimDuration
    public var to: SimDuration
    public var effect: Effect
    /// The instances it hits (indices), or nil for all of them.
    public var instances: [Int]? = nil

    public init(from: SimDuration, to: SimDuration, effect: Effect, instances: [Int]? = nil) {
        self.from = from
        self.to = to
        self.effect = effect
        self.instances = instances
    }

    /// Whether it hits instance `i`.
    public func hits(instance i: Int) -> Bool { instances?.contains(i) ?? true }
}

/// Envoy's outlier detection (cluster `outlier_detection`), with its defaults: each balancer watches the answers
/// of the instances it sends to, and ejects an instance (takes it out of its picks) on consecutive errors at once,
/// or at the interval's sweep for a low success rate or a high failure percentage. An ejected instance comes back
/// at the first sweep after `baseEjectionTime` x the times it was ejected (at most `maxEjectionTime`); each sweep it
/// stays healthy takes one off that multiplier. Errors are 5xx answers, refusals of a full queue (503) and
/// timeouts (504); timeouts are also gateway failures, as in Envoy without split local-origin errors.
/// Enforcing values are percentages: the chance that a detection ejects.
public struct OutlierDetection: Equatable, Sendable {
    public var interval: SimDuration = .seconds(10)
    public var baseEjectionTime: SimDuration = .seconds(30)
    public var maxEjectionTime: SimDuration = .seconds(300)
    public var maxEjectionPercent = 10.0
    public var consecutive5xx = 5
    public var enforcingConsecutive5xx = 100.0
    public var consecutiveGatewayFailure = 5
    public var enforcingConsecutiveGatewayFailure = 0.0
    public var successRateMinimumHosts = 5
    public var successRateRequestVolume = 100
    public var successRateStdevFactor = 1900.0
    public var enforcingSuccessRate = 100.0
    public var failurePercentageThreshold = 85.0
    public var failurePercentageMinimumHosts = 5
    public var failurePercentageRequestVolume = 50
    public var enforcingFailurePercentage = 0.0

    public init() {}
}

/// Active health checks, as Envoy's: each balancer probes each instance every `interval`; a probe not answered
/// with a success within `timeout` fails; `unhealthyThreshold` failures in a row take the instance out of that
/// balancer's picks, `healthyThreshold` successes in a row bring it back (Envoy has no defaults; these are its
/// common values). A probe either waits for a worker like any attempt (`path` "queue", served in `probeTime`:
/// under load it waits behind the requests, the death spiral's cause) or is answered out of band ("direct",
/// failing only while the instance is in an outage).
public struct HealthCheck: Equatable, Sendable {
    public enum Path: String, Sendable, CaseIterable { case queue, direct }
    public var interval: SimDuration = .seconds(5)
    public var timeout: SimDuration = .seconds(1)
    public var unhealthyThreshold = 3
    public var healthyThreshold = 2
    public var path: Path = .queue
    public var probeTime: SimDuration = .milliseconds(1)

    public init() {}
}

/// A concurrency limit on each instance of a service, with Netflix concurrency-limits' defaults.
public struct ConcurrencyLimit: Equatable, Sendable {
    public struct AIMD: Equatable, Sendable {
        public var initialLimit = 20, minLimit = 20, maxLimit = 200
        public var backoffRatio = 0.9
        public var timeout: SimDuration = .seconds(5)
        public init() {}
    }
    public struct Gradient2: Equatable, Sendable {
        public var initialLimit = 20, minLimit = 20, maxLimit = 200
        public var smoothing = 0.2
        public var queueSize = 4.0
        public var longWindow = 600
        public var tolerance = 1.5
        public init() {}
    }
    public struct Vegas: Equatable, Sendable {
        public var initialLimit = 20, maxLimit = 1000
        public var smoothing = 1.0
        public var probeMultiplier = 30
        public init() {}
    }
    public enum Algorithm: Equatable, Sendable {
        case fixed(Int)
        case aimd(AIMD)
        case gradient2(Gradient2)
        case vegas(Vegas)
    }
    public var algorithm: Algorithm

    public init(_ algorithm: Algorithm) { self.algorithm = algorithm }
}

/// How a caller picks the instance of a service an attempt goes to.
public struct Balancer: Equatable, Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        /// Each balancer cycles through the instances, from a start of its own.
        case roundRobin = "round-robin"
        /// An instance drawn at random for each attempt.
        case random
        /// The least busy of `choices` instances drawn at random (Envoy's least request; two choices: the power of
        /// two choices), busy meaning the attempts this balancer has in flight there.
        case leastRequest = "least-request"
        /// A hash ring: the same client always goes to the same instance (Envoy's ring hash, 1,024 points).
        case ringHash = "ring-hash"
    }
    public var kind: Kind = .roundRobin
    /// Whose balancer it is: every client its own, every host its own (a sidecar, the default), or one for all.
    public var scope: PolicyScope = .host
    /// Round robin: start at a random instance (gRPC and Envoy do) or at instance 0 (a herd on the first).
    public var randomStart = true
    /// Least request: instances drawn per pick.
    public var choices = 2
    /// Envoy's slow start: an instance that comes back to the picks (after an ejection or failed health checks)
    /// ramps its weight over `window` as max(minWeightPercent / 100, (time back / window)^(1 / aggression)).
    public var slowStart: (window: SimDuration, aggression: Double, minWeightPercent: Double)? = nil
    /// Ring hash: what is hashed. nil: the client; else a request key drawn from a Zipf popularity over `keys`
    /// keys with exponent `exponent` (hot keys).
    public var zipf: (exponent: Double, keys: Int)? = nil
    /// Envoy's healthy panic threshold, in percent: when fewer of the instances than this are healthy (not
    /// ejected), the balancer uses them all, ejected or not. 0 disables it.
    public var panicThreshold = 50.0

    public init(kind: Kind = .roundRobin, scope: PolicyScope = .host, randomStart: Bool = true, choices: Int = 2) {
        self.kind = kind
        self.scope = scope
        self.randomStart = randomStart
        self.choices = choices
    }

    public static func == (a: Balancer, b: Balancer) -> Bool {
        a.kind == b.kind && a.scope == b.scope && a.randomStart == b.randomStart && a.choices == b.choices
            && a.panicThreshold == b.panicThreshold && a.zipf?.exponent == b.zipf?.exponent && a.zipf?.keys == b.zipf?.keys
            && a.slowStart?.window == b.slowStart?.window && a.slowStart?.aggression == b.slowStart?.aggression
            && a.slowStart?.minWeightPercent == b.slowStart?.minWeightPercent
    }
}

/// A bound on a summary metric: `"expect": {"amplification": {"max": 1.5}}`. With replications, the mean is
/// checked (and its confidence interval reported).
public struct Expectation: Equatable, Sendable {
    public var metric: String
    public var min: Double?
    public var max: Double?

    public init(metric: String, min: Double?, max: Double?) {
        self.metric = metric
        self.min = min
        self.max = max
    }
}
