/// What a caller does when an attempt fails: how long it waits for each attempt, how often it tries, how long it
/// waits in between.
public struct RetryPolicy: Equatable, Sendable {
    /// How an attempt failed, as the caller sees it.
    public enum Failure: String, Sendable, CaseIterable {
        /// No response within the timeout.
        case timeout
        /// The service's queue was full.
        case rejected
        /// A server error (5xx).
        case error
        /// The service's rate limit refused it (429), with a Retry-After hint.
        case throttled
        /// An optimistic-concurrency write lost the race.
        case conflict

        /// A bit of its own, for sets of failures kept as masks.
        public var bit: UInt8 {
            switch self {
            case .timeout: return 1
            case .rejected: return 2
            case .error: return 4
            case .throttled: return 8
            case .conflict: return 16
            }
        }
    }

    /// What to do with a Retry-After hint on a throttled response.
    public enum RetryAfter: String, Sendable, CaseIterable {
        /// Wait as the backoff says.
        case ignore
        /// Wait exactly the hint, uncapped (go-retryablehttp, gRPC pushback).
        case replace
        /// Wait the longer of the backoff and the hint.
        case atLeast
        /// Wait the hint, but no less than the backoff and at most 5 s more than it (the AWS SDKs since 2026, with
        /// `x-amz-retry-after`).
        case clamped

        /// How far `clamped` lets a hint stretch the backoff.
        static let clampedExtra = SimDuration.seconds(5)

        /// `clamped`: the hint, but no shorter than `backoff` and at most `clampedExtra` longer.
        static func clamp(_ hint: SimDuration, backoff: SimDuration) -> SimDuration {
            let (sum, overflow) = backoff.nanoseconds.addingReportingOverflow(clampedExtra.nanoseconds)
            return max(backoff, min(hint, SimDuration(nanoseconds: overflow ? Int64.max : sum)))
        }
    }

    /// Per-attempt timeout, measured from send; nil waits for the response however long it takes.
    public var timeout: SimDuration?
    /// Attempts per request, the first included (1 = never retry).
    public var maxAttempts: Int
    public var backoff: Backoff
    public var jitter: Jitter
    /// Failures that are retried; a non-retryable error (4xx) never is.
    public var retryOn: Set<Failure>
    public var retryAfter: RetryAfter
    /// Give up when the next attempt would start more than this after the first send (cenkalti/backoff's
    /// MaxElapsedTime). Nil: no limit.
    public var maxElapsed: SimDuration?
    /// Every budget must allow a retry (and adaptive throttling may refuse any attempt).
    public var budgets: [ScopedBudget]
    public var breaker: ScopedBreaker?
    public var rateLimiter: ScopedRateLimiter?
    /// The preset this policy started from, for the record.
    public var preset: String?
    /// With a deadline: refuse a retry that could not finish before it (start + timeout past the deadline),
    /// not only one that would start after it.
    public var deadlineAware: Bool = false
    /// A retry avoids the instances this request has already tried (Envoy's `previous_hosts` retry predicate): the
    /// balancer picks again, up to `hostReselectAttempts` times, and the last pick stands.
    public var avoidPreviousHosts: Bool = false
    /// Envoy's `host_selection_retry_max_attempts` (default 1).
    public var hostReselectAttempts: Int = 1
    /// gRPC's hedging policy instead of retries; nil: the policy retries (or not).
    public var hedging: Hedging? = nil
    /// Envoy's circuit-breaker threshold `max_requests`: attempts in flight at once per caller host (each proxy);
    /// an attempt over it is refused at once (a local 503, not retried). nil: no limit.
    public var maxRequests: Int? = nil

    /// The most attempts a request can send: its hedges, or its retries.
    public var attemptsPerRequest: Int { hedging?.maxAttempts ?? maxAttempts }

    public init(
        timeout: SimDuration?, maxAttempts: Int, backoff: Backoff, jitter: Jitter,
        retryOn: Set<Failure> = Set(Failure.allCases), retryAfter: RetryAfter = .ignore, maxElapsed: SimDuration? = nil,
        budgets: [ScopedBudget] = [], breaker: ScopedBreaker? = nil, rateLimiter: ScopedRateLimiter? = nil,
        preset: String? = nil
    ) {
        self.timeout = timeout
        self.maxAttempts = maxAttempts
        self.backoff = backoff
        self.jitter = jitter
        self.retryOn = retryOn
        self.retryAfter = retryAfter
        self.maxElapsed = maxElapsed
        self.budgets = budgets
        self.breaker = breaker
        self.rateLimiter = rateLimiter
        self.preset = preset
    }

    /// No retries, no timeout.
    public static let noRetries = RetryPolicy(
        timeout: nil, maxAttempts: 1,
        backoff: Backoff(kind: .exponential, base: .milliseconds(100), multiplier: 2, max: .seconds(10)),
        jitter: .full)

    /// The wait before retry `n` (1 = first retry), with jitter.
    /// - Parameter previous: per-request state for decorrelated jitter, in ns; start it at `backoff.base`.
    public func retryDelay<R: RandomSource>(retry n: Int, previous: inout Double, rng: inout R) -> SimDuration {
        Self.retryDelay(backoff: backoff, jitter: jitter, retry: n, previous: &previous, rng: &rng)
    }

    /// The same, from the two parts it needs (the simulator's hot path passes them without copying the policy,
    /// whose arrays and sets would be retained and released).
    @inline(__always)
    static func retryDelay<R: RandomSource>(
        backoff: Backoff, jitter: Jitter, retry n: Int, after failure: RetryPolicy.Failure = .error, previous: inout Double,
        rng: inout R
    ) -> SimDuration {
        let base = backoff.base(after: failure)
        let raw = backoff.delay(retry: n, base: base)
        return SimDuration(saturating: jitter.apply(delay: raw, base: base, max: backoff.max, previous: &previous, rng: &rng))
    }
}
