/// Why a request stops without success.
enum GiveUp: String, Sendable {
    case attempts, budget, breaker, throttled, elapsed, deadline, notRetryable = "not-retryable", overflow
}

/// What a caller does after a failed attempt: retry after a delay, or give up for a reason.
enum RetryDecision: Equatable, Sendable {
    case retry(after: SimDuration)
    case giveUp(GiveUp)
}

extension RetryPolicy {
    /// The retry decision, as a pure function of the failure and the request's history: classification, the
    /// attempts left, the backoff with its jitter (a keyed draw, so the same retry draws the same in every
    /// variant), the Retry-After hint, the elapsed-time limit and the deadline. Budgets are stateful and are asked
    /// by the caller after a `.retry` (a budget refusal turns it into giving up).
    /// - Parameters:
    ///   - retryMask: `retryOn` as bits (`Failure.bit`), computed once per caller.
    ///   - attemptsSent: attempts of this request so far, the failed one included.
    ///   - previousSleep: the previous backoff in ns (decorrelated jitter grows from it); returns the new one.
    /// - Returns: the decision and the backoff to remember for the next retry.
    func decide<R: RandomSource>(
        after failure: Failure, retryMask: UInt8, attemptsSent: Int, now: SimTime, started: SimTime, deadline: SimTime,
        hint: SimDuration?, previousSleep: Double, draw: inout R
    ) -> (decision: RetryDecision, previousSleep: Double) {
        guard retryMask & failure.bit != 0 else { return (.giveUp(.notRetryable), previousSleep) }
        guard attemptsSent < maxAttempts else { return (.giveUp(.attempts), previousSleep) }
        var previous = previousSleep
        var delay = RetryPolicy.retryDelay(
            backoff: backoff, jitter: jitter, retry: attemptsSent, after: failure, previous: &previous, rng: &draw)
        if let hint {
            switch retryAfter {
            case .ignore: break
            case .replace: delay = hint
            case .atLeast: delay = max(delay, hint)
            case .clamped: delay = RetryAfter.clamp(hint, backoff: delay)
            }
        }
        if let limit = maxElapsed, (now + delay) - started > limit { return (.giveUp(.elapsed), previous) }
        // No retry starts after the deadline; a deadline-aware policy also skips one that could not finish.
        if deadline < .never {
            let start = now + delay
            let finish = deadlineAware ? start + (timeout ?? .zero) : start
            if start >= deadline || finish > deadline { return (.giveUp(.deadline), previous) }
        }
        return (.retry(after: delay), previous)
    }
}
