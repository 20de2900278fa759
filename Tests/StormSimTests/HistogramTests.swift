import Testing

@testable import StormSim

@Suite struct HistogramTests {
    @Test func bucketsCoverEveryValueWithBoundedWidth() {
        var previousHigh: Int64 = -1
        for i in 0..<Histogram.bucketCount {
            let (low, high) = Histogram.range(ofBucket: i)
            #expect(low == previousHigh + 1, "bucket \(i) starts at \(low), previous ended at \(previousHigh)")
            #expect(Double(high - low) <= Double(low) / 128 + 1)
            #expect(Histogram.index(of: low) == i && Histogram.index(of: high) == i)
            previousHigh = high
        }
        #expect(previousHigh == Int64.max)
    }

    /// Quantiles of 100,000 log-normal samples against the exact nearest-rank quantiles of the same samples.
    @Test func quantilesWithinOnePercentOfExact() {
        var rng = Xoshiro256(seed: 12)
        let d = Distribution.lognormal(median: .milliseconds(30), sigma: 1.5)
        var samples: [Int64] = []
        var h = Histogram()
        for _ in 0..<100_000 {
            let x = d.sample(&rng).nanoseconds
            samples.append(x)
            h.record(x)
        }
        samples.sort()
        for q in [0.001, 0.1, 0.5, 0.9, 0.99, 0.999, 1.0] {
            let rank = Int((q * Double(samples.count)).rounded(.up))
            let exact = Double(samples[max(0, rank - 1)])
            #expect(relativeError(h.quantile(q), exact) <= 0.01, "q \(q): \(h.quantile(q)) vs \(exact)")
        }
        #expect(h.quantile(1.0) == Double(samples.last!))
        #expect(h.count == 100_000)
    }

    @Test func smallValuesAreExact() {
        var h = Histogram()
        for v in [3, 1, 2, 2, 200] as [Int64] { h.record(v) }
        #expect(h.quantile(0.2) == 1)
        #expect(h.quantile(0.6) == 2)
        #expect(h.quantile(0.8) == 3)
        #expect(h.quantile(1) == 200)
        #expect(h.mean == 41.6)
        #expect(Histogram().quantile(0.5).isNaN)
    }

    @Test func mergeEqualsRecordingEverything() {
        var rng = Xoshiro256(seed: 5)
        var a = Histogram(), b = Histogram(), all = Histogram()
        for i in 0..<10_000 {
            let x = Int64(rng.nextInt(below: 1 << 40))
            if i % 3 == 0 { a.record(x) } else { b.record(x) }
            all.record(x)
        }
        var merged = b
        merged.merge(a)
        #expect(merged.counts == all.counts && merged.count == all.count && merged.min == all.min && merged.max == all.max)
        #expect(merged.quantile(0.99) == all.quantile(0.99))
    }
}
