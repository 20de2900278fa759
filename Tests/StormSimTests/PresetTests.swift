import Testing

@testable import StormSim

@Suite struct PresetTests {
    func policy(_ json: String) throws -> RetryPolicy {
        try scenario(ScenarioDecoderTests.minimal.replacingOccurrences(
            of: #""arrival": { "type": "burst" }"#, with: #""arrival": { "type": "burst" }, "policy": \#(json)"#)).clients.policy
    }

    @Test func everyPresetDecodesAndNamesItsSource() throws {
        #expect(Preset.all.count == 18)
        for preset in Preset.all {
            let p = try policy(#"{ "preset": "\#(preset.name)" }"#)
            #expect(p.preset == preset.name)
            #expect(!preset.source.isEmpty && !preset.summary.isEmpty)
        }
    }

    /// The traps the presets must reproduce (policies.md).
    @Test func presetsKeepTheirTraps() throws {
        var rng = Xoshiro256(seed: 1)
        var previous = 0.0
        // cenkalti/backoff: capped at 60 s before randomisation, so delays reach 90 s.
        let cenkalti = try policy(#"{ "preset": "cenkalti-backoff" }"#)
        let longest = (0..<2000).map { _ in cenkalti.retryDelay(retry: 50, previous: &previous, rng: &rng).seconds }.max()!
        #expect(longest > 85 && longest <= 90)
        // aws-legacy: no cap (2^(n-1) s keeps growing); aws-standard caps at 20 s.
        #expect(try policy(#"{ "preset": "aws-legacy" }"#).backoff.delay(retry: 10) == 512e9)
        #expect(try policy(#"{ "preset": "aws-standard" }"#).backoff.delay(retry: 10) == 20e9)
        // gRPC today multiplies by U[0.8, 1.2); before 2024 it drew U[0, cur).
        #expect(try policy(#"{ "preset": "grpc" }"#).jitter == .proportional(fraction: 0.2))
        #expect(try policy(#"{ "preset": "grpc-legacy" }"#).jitter == .full)
        #expect(try !policy(#"{ "preset": "grpc" }"#).retryOn.contains(.timeout))
        // go-retryablehttp: no jitter, and Retry-After replaces the delay.
        let retryable = try policy(#"{ "preset": "go-retryablehttp" }"#)
        #expect(retryable.jitter == .none && retryable.retryAfter == .replace && retryable.maxAttempts == 5)
        // Finagle's decorrelated jitter never shrinks.
        #expect(try policy(#"{ "preset": "finagle" }"#).jitter == .decorrelatedFinagle)
        // gobreaker: 6 consecutive failures (ReadyToTrip is "more than 5").
        #expect(try policy(#"{ "preset": "gobreaker" }"#).breaker?.breaker.trip == .consecutive(failures: 6))
        // aws-standard-2026: 50 ms after errors and timeouts, 1 s after throttles, 14 tokens a retry and 5 after a
        // throttle, Retry-After clamped.
        let aws2026 = try policy(#"{ "preset": "aws-standard-2026" }"#)
        #expect(aws2026.maxAttempts == 3 && aws2026.retryAfter == .clamped)
        #expect(aws2026.backoff.base == .milliseconds(50) && aws2026.backoff.throttleBase == .seconds(1))
        #expect(aws2026.backoff.delay(retry: 3, base: aws2026.backoff.base(after: .throttled)) == 4e9 && aws2026.backoff.delay(retry: 3) == 200e6)
        guard case .tokenBucket(let quota) = aws2026.budgets.first?.budget else { Issue.record("no quota"); return }
        #expect(quota.capacity == 500 && quota.cost(after: .error) == 14 && quota.cost(after: .timeout) == 14)
        #expect(quota.cost(after: .throttled) == 5 && quota.refundLastRetryOnSuccess)
        // aws-adaptive builds on aws-standard.
        let adaptive = try policy(#"{ "preset": "aws-adaptive" }"#)
        #expect(adaptive.rateLimiter?.limiter.adaptive == true && adaptive.budgets.count == 1 && adaptive.maxAttempts == 3)
    }

    @Test func keysBesidePresetOverrideAndObjectsMerge() throws {
        let p = try policy(#"{ "preset": "aws-standard", "maxAttempts": 7, "budget": { "scope": "global" }, "backoff": { "max": "5s" } }"#)
        #expect(p.maxAttempts == 7)
        #expect(p.budgets[0].scope == .global)
        guard case .tokenBucket(let b) = p.budgets[0].budget else { Issue.record("not a token bucket"); return }
        #expect(b.capacity == 500 && b.costPerRetry == 5)  // merged, not replaced
        #expect(p.backoff.max == .seconds(5) && p.backoff.base == .seconds(1))
        // A different type replaces the preset's object.
        let q = try policy(#"{ "preset": "aws-standard", "budget": { "type": "ratio" } }"#)
        #expect(q.budgets[0].budget == .ratio(ratio: 0.2, minPerSecond: 10, window: .seconds(10)))
    }

    @Test func finagleDecorrelatedJitterNeverShrinks() {
        let backoff = Backoff(kind: .exponential, base: .milliseconds(5), multiplier: 2, max: .milliseconds(200))
        var rng = Xoshiro256(seed: 9)
        var previous = 5e6
        for _ in 0..<1000 {
            let before = previous
            let x = Jitter.decorrelatedFinagle.apply(delay: 0, backoff: backoff, previous: &previous, rng: &rng)
            #expect(x >= before && x <= max(before, 200e6))
        }
    }
}
