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

    /// The AWS SDKs since 2026: a throttle backs off from 1 s, other failures from 50 ms (full jitter: U[0,1) times
    /// min(base x 2^(n-1), 20 s)), and x-amz-retry-after counts within [backoff, backoff + 5 s].
    @Test func aws2026BacksOffByFailureAndClampsRetryAfter() throws {
        var p = policy
        p.maxAttempts = 3
        p.maxElapsed = nil
        p.jitter = .full
        p.backoff = Backoff(kind: .exponential, base: .milliseconds(50), multiplier: 2, max: .seconds(20), throttleBase: .seconds(1))
        p.retryAfter = .clamped
        let mask = all | RetryPolicy.Failure.throttled.bit
        func delay(_ failure: RetryPolicy.Failure, sent: Int, hint: SimDuration? = nil, key: UInt64) -> Int64 {
            var draw = DrawKey.source(key, 3)
            guard case .retry(let d) = p.decide(after: failure, retryMask: mask, attemptsSent: sent, now: t0, started: t0,
                                                 deadline: .never, hint: hint, previousSleep: 50e6, draw: &draw).decision
            else { Issue.record("no retry"); return -1 }
            return d.nanoseconds
        }
        // The same draw scaled by each base: U x 50 ms x 2 against U x 1 s x 2 for the second retry.
        for key in UInt64(1)...50 {
            var u = DrawKey.source(key, 3)
            let unit = u.nextUnit()
            #expect(abs(Double(delay(.error, sent: 2, key: key)) - unit * 100e6) <= 1)
            #expect(abs(Double(delay(.throttled, sent: 2, key: key)) - unit * 2e9) <= 1)
            #expect(abs(Double(delay(.timeout, sent: 1, key: key)) - unit * 50e6) <= 1)
        }
        // Retry-After: taken when between the backoff and 5 s more, else clamped to that range.
        let backoff = delay(.throttled, sent: 1, key: 7)
        #expect(delay(.throttled, sent: 1, hint: .seconds(3), key: 7) == max(backoff, 3_000_000_000))
        #expect(delay(.throttled, sent: 1, hint: .seconds(60), key: 7) == backoff + 5_000_000_000)
        #expect(delay(.throttled, sent: 1, hint: .zero, key: 7) == backoff)
    }
}
