import Foundation
import StormSim

/// `stormsim run FILE`: simulate every variant (and replication), write the CSVs atomically, print a summary,
/// check the scenario's expectations. With `--shard K/N`, run one share of the jobs and write partial outputs
/// for `stormsim merge`.
struct RunCommand {
    var file: String
    var outDir: String?
    var seed: UInt64?
    var seedText: String?
    var jobs: Int
    var replications: Int
    var shard: Shard?
    var overrideTexts: [String]
    var overrides: [Override]
    var quiet: Bool
    /// `--format json`: print summary.json on stdout instead of the table.
    var json: Bool
    var trace: TraceSelection
    /// The bound on the estimated memory (`--max-memory`), or nil with `--allow-large`.
    var maxBytes: Double?
    /// `--strict`: a scenario warning stops the run (exit 3).
    var strict: Bool

    init(_ args: inout Arguments) throws(CommandError) {
        outDir = try args.value("--out")
        if outDir == "" { throw args.usage("--out is empty (an unset variable in a script?); expected a folder") }
        if let text = try args.value("--seed") {
            guard let s = UInt64(text) else {
                throw args.usage("--seed expects an integer from 0 to 18446744073709551615, found '\(text)'")
            }
            seed = s
            seedText = text
        }
        jobs = try args.integer("--jobs", in: 1...1024) ?? ProcessInfo.processInfo.activeProcessorCount
        replications = try args.integer("--replications", in: 1...100_000) ?? 1
        if let text = try args.value("--shard") {
            guard let s = Shard(text) else { throw args.usage("--shard expects K/N with 1 <= K <= N (for example 2/4), found '\(text)'") }
            shard = s
        }
        trace = try RunCommand.traceSelection(&args)
        if shard != nil && trace.isOn { throw args.usage("--trace cannot be combined with --shard; trace a single-machine run") }
        overrideTexts = try args.values("--set")
        overrides = []
        for text in overrideTexts {
            do { overrides.append(try Override.parse(text)) } catch { throw args.usage(error.message) }
        }
        quiet = args.flag("--quiet")
        strict = args.flag("--strict")
        json = try args.jsonFormat()
        maxBytes = ResourceEstimate.defaultMaxBytes
        if let text = try args.value("--max-memory") {
            guard let size = ResourceEstimate.parseSize(text) else {
                throw args.usage("--max-memory expects a size such as 512M, 8G or 2T, found '\(text)'")
            }
            maxBytes = size
        }
        if args.flag("--allow-large") { maxBytes = nil }
        let files = try args.positionals()
        guard files.count == 1 else {
            throw args.usage(files.isEmpty ? "missing the scenario FILE" : "expected one scenario FILE, found \(files.count)")
        }
        file = files[0]
        if file.isEmpty { throw args.usage("the scenario FILE is an empty string (an unset variable in a script?)") }
        if file == "-" && shard != nil { throw args.usage("--shard needs a scenario FILE (its shards store the file's text), not standard input") }
    }

    func execute() throws(CommandError) {
        let set = try loadScenarioSet(file, overrides: overrides, seed: seed)
        try reportWarnings(quiet && !strict ? [] : ScenarioWarnings.check(set), file: file, strict: strict)
        if let maxBytes {
            let estimate = ResourceEstimate.of(set, replications: replications, jobs: jobs, trace: trace.requests)
            if let refusal = estimate.refusal(maxBytes: maxBytes) {
                throw CommandError(code: .invalidScenario, message: "\(file): \(refusal)")
            }
        }
        let allJobs = Replications.jobs(variants: set.variants.count, replications: replications)
        let myJobs = shard.map { s in allJobs.filter { s.contains($0) } } ?? allJobs

        Interrupt.shared.startPolling()
        let clock = ContinuousClock()
        let started = clock.now
        let progress = Progress(label: set.name, jobs: myJobs.map { set.variants[$0.variant].scenario.duration }, variants: set.variants.count, enabled: !quiet && !json)
        let positions = Dictionary(uniqueKeysWithValues: myJobs.enumerated().map { ($1.index, $0) })
        let counter = EventCounter()

        if let shard {
            let dir = outDir ?? "results/\(set.name)/shard-\(shard.k)-of-\(shard.n)"
            let folder: ResultFolder
            let stream: StreamingFile
            do {
                folder = try ResultFolder(path: dir, files: ["shard.json", "jobs.jsonl"])
                stream = try folder.stream("jobs.jsonl")
            } catch { throw CommandError(code: .failure, message: error.description) }
            let manifest = PartialResults.Manifest(
                scenarioText: (try? String(contentsOfFile: file, encoding: .utf8)) ?? "", scenarioFile: file,
                overrides: overrideTexts, seed: seedText, replications: replications, shard: shard, jobs: allJobs.count)
            let runKey = manifest.runKey
            let ordered = InOrder<String>(count: myJobs.count) { stream.write($0) }
            do { try runJobs(myJobs, set: set, progress: progress, positions: positions, counter: counter) { job, result in
                ordered.add(PartialResults.line(job: job.index, run: runKey, result), at: positions[job.index]!)
            } } catch {
                stream.discard()
                folder.discard()
                throw error
            }
            progress.finish()
            guard !Interrupt.shared.isRaised, ordered.complete else {
                stream.discard()
                folder.discard()
                throw CommandError(code: .interrupted, message: "interrupted; no results written (earlier results are untouched)")
            }
            do {
                try stream.commit()
                try folder.write(PartialResults.manifestText(manifest), to: "shard.json")
                try folder.commit()
            } catch {
                folder.discard()
                throw CommandError(code: .failure, message: error.description)
            }
            if !quiet {
                print("shard \(shard) of \(set.name): \(myJobs.count) of \(allJobs.count) jobs, written to \(dir)")
                print(TerminalSummary.speed(events: counter.total, wall: clock.now - started, jobs: min(jobs, max(1, myJobs.count))))
                print("combine the shards with: stormsim merge \(dir.replacingOccurrences(of: "shard-\(shard.k)-of", with: "shard-*-of")) --out results/\(set.name)")
            }
            return
        }

        let dir = outDir ?? "results/\(set.name)"
        let folder: ResultFolder
        var replicationFile: StreamingFile?
        do {
            folder = try ResultFolder(
                path: dir, files: ResultWriter.files(
                    variants: set.variants.map(\.name), trace: trace.isOn, replications: replications > 1, instances: set.hasFleets))
            if replications > 1 { replicationFile = try folder.stream("replications.csv") }
        } catch { throw CommandError(code: .failure, message: error.description) }
        let writeFailure = FirstMessage()
        let aggregator = Aggregator(
            set: set, replications: replications, replicationRow: { [replicationFile] in replicationFile?.write($0) },
            onFinished: RunOutput.seriesWriter(set: set, folder: folder, failure: writeFailure))
        let traces = TraceBox(count: set.variants.count)
        do { try runJobs(myJobs, set: set, progress: progress, positions: positions, counter: counter) { job, result in
            if job.replication == 0 && trace.isOn { traces.store(result.trace, at: job.variant) }
            aggregator.add(result, job: job.index)
        } } catch {
            replicationFile?.discard()
            folder.discard()
            throw error
        }
        progress.finish()
        guard !Interrupt.shared.isRaised, aggregator.complete else {
            replicationFile?.discard()
            folder.discard()
            throw CommandError(code: .interrupted, message: "interrupted; no results written (earlier results are untouched)")
        }
        try RunOutput.finish(
            set: set, aggregator: aggregator, folder: folder, replicationFile: replicationFile, writeFailure: writeFailure,
            traces: trace.isOn ? zip(set.variants, traces.all).map { ($0.name, $1) } : nil,
            events: counter.total, wall: clock.now - started, jobs: min(jobs, myJobs.count), quiet: quiet || json, json: json)
    }

    /// Runs the jobs; the first stalled job stops the others and is reported as an invalid scenario.
    func runJobs(
        _ jobs: [Replications.Job], set: ScenarioSet, progress: Progress, positions: [Int: Int], counter: EventCounter,
        deliver: @escaping @Sendable (Replications.Job, RunResult) -> Void
    ) throws(CommandError) {
        let stalled = FirstMessage()
        BatchRunner.run(
            jobs: jobs, of: set, workers: self.jobs, trace: trace,
            checkpoint: { index, now in
                progress.update(job: positions[index]!, simulated: now)
                return Interrupt.shared.isRaised || stalled.isSet
            },
            stop: { Interrupt.shared.isRaised || stalled.isSet },
            deliver: { job, result in
                counter.add(result.events)
                progress.jobFinished(positions[job.index]!)
                if let stall = result.stall {
                    let variant = set.variants[job.variant]
                    stalled.set("variant \(variant.name), seed \(result.seed): \(stall)")
                }
                if !result.interrupted { deliver(job, result) }
            })
        if let message = stalled.message {
            progress.finish()
            throw CommandError(code: .invalidScenario, message: "\(file): \(message)")
        }
    }
}

/// Shared by `run` and `merge`: write the outputs, print the summary, check the expectations.
enum RunOutput {
    static func finish(
        set: ScenarioSet, aggregator: Aggregator, folder: ResultFolder, replicationFile: StreamingFile?, writeFailure: FirstMessage,
        traces: [(variant: String, events: [TraceEvent])]?, events: Int, wall: Duration?, jobs: Int, quiet: Bool,
        json: Bool = false
    ) throws(CommandError) {
        guard !Interrupt.shared.isRaised else {
            replicationFile?.discard()
            folder.discard()
            throw CommandError(code: .interrupted, message: "interrupted; no results written (earlier results are untouched)")
        }
        if let message = writeFailure.message {
            replicationFile?.discard()
            folder.discard()
            throw CommandError(code: .failure, message: message)
        }
        let outputs = aggregator.finished.map { $0! }
        let dir = folder.path
        let written: [String]
        let summaryJSON = SummaryJSON.text(outputs, set: set, replications: aggregator.replications)
        do {
            written = try ResultWriter.write(
                outputs, names: set.variants.map(\.name), into: folder, replications: replicationFile, trace: traces,
                description: ResultWriter.runDescription(set, replications: aggregator.replications),
                summaryJSON: summaryJSON)
        } catch {
            throw CommandError(code: .failure, message: error.description)
        }
        if json { print(summaryJSON, terminator: "") }
        if !quiet {
            let views = zip(outputs, set.variants).map {
                TerminalSummary.view($0, variant: $1.name, interval: $1.scenario.metricsInterval)
            }
            let scenario = set.variants[0].scenario
            if views.count == 1 && aggregator.replications == 1 {
                print(TerminalSummary.text(views[0], scenario: scenario))
                print("wrote " + written.filter { !$0.hasSuffix("run.json") }.joined(separator: ", "))
            } else {
                print(TerminalSummary.table(views, scenario: scenario, replications: aggregator.replications))
                var what = "\(dir)/summary.csv and \(outputs.count) time series in \(dir)/timeseries/"
                if aggregator.replications > 1 { what += ", per replication in \(dir)/replications.csv" }
                print("wrote \(what)")
            }
            if let wall { print(TerminalSummary.speed(events: events, wall: wall, jobs: jobs)) }
        }
        let violations = ExpectationCheck.violations(outputs, set: set)
        if !violations.isEmpty {
            let count = set.variants.reduce(0) { $0 + $1.scenario.expectations.count }
            throw CommandError(
                code: .expectationFailed,
                message: "\(violations.count) of \(count) expectation(s) not met:\n" + violations.map { "  \($0)" }.joined(separator: "\n"))
        }
        if !quiet, set.variants.contains(where: { !$0.scenario.expectations.isEmpty }) {
            print("expectations: all met")
        }
    }
}

extension RunOutput {
    /// Writes each variant's time series into the staging folder as soon as the aggregator has it, so that only
    /// summaries stay in memory; the first failure is kept for `finish` to report.
    static func seriesWriter(set: ScenarioSet, folder: ResultFolder, failure: FirstMessage) -> (Int, Aggregator.VariantOutput) -> Bool {
        { v, output in
            guard !failure.isSet else { return false }
            do throws(AtomicFile.WriteError) {
                try ResultWriter.writeSeries(output, name: set.variants[v].name, into: folder)
                return true
            } catch {
                failure.set(error.description)
                return false
            }
        }
    }
}

/// Collects items by position and hands them on in order, as soon as every earlier one has arrived.
final class InOrder<Item>: @unchecked Sendable {
    private let lock = NSLock()
    private var pending: [Int: Item] = [:]
    private var next = 0
    private let count: Int
    private let sink: (Item) -> Void

    init(count: Int, sink: @escaping (Item) -> Void) {
        self.count = count
        self.sink = sink
    }

    func add(_ item: Item, at position: Int) {
        lock.lock()
        defer { lock.unlock() }
        pending[position] = item
        while let item = pending.removeValue(forKey: next) {
            sink(item)
            next += 1
        }
    }

    var complete: Bool { next == count }
}

/// The first message set from any thread (later ones are dropped).
final class FirstMessage: @unchecked Sendable {
    private let lock = NSLock()
    private var first: String?
    func set(_ message: String) { lock.lock(); if first == nil { first = message }; lock.unlock() }
    var message: String? { lock.lock(); defer { lock.unlock() }; return first }
    var isSet: Bool { message != nil }
}

final class EventCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func add(_ n: Int) { lock.lock(); count += n; lock.unlock() }
    var total: Int { lock.lock(); defer { lock.unlock() }; return count }
}

final class TraceBox: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [[TraceEvent]]
    init(count: Int) { slots = Array(repeating: [], count: count) }
    func store(_ events: [TraceEvent], at i: Int) { lock.lock(); slots[i] = events; lock.unlock() }
    var all: [[TraceEvent]] { slots }
}
