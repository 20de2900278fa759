/// How a service's instances crash and come back (service key `crash`).
///
/// An instance crashes when the attempts it holds (queued and in service, a proxy for the memory of work held)
/// stay above `heldAbove` for `for`. A crash loses that work: its callers see a reset at once (an error, retried
/// as `error`) or nothing (they time out), as `lose` says; attempts that arrive while it is down get the same.
/// It restarts after a delay as Kubernetes' CrashLoopBackOff sets it: `delay` (10 s), doubled after each crash up
/// to `maxDelay` (300 s), back to `delay` once it has run `resetAfter` (10 min) without crashing; `jitter` j
/// shortens each delay by a uniform share up to j (0: none, as Kubernetes; 1: full jitter). After a start it is
/// slow at first: service times are multiplied by `warmup.factor`, decaying linearly to 1 over `warmup.period`.
public struct Crash: Equatable, Sendable {
    public enum Lose: String, Sendable, CaseIterable { case reset, timeout }

    public var heldAbove: Int
    public var holdFor: SimDuration = .zero
    public var lose: Lose = .reset
    public var delay: SimDuration = .seconds(10)
    public var maxDelay: SimDuration = .seconds(300)
    public var resetAfter: SimDuration = .seconds(600)
    public var jitter: Double = 0
    public var warmupFactor: Double = 1
    public var warmupPeriod: SimDuration = .zero

    public init(heldAbove: Int) { self.heldAbove = heldAbove }

    /// The delay before restart number `n` (1 for the first restart after a run of crashes), before jitter:
    /// delay x 2^(n-1), at most maxDelay.
    public func backoff(restart n: Int) -> SimDuration {
        let ns = Double(delay.nanoseconds) * PortableMath.power(2, max(0, n - 1))
        return SimDuration(saturating: min(ns, Double(maxDelay.nanoseconds)))
    }
}
