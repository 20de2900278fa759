/// The live state of the policy machinery the clients share: budgets, the breaker and the rate limiter, one
/// instance per client, per host or for all, as each one's scope says.
struct ClientPolicyState {
    struct Budget {
        let config: ScopedBudget
        var instances: [BudgetState]
        /// Salt of the keyed draw that decides adaptive throttling's local rejections.
        let salt: UInt64
    }
    struct Breaker {
        let config: ScopedBreaker
        var instances: [BreakerState]
        var open = 0
    }
    struct Limiter {
        let config: ScopedRateLimiter
        var instances: [RateLimiterState]
    }

    let clients: Int
    let hosts: Int
    var budgets: [Budget]
    var breaker: Breaker?
    var limiter: Limiter?
    /// Index of the first token bucket budget (its tokens go into the time series), if any.
    let tokenBudget: Int?
    var tokenSum: Double = 0

    /// - Parameter label: keeps the draws of different callers apart ("" for the clients).
    init(policy: RetryPolicy, clients: Int, hosts: Int, streams: RandomStreams, label: String = "") {
        self.clients = clients
        self.hosts = hosts
        func count(_ scope: PolicyScope) -> Int {
            switch scope {
            case .client: return clients
            case .host: return hosts
            case .global: return 1
            }
        }
        budgets = policy.budgets.enumerated().map { i, b in
            Budget(config: b, instances: Array(repeating: BudgetState(b.budget), count: count(b.scope)),
                   salt: streams.key("client/throttle/\(label)\(i)"))
        }
        breaker = policy.breaker.map { Breaker(config: $0, instances: Array(repeating: BreakerState($0.breaker), count: count($0.scope))) }
        limiter = policy.rateLimiter.map { Limiter(config: $0, instances: Array(repeating: RateLimiterState($0.limiter), count: count($0.scope))) }
        tokenBudget = policy.budgets.firstIndex { if case .tokenBucket = $0.budget { return true } else { return false } }
        if let t = tokenBudget { tokenSum = budgets[t].instances.reduce(0) { $0 + $1.tokens } }
    }

    /// The instance of a scope that a client uses.
    func instance(_ scope: PolicyScope, client: UInt32) -> Int {
        switch scope {
        case .client: return Int(client)
        case .host: return Int(client) % hosts
        case .global: return 0
        }
    }

    /// Mean tokens per instance of the first token bucket, or nil.
    var meanTokens: Double? {
        tokenBudget.map { tokenSum / Double(budgets[$0].instances.count) }
    }

    // MARK: budgets (every operation keeps the token sum current)

    private mutating func tokensChanged(_ b: Int, from before: Double, instance i: Int) {
        if b == tokenBudget { tokenSum += budgets[b].instances[i].tokens - before }
    }

    /// A client starts a new request.
    mutating func requestStarted(client: UInt32, now: SimTime) {
        for b in budgets.indices {
            let i = instance(budgets[b].config.scope, client: client)
            let before = budgets[b].instances[i].tokens
            budgets[b].instances[i].requestStarted(budgets[b].config.budget, now: now)
            tokensChanged(b, from: before, instance: i)
        }
    }

    /// A request ends; a success earns (or refunds) tokens.
    mutating func requestFinished(client: UInt32, succeeded: Bool, lastRetryAfter: RetryPolicy.Failure?) {
        for b in budgets.indices {
            let i = instance(budgets[b].config.scope, client: client)
            let before = budgets[b].instances[i].tokens
            var cost: Double?
            if let failure = lastRetryAfter, case .tokenBucket(let t) = budgets[b].config.budget { cost = t.cost(after: failure) }
            budgets[b].instances[i].requestFinished(budgets[b].config.budget, succeeded: succeeded, lastRetryCost: cost)
            tokensChanged(b, from: before, instance: i)
        }
    }

    /// An attempt failed with a failure the policy retries (gRPC charges every such attempt, the last included).
    mutating func attemptFailed(client: UInt32) {
        for b in budgets.indices {
            let i = instance(budgets[b].config.scope, client: client)
            let before = budgets[b].instances[i].tokens
            budgets[b].instances[i].attemptFailed(budgets[b].config.budget)
            tokensChanged(b, from: before, instance: i)
        }
    }

    /// An attempt's outcome reached its caller (failure-rate budgets count every attempt that ended).
    mutating func attemptEnded(client: UInt32, failed: Bool, now: SimTime) {
        for b in budgets.indices {
            guard case .failureRate = budgets[b].config.budget else { continue }
            budgets[b].instances[instance(budgets[b].config.scope, client: client)].attemptEnded(failed: failed, now: now)
        }
    }

    /// Asks every budget for a retry, in order; the first refusal stops (budgets asked before it have spent).
    /// - Returns: whether it is allowed, and whether it now holds a concurrency slot.
    mutating func tryRetry(client: UInt32, after failure: RetryPolicy.Failure, now: SimTime) -> (allowed: Bool, holdsSlot: Bool) {
        var holdsSlot = false
        for b in budgets.indices {
            let i = instance(budgets[b].config.scope, client: client)
            let before = budgets[b].instances[i].tokens
            let spent = budgets[b].instances[i].tryRetry(budgets[b].config.budget, after: failure, now: now)
            tokensChanged(b, from: before, instance: i)
            guard spent != nil else {
                if holdsSlot { retryEnded(client: client) }
                return (false, false)
            }
            if case .concurrency = budgets[b].config.budget { holdsSlot = true }
        }
        return (true, holdsSlot)
    }

    /// The attempt of a retry that held concurrency slots has ended.
    mutating func retryEnded(client: UInt32) {
        for b in budgets.indices {
            if case .concurrency = budgets[b].config.budget {
                budgets[b].instances[instance(budgets[b].config.scope, client: client)].retryEnded()
            }
        }
    }

    /// Adaptive throttling, before an attempt is sent: counts it as a request and decides, by a keyed draw, whether
    /// to refuse it locally.
    mutating func throttleRefuses(client: UInt32, attemptKey: UInt64, now: SimTime) -> Bool {
        var refused = false
        for b in budgets.indices {
            guard case .adaptiveThrottling(let k, _) = budgets[b].config.budget else { continue }
            let i = instance(budgets[b].config.scope, client: client)
            let p = budgets[b].instances[i].rejectionProbability(k: k, now: now)
            budgets[b].instances[i].recordRequest(now: now)
            var draw = DrawKey.source(attemptKey, budgets[b].salt)
            if draw.nextUnit() < p { refused = true }
        }
        return refused
    }

    /// Adaptive throttling: the backend accepted an attempt.
    mutating func recordAccept(client: UInt32, now: SimTime) {
        for b in budgets.indices {
            guard case .adaptiveThrottling = budgets[b].config.budget else { continue }
            budgets[b].instances[instance(budgets[b].config.scope, client: client)].recordAccept(now: now)
        }
    }

    // MARK: breaker

    /// Whether the client's breaker lets an attempt through; nil when it fails fast, else its generation.
    mutating func breakerAdmits(client: UInt32, now: SimTime) -> UInt32?? {
        guard let b = breaker else { return .some(nil) }
        let i = instance(b.config.scope, client: client)
        let wasOpen = b.instances[i].mode == .open
        let generation = breaker!.instances[i].admit(b.config.breaker, now: now)
        if wasOpen && breaker!.instances[i].mode != .open { breaker!.open -= 1 }
        return generation.map { .some($0) }
    }

    mutating func breakerRecord(client: UInt32, failed: Bool, generation: UInt32, now: SimTime) {
        guard let b = breaker else { return }
        let i = instance(b.config.scope, client: client)
        let wasOpen = b.instances[i].mode == .open
        breaker!.instances[i].record(b.config.breaker, failed: failed, callGeneration: generation, now: now)
        let isOpen = breaker!.instances[i].mode == .open
        if isOpen != wasOpen { breaker!.open += isOpen ? 1 : -1 }
    }

    var breakerOpenFraction: Double? {
        breaker.map { Double($0.open) / Double($0.instances.count) }
    }

    var breakerTrips: Int { breaker?.instances.reduce(0) { $0 + $1.trips } ?? 0 }

    // MARK: rate limiter

    /// How long an attempt must wait for the client's rate limiter (zero when there is none or it does not apply).
    mutating func limiterDelay(client: UInt32, isRetry: Bool, now: SimTime) -> SimDuration {
        guard let l = limiter, isRetry || l.config.limiter.appliesTo == .attempts else { return .zero }
        return limiter!.instances[instance(l.config.scope, client: client)].acquire(now: now)
    }

    mutating func limiterObserve(client: UInt32, throttled: Bool, now: SimTime) {
        guard let l = limiter, l.config.limiter.adaptive else { return }
        limiter!.instances[instance(l.config.scope, client: client)].observe(throttled: throttled, now: now)
    }
}
