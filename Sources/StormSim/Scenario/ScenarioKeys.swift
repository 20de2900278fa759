/// The keys each object of the scenario format accepts. The decoder rejects any other key, and a test keeps this
/// table, the decoder and `scenarios/schema.json` in step.
public enum ScenarioKeys {
    /// A key that starts with "//" is a comment, allowed in any object and ignored (JSON has no comments).
    public static func isComment(_ key: String) -> Bool { key.hasPrefix("//") }

    public static let top = ["$schema", "name", "description", "seed", "duration", "metrics", "network", "clients", "services", "vary", "variants", "expect", "tune"]
    public static let tune = ["minimize", "require", "conditions", "maxReplications"]
    public static let expectation = ["min", "max"]
    public static let metrics = ["interval"]
    public static let network = ["latency"]
    public static let clients = ["count", "hosts", "target", "arrival", "policy", "load", "deadline", "propagateDeadline"]
    public static let loadChange = ["from", "to", "multiplier", "rampTo"]
    public static let arrivalTypes = ["burst", "poisson", "closed", "trace"]
    public static let arrival: [String: [String]] = [
        "burst": ["type", "at", "spread"], "poisson": ["type", "rate", "until", "firstAt"], "closed": ["type", "think", "until"],
        "trace": ["type", "file", "timeScale", "multiplier"],
    ]
    public static let policy = [
        "preset", "timeout", "maxAttempts", "backoff", "jitter", "retryOn", "retryAfter", "maxElapsed", "budget", "breaker",
        "rateLimiter", "deadlineAware", "avoidPreviousHosts", "hostReselectAttempts", "hedging", "maxRequests",
    ]
    public static let hedging = ["maxAttempts", "delay", "initialDelay", "nonFatal", "budgetPercent", "propagateCancellation"]
    public static let budgetTypes = ["tokenBucket", "ratio", "concurrency", "adaptiveThrottling", "failureRate"]
    public static let budget: [String: [String]] = [
        "tokenBucket": ["type", "scope", "capacity", "initial", "earnPerRequest", "earnPerSuccess", "refundLastRetryOnSuccess",
                        "costPerRetry", "costPerTimeoutRetry", "costPerThrottledRetry", "costPerFailure", "threshold", "floor"],
        "ratio": ["type", "scope", "ratio", "minPerSecond", "window"],
        "concurrency": ["type", "scope", "fraction", "minimum"],
        "adaptiveThrottling": ["type", "scope", "k", "window"],
        "failureRate": ["type", "scope", "threshold", "window", "minCalls"],
    ]
    public static let breaker = ["scope", "trip", "openFor", "probes", "close", "countRetries"]
    public static let tripTypes = ["consecutive", "rate"]
    public static let trip: [String: [String]] = [
        "consecutive": ["type", "failures"],
        "rate": ["type", "window", "calls", "length", "buckets", "minCalls", "threshold", "check", "snapshotEvery", "integerPercent"],
    ]
    public static let rateLimiter = ["scope", "rate", "burst", "appliesTo", "adaptive"]
    public static let backoff = ["type", "base", "throttleBase", "multiplier", "max"]
    public static let jitterNames = ["none", "full", "equal", "decorrelated", "decorrelated-finagle"]
    public static let jitterObject = ["type", "fraction"]
    public static let service = [
        "name", "kind", "workers", "queue", "serviceTime", "errorRate", "nonRetryableRate", "rateLimit", "faults",
        "calls", "policy", "afterCall", "async", "concurrencyPenalty", "instances", "balancer", "outlierDetection",
        "concurrencyLimit", "healthCheck", "weights", "instanceWorkers", "crash", "cache", "autoscale",
    ]
    public static let autoscale = [
        "min", "max", "target", "sync", "tolerance", "startup", "scaleDownStabilization", "scaleUpPercent", "scaleUpPods",
    ]
    public static let cache = ["keys", "zipf", "capacity", "ttl", "softTtl", "hitTime", "coalesce"]
    public static let crash = ["heldAbove", "for", "lose", "restart", "warmup"]
    public static let crashRestart = ["delay", "maxDelay", "resetAfter", "jitter"]
    public static let crashWarmup = ["factor", "period"]
    public static let healthCheck = ["interval", "timeout", "unhealthyThreshold", "healthyThreshold", "path", "probeTime"]
    public static let concurrencyLimitTypes = ["fixed", "aimd", "gradient2", "vegas"]
    public static let concurrencyLimit: [String: [String]] = [
        "fixed": ["type", "limit"],
        "aimd": ["type", "initialLimit", "minLimit", "maxLimit", "backoffRatio", "timeout"],
        "gradient2": ["type", "initialLimit", "minLimit", "maxLimit", "smoothing", "queueSize", "longWindow", "tolerance"],
        "vegas": ["type", "initialLimit", "maxLimit", "smoothing", "probeMultiplier"],
    ]
    public static let outlierDetection = [
        "interval", "baseEjectionTime", "maxEjectionTime", "maxEjectionPercent", "consecutive5xx", "enforcingConsecutive5xx",
        "consecutiveGatewayFailure", "enforcingConsecutiveGatewayFailure", "successRateMinimumHosts",
        "successRateRequestVolume", "successRateStdevFactor", "enforcingSuccessRate", "failurePercentageThreshold",
        "failurePercentageMinimumHosts", "failurePercentageRequestVolume", "enforcingFailurePercentage",
    ]
    public static let balancerNames = ["round-robin", "random", "least-request", "ring-hash"]
    public static let balancer = ["type", "scope", "start", "choices", "panicThreshold", "key", "slowStart"]
    public static let slowStart = ["window", "aggression", "minWeightPercent"]
    public static let zipfKey = ["zipf", "keys"]
    /// A proxy only forwards, with its own policy.
    public static let proxyService = ["name", "kind", "calls", "policy"]
    /// A message queue: its consumers and what they do with each message.
    public static let sqsService = [
        "name", "kind", "consumers", "batch", "visibilityTimeout", "maxReceiveCount", "visibilityBackoff",
        "serviceTime", "errorRate", "calls", "policy",
    ]
    public static let visibilityBackoff = ["base", "max"]
    public static let faultTypes = ["outage", "capacity", "slowdown", "errorRate", "cacheFlush", "crash"]
    public static let fault: [String: [String]] = [
        "outage": ["type", "from", "to", "answer", "instances", "fraction"],
        "capacity": ["type", "from", "to", "workers", "instances", "fraction"],
        "slowdown": ["type", "from", "to", "factor", "instances", "fraction"],
        "errorRate": ["type", "from", "to", "errorRate", "instances", "fraction"],
        "cacheFlush": ["type", "from", "to"],
        "crash": ["type", "from", "to", "instances", "fraction"],
    ]
    /// An optimistic-concurrency service has no workers, queue or service time.
    public static let occService = ["name", "kind"]
    public static let serviceRateLimit = ["rate", "burst", "retryAfter"]
    public static let queue = ["capacity", "discipline", "timeout", "codel", "adaptiveAfter", "dropExpired"]
    public static let codel = ["target", "interval"]
    public static let distributionNames = ["constant", "exponential", "uniform", "normal", "lognormal"]
    public static let distribution: [String: [String]] = [
        "constant": ["dist", "value"], "exponential": ["dist", "mean"], "uniform": ["dist", "min", "max"],
        "normal": ["dist", "mean", "stddev"], "lognormal": ["dist", "median", "sigma"],
    ]
}

/// Bounds that keep a run within what a laptop can do, each with the reason given to the user.
public enum ScenarioLimits {
    /// Each client keeps about 100 bytes of state (its random streams and its next request).
    public static let maxClients = 10_000_000
    public static let maxWorkers = 10_000_000
    /// Instances of one service (each keeps its own queue and gauges).
    public static let maxInstances = 10_000
    public static let maxQueueCapacity = 100_000_000
    public static let maxAttempts = 1_000
    /// Time-series rows (duration / interval).
    public static let maxRows = 1_000_000
    /// Expected new requests in a run; at ~10^7 events/s and ~5 events per request this is about 10 minutes.
    public static let maxExpectedRequests = 1e9
    /// Attempts in the worst case (every attempt fails and is retried up to maxAttempts): about an hour.
    public static let maxWorstCaseAttempts = 1e10
    /// Candidate arrivals drawn by thinning: with load changes, candidates come at the peak rate for the whole
    /// run and most are dropped; each costs two draws and an event.
    public static let maxThinningCandidates = 4e9
}
