import Foundation
import StormSim

/// `stormsim bench`: the standard workloads, with events/s, wall time and peak memory, and the machine and build
/// they ran on. Each workload runs in a child process, so its peak memory is its own. `--check` is the CI guard:
/// it fails only on a gross regression, judged against a simple baseline loop timed in the same process.
struct BenchCommand {
    struct Workload {
        enum Kind {
            /// One run, timed in the process (best of `repeats`): building the model, the run and its tables.
            case single(repeats: Int)
            /// `stormsim run FILE --replications R` as a user runs it, output files included.
            case sweep(replications: Int)
        }

        var name: String
        /// Relative to the repository (`--root`).
        var file: String
        var overrides: [String]
        var kind: Kind
        var what: String
        /// Clients in flight at once (a burst): the table shows the memory per client.
        var inFlight: Int? = nil
        /// Only with `--full`.
        var full = false
    }

    static let workloads = [
        Workload(name: "thundering-herd", file: "scenarios/thundering-herd.json", overrides: [], kind: .single(repeats: 5),
                 what: "the bundled scenario: 10,000 clients in one burst", inFlight: 10_000),
        Workload(name: "bench-overload", file: "scenarios/bench-overload.json", overrides: [], kind: .single(repeats: 5),
                 what: "steady overloaded open loop (the SimPy model's workload)"),
        Workload(name: "fleet-100", file: "scenarios/bench-overload.json",
                 overrides: ["services[0].instances=100", "services[0].workers=1", "services[0].queue.capacity=10"],
                 kind: .single(repeats: 5),
                 what: "bench-overload's capacity as 100 instances of one worker behind round robin"),
        Workload(name: "fleet-1000", file: "scenarios/bench-overload.json",
                 overrides: ["clients.count=10000", "services[0].instances=1000", "services[0].workers=1",
                             "services[0].queue.capacity=10"],
                 kind: .single(repeats: 3),
                 what: "fleet-100 ten times over: 10,000 clients, 1,000 instances of one worker (per event, as fleet-100)"),
        Workload(name: "million-burst", file: "scenarios/thundering-herd.json",
                 overrides: ["clients.count=1000000", "duration=600s"], kind: .single(repeats: 1),
                 what: "1,000,000 clients in one burst against the same service", inFlight: 1_000_000),
        Workload(name: "aws-sweep-100ms", file: "bench/aws-jitter-sweep.json", overrides: [], kind: .sweep(replications: 100),
                 what: "the AWS 2015 jitter study, 9,500 short runs (stormsim run, files written), 100 ms rows"),
        Workload(name: "aws-sweep-1s", file: "bench/aws-jitter-sweep.json", overrides: ["metrics.interval=1s"],
                 kind: .sweep(replications: 100), what: "the same sweep with 1 s rows"),
        Workload(name: "empty-runs", file: "scenarios/thundering-herd.json", overrides: ["clients.count=1"],
                 kind: .sweep(replications: 2_000),
                 what: "2,000 runs of one request each (stormsim run, files written): the cost of a run itself"),
        Workload(name: "ten-million-burst", file: "scenarios/thundering-herd.json",
                 overrides: ["clients.count=10000000", "duration=6000s"], kind: .single(repeats: 1),
                 what: "10,000,000 clients in one burst (with --full)", inFlight: 10_000_000, full: true),
        // Not in the table: the memory of a run with almost nothing in flight, subtracted from the bursts' peaks.
        Workload(name: "idle", file: "scenarios/thundering-herd.json", overrides: ["clients.count=10"],
                 kind: .single(repeats: 1), what: "10 clients: the process's own memory"),
    ]

    var root: String
    var only: String?
    var check: Bool
    var quick: Bool
    var full: Bool
    /// Replaces a sweep workload's replications (a shorter sweep).
    var replications: Int?

    init(_ args: inout Arguments) throws(CommandError) {
        root = try args.value("--root") ?? "."
        if let scenarios = try args.value("--scenarios") { root = scenarios + "/.." }
        only = try args.value("--workload")
        check = args.flag("--check")
        quick = args.flag("--quick")
        full = args.flag("--full")
        if let text = try args.value("--replications") {
            guard let r = Int(text), r >= 1, r <= 10_000 else {
                throw args.usage("--replications expects a whole number from 1 to 10000, found '\(text)'")
            }
            replications = r
        }
        let rest = try args.positionals()
        guard rest.isEmpty else { throw args.usage("unexpected argument '\(rest[0])'") }
        if quick && full { throw args.usage("--quick and --full contradict each other; give one") }
        if let only, !Self.workloads.contains(where: { $0.name == only }) {
            throw args.usage("no workload named '\(only)'; expected one of \(Self.workloads.map(\.name).joined(separator: ", "))")
        }
    }

    func execute() throws(CommandError) {
        if check { return try runCheck() }
        if let only { return try runOne(Self.workloads.first { $0.name == only }!) }
        print(Machine.description)
        print("")
        let chosen = Self.workloads.filter { w in
            w.name != "idle" && (full || !w.full) && !(quick && (w.name == "million-burst" || w.name == "fleet-1000" || w.kind.isSweep))
        }
        let idle = try child(Self.workloads.first { $0.name == "idle" }!)
        var results: [(Workload, Measurement)] = []
        for w in chosen { results.append((w, try child(w))) }
        let cores = Double(ProcessInfo.processInfo.activeProcessorCount)
        let header = ["workload", "runs", "events", "wall s", "M events/s", "peak MB", "bytes/client", "core µs/run"]
        var rows: [[String]] = [header]
        for (w, m) in results {
            let perClient = w.inFlight.map { NumberFormat.rounded(Double(m.peakKB - idle.peakKB) * 1024 / Double($0), digits: 0) } ?? ""
            let perRun = m.runs > 1 ? NumberFormat.rounded(m.wall * cores / Double(m.runs) * 1e6, digits: 0) : ""
            rows.append([
                w.name, String(m.runs), String(m.events), NumberFormat.rounded(m.wall, digits: 3),
                NumberFormat.rounded(Double(m.events) / m.wall / 1e6, digits: 2), String(m.peakKB / 1024), perClient, perRun,
            ])
        }
        print(Table.render(rows))
        print("")
        for w in chosen { print("  \(w.name): \(w.what)") }
        print("""

            Event: one pop from the pending-event queue. Single runs: the best of 5 in one process (bursts: one), covering
            the model, the run and the result tables, not process start or file output. Sweeps: the whole `stormsim run`
            on every core, output files included. bytes/client: peak memory above a 10-client run, per client of a burst
            (all in flight at once). core µs/run: wall time x cores / runs; empty-runs shows what a run costs beyond its
            events (model, tables, replication means, files).
            """)
        if !quick { try scaling() }
    }

    /// What a child measured.
    struct Measurement {
        var events: Int
        var wall: Double
        var peakKB: Int
        var runs: Int
    }

    /// Runs one workload in this process and prints one machine-readable line (used by the parent).
    func runOne(_ w: Workload) throws(CommandError) {
        switch w.kind {
        case .single(let repeats):
            let variant = try load(w).variants[0]
            var best = Double.infinity
            var events = 0
            for _ in 0..<repeats {
                let start = DispatchTime.now().uptimeNanoseconds
                let r = Runner.run(variant)
                best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
                events = r.events
            }
            print("events=\(events) wall=\(best) rss_kb=\(Machine.peakMemoryKB) runs=1")
        case .sweep(let standard):
            let replications = self.replications ?? standard
            let out = FileManager.default.temporaryDirectory.appendingPathComponent("stormsim-bench-\(getpid())").path
            defer { try? FileManager.default.removeItem(atPath: out) }
            var args = Arguments(
                ["\(root)/\(w.file)", "--replications", String(replications), "--out", out, "--quiet"]
                    + w.overrides.flatMap { ["--set", $0] },
                command: "run")
            let start = DispatchTime.now().uptimeNanoseconds
            try RunCommand(&args).execute()
            let wall = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            let (events, runs) = try Self.eventsAndRuns(replicationsFile: "\(out)/replications.csv")
            print("events=\(events) wall=\(wall) rss_kb=\(Machine.peakMemoryKB) runs=\(runs)")
        }
    }

    /// The total of the `events` column of a replicated run's `replications.csv`, and its number of rows.
    static func eventsAndRuns(replicationsFile path: String) throws(CommandError) -> (Int, Int) {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw CommandError(code: .failure, message: "bench: the sweep wrote no \(path)")
        }
        let lines = text.split(separator: "\n")
        guard let column = lines.first?.split(separator: ",", omittingEmptySubsequences: false).firstIndex(of: "events") else {
            throw CommandError(code: .failure, message: "bench: \(path) has no events column")
        }
        var events = 0
        for line in lines.dropFirst() {
            let cells = line.split(separator: ",", omittingEmptySubsequences: false)
            guard column < cells.count, let n = Int(cells[column]) else {
                throw CommandError(code: .failure, message: "bench: unexpected row in \(path): \(line)")
            }
            events += n
        }
        return (events, lines.count - 1)
    }

    func load(_ w: Workload) throws(CommandError) -> ScenarioSet {
        let path = "\(root)/\(w.file)"
        do {
            let overrides = try w.overrides.map { text throws(OverrideError) in try Override.parse(text) }
            return try ScenarioDecoder.loadSet(file: path, overrides: overrides)
        } catch let error as ScenarioError {
            throw CommandError(code: .invalidScenario, message: "bench needs the repository's scenarios (run it from the repository, or give --root DIR)\n\(error)")
        } catch let error as OverrideError {
            throw CommandError(code: .failure, message: "bench: a workload's override is wrong: \(error.message)")
        } catch {
            throw CommandError(code: .failure, message: "bench: cannot read \(path)")
        }
    }

    /// Runs a workload in a child process and returns what it measured.
    func child(_ w: Workload) throws(CommandError) -> Measurement {
        let output = try Machine.runSelf(["bench", "--workload", w.name, "--root", root])
        var fields: [String: String] = [:]
        for pair in output.split(whereSeparator: { $0 == " " || $0 == "\n" }) {
            let kv = pair.split(separator: "=", maxSplits: 1)
            if kv.count == 2 { fields[String(kv[0])] = String(kv[1]) }
        }
        guard let events = Int(fields["events"] ?? ""), let wall = Double(fields["wall"] ?? ""),
            let rss = Int(fields["rss_kb"] ?? ""), let runs = Int(fields["runs"] ?? "")
        else {
            throw CommandError(code: .failure, message: "bench: the \(w.name) run printed no result:\n\(output)")
        }
        return Measurement(events: events, wall: wall, peakKB: rss, runs: runs)
    }

    /// Variants on 1 and 2 jobs: how a batch scales with cores.
    func scaling() throws(CommandError) {
        let file = "\(root)/scenarios/real-world-presets.json"
        let set: ScenarioSet
        do { set = try ScenarioDecoder.loadSet(file: file) } catch {
            throw CommandError(code: .invalidScenario, message: error.description)
        }
        var walls: [Int: Double] = [:]
        let cores = ProcessInfo.processInfo.activeProcessorCount
        // Best of 3 for each number of jobs, taken in turns so that a slow spell of the machine hits all alike.
        for _ in 0..<3 {
            for jobs in Array(Set([1, 2, cores])).sorted() {
                let start = DispatchTime.now().uptimeNanoseconds
                _ = BatchRunner.run(set.variants, jobs: jobs)
                let wall = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                walls[jobs] = min(walls[jobs] ?? .infinity, wall)
            }
        }
        print("\nScaling: real-world-presets (\(set.variants.count) variants, best of 3)")
        for (jobs, wall) in walls.sorted(by: { $0.key < $1.key }) {
            print("  --jobs \(jobs): \(NumberFormat.rounded(wall, digits: 3)) s (speed-up \(NumberFormat.rounded(walls[1]! / wall, digits: 2))x)")
        }
    }

    /// The CI guard: simulation speed as a ratio of a baseline loop's speed on the same machine, in the same
    /// process. The ratio was 0.15 when the floor was set (release build, AMD EPYC, 2 cores, idle); the floor is a
    /// third of that; since the calendar queue it is about 0.2, so only a gross regression (a simulation three to
    /// four times slower for the same machine) fails.
    static let minimumRatio = 0.05

    func runCheck() throws(CommandError) {
        let variant = try load(Self.workloads[1]).variants[0]
        var bestSim = Double.infinity, bestBase = Double.infinity
        var events = 0
        for _ in 0..<3 {
            let start = DispatchTime.now().uptimeNanoseconds
            events = Runner.run(variant).events
            bestSim = min(bestSim, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            let b = DispatchTime.now().uptimeNanoseconds
            Baseline.run(operations: events)
            bestBase = min(bestBase, Double(DispatchTime.now().uptimeNanoseconds - b) / 1e9)
        }
        let ratio = bestBase / bestSim
        print("bench-overload: \(events) events in \(NumberFormat.rounded(bestSim, digits: 3)) s; baseline loop: \(NumberFormat.rounded(bestBase, digits: 3)) s")
        print("ratio \(NumberFormat.rounded(ratio, digits: 3)) (simulation speed / baseline speed); floor \(NumberFormat.rounded(Self.minimumRatio, digits: 3))")
        #if DEBUG
        print("(debug build: the check applies to release builds only)")
        #else
        if ratio < Self.minimumRatio {
            throw CommandError(code: .failure, message: "performance regression: the simulation ran at \(NumberFormat.rounded(ratio, digits: 3)) of the baseline's speed; the floor is \(NumberFormat.rounded(Self.minimumRatio, digits: 3))")
        }
        print("bench check: OK")
        #endif
    }
}

/// A loop of the same kind of work as a simulation (random draws and a binary heap of 1,024 keys), as a yardstick
/// for the machine's speed.
enum Baseline {
    static func run(operations: Int) {
        var rng = SplitMix64(seed: 1)
        var heap: [UInt64] = (0..<1024).map { _ in rng.next() >> 20 }
        heap.sort()
        var sink: UInt64 = 0
        for _ in 0..<operations {
            // Pop the minimum and push a later key: a sift-down from the root.
            let top = heap[0]
            sink &+= top
            let key = top &+ (rng.next() >> 44)
            var i = 0
            while true {
                let l = 2 * i + 1
                if l >= heap.count { break }
                let c = l + 1 < heap.count && heap[l + 1] < heap[l] ? l + 1 : l
                if heap[c] >= key { break }
                heap[i] = heap[c]
                i = c
            }
            heap[i] = key
        }
        if sink == 42 { print("") }  // keeps the loop from being optimised away
    }
}

/// Facts about the machine and build, and helpers to measure it.
enum Machine {
    static var description: String {
        #if DEBUG
        let build = "debug"
        #else
        let build = "release"
        #endif
        var cpu = "unknown CPU"
        if let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
            let line = info.split(separator: "\n").first(where: { $0.hasPrefix("model name") })
        {
            cpu = line.split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) } ?? cpu
        }
        return "\(Usage.version), \(build) build; \(cpu), \(ProcessInfo.processInfo.activeProcessorCount) cores; \(ProcessInfo.processInfo.operatingSystemVersionString)"
    }

    /// Peak resident memory of this process, in KB.
    static var peakMemoryKB: Int {
        var usage = rusage()
        #if os(Linux)
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Int(usage.ru_maxrss)  // kilobytes on Linux
        #else
        getrusage(RUSAGE_SELF, &usage)
        return Int(usage.ru_maxrss) / 1024  // bytes on macOS
        #endif
    }

    /// Runs this executable with `arguments` and returns its stdout.
    static func runSelf(_ arguments: [String]) throws(CommandError) -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
        if let exe = Bundle.main.executableURL { process.executableURL = exe }
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        do { try process.run() } catch {
            throw CommandError(code: .failure, message: "bench: cannot start a child run of \(process.executableURL?.path ?? "stormsim") (is the binary still there and executable?)")
        }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 else {
            throw CommandError(code: .failure, message: "bench: a child run failed with status \(process.terminationStatus)\n\(text)")
        }
        return text
    }
}

/// Left-aligned first column, right-aligned numbers.
enum Table {
    static func render(_ rows: [[String]]) -> String {
        let widths = (0..<rows[0].count).map { c in rows.map { $0[c].count }.max()! }
        return rows.map { row in
            row.enumerated().map { c, cell in
                let pad = String(repeating: " ", count: widths[c] - cell.count)
                return c == 0 ? cell + pad : pad + cell
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}

extension BenchCommand.Workload.Kind {
    var isSweep: Bool { if case .sweep = self { true } else { false } }
}
