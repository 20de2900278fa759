/// gRPC's hedging policy (gRFC A6): send the first attempt at once and another every `delay` until `maxAttempts`
/// are out; the first success, or the first fatal failure, ends the request, and the attempts still out are
/// cancelled at the client (the servers keep working on them unless `propagateCancellation`). A non-fatal failure
/// (one of `nonFatal`) sends the next hedge at once; a timed-out attempt is non-fatal (gRPC has no per-attempt
/// timeout: its deadline ends everything, and stormsim's request deadline does the same). A policy hedges or
/// retries, never both, as gRPC's service config allows `retryPolicy` or `hedgingPolicy`. Hedges ask the same
/// budgets, breaker and adaptive throttling as retries; a refusal skips the hedge, not the request.
public struct Hedging: Equatable, Sendable {
    /// Attempts per request, the first included: 2 to 5 (gRPC clamps larger values to 5).
    public var maxAttempts: Int
    public var delay: SimDuration
    /// An adaptive delay ("hedge after the observed p95", The Tail at Scale): the `delayQuantile` of the
    /// latencies of the caller's requests that succeeded so far, recomputed every 100 of them; `delay` until the
    /// first 100.
    public var delayQuantile: Double? = nil
    /// Failures after which the other hedges go on.
    public var nonFatal: Set<RetryPolicy.Failure>
    /// A hedge budget, as the Azure SDK's: hedges may be at most this percentage of the requests started.
    public var budgetPercent: Double?
    /// Cancelled attempts still waiting in a queue are dropped there instead of served.
    public var propagateCancellation: Bool

    public static let maxHedges = 5

    public init(
        maxAttempts: Int, delay: SimDuration = .zero, nonFatal: Set<RetryPolicy.Failure> = [], budgetPercent: Double? = nil,
        propagateCancellation: Bool = false
    ) {
        self.maxAttempts = maxAttempts
        self.delay = delay
        self.nonFatal = nonFatal
        self.budgetPercent = budgetPercent
        self.propagateCancellation = propagateCancellation
    }

    /// `nonFatal` as bits of `RetryPolicy.Failure.bit`, timeouts always included.
    var nonFatalMask: UInt8 { nonFatal.reduce(RetryPolicy.Failure.timeout.bit) { $0 | $1.bit } }
}
