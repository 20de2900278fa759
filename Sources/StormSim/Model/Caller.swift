/// Whoever sends requests under a retry policy: the clients (caller 0), or a service calling downstream
/// (caller s + 1). Each has its policy and the live state of its budgets, breaker and limiter.
struct Caller {
    // Read on every attempt: kept together at the start, in one cache line (the struct is several hundred bytes).
    /// No budget, breaker or limiter: every policy-state hook can be skipped (the common case, and a hot path).
    let plain: Bool
    /// A budget counts the outcome of every attempt (a failure-rate budget).
    let tracksAttempts: Bool
    /// Which attempts ask the breaker first: none (no breaker), first attempts only, or every attempt (read on
    /// every send, so kept out of the optional `policy.breaker`).
    let breakerGuards: BreakerGuards
    /// Retries avoid the instances their request tried (read on every pick among instances).
    let avoidsPreviousHosts: Bool
    /// The policy hedges; its scalars follow (reading `hedging`, which holds a set, costs reference counting).
    let hedges: Bool
    /// `policy.retryOn` as bits: a set lookup would hash on every failure.
    let retryMask: UInt8
    /// The hedging policy's non-fatal failures as bits (timeouts included).
    let nonFatalMask: UInt8
    /// Envoy's `max_requests` (`Int.max` without), and the caller's hosts (client c on host c mod hosts).
    let maxRequests: Int
    let hosts: Int
    let hedgeAttempts: Int
    var hedgeDelay: SimDuration

    let policy: RetryPolicy
    var state: ClientPolicyState
    /// Services it sends to: the clients' target, or a service's calls.
    let targets: [Int]
    /// The hedging policy, and for an adaptive delay its quantile and the latencies of the requests that
    /// succeeded so far.
    let hedging: Hedging?
    let hedgeQuantile: Double?
    var hedgeLatencies: Histogram?
    /// Envoy's `max_requests`: per caller host, the attempts in flight.
    var attemptsInFlight: [Int32]
    /// For a hedge budget: requests started and hedges sent.
    var requestsStarted = 0
    var hedgesSent = 0
    enum BreakerGuards: UInt8 { case none, firstAttempts, allAttempts }

    init(policy: RetryPolicy, clients: Int, hosts: Int, targets: [Int], streams: RandomStreams, label: String) {
        self.policy = policy
        retryMask = policy.retryOn.reduce(0) { $0 | $1.bit }
        state = ClientPolicyState(policy: policy, clients: clients, hosts: hosts, streams: streams, label: label)
        self.targets = targets
        plain = policy.budgets.isEmpty && policy.breaker == nil && policy.rateLimiter == nil
        tracksAttempts = policy.budgets.contains { if case .failureRate = $0.budget { return true } else { return false } }
        avoidsPreviousHosts = policy.avoidPreviousHosts
        maxRequests = policy.maxRequests ?? Int.max
        self.hosts = max(1, min(hosts, clients))
        attemptsInFlight = policy.maxRequests == nil ? [] : [Int32](repeating: 0, count: max(1, min(hosts, clients)))
        hedging = policy.hedging
        hedges = policy.hedging != nil
        hedgeAttempts = policy.hedging?.maxAttempts ?? 1
        hedgeDelay = policy.hedging?.delay ?? .zero
        hedgeQuantile = policy.hedging?.delayQuantile
        hedgeLatencies = policy.hedging?.delayQuantile == nil ? nil : Histogram()
        nonFatalMask = policy.hedging?.nonFatalMask ?? 0
        breakerGuards = policy.breaker.map { $0.breaker.countRetries ? .allAttempts : .firstAttempts } ?? .none
    }
}
