/// What a caller does when an attempt fails: how long it waits for each attempt, how often it tries, how long it
/// waits in between.
public struct RetryPolicy: Equatable, Sendable {
    /// Per-attempt timeout, measured from send; nil waits for the response however long it takes.
    public var timeout: SimDuration?
    /// Attempts per request, the first included (1 = never retry).
    public var maxAttempts: Int
    public var backoff: Backoff
    public var jitter: Jitter

    public init(timeout: SimDuration?, maxAttempts: Int, backoff: Backoff, jitter: Jitter) {
        self.timeout = timeout
        self.maxAttempts = maxAttempts
        self.backoff = backoff
        self.jitter = jitter
    }

    /// No retries, no timeout.
    public static let noRetries = RetryPolicy(
        timeout: nil, maxAttempts: 1,
        backoff: Backoff(kind: .exponential, base: .milliseconds(100), multiplier: 2, max: .seconds(10)),
        jitter: .full)

    /// The wait before retry `n` (1 = first retry), with jitter.
    /// - Parameter previous: per-request state for decorrelated jitter, in ns; start it at `backoff.base`.
    public func retryDelay(retry n: Int, previous: inout Double, rng: inout Xoshiro256) -> SimDuration {
        let raw = backoff.delay(retry: n)
        return SimDuration(saturating: jitter.apply(delay: raw, backoff: backoff, previous: &previous, rng: &rng))
    }
}
