import Foundation
import StormSim

/// `stormsim bench`: the standard workloads, with events/s, wall time and peak memory, and the machine and build
/// they ran on. Each workload runs in a child process, so its peak memory is its own. `--check` is the CI guard:
/// it fails only on a gross regression, judged against a simple baseline loop timed in the same process.
struct BenchCommand {
    struct Workload {
        var name: String
        var file: String
        var overrides: [String]
        var repeats: Int
        var what: String
    }

    static let workloads = [
        Workload(name: "thundering-herd", file: "thundering-herd.json", overrides: [], repeats: 5,
                 what: "the bundled scenario: 10,000 clients in one burst"),
        Workload(name: "bench-overload", file: "bench-overload.json", overrides: [], repeats: 5,
                 what: "steady overloaded open loop (the SimPy peer's workload)"),
        Workload(name: "million-burst", file: "thundering-herd.json",
                 overrides: ["clients.count=1000000", "duration=600s"], repeats: 1,
                 what: "1,000,000 clients in one burst against the same service"),
    ]

    var scenarios: String
    var only: String?
    var check: Bool
    var quick: Bool

    init(_ args: inout Arguments) throws(CommandError) {
        scenarios = try args.value("--scenarios") ?? "scenarios"
        only = try args.value("--workload")
        check = args.flag("--check")
        quick = args.flag("--quick")
        let rest = try args.positionals()
        guard rest.isEmpty else { throw args.usage("unexpected argument '\(rest[0])'") }
        if let only, !Self.workloads.contains(where: { $0.name == only }) {
            throw args.usage("no workload named '\(only)'; expected one of \(Self.workloads.map(\.name).joined(separator: ", "))")
        }
    }

    func execute() throws(CommandError) {
        if check { return try runCheck() }
        if let only { return try runOne(Self.workloads.first { $0.name == only }!) }
        print(Machine.description)
        print("")
        let header = ["workload", "events", "wall s (best)", "M events/s", "peak MB"]
        var rows: [[String]] = []
        for w in Self.workloads where !(quick && w.name == "million-burst") {
            let line = try child(w)
            rows.append([w.name] + line)
        }
        print(Table.render([header] + rows))
        print("")
        for w in Self.workloads { print("  \(w.name): \(w.what)") }
        print("\nEvent: one pop from the pending-event queue. Wall time covers building the model, the run and the")
        print("result tables, not process start or file output; the best of \(Self.workloads[0].repeats) runs is shown.")
        if !quick { try scaling() }
    }

    /// Runs one workload in this process and prints one machine-readable line (used by the parent).
    func runOne(_ w: Workload) throws(CommandError) {
        let variant = try load(w).variants[0]
        var best = Double.infinity
        var events = 0
        for _ in 0..<w.repeats {
            let start = DispatchTime.now().uptimeNanoseconds
            let r = Runner.run(variant)
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            events = r.events
        }
        print("events=\(events) wall=\(best) rss_mb=\(Machine.peakMemoryMB)")
    }

    func load(_ w: Workload) throws(CommandError) -> ScenarioSet {
        let path = "\(scenarios)/\(w.file)"
        do {
            let overrides = try w.overrides.map { text throws(OverrideError) in try Override.parse(text) }
            return try ScenarioDecoder.loadSet(file: path, overrides: overrides)
        } catch let error as ScenarioError {
            throw CommandError(code: .invalidScenario, message: "bench needs the bundled scenarios (run it from the repository, or give --scenarios DIR)\n\(error)")
        } catch {
            throw CommandError(code: .failure, message: "\(error)")
        }
    }

    /// Runs a workload in a child process and returns its table cells.
    func child(_ w: Workload) throws(CommandError) -> [String] {
        let output = try Machine.runSelf(["bench", "--workload", w.name, "--scenarios", scenarios])
        var fields: [String: String] = [:]
        for pair in output.split(separator: " ") {
            let kv = pair.split(separator: "=", maxSplits: 1)
            if kv.count == 2 { fields[String(kv[0])] = String(kv[1]).trimmingCharacters(in: .whitespacesAndNewlines) }
        }
        guard let events = Double(fields["events"] ?? ""), let wall = Double(fields["wall"] ?? ""), let rss = fields["rss_mb"] else {
            throw CommandError(code: .failure, message: "bench: the \(w.name) run printed no result:\n\(output)")
        }
        return [String(Int(events)), NumberFormat.rounded(wall, digits: 3), NumberFormat.rounded(events / wall / 1e6, digits: 2), rss]
    }

    /// Variants on 1 and 2 jobs: how a batch scales with cores.
    func scaling() throws(CommandError) {
        let file = "\(scenarios)/real-world-presets.json"
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

    /// Peak resident memory of this process, in MB.
    static var peakMemoryMB: Int {
        var usage = rusage()
        #if os(Linux)
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Int(usage.ru_maxrss) / 1024  // kilobytes on Linux
        #else
        getrusage(RUSAGE_SELF, &usage)
        return Int(usage.ru_maxrss) / (1024 * 1024)  // bytes on macOS
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
            throw CommandError(code: .failure, message: "bench: cannot start a child run: \(error)")
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
