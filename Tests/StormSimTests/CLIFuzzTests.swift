import Foundation
import Testing

@testable import StormSim

/// The released binary against mutated scenarios, as a user or an attacker would run it: each mutant runs in its
/// own process under a memory limit (`ulimit -v`) and a watchdog. A valid scenario must finish (exit 0, or 4 for
/// an expectation); an invalid one must exit 3 with a message on stderr. A trap (a signal), a hang (the watchdog)
/// or running out of memory fails the test. Mutants come from `MutationTests`, with fixed seeds, so a failure names
/// its seed and mutant and can be replayed.
@Suite struct CLIFuzzTests {
    /// Virtual memory per run: the estimate refuses runs above `--max-memory`, well below it.
    static let memoryLimitKB = 3_000_000
    static let maxMemory = "512M"
    /// Seconds a run may take before it counts as a hang (debug builds on a loaded 2-core machine).
    static let watchdog: Double = 60

    /// The `stormsim` executable SwiftPM built beside the test bundle.
    static func binary() throws -> URL {
        var candidates: [URL] = []
        if let override = ProcessInfo.processInfo.environment["STORMSIM_BIN"] { candidates.append(URL(fileURLWithPath: override)) }
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            candidates.append(bundle.bundleURL.deletingLastPathComponent().appendingPathComponent("stormsim"))
        }
        candidates.append(Bundle.main.bundleURL.appendingPathComponent("stormsim"))
        let found = candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
        return try #require(found, "stormsim binary not found in \(candidates.map(\.path))")
    }

    struct Outcome {
        var status: Int32
        var signalled: Bool
        var timedOut: Bool
        var stderr: String
    }

    /// Runs `stormsim run FILE` under the limits.
    static func run(_ file: URL, out: URL) throws -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "ulimit -v \(memoryLimitKB) && exec \"$0\" \"$@\"", try binary().path,
                             "run", file.path, "--out", out.path, "--quiet", "--jobs", "1", "--max-memory", maxMemory]
        let errFile = out.deletingLastPathComponent().appendingPathComponent(out.lastPathComponent + ".err")
        FileManager.default.createFile(atPath: errFile.path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: errFile)
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(watchdog)
        var timedOut = false
        while process.isRunning {
            if Date() > deadline {
                timedOut = true
                kill(process.processIdentifier, SIGKILL)
                break
            }
            usleep(2_000)
        }
        process.waitUntilExit()
        return Outcome(
            status: process.terminationStatus, signalled: process.terminationReason == .uncaughtSignal, timedOut: timedOut,
            stderr: (try? String(contentsOf: errFile, encoding: .utf8)) ?? "")
    }

    @Test(arguments: 0..<6)
    func mutantsThroughTheBinaryFinishOrFailCleanly(seed: UInt64) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("stormsim-fuzz-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var rng = Xoshiro256(seed: 77_000 + seed)
        let generator = MutationTests()
        var valid = 0, invalid = 0
        for mutant in 0..<60 {
            let base = MutationTests.bases[Int(rng.nextInt(below: UInt64(MutationTests.bases.count)))]
            let text = generator.mutate(base, &rng)
            let file = dir.appendingPathComponent("m\(mutant).json")
            try text.write(to: file, atomically: true, encoding: .utf8)
            let out = dir.appendingPathComponent("out\(mutant)")
            let r = try Self.run(file, out: out)
            let name = "seed \(seed) mutant \(mutant)"
            #expect(!r.timedOut, "\(name): still running after \(Self.watchdog) s\n\(text)")
            #expect(!r.signalled, "\(name): killed by signal \(r.status) (a trap or out of memory)\n\(r.stderr.prefix(600))\n\(text)")
            guard !r.timedOut, !r.signalled else { continue }
            switch r.status {
            case 0, 4:
                valid += 1
                #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("manifest.json").path), "\(name)")
            case 3:
                invalid += 1
                #expect(r.stderr.hasPrefix("Error: ") && r.stderr.count > 20, "\(name): exit 3 without a message")
            default:
                Issue.record("\(name): exit \(r.status)\n\(r.stderr.prefix(600))\n\(text)")
            }
        }
        // Both outcomes occur, or the mutations are too weak (or too strong) to test anything. About one mutant in
        // eight stays valid (measured: 32 of 300); every seed has some.
        #expect(valid >= 2 && invalid >= 20, "valid \(valid), invalid \(invalid)")
    }
}
