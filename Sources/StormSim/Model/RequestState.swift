/// A client's request from its first send until it succeeds, fails or the run ends.
///
/// A request owns the attempts it has in flight: a list threaded through the attempt slots (`firstAttempt`, then
/// each attempt's `nextSibling`). An attempt leaves the list when it is answered or its caller stops waiting for it
/// (a timeout); a finished request has none left. The attempt slots remember their request's generation, so an
/// answer that arrives after the request finished is recognised and ignored.
///
/// Fields are declared widest first, so the struct packs into 64 bytes, one cache line.
struct RequestState: Generational {
    /// The absolute deadline (`SimTime.never` when none).
    var deadline: SimTime
    /// The request's identity for keyed draws: (seed, client, request number of that client).
    var key: UInt64
    /// When the first attempt was sent: latency is measured from here.
    var start: SimTime
    /// Decorrelated jitter's previous sleep, in ns.
    var previousSleep: Double
    /// For a downstream call, the attempt (at the calling service) it was made for; `RequestState.none` for a
    /// client's request.
    var parent: UInt32
    var client: UInt32
    /// Index in the trace, or -1 when the request is not traced.
    var traceId: Int32
    /// The first of its attempts in flight (`AttemptState.none` when none).
    var firstAttempt: UInt32 = AttemptState.none
    /// Bumped whenever the slot is freed (`SlotPool`): an attempt remembers the generation of its request, so the
    /// answer of an attempt whose request has finished (and whose slot may hold another request) is recognised.
    var generation: UInt32 = 0
    /// The instances its attempts went to, one bit per position in the service's fleet (positions 32 apart share
    /// a bit), for a retry that avoids them (`avoidPreviousHosts`).
    var triedHosts: UInt32 = 0
    /// Attempts sent so far (the first included; at most 1,000).
    var attemptsSent: UInt16
    /// Who sends it: 0 for the clients, s + 1 for service s calling downstream.
    var caller: UInt16
    /// The service it is sent to.
    var target: UInt16
    /// Whether the last retry followed a timeout (token buckets charge it differently and refund what it cost);
    /// nil before any retry.
    var lastRetryAfter: RetryPolicy.Failure? = nil
    /// True while a retry of this request holds a slot of a concurrency budget.
    var holdsRetrySlot = false

    static let none = UInt32.max

    /// While the slot is free: `triedHosts` (read only while the request retries; the invariant checks still see
    /// a finished request's `firstAttempt`).
    var freeLink: UInt32 {
        get { triedHosts }
        set { triedHosts = newValue }
    }

    /// Counts a new attempt and puts it first on the list of attempts in flight (one access to the slot).
    @inline(__always)
    mutating func sent(_ attempt: UInt32) {
        attemptsSent += 1
        firstAttempt = attempt
    }
}

/// One attempt of a request: a message to a service and, later, its response.
///
/// Fields are declared widest first, so the struct packs into 64 bytes, one cache line.
struct AttemptState: Generational {
    /// The deadline it carries downstream (`SimTime.never` unless deadlines propagate).
    var deadline: SimTime
    /// Key of this attempt's draws (latencies, service time, outcome): the request's key and the attempt number.
    var key: UInt64
    /// When it reached its instance: its wait in the queue (queue timeouts, CoDel) and its time there (the
    /// round trip a concurrency limiter samples) are measured from here.
    var stageStart: SimTime = .zero
    /// What one stage of the attempt hands to a later one; no attempt needs two of these at once, so they share a
    /// word: the Retry-After hint of a throttled response (a throttled attempt is never served), when a worker
    /// started serving it, then the worker time before the downstream calls of an asynchronous service, or the row
    /// version an optimistic-concurrency attempt read (such a service neither throttles nor serves).
    var stageData: Int64 = 0
    var request: UInt32
    /// The generation of its request when it was sent.
    var requestGeneration: UInt32
    /// The next attempt in flight of the same request (`AttemptState.none` at the end of the list).
    var nextSibling: UInt32 = AttemptState.none
    /// The instance of `service` it was sent to (an index into `World.instances`).
    var instance: UInt32
    /// Bumped whenever the slot is freed (`SlotPool`), so that an event armed for an earlier attempt in this slot
    /// (a timeout) can tell it is stale.
    var generation: UInt32 = 0
    /// The breaker generation that admitted it, or `AttemptState.noBreaker` when it did not go through a breaker.
    var breakerGeneration: UInt32
    /// The service it is sent to.
    var service: UInt16
    /// Downstream calls still open while the service serves it.
    var pendingCalls: UInt16 = 0
    /// The flags below, one bit each: the slot is exactly one cache line (64 bytes), and six Bools would make it 72.
    var flags: UInt8 = 0

    @inline(__always)
    private func flag(_ bit: UInt8) -> Bool { flags & bit != 0 }
    @inline(__always)
    private mutating func set(_ bit: UInt8, _ on: Bool) { flags = on ? flags | bit : flags & ~bit }

    /// A downstream call of it failed.
    var downstreamFailed: Bool { get { flag(1) } set { set(1, newValue) } }
    /// True once the caller stopped waiting (timeout): the service may still do the work, which is then wasted.
    var abandoned: Bool { get { flag(2) } set { set(2, newValue) } }
    /// Swallowed by an outage that never answers: nothing will arrive for it, so its timeout frees it.
    var blackholed: Bool { get { flag(4) } set { set(4, newValue) } }
    /// A hedge its caller cancelled (another attempt answered), with cancellation propagated to the server: if it
    /// is still queued there, it is dropped instead of served.
    var cancelled: Bool { get { flag(8) } set { set(8, newValue) } }
    /// A worker of its instance is serving it (from the start of service to `serviceDone`).
    var inService: Bool { get { flag(16) } set { set(16, newValue) } }
    /// Lost in a crash of its instance while in service: its pending `serviceDone` does nothing.
    var lost: Bool { get { flag(32) } set { set(32, newValue) } }
    /// Answered from its service's cache: no downstream call, and its worker is freed at `serviceDone`.
    var cacheHit: Bool { get { flag(64) } set { set(64, newValue) } }

    static let noBreaker = UInt32.max
    /// The breaker generation of a cache's background refresh (`World.refresh`), which has no request.
    static let refresh = UInt32.max - 1
    /// While the slot is free: `nextSibling` (a free attempt is on no request's list: it is taken off before it
    /// is freed, and nothing walks from an attempt that is off the list).
    var freeLink: UInt32 {
        get { nextSibling }
        set { nextSibling = newValue }
    }

    static let none = UInt32.max

    /// The Retry-After hint of a throttled response.
    var retryAfter: SimDuration {
        get { SimDuration(nanoseconds: stageData) }
        set { stageData = newValue.nanoseconds }
    }
    /// When a worker started serving it (until the downstream calls of an asynchronous service, which then keep
    /// the worker time in `worked`).
    var serviceStart: SimTime {
        get { SimTime(nanoseconds: stageData) }
        set { stageData = newValue.nanoseconds }
    }
    /// Worker time spent on it before its downstream calls (asynchronous services release the worker there).
    var worked: Int64 {
        get { stageData }
        set { stageData = newValue }
    }
    /// Optimistic concurrency: the row version the attempt read.
    var readVersion: UInt64 {
        get { UInt64(bitPattern: stageData) }
        set { stageData = Int64(bitPattern: newValue) }
    }
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

