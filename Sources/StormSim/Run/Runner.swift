/// Runs one scenario variant from start to end and turns the model's statistics into result tables.
public enum Runner {
    /// Simulates `scenario` until its duration.
    /// - Parameters:
    ///   - variant: the variant's name, written into the outputs.
    ///   - checkpointEvery: events between checkpoints (a power of two).
    ///   - checkpoint: called every `checkpointEvery` events with the simulated time reached; returning true stops
    ///     the run early and marks the result interrupted.
    public static func run(
        _ scenario: Scenario, variant: String = "base", checkpointEvery: Int = 65_536,
        checkpoint: (SimTime) -> Bool = { _ in false }
    ) -> RunResult {
        run(Variant(name: variant, parameters: [], scenario: scenario), checkpointEvery: checkpointEvery, checkpoint: checkpoint)
    }

    /// Simulates one variant until its scenario's duration.
    ///   - traceRequests: record every step of the first N requests (`RunResult.trace`).
    public static func run(
        _ variant: Variant, traceRequests: Int = 0, checkpointEvery: Int = 65_536,
        checkpoint: (SimTime) -> Bool = { _ in false }
    ) -> RunResult {
        run(variant, trace: TraceSelection(requests: traceRequests), checkpointEvery: checkpointEvery, checkpoint: checkpoint)
    }

    /// Simulates one variant, recording the steps of the requests `trace` selects (`RunResult.trace`).
    public static func run(
        _ variant: Variant, trace: TraceSelection, checkpointEvery: Int = 65_536,
        checkpoint: (SimTime) -> Bool = { _ in false }
    ) -> RunResult {
        run(variant, trace: trace, checkpointEvery: checkpointEvery, segments: 1, audit: false, checkpoint: checkpoint).0
    }

    /// Simulates one variant and checks the model's invariants (`World.checkInvariants`) between `segments` equal
    /// stretches of simulated time and at the end. The result is byte for byte that of `run`.
    /// - Returns: the result, and every broken invariant with the time it was seen.
    static func runAudited(
        _ variant: Variant, segments: Int = 16, checkpointEvery: Int = 65_536, checkpoint: (SimTime) -> Bool = { _ in false }
    ) -> (RunResult, [String]) {
        run(variant, trace: .off, checkpointEvery: checkpointEvery, segments: segments, audit: true, checkpoint: checkpoint)
    }

    /// Runs in the world the scenario needs: the plain one unless it uses fleet features (`ModelFeatures`), or
    /// in the fleet world with `fleetWorld` (the test that both give the same bytes).
    static func run(
        _ variant: Variant, trace: TraceSelection, checkpointEvery: Int, segments: Int, audit: Bool,
        fleetWorld: Bool = false, checkpoint: (SimTime) -> Bool
    ) -> (RunResult, [String]) {
        if variant.scenario.usesFleetFeatures || fleetWorld {
            return run(variant, in: FleetModel.self, trace: trace, checkpointEvery: checkpointEvery,
                       segments: segments, audit: audit, checkpoint: checkpoint)
        }
        return run(variant, in: PlainModel.self, trace: trace, checkpointEvery: checkpointEvery,
                   segments: segments, audit: audit, checkpoint: checkpoint)
    }

    /// Simulates `variant` in `World<F>`; with `audit`, checks the model's invariants between `segments` equal
    /// stretches of simulated time and at the end, and returns every broken one with the time it was seen.
    static func run<F: ModelFeatures>(
        _ variant: Variant, in model: F.Type, trace: TraceSelection, checkpointEvery: Int, segments: Int, audit: Bool,
        checkpoint: (SimTime) -> Bool
    ) -> (RunResult, [String]) {
        let scenario = variant.scenario
        var problems: [String] = []
        var world = World<F>(scenario: scenario, trace: trace)
        var queue = EventQueue()
        world.start(queue: &queue)
        // Consumed, not copied: a copy left here would share every array with the simulation's model, so the
        // model's first write to each would copy it (and a slot pool's reserved room would be lost).
        var simulation = Simulation(model: consume world, queue: queue)
        let end = SimTime.zero + scenario.duration
        let limit = Stall.limit(for: scenario)
        var watch = InstantWatch(limit: limit, checkpointEvery: checkpointEvery)
        var stalled = false
        var completed = true
        for k in 1...max(1, segments) {
            let until = k >= segments ? end : SimTime.zero + SimDuration(nanoseconds: scenario.duration.nanoseconds / Int64(segments) * Int64(k))
            completed = simulation.run(until: until, checkpointEvery: checkpointEvery) { now in
                if watch.stalled(at: now) {
                    stalled = true
                    return true
                }
                return checkpoint(now)
            }
            if audit {
                simulation.inspect { world, queue in
                    problems += world.checkInvariants(queue: queue).map { "at \(NumberFormat.shortest(until.seconds)) s: \($0)" }
                }
            }
            if !completed { break }
        }
        let stall = stalled ? Stall.diagnose(&simulation, scenario: scenario, limit: limit) : nil
        let interrupted = !completed
        // Finished in place, then copied out to be read: finished after the copy, every array it writes (the time
        // series above all) was shared with the simulation's model and copied first.
        simulation.model.finishSeries()
        world = simulation.model
        var result = RunResult(
            scenario: scenario.name, variant: variant.name, seed: scenario.seed,
            summary: summaryRow(world, variant: variant, events: simulation.events),
            seriesHeader: timeSeriesHeader(scenario), seriesRows: timeSeriesRows(world),
            latency: world.stats.latency, events: simulation.events, interrupted: interrupted,
            trace: world.tracing.events, stall: stall)
        result.instances = OutputColumns.instanceRows(world, scenario: scenario)
        return (result, problems)
    }

    static func summaryRow<F>(_ w: World<F>, variant: Variant, events: Int) -> [(column: String, value: CSVTable.Cell)] {
        let scenario = variant.scenario
        var row: [(column: String, value: CSVTable.Cell)] = [("scenario", .text(scenario.name)), ("variant", .text(variant.name))]
        // One column per varied path, headed by the path: numbers stay numbers, so plots can use them as axes.
        for p in variant.parameters {
            if case .number(let d) = p.value, p.label == VariantExpansion.autoLabel(p.value) {
                row.append((p.path, .number(d)))
            } else {
                row.append((p.path, .text(p.label)))
            }
        }
        row.append(("seed", .text(String(scenario.seed))))
        let run = OutputColumns.Run(world: w, scenario: scenario, events: events, recovery: Metastability.recovery(w, scenario: scenario))
        return row + OutputColumns.summaryCells(run)
    }

    /// The metric columns of summary.csv (after `seed`), for services with these names.
    public static func metricColumns(services: [String]) -> [String] { OutputColumns.summaryNames(services: services) }

    /// Time-series column names, in order, for a scenario.
    public static func timeSeriesHeader(_ scenario: Scenario) -> [String] { OutputColumns.seriesNames(scenario) }

    static func timeSeriesRows<F>(_ w: World<F>) -> SeriesRows { OutputColumns.seriesRows(w) }
}
