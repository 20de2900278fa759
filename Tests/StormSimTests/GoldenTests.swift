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

    /// 50 clients into 2 workers for 5 s, started and ready to run.
    func smallSimulation() throws -> Simulation<World<PlainModel>> {
        let s = try scenario(queueingScenario(clients: 50, workers: 2, serviceTime: #"{ "dist": "exponential", "mean": "10ms" }"#, duration: "5s"))
        var world = World<PlainModel>(scenario: s)
        var queue = EventQueue()
        world.start(queue: &queue)
        return Simulation(model: world, queue: queue)
    }

    /// The checker is not vacuous: a model whose books do not balance is caught.
    @Test func brokenBooksAreCaught() throws {
        var simulation = try smallSimulation()
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

    /// A request owns exactly its attempts in flight, and instances keep their own books: breaking either is caught.
    @Test func brokenAttemptListsAndInstancesAreCaught() throws {
        var simulation = try smallSimulation()
        func problems() -> [String] { simulation.inspect { w, q in w.checkInvariants(queue: q) } }
        // Run until a request has an attempt in flight.
        var owner: Int? = nil
        var t = SimTime.zero
        while owner == nil && t < .zero + .seconds(5) {
            t = t + .milliseconds(1)
            simulation.run(until: t)
            let live = simulation.model.requests.liveSet()
            owner = live.indices.first { live[$0] && simulation.model.requests.items[$0].firstAttempt != AttemptState.none }
        }
        #expect(problems().isEmpty)
        let request = try #require(owner)
        let attempt = simulation.model.requests.items[request].firstAttempt
        #expect(simulation.model.attempts[attempt].request == UInt32(request))
        // The request forgets its attempt: the attempt is in flight but nobody lists it.
        simulation.model.requests[UInt32(request)].firstAttempt = AttemptState.none
        #expect(problems().contains { $0.hasPrefix("requests list ") }, "\(problems())")
        simulation.model.requests[UInt32(request)].firstAttempt = attempt
        // The list loops.
        let next = simulation.model.attempts[attempt].nextSibling
        simulation.model.attempts[attempt].nextSibling = attempt
        #expect(problems().contains { $0.contains("list loops") || $0.hasPrefix("requests list ") }, "\(problems())")
        simulation.model.attempts[attempt].nextSibling = next
        #expect(problems().isEmpty)
        // An instance whose busy workers disagree with its gauge, or exceed the service's workers.
        simulation.model.instances[0].busy += 1
        #expect(problems().contains { $0.contains("instance 0") }, "\(problems())")
        simulation.model.instances[0].busy += 100
        #expect(problems().contains { $0.contains("busy workers of 2") }, "\(problems())")
    }
}
