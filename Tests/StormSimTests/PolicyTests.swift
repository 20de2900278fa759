import Testing

@testable import StormSim

@Suite struct PolicyTests {
    let ms = 1e6

    @Test func backoffKindsFollowTheirFormulas() {
        let exp = Backoff(kind: .exponential, base: .milliseconds(100), multiplier: 2, max: .seconds(10))
        #expect((1...5).map { exp.delay(retry: $0) / ms } == [100, 200, 400, 800, 1600])
        #expect(exp.delay(retry: 8) / ms == 10_000)  // 12.8 s capped at 10 s
        let lin = Backoff(kind: .linear, base: .milliseconds(50), multiplier: 2, max: .milliseconds(120))
        #expect((1...4).map { lin.delay(retry: $0) / ms } == [50, 100, 120, 120])
        let constant = Backoff(kind: .constant, base: .milliseconds(30), multiplier: 9, max: .seconds(1))
        #expect((1...3).map { constant.delay(retry: $0) / ms } == [30, 30, 30])
    }

    @Test func cappedBackoffStaysCappedForAnyAttempt() {
        let b = Backoff(kind: .exponential, base: .seconds(1), multiplier: 1e6, max: .seconds(30))
        for n in [1, 2, 10, 1000, 1_000_000, Int.max / 2] {
            #expect(b.delay(retry: n) <= 30e9)
        }
        #expect(b.delay(retry: Int.max / 2) == 30e9)
    }

    /// Each jitter's draws stay within its bounds, and their mean matches the formula. 100,000 draws of a
    /// uniform over a width w have a standard error of w / sqrt(12 n) = 0.09% of w; 1% is ten of them.
    @Test func jitterBoundsAndMeans() {
        let backoff = Backoff(kind: .exponential, base: .milliseconds(100), multiplier: 2, max: .seconds(10))
        let d = 800 * ms
        let cases: [(Jitter, ClosedRange<Double>, Double)] = [
            (.none, d...d, d),
            (.full, 0...d, d / 2),
            (.equal, (d / 2)...d, 0.75 * d),
            (.proportional(fraction: 0.25), (0.75 * d)...(1.25 * d), d),
        ]
        for (jitter, bounds, mean) in cases {
            var rng = Xoshiro256(seed: 17)
            var previous = 0.0
            var sum = 0.0
            let n = 100_000
            for _ in 0..<n {
                let x = jitter.apply(delay: d, backoff: backoff, previous: &previous, rng: &rng)
                #expect(bounds.contains(x), "\(jitter): \(x) outside \(bounds)")
                sum += x
            }
            #expect(abs(sum / Double(n) - mean) <= 0.01 * d, "\(jitter): mean \(sum / Double(n)), expected \(mean)")
        }
    }

    /// Decorrelated jitter: each sleep is in [base, min(cap, 3 * previous)), and from previous = base its first
    /// draw has mean 2 * base.
    @Test func decorrelatedJitterBoundsAndFirstMean() {
        let backoff = Backoff(kind: .exponential, base: .milliseconds(5), multiplier: 2, max: .seconds(2))
        let base = 5 * ms
        var rng = Xoshiro256(seed: 4)
        var firstSum = 0.0
        for _ in 0..<50_000 {
            var previous = base
            let first = Jitter.decorrelated.apply(delay: 0, backoff: backoff, previous: &previous, rng: &rng)
            #expect(first >= base && first < 3 * base)
            firstSum += first
            for _ in 0..<20 {
                let before = previous
                let x = Jitter.decorrelated.apply(delay: 0, backoff: backoff, previous: &previous, rng: &rng)
                #expect(x >= base && x <= min(2000 * ms, 3 * before))
                #expect(previous == x)
            }
        }
        #expect(abs(firstSum / 50_000 - 2 * base) < 0.01 * base)
    }
}
