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

    /// Every rank's bucket, found from either end, is the first whose running count reaches the rank: checked
    /// against a plain walk up from bucket 0 for every rank of histograms with gaps, ties and a single value.
    @Test func everyRankFindsItsBucketFromEitherEnd() {
        var rng = Xoshiro256(seed: 21)
        for shape in 0..<6 {
            var h = Histogram()
            let n = [1, 2, 7, 100, 1_000, 2_001][shape]
            for _ in 0..<n {
                let v = rng.bernoulli(0.3) ? Int64(rng.nextInt(below: 300)) : Int64(rng.nextInt(below: 50_000_000))
                h.record(shape == 0 ? 12_345 : v)
            }
            for rank in 1...h.count {
                var seen: UInt64 = 0
                var expected = -1
                for i in 0..<Histogram.bucketCount {
                    seen += h.counts[i]
                    if seen >= rank { expected = i; break }
                }
                #expect(h.bucket(ofRank: rank) == expected, "\(n) values, rank \(rank)")
                if h.bucket(ofRank: rank) != expected { return }
            }
        }
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

    /// Merging and quantiles look only between the minimum's and the maximum's buckets: samples at both ends of
    /// far-apart ranges, and an empty histogram, must still come out exact.
    @Test func mergeAndQuantilesCoverTheEdgeBuckets() {
        var low = Histogram(), high = Histogram(), all = Histogram()
        for x: Int64 in [1_000, 1_500, 1_999, 2_000] { low.record(x); all.record(x) }
        for x: Int64 in [1_000_000, 1_700_000, 2_000_000] { high.record(x); all.record(x) }
        var merged = Histogram()
        merged.merge(Histogram())
        #expect(merged.count == 0 && merged.quantile(0.5).isNaN)
        merged.merge(high)
        merged.merge(low)
        merged.merge(Histogram())
        #expect(merged.counts == all.counts && merged.count == 7)
        #expect(merged.nonEmptyBuckets.map(\.0) == all.counts.indices.filter { all.counts[$0] > 0 })
        #expect(merged.quantile(1) == 2_000_000)
        #expect(abs(merged.quantile(1.0 / 7) - 1_000) < 1_000 / 128)
        #expect(abs(merged.quantile(5.0 / 7) - 1_000_000) < 1_000_000 / 128)
    }
}

/// The per-row percentiles of the time series agree with a whole histogram of the same row, and rows do not leak
/// into each other.
@Suite struct IntervalPercentilesTests {
    @Test func agreesWithAHistogramOfTheRow() {
        var rng = Xoshiro256(seed: 7)
        var rows = IntervalPercentiles()
        for row in 0..<5 {
            var whole = Histogram()
            let n = 1 + row * 997
            for _ in 0..<n {
                let v = Int64(rng.nextUnit() * Double(1 << (10 + row * 5)))
                whole.record(v)
                rows.record(v, row: row)
            }
            #expect(rows.row == row)
            // The general form and the one the simulator calls per row, on alternate rows.
            let q = row % 2 == 0 ? rows.take([0.5, 0.99]) : { let t = rows.takeMedianAndP99(); return [t.p50, t.p99] }()
            #expect(q == [whole.quantile(0.5), whole.quantile(0.99)], "row \(row)")
            #expect(rows.isEmpty)
        }
        #expect(rows.take([0.5]).allSatisfy { $0.isNaN })
        #expect(rows.takeMedianAndP99().p50.isNaN && rows.takeMedianAndP99().p99.isNaN)
    }

    @Test func timeSeriesRowsHoldTheirOwnPercentiles() throws {
        // Constant 10 ms service, no queueing for the first 10 s; from 10 s each request waits behind a slowdown.
        let s = try scenario("""
            { "name": "p", "duration": "20s",
              "clients": { "count": 10, "target": "s", "arrival": { "type": "poisson", "rate": 5 } },
              "services": [ { "name": "s", "workers": 100, "serviceTime": { "dist": "constant", "value": "10ms" },
                              "faults": [ { "type": "slowdown", "from": "10s", "to": "20s", "factor": 3 } ] } ] }
            """)
        let r = Runner.run(s)
        let header = r.seriesHeader
        let p50 = header.firstIndex(of: "latency_p50_ms")!, p99 = header.firstIndex(of: "latency_p99_ms")!
        #expect(p50 == header.firstIndex(of: "latency_mean_ms")! + 1 && p99 == p50 + 1)
        for row in 0..<20 {
            let expected = row < 10 ? 10.0 : 30.0
            #expect(abs(r.seriesRows.cell(row, p50) - expected) < 0.1, "row \(row)")
            #expect(abs(r.seriesRows.cell(row, p99) - expected) < 0.1, "row \(row)")
        }
    }
}
