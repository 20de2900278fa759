import Foundation
import Testing

@testable import StormSim

/// Every bundled scenario, run in this test process (a debug build), must reproduce the committed results/ byte
/// for byte, which were written by a release build: determinism across builds and runs, checked by the test suite
/// itself and not only by CI's script. Each run is cut into 16 segments, and the model's invariants are checked
/// between them and at the end.
@Suite struct GoldenTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static let bundled: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("scenarios").path)) ?? []
        return names.filter { $0.hasSuffix(".json") && $0 != "schema.json" }.map { String($0.dropLast(5)) }.sorted()
    }()

    @Test func everyBundledScenarioHasCommittedResults() {
        #expect(Self.bundled.count >= 9)
    }

    @Test(arguments: bundled)
    func bundledScenarioReproducesCommittedResultsWithInvariantsHeld(_ name: String) throws {
        let set = try ScenarioDecoder.loadSet(file: Self.root.appendingPathComponent("scenarios/\(name).json").path)
        let results = Self.root.appendingPathComponent("results/\(name)")
        var runs: [RunResult] = []
        for variant in set.variants {
            let (r, problems) = Runner.runAudited(variant)
            #expect(problems.isEmpty, "\(name) [\(variant.name)]: \(problems.prefix(5).joined(separator: "; "))")
            #expect(!r.interrupted && r.stall == nil)
            let committed = try String(contentsOf: results.appendingPathComponent("timeseries/\(variant.name).csv"), encoding: .utf8)
            #expect(r.timeSeries.text == committed, "\(name): timeseries/\(variant.name).csv differs from results/")
            runs.append(r)
        }
        let summary = try String(contentsOf: results.appendingPathComponent("summary.csv"), encoding: .utf8)
        #expect(ResultWriter.summaryTable(runs).text == summary, "\(name): summary.csv differs from results/")
        let description = try String(contentsOf: results.appendingPathComponent("run.json"), encoding: .utf8)
        #expect(ResultWriter.runDescription(set, replications: 1) == description, "\(name): run.json differs")
    }

    /// The checker is not vacuous: a model whose books do not balance is caught.
    @Test func brokenBooksAreCaught() throws {
        let s = try scenario(queueingScenario(clients: 50, workers: 2, serviceTime: #"{ "dist": "exponential", "mean": "10ms" }"#, duration: "5s"))
        var world = World(scenario: s)
        var queue = EventQueue()
        world.start(queue: &queue)
        var simulation = Simulation(model: world, queue: queue)
        simulation.run(until: .zero + .seconds(2))
        #expect(simulation.inspect { w, q in w.checkInvariants(queue: q) }.isEmpty)
        simulation.model.stats.totals.succeeded += 1  // a success counted twice
        let problems = simulation.inspect { w, q in w.checkInvariants(queue: q) }
        #expect(problems.contains { $0.hasPrefix("requests ") } && problems.contains { $0.hasPrefix("attempts ") })
        simulation.model.stats.totals.succeeded -= 1
        // A pending event that points at a freed request slot.
        if let live = simulation.model.requests.liveSet().firstIndex(of: true) {
            simulation.model.requests.remove(UInt32(live))
            simulation.model.stats.totals.failed += 1
            let found = simulation.inspect { w, q in w.checkInvariants(queue: q) }
            #expect(found.contains { $0.contains("not live") || $0.contains("freed request") }, "\(found)")
        }
    }
}
