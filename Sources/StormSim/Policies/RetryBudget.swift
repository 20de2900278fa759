/// Whose budget or breaker an attempt uses: each client's own, one per client host (process), or one for all.
public enum PolicyScope: String, Sendable, CaseIterable {
    case client, host, global
}

/// A limit on retries (or, for adaptive throttling, on all attempts) shared by the callers of one scope.
public enum RetryBudget: Equatable, Sendable {
    /// Tokens that retries spend and successes earn (gRPC retry throttling, the AWS retry quota).
    case tokenBucket(TokenBucket)
    /// Retries at most `ratio` of requests within a sliding window, plus a reserve (Finagle's RetryBudget).
    case ratio(ratio: Double, minPerSecond: Double, window: SimDuration)
    /// Retries in flight (from the decision to retry until that attempt ends, backoff included) at most
    /// max(fraction × requests in flight, minimum) (Envoy's retry budget; fraction 0 gives max_retries).
    case concurrency(fraction: Double, minimum: Int)
    /// Google SRE client-side adaptive throttling: every attempt is refused locally with probability
    /// max(0, (requests - k × accepts) / (requests + 1)) over the window.
    case adaptiveThrottling(k: Double, window: SimDuration)
    /// A retry circuit breaker (Brooker, "Fixing retries with token buckets and circuit breakers"): no retries
    /// while more than `threshold` of the attempts that ended within the window failed (once at least `minCalls`
    /// ended); first attempts always go out.
    case failureRate(threshold: Double, window: SimDuration, minCalls: Int)

    public struct TokenBucket: Equatable, Sendable {
        public var capacity: Double
        public var initial: Double
        /// Earned by every new request.
        public var earnPerRequest: Double
        /// Earned when a request succeeds (once per request).
        public var earnPerSuccess: Double
        /// On the success of a request that retried, refund its last retry's cost instead of `earnPerSuccess`
        /// (botocore's quota).
        public var refundLastRetryOnSuccess: Bool
        /// Spent by each retry; refused when fewer tokens remain.
        public var costPerRetry: Double
        /// Spent by a retry after a timeout (botocore: 10 instead of 5).
        public var costPerTimeoutRetry: Double
        /// Spent by a retry after a throttled response (the AWS SDKs since 2026: 5 against 14 for other failures).
        public var costPerThrottledRetry: Double
        /// Spent by every failed attempt, the last one included (gRPC), clamped at 0.
        public var costPerFailure: Double
        /// Retries are refused while tokens <= threshold (gRPC: half of the capacity). Nil: no threshold.
        public var threshold: Double?
        /// The lowest balance (0 or below): a retry is allowed while paying its cost leaves at least this much, and
        /// failures charge down to it. Below 0 the bucket goes into debt that successes must repay.
        public var floor: Double = 0

        /// What a retry after `failure` costs.
        func cost(after failure: RetryPolicy.Failure) -> Double {
            switch failure {
            case .timeout: return costPerTimeoutRetry
            case .throttled: return costPerThrottledRetry
            case .rejected, .error, .conflict: return costPerRetry
            }
        }
    }
}

/// A budget as configured in a policy: what it is and whose it is.
public struct ScopedBudget: Equatable, Sendable {
    public var budget: RetryBudget
    public var scope: PolicyScope
}

/// The live state of one budget instance.
struct BudgetState {
    /// Token counts are kept to 1e-6 (gRPC core counts milli-tokens), so that ten earnings of 0.1 make exactly 1
    /// and thresholds behave as specified.
    var tokens: Double = 0 {
        didSet { tokens = (tokens * 1e6).rounded() / 1e6 }
    }
    var window: SlidingWindow?
    var retriesInFlight = 0
    var requestsInFlight = 0

    init(_ budget: RetryBudget) {
        switch budget {
        case .tokenBucket(let b): tokens = b.initial
        case .ratio(_, _, let length): window = SlidingWindow(window: length, slices: 10)
        case .adaptiveThrottling(_, let length): window = SlidingWindow(window: length, slices: 60)
        case .failureRate(_, let length, _): window = SlidingWindow(window: length, slices: 10)
        case .concurrency: break
        }
    }

    /// A new request starts (a deposit for ratio budgets, earnings for token buckets).
    mutating func requestStarted(_ budget: RetryBudget, now: SimTime) {
        requestsInFlight += 1
        switch budget {
        case .tokenBucket(let b): tokens = min(b.capacity, tokens + b.earnPerRequest)
        case .ratio: window!.add(first: 1, at: now)
        default: break
        }
    }

    mutating func requestFinished(_ budget: RetryBudget, succeeded: Bool, lastRetryCost: Double?) {
        requestsInFlight -= 1
        guard succeeded, case .tokenBucket(let b) = budget else { return }
        if b.refundLastRetryOnSuccess, let cost = lastRetryCost {
            tokens = min(b.capacity, tokens + cost)
        } else {
            tokens = min(b.capacity, tokens + b.earnPerSuccess)
        }
    }

    /// Every failed attempt (before the decision to retry).
    mutating func attemptFailed(_ budget: RetryBudget) {
        if case .tokenBucket(let b) = budget, b.costPerFailure > 0 { tokens = max(b.floor, tokens - b.costPerFailure) }
    }

    /// Asks for one retry; on yes, spends what it costs. - Returns: the cost spent, or nil when refused.
    mutating func tryRetry(_ budget: RetryBudget, after failure: RetryPolicy.Failure, now: SimTime) -> Double? {
        switch budget {
        case .tokenBucket(let b):
            let cost = b.cost(after: failure)
            if let threshold = b.threshold, tokens <= threshold { return nil }
            if tokens - cost < b.floor { return nil }
            tokens -= cost
            return cost
        case .ratio(let ratio, let minPerSecond, let window):
            let (deposits, withdrawals) = self.window!.totals(at: now)
            guard ratio * deposits - withdrawals + minPerSecond * window.seconds >= 1 else { return nil }
            self.window!.add(second: 1, at: now)
            return 0
        case .concurrency(let fraction, let minimum):
            let limit = max(fraction * Double(requestsInFlight), Double(minimum))
            guard Double(retriesInFlight) + 1 <= limit else { return nil }
            retriesInFlight += 1
            return 0
        case .adaptiveThrottling:
            return 0  // throttling judges attempts, not retries
        case .failureRate(let threshold, _, let minCalls):
            let (calls, failures) = window!.totals(at: now)
            if calls >= Double(minCalls) && failures > threshold * calls { return nil }
            return 0
        }
    }

    /// Adaptive throttling: the probability of refusing the next attempt locally.
    mutating func rejectionProbability(k: Double, now: SimTime) -> Double {
        let (requests, accepts) = window!.totals(at: now)
        return max(0, (requests - k * accepts) / (requests + 1))
    }

    /// Adaptive throttling: an attempt was made (sent, or refused locally: both count as requests).
    mutating func recordRequest(now: SimTime) { window!.add(first: 1, at: now) }

    /// Adaptive throttling: the backend accepted an attempt (it answered with anything but an overload signal).
    mutating func recordAccept(now: SimTime) { window!.add(second: 1, at: now) }

    /// Failure-rate budget: an attempt ended, failed or not.
    mutating func attemptEnded(failed: Bool, now: SimTime) { window!.add(first: 1, second: failed ? 1 : 0, at: now) }

    /// A retry that held a concurrency slot has ended.
    mutating func retryEnded() { retriesInFlight = max(0, retriesInFlight - 1) }
}
