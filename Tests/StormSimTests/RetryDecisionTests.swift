import Testing

@testable import StormSim

/// The retry decision is a pure function: the same inputs give the same answer, with no model around it.
@Suite struct RetryDecisionTests {
    let policy = RetryPolicy(
        timeout: .milliseconds(100), maxAttempts: 3, backoff: Backoff(kind: .constant, base: .milliseconds(50), max: .milliseconds(50)),
        jitter: .none, retryOn: [.timeout, .error], retryAfter: .replace, maxElapsed: .seconds(1))
    let all: UInt8 = RetryPolicy.Failure.timeout.bit | RetryPolicy.Failure.error.bit
    let t0 = SimTime.zero + .seconds(10)

    func decide(_ p: RetryPolicy, _ failure: RetryPolicy.Failure, sent: Int, now: SimTime, deadline: SimTime = .never,
                hint: SimDuration? = nil) -> RetryDecision {
        var draw = DrawKey.source(42, 7)
        return p.decide(after: failure, retryMask: all, attemptsSent: sent, now: now, started: t0, deadline: deadline,
                        hint: hint, previousSleep: 50e6, draw: &draw).decision
    }

    @Test func decisions() {
        #expect(decide(policy, .error, sent: 1, now: t0) == .retry(after: .milliseconds(50)))
        #expect(decide(policy, .rejected, sent: 1, now: t0) == .giveUp(.notRetryable))
        #expect(decide(policy, .timeout, sent: 3, now: t0) == .giveUp(.attempts))
        // Retry-After replaces the backoff.
        #expect(decide(policy, .error, sent: 1, now: t0, hint: .milliseconds(300)) == .retry(after: .milliseconds(300)))
        // maxElapsed: the retry would start 1.02 s after the first send.
        #expect(decide(policy, .error, sent: 1, now: t0 + .milliseconds(970)) == .giveUp(.elapsed))
        // A deadline: no retry starts at or after it.
        #expect(decide(policy, .error, sent: 1, now: t0, deadline: t0 + .milliseconds(50)) == .giveUp(.deadline))
        #expect(decide(policy, .error, sent: 1, now: t0, deadline: t0 + .milliseconds(51)) == .retry(after: .milliseconds(50)))
        // Deadline-aware: the retry must also finish (start + timeout) by the deadline.
        var aware = policy
        aware.deadlineAware = true
        #expect(decide(aware, .error, sent: 1, now: t0, deadline: t0 + .milliseconds(120)) == .giveUp(.deadline))
        #expect(decide(aware, .error, sent: 1, now: t0, deadline: t0 + .milliseconds(150)) == .retry(after: .milliseconds(50)))
    }

    /// Jittered decisions are keyed draws: the same key gives the same delay, and the previous sleep comes back.
    @Test func jitteredDecisionsAreRepeatable() {
        var p = policy
        p.jitter = .decorrelated
        p.backoff = Backoff(kind: .exponential, base: .milliseconds(10), max: .seconds(2))
        var a = DrawKey.source(9, 1), b = DrawKey.source(9, 1)
        let x = p.decide(after: .error, retryMask: all, attemptsSent: 2, now: t0, started: t0, deadline: .never, hint: nil, previousSleep: 10e6, draw: &a)
        let y = p.decide(after: .error, retryMask: all, attemptsSent: 2, now: t0, started: t0, deadline: .never, hint: nil, previousSleep: 10e6, draw: &b)
        #expect(x.decision == y.decision && x.previousSleep == y.previousSleep)
        #expect(x.previousSleep != 10e6)
    }
}
