import Testing

@testable import StormSim

@Suite struct SweepTests {
    /// A fake run result with one metric and a one-row time series.
    func result(_ x: Double, latencies: [Int64] = [], series: Double = 0) -> RunResult {
        var h = Histogram()
        for l in latencies { h.record(l) }
        return RunResult(
            scenario: "s", variant: "v", seed: 1,
            summary: [("scenario", .text("s")), ("variant", .text("v")), ("seed", .text("1")), ("amplification", .number(x))],
            seriesHeader: ["time_s", "attempts"], seriesRows: [[0, series]], latency: h, events: 1, interrupted: false)
    }

    func set(variants: Int) -> ScenarioSet {
        let s = Scenario(name: "s", duration: .seconds(1),
            clients: Clients(count: 1, target: "a", arrival: .burst(at: .zero, spread: .zero), policy: .noRetries),
            services: [Service(name: "a", workers: 1, queueCapacity: 1, serviceTime: .constant(value: .zero))])
        return ScenarioSet(name: "s", variedPaths: [], variants: (0..<variants).map { Variant(name: "v\($0)", parameters: [], scenario: s) })
    }

    @Test func studentTQuantiles() {
        #expect(StudentT.quantile975(df: 1) == 12.706205)
        #expect(StudentT.quantile975(df: 4) == 2.776445)
        #expect(StudentT.quantile975(df: 30) == 2.042272)
        #expect(abs(StudentT.quantile975(df: 40) - 2.021075) < 1e-4)
        #expect(abs(StudentT.quantile975(df: 120) - 1.979930) < 1e-5)
        #expect(abs(StudentT.quantile975(df: 100_000) - 1.959988) < 1e-5)  // not yet the normal 1.959964
    }

    /// Four replications with amplification 1, 2, 3, 4: mean 2.5, sample sd sqrt(5/3) = 1.290994, and the 95%
    /// interval half-width t(0.975, 3) * sd / sqrt(4) = 3.182446 * 1.290994 / 2 = 2.054260.
    @Test func confidenceIntervalOfAHandComputedExample() {
        let agg = Aggregator(set: set(variants: 1), replications: 4)
        for (i, x) in [1.0, 2, 3, 4].enumerated() { agg.add(result(x, latencies: [Int64(x) * 1_000_000], series: x), job: i) }
        #expect(agg.complete)
        let out = agg.finished[0]!
        func cell(_ c: String) -> Double? { out.summary.first { $0.column == c }?.value.numericValue }
        #expect(cell("amplification_mean") == 2.5)
        #expect(abs(cell("amplification_ci95")! - 2.054260) < 1e-6)
        #expect(cell("replications") == 4)
        // Latency percentiles pooled from the merged histograms of all four runs: 1, 2, 3, 4 ms.
        #expect(abs(cell("latency_p50_ms")! - 2) < 0.01)  // a bucket midpoint, within 0.4%
        #expect(cell("latency_max_ms") == 4)
        #expect(out.seriesRows == [[0, 2.5]])  // the time series is the mean over replications
    }

    /// Results arriving in any order fold into the same bytes.
    @Test func arrivalOrderDoesNotMatter() {
        let values = (0..<12).map { 1.0 / Double($0 + 3) }
        func run(_ order: [Int]) -> String {
            var rows: [String] = []
            let agg = Aggregator(set: set(variants: 3), replications: 4) { rows.append($0) }
            for j in order { agg.add(result(values[j], series: values[j]), job: j) }
            return agg.finished.map { "\($0!.summary.map(\.value.text))\($0!.seriesRows)" }.joined() + rows.joined()
        }
        var rng = Xoshiro256(seed: 4)
        let inOrder = run(Array(0..<12))
        for _ in 0..<20 {
            var order = Array(0..<12)
            for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, Int(rng.nextInt(below: UInt64(i + 1)))) }
            #expect(run(order) == inOrder)
        }
    }

    @Test func everyJobFallsInExactlyOneShard() {
        let jobs = Replications.jobs(variants: 7, replications: 5)
        #expect(jobs.map(\.index) == Array(0..<35))
        for n in [1, 2, 3, 4, 8, 35, 50] {
            let shards = (1...n).map { Shard(k: $0, n: n) }
            for job in jobs { #expect(shards.filter { $0.contains(job) }.count == 1) }
        }
        #expect(Shard("2/4") == Shard(k: 2, n: 4))
        for bad in ["0/4", "5/4", "2", "a/b", "2/0", "-1/3"] { #expect(Shard(bad) == nil, "\(bad)") }
    }

    @Test func replicationZeroIsThePlainRun() {
        #expect(Replications.seed(base: 42, replication: 0) == 42)
        let seeds = Set((0..<100).map { Replications.seed(base: 42, replication: $0) })
        #expect(seeds.count == 100)
    }

    @Test func rangesExpand() throws {
        let context = DecodeContext()
        func expand(_ json: String) -> [JSONValue]? {
            VariantExpansion.expandRange(try! JSONParser.parse(json), at: .root, context: context)
        }
        #expect(expand(#"{"from": 0.05, "to": 0.3, "step": 0.05}"#) == [0.05, 0.1, 0.15, 0.2, 0.25, 0.3].map { .number($0) })
        #expect(expand(#"{"from": 1, "to": 1000, "count": 4, "scale": "log"}"#) == [1, 10, 100, 1000].map { .number($0) })
        #expect(expand(#"{"from": "100ms", "to": "1s", "step": "300ms"}"#) == ["100ms", "400ms", "700ms", "1s"].map { .string($0) })
        #expect(expand(#"{"from": "1ms", "to": "1s", "count": 4, "scale": "log"}"#) == ["1ms", "10ms", "100ms", "1s"].map { .string($0) })
        #expect(expand(#"{"from": "100ms", "to": "10s", "count": 5, "scale": "log"}"#) == ["100ms", "316ms", "1s", "3.16s", "10s"].map { .string($0) })
        #expect(expand(#"{"from": 2, "to": 4, "count": 3}"#) == [2, 3, 4].map { .number($0) })
        #expect(context.issues.isEmpty)
        #expect(expand(#"{"from": 0, "to": 10, "count": 3, "scale": "log"}"#) == nil)
        #expect(expand(#"{"from": 1, "to": 1e9, "step": 1}"#) == nil)
        #expect(expand(#"{"from": 1, "to": "10s", "step": 1}"#) == nil)
        #expect(expand(#"{"from": 1, "to": 2}"#) == nil)
        #expect(context.issues.map(\.message) == [
            "a log-scale range needs from and to above zero", "makes 1e9 values; at most 10000",
            "from and to must both be numbers or both be durations such as \"10ms\"", "a range needs \"step\" or \"count\"",
        ])
    }

    @Test func expectationsReportViolations() throws {
        let text = ScenarioDecoderTests.minimal.replacingOccurrences(
            of: #"{ "name": "m","#, with: #"{ "name": "m", "expect": { "success_rate": { "min": 0.99 }, "amplification": { "max": 1.5 } },"#)
        let s = try ScenarioDecoder.decodeSet(text: text, file: "e.json")
        let ok = Aggregator.VariantOutput(summary: [], seriesHeader: [], seriesRows: [], means: ["success_rate": (1, .nan), "amplification": (1, .nan)])
        #expect(ExpectationCheck.violations([ok], set: s).isEmpty)
        let bad = Aggregator.VariantOutput(summary: [], seriesHeader: [], seriesRows: [], means: ["success_rate": (0.9, 0.01), "amplification": (.nan, .nan)])
        #expect(ExpectationCheck.violations([bad], set: s).map(\.description) == [
            "base: success_rate = 0.9 (95% CI ± 0.01), expected >= 0.99", "base: amplification = , expected <= 1.5",
        ])
        // "recovered": true is shorthand for a minimum of 1 (the issue's own example of a CI gate).
        let gate = try ScenarioDecoder.decodeSet(text: ScenarioDecoderTests.minimal.replacingOccurrences(
            of: #"{ "name": "m","#, with: #"{ "name": "m", "expect": { "recovered": true, "dropped": false },"#), file: "g.json")
        #expect(gate.variants[0].scenario.expectations == [
            Expectation(metric: "recovered", min: 1, max: nil), Expectation(metric: "dropped", min: nil, max: 0),
        ])
        let stuck = Aggregator.VariantOutput(summary: [], seriesHeader: [], seriesRows: [], means: ["recovered": (0, .nan), "dropped": (0, .nan)])
        #expect(ExpectationCheck.violations([stuck], set: gate).map(\.description) == ["base: recovered = 0, expected >= 1"])
        let typo = text.replacingOccurrences(of: "success_rate", with: "sucess_rate")
        #expect(issues(typo) == [#"expect.sucess_rate: unknown metric; did you mean "success_rate"?"#])
    }

    /// The metric names the decoder accepts in `expect` are exactly the summary's metric columns.
    @Test func metricColumnsMatchTheSummary() throws {
        let r = Runner.run(try scenario(ScenarioDecoderTests.minimal))
        #expect(Array(r.summary[r.firstMetricIndex...].map(\.column)) == Runner.metricColumns(services: ["api"]))
    }

    /// Runs store only the rows they reach; the replication means are nevertheless those of every row, bit for
    /// bit: each cell's values added in replication order (NaN skipped), as if every run had stored every row.
    /// time_s is not a mean: every run has the same.
    @Test func meansOfRunsThatStopAtDifferentRowsAreThoseOfEveryRow() throws {
        let base = try scenario("""
            { "name": "herd", "seed": 7, "duration": "30s", "metrics": { "interval": "100ms" },
              "clients": { "count": 300, "target": "api", "arrival": { "type": "burst", "at": "1s", "spread": "0s" },
                "policy": { "timeout": "50ms", "maxAttempts": 6, "jitter": "full",
                  "backoff": { "type": "exponential", "base": "20ms", "multiplier": 2, "max": "2s" } } },
              "services": [ { "name": "api", "workers": 3, "queue": { "capacity": 50 },
                "serviceTime": { "dist": "exponential", "mean": "10ms" } } ] }
            """)
        let replications = 5
        let runs = (0..<replications).map { k -> RunResult in
            var s = base
            s.seed = Replications.seed(base: base.seed, replication: k)
            return Runner.run(Variant(name: "v", parameters: [], scenario: s))
        }
        let stored = runs.map(\.seriesRows.storedCount)
        #expect(stored.allSatisfy { $0 < 300 } && Swift.Set(stored).count > 1, "runs should stop early, at different rows: \(stored)")
        let sweep = ScenarioSet(name: "herd", variedPaths: [], variants: [Variant(name: "v", parameters: [], scenario: base)])
        let agg = Aggregator(set: sweep, replications: replications)
        for (k, r) in runs.enumerated() { agg.add(r, job: k) }
        let out = try #require(agg.finished.first ?? nil)
        let rows = runs.map { Array($0.seriesRows) }
        #expect(out.seriesRows.count == 300 && rows.allSatisfy { $0.count == 300 })
        for row in 0..<300 {
            // time_s is each row's start, the same in every run, and kept as it is.
            let start = Double(row) / 10
            #expect(out.seriesRows.cell(row, 0) == start && rows.allSatisfy { $0[row][0] == start }, "row \(row)")
            for c in 1..<out.seriesRows.width {
                var sum = 0.0, n = 0
                for r in rows where !r[row][c].isNaN { sum += r[row][c]; n += 1 }
                let expected = n == 0 ? Double.nan : sum / Double(n)
                let got = out.seriesRows.cell(row, c)
                #expect(got.bitPattern == expected.bitPattern || (got.isNaN && expected.isNaN), "row \(row), column \(c)")
                if !(got.bitPattern == expected.bitPattern || (got.isNaN && expected.isNaN)) { return }
            }
        }
    }
}

extension JSONValue: ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral {
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(integerLiteral value: Int) { self = .number(Double(value)) }

}
