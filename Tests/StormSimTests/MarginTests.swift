import Foundation
import Testing

@testable import StormSim

/// `stormsim margin`: the search, a closed-form tipping size, and the bundled metastable storm.
@Suite struct MarginTests {
    func points(_ variant: Variant, _ trigger: Margin.Trigger, replications: Int, scale: Margin.Scale = .duration) -> (Double) -> Margin.Point {
        { size in
            let s = scale == .duration ? Margin.scaled(variant.scenario, trigger, duration: size) : Margin.scaled(variant.scenario, trigger, magnitude: size)
            let set = ScenarioSet(name: "m", variedPaths: [], variants: [Variant(name: variant.name, parameters: [], scenario: s)])
            let results = BatchRunner.results((0..<replications).map { Replications.Job(variant: 0, replication: $0, index: $0) }, of: set, workers: 2)
            return Margin.Point(size: size, recovered: results.filter { $0.value("recovered") == 1 }.count, n: replications)
        }
    }

    @Test func searchBracketsAStep() {
        let curve = Margin.search(start: 1, maxSize: 100, minSize: 0.01, steps: 10) { size in
            Margin.Point(size: size, recovered: size < 3.3 ? 20 : 0, n: 20)
        }
        let t = try! #require(curve.tipping)
        #expect(abs(t.estimate - 3.3) < 0.01 && t.low <= 3.3 && t.high >= 3.3 && t.high - t.low < 0.01)
        // Doubling found the bracket [2, 4] (1 and 2 recover, 4 does not); bisection halved it ten times.
        #expect(curve.points.count == 13 && curve.points.map(\.size).contains(4) && !curve.points.map(\.size).contains(8))
        let never = Margin.search(start: 1, maxSize: 8, minSize: 0.01, steps: 3) { Margin.Point(size: $0, recovered: 5, n: 5) }
        #expect(never.tipping == nil && !never.downAtSmallest && never.points.map(\.size) == [1, 2, 4, 8])
        let always = Margin.search(start: 1, maxSize: 8, minSize: 0.25, steps: 3) { Margin.Point(size: $0, recovered: 0, n: 5) }
        #expect(always.tipping == nil && always.downAtSmallest)
        // Wilson's interval for 8 of 8 and 0 of 8.
        #expect(abs(Margin.Point(size: 1, recovered: 8, n: 8).interval.low - 0.6756) < 0.001)
        #expect(abs(Margin.Point(size: 1, recovered: 0, n: 8).interval.high - 0.3244) < 0.001)
    }

    /// A deterministic queue at full utilization: requests every 10 ms (a trace), one worker taking exactly 10 ms,
    /// a 1 s timeout, retries. An outage of d leaves a backlog of 100·d requests that never drains (arrivals equal
    /// service), so every later request waits d, and its answer comes d + 10 ms after it was sent: the system
    /// stays down exactly when d + 10 ms > 1 s. The tipping duration is 0.99 s.
    @Test func aDeterministicBacklogTipsExactlyAtTheTimeoutLessTheServiceTime() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("margin-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let rows = (0..<9000).map { String(format: "%.2f", Double($0) * 0.01) }
        try ("time_s\n" + rows.joined(separator: "\n") + "\n").write(to: dir.appendingPathComponent("steady.csv"), atomically: true, encoding: .utf8)
        let file = dir.appendingPathComponent("backlog.json")
        try """
            {"name": "backlog", "duration": "90s",
             "clients": {"count": 100, "target": "api", "arrival": {"type": "trace", "file": "steady.csv"},
                         "policy": {"timeout": "1s", "maxAttempts": 10, "jitter": "none", "backoff": {"type": "constant", "base": "1ms", "max": "1ms"}}},
             "services": [{"name": "api", "workers": 1, "queue": {"capacity": 100000}, "serviceTime": {"dist": "constant", "value": "10ms"},
                           "faults": [{"type": "capacity", "from": "30s", "to": "31s", "workers": 0}]}]}
            """.write(to: file, atomically: true, encoding: .utf8)
        let variant = try ScenarioDecoder.loadSet(file: file.path).variants[0]
        let trigger = try #require(Margin.triggers(variant.scenario).first)
        #expect(trigger.what == "a capacity cut of api" && trigger.duration == 1)
        let curve = Margin.search(start: 0.5, maxSize: 4, minSize: 0.01, steps: 12, evaluate: points(variant, trigger, replications: 1))
        let t = try #require(curve.tipping)
        #expect(t.low <= 0.99 && t.high >= 0.99 && t.high - t.low < 0.0005, "\(t)")
        #expect(abs(t.estimate - 0.99) < 0.0003)
    }

    /// The bundled storm: a x2 spike longer than about 2 s leaves the unprotected service down; a retry budget
    /// keeps it recovering from a spike ten times as long.
    @Test func aRetryBudgetMovesTheMetastableStormsMarginOut() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scenarios/metastable-retry-storm.json")
        let set = try ScenarioDecoder.loadSet(file: url.path)
        let unprotected = try #require(set.variants.first { $0.name == "unprotected" })
        let budget = try #require(set.variants.first { $0.name == "retry-budget" })
        let trigger = try #require(Margin.triggers(unprotected.scenario).first)
        #expect(trigger.what == "a load spike" && trigger.magnitude == 2)
        let storm = Margin.search(start: 3, maxSize: 20, minSize: 0.1, steps: 2, evaluate: points(unprotected, trigger, replications: 3))
        let t = try #require(storm.tipping)
        #expect(t.estimate > 1 && t.estimate < 4 && t.low < t.high, "\(t)")
        let safe = Margin.search(start: 20, maxSize: 20, minSize: 0.1, steps: 2, evaluate: points(budget, trigger, replications: 3))
        #expect(safe.tipping == nil && !safe.downAtSmallest)
        #expect(safe.points.map(\.size) == [20] && safe.points.allSatisfy { $0.p == 1 })
    }
}
