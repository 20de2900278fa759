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
    /// The request's own jitter stream, derived from (seed, client, request number): the same request draws the
    /// same jitter whatever other clients do.
    var jitterRng: Xoshiro256
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
}

/// How a served or refused attempt ended, carried by the response event.
enum Outcome: UInt32 {
    case success = 0
    case serverError = 1
    case rejected = 2
}
