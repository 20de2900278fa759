import Testing

@testable import StormSim

@Suite struct RandomTests {
    /// Reference outputs computed with the authors' C code (splitmix64.c, xoshiro256starstar.c).
    @Test func splitMix64MatchesReference() {
        var zero = SplitMix64(seed: 0)
        #expect([zero.next(), zero.next(), zero.next()] == [16294208416658607535, 7960286522194355700, 487617019471545679])
        var answer = SplitMix64(seed: 42)
        #expect([answer.next(), answer.next(), answer.next()] == [13679457532755275413, 2949826092126892291, 5139283748462763858])
    }

    @Test func xoshiro256StarStarMatchesReference() {
        var rng = Xoshiro256(state: (1, 2, 3, 4))
        #expect([rng.next(), rng.next(), rng.next(), rng.next()] == [11520, 0, 1509978240, 1215971899390074240])
        // Seeded through SplitMix64(7), as `init(seed:)` does.
        var seeded = Xoshiro256(seed: 7)
        #expect([seeded.next(), seeded.next(), seeded.next()] == [12923355070828475994, 5142052590334782674, 15488392906492639638])
    }

    @Test func streamsDependOnlyOnSeedAndLabel() {
        let streams = RandomStreams(seed: 5)
        var a1 = streams.stream("service/api/time")
        _ = streams.stream("service/db/time")  // creating another stream shifts nothing
        var a2 = RandomStreams(seed: 5).stream("service/api/time")
        #expect(a1.next() == a2.next())
        var b = streams.stream("service/db/time")
        var c = RandomStreams(seed: 6).stream("service/api/time")
        let x = a1.next()
        #expect(x != b.next())
        #expect(x != c.next())
        // FNV-1a reference values (the offset basis for "", and the published value for "a").
        #expect(RandomStreams.fnv1a("") == 0xCBF2_9CE4_8422_2325)
        #expect(RandomStreams.fnv1a("a") == 0xAF63_DC4C_8601_EC8C)
    }

    @Test func familyMembersAreDistinct() {
        let family = StreamFamily(streams: RandomStreams(seed: 1), label: "client/jitter")
        var seen = Set<UInt64>()
        for i in 0..<100 {
            for j in 0..<10 {
                var s = family.stream(UInt64(i), UInt64(j))
                seen.insert(s.next())
            }
        }
        #expect(seen.count == 1000)
        var again = family.stream(3, 4), original = family.stream(3, 4)
        #expect(again.next() == original.next())
    }

    @Test func unitDrawsAreInRangeAndUniform() {
        var rng = Xoshiro256(seed: 11)
        var buckets = [Int](repeating: 0, count: 10)
        let n = 100_000
        for _ in 0..<n {
            let u = rng.nextUnit()
            #expect(u >= 0 && u < 1)
            buckets[Int(u * 10)] += 1
        }
        // Chi-square with 9 degrees of freedom: the 99.9th percentile is 27.9.
        let expected = Double(n) / 10
        let chi2 = buckets.reduce(0.0) { $0 + (Double($1) - expected) * (Double($1) - expected) / expected }
        #expect(chi2 < 27.9)
    }

    @Test func nextIntIsUnbiasedAndBounded() {
        var rng = Xoshiro256(seed: 3)
        var counts = [Int](repeating: 0, count: 3)
        for _ in 0..<30_000 { counts[Int(rng.nextInt(below: 3))] += 1 }
        for c in counts { #expect(abs(c - 10_000) < 500) }  // sd is 82; 500 is six sd
    }

    /// Sample means of 200,000 draws against each distribution's mean. The standard error is sd / sqrt(n), at most
    /// 0.23% of the mean here (the exponential's sd equals its mean); 1.5% is more than six standard errors.
    @Test(arguments: [
        Distribution.constant(value: .milliseconds(7)),
        .exponential(mean: .milliseconds(10)),
        .uniform(min: .milliseconds(5), max: .milliseconds(15)),
        .normal(mean: .milliseconds(10), stddev: .milliseconds(2)),
        .normal(mean: .zero, stddev: .milliseconds(10)),  // folded: mean is sd * sqrt(2/pi)
        .lognormal(median: .milliseconds(10), sigma: 0.5),
    ])
    func sampleMeanMatchesDistributionMean(_ d: Distribution) {
        var rng = Xoshiro256(seed: 2024)
        let n = 200_000
        var sum = 0.0
        for _ in 0..<n {
            let x = d.sample(&rng)
            #expect(x.nanoseconds >= 0)
            sum += Double(x.nanoseconds)
        }
        #expect(relativeError(sum / Double(n), d.mean) < 0.015, "\(d): sample mean \(sum / Double(n)), expected \(d.mean)")
    }

    @Test func lognormalMedianIsTheMedian() {
        var rng = Xoshiro256(seed: 8)
        let d = Distribution.lognormal(median: .milliseconds(20), sigma: 1)
        let below = (0..<40_000).filter { _ in d.sample(&rng) < .milliseconds(20) }.count
        #expect(abs(below - 20_000) < 600)  // binomial sd is 100
    }

    @Test func extremeParametersSaturateInsteadOfTrapping() {
        var rng = Xoshiro256(seed: 1)
        let huge = Distribution.lognormal(median: SimDuration(nanoseconds: Int64.max / 2), sigma: 10)
        for _ in 0..<1000 { _ = huge.sample(&rng) }
        #expect(SimDuration(saturating: .infinity) == .max)
        #expect(SimDuration(saturating: .nan) == .zero)
        #expect(SimDuration(saturating: -5) == .zero)
        #expect(SimTime(nanoseconds: Int64.max - 1) + .seconds(5) == .never)
    }
}
