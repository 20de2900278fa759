/// A client's request from its first send until it succeeds, fails or the run ends.
struct RequestState {
    var client: UInt32
    /// The request's identity for keyed draws: (seed, client, request number of that client).
    var key: UInt64
    /// When the first attempt was sent: latency is measured from here.
    var start: SimTime
    /// Attempts sent so far (the first included).
    var attemptsSent: Int32
    /// Decorrelated jitter's previous sleep, in ns.
    var previousSleep: Double
    /// Whether the last retry followed a timeout (token buckets charge it differently and refund what it cost);
    /// nil before any retry.
    var lastRetryAfterTimeout: Bool?
    /// True while a retry of this request holds a slot of a concurrency budget.
    var holdsRetrySlot: Bool
    /// Index in the trace, or -1 when the request is not traced.
    var traceId: Int32
}

/// One attempt of a request: a message to a service and, later, its response.
struct AttemptState {
    var request: UInt32
    /// Key of this attempt's draws (latencies, service time, outcome): the request's key and the attempt number.
    var key: UInt64
    /// Bumped whenever the slot is freed, so that an event armed for an earlier attempt in this slot (a timeout)
    /// can tell it is stale.
    var generation: UInt32
    /// True once the caller stopped waiting (timeout): the service may still do the work, which is then wasted.
    var abandoned: Bool
    /// When a worker started serving it.
    var serviceStart: SimTime
    /// The breaker generation that admitted it, or nil when it did not go through a breaker.
    var breakerGeneration: UInt32?
    /// The Retry-After hint of a throttled response.
    var retryAfter: SimDuration
    /// Optimistic concurrency: the row version the attempt read.
    var readVersion: UInt64 = 0
    /// Swallowed by an outage that never answers: nothing will arrive for it, so its timeout frees it.
    var blackholed = false
}

/// How a served or refused attempt ended, carried by the response event.
enum Outcome: UInt32 {
    case success = 0
    /// 5xx: retryable.
    case serverError = 1
    /// The queue was full.
    case rejected = 2
    /// 4xx: never retried.
    case nonRetryable = 3
    /// 429 from the service's rate limit, with a Retry-After hint.
    case throttled = 4
    /// An optimistic-concurrency write that lost the race.
    case conflict = 5

    /// Whether the backend accepted the attempt (adaptive throttling's "accepts"): it did the work and answered
    /// with a success, a client error or a conflict. Server errors, rejections and throttles are not accepts (as
    /// in Envoy's admission control), so throttling backs off from a failing backend, not only an overloaded one.
    var accepted: Bool { self == .success || self == .nonRetryable || self == .conflict }
}

/// Why a request stopped without success.
enum GiveUp: String {
    case attempts, budget, breaker, throttled, elapsed, notRetryable = "not-retryable"
}
