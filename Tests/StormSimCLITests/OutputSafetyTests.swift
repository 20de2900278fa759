import Foundation
import Testing

/// A results folder is changed only as a whole set, only by one run at a time, and only in stormsim's own files.
@Suite struct OutputSafetyTests {
    func files(_ folder: URL) -> [String] {
        let e = FileManager.default.enumerator(atPath: folder.path)
        var names: [String] = []
        while let name = e?.nextObject() as? String { names.append(name) }
        return names.sorted()
    }

    /// `--out ""` is the file-system root for a naive program; as root (CI containers) it would write there.
    @Test func emptyOutIsRefusedAndTouchesNothing() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        try write(smallScenario, to: dir.appendingPathComponent("s.json"))
        let rootBefore = try FileManager.default.contentsOfDirectory(atPath: "/").sorted()
        for command in [["run", "s.json", "--out", ""], ["merge", "x", "--out", ""]] {
            let r = try stormsim(command, in: dir)
            #expect(r.status == 2, "\(command)")
            #expect(r.stderr.contains("--out is empty"), "\(command)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: "/").sorted() == rootBefore)
        #expect(files(dir) == ["s.json"])
    }

    /// The old sweep followed a symlinked timeseries/ and deleted a user's file at its target.
    @Test func symlinkedTimeSeriesFolderIsNeverFollowed() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        try write(smallScenario, to: dir.appendingPathComponent("s.json"))
        let victim = dir.appendingPathComponent("victim")
        try FileManager.default.createDirectory(at: victim, withIntermediateDirectories: true)
        try write("precious\n", to: victim.appendingPathComponent("important.csv"))
        let out = dir.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(at: out.appendingPathComponent("timeseries"), withDestinationURL: victim)
        let r = try stormsim(["run", "s.json", "--out", "out", "--quiet"], in: dir)
        #expect(r.status == 1)
        #expect(r.stderr.contains("out/timeseries: is a symbolic link"))
        #expect(try read(victim.appendingPathComponent("important.csv")) == "precious\n")
        #expect(files(victim) == ["important.csv"])
        #expect(files(out) == ["timeseries"])
    }

    /// `--out .` in a folder of the user's own files: stormsim adds its set and, on the next run, replaces or
    /// removes only what it wrote.
    @Test func onlyStormsimsOwnFilesAreReplacedOrRemoved() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let scenario = smallScenario.replacingOccurrences(
            of: #""seed": 3,"#, with: #""seed": 3, "vary": { "clients.policy.maxAttempts": [1, 2] },"#)
        try write(scenario, to: dir.appendingPathComponent("s.json"))
        try write("mine\n", to: dir.appendingPathComponent("trace.csv"))
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("timeseries"), withIntermediateDirectories: true)
        try write("mine\n", to: dir.appendingPathComponent("timeseries/notes.csv"))
        #expect(try stormsim(["run", "s.json", "--out", ".", "--quiet"], in: dir).status == 0)
        #expect(files(dir) == ["manifest.json", "run.json", "s.json", "summary.csv", "summary.json", "timeseries", "timeseries/1.csv",
                               "timeseries/2.csv", "timeseries/notes.csv", "trace.csv"])
        // Another run with other variants: the stale series of the first run go, the user's files stay.
        let r = try stormsim(["run", "s.json", "--out", ".", "--quiet", "--set", "vary={\"clients.policy.maxAttempts\": [3]}"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(files(dir) == ["manifest.json", "run.json", "s.json", "summary.csv", "summary.json", "timeseries", "timeseries/3.csv",
                               "timeseries/notes.csv", "trace.csv"])
        #expect(try read(dir.appendingPathComponent("trace.csv")) == "mine\n")
        #expect(try read(dir.appendingPathComponent("timeseries/notes.csv")) == "mine\n")
        #expect(try read(dir.appendingPathComponent("manifest.json"))
            == #"{"format":"stormsim-results-1","files":["run.json","summary.csv","summary.json","timeseries/3.csv"]}"# + "\n")
        // A file of the new set that stormsim did not write is not replaced: the run is refused before it starts.
        let t = try stormsim(["run", "s.json", "--out", ".", "--trace", "2"], in: dir)
        #expect(t.status == 1)
        #expect(t.stderr.contains("trace.csv: exists and was not written by stormsim"))
        #expect(try read(dir.appendingPathComponent("trace.csv")) == "mine\n")
    }

    /// A folder written before manifests existed is recognised by its run.json: its stale series still go.
    @Test func foldersWithoutAManifestAreAdoptedByTheirRunDescription() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let scenario = smallScenario.replacingOccurrences(
            of: #""seed": 3,"#, with: #""seed": 3, "vary": { "clients.policy.maxAttempts": [1, 2] },"#)
        try write(scenario, to: dir.appendingPathComponent("s.json"))
        #expect(try stormsim(["run", "s.json", "--out", "r", "--quiet"], in: dir).status == 0)
        try FileManager.default.removeItem(at: dir.appendingPathComponent("r/manifest.json"))
        #expect(try stormsim(["run", "s.json", "--out", "r", "--quiet", "--set", "vary={\"clients.policy.maxAttempts\": [3]}"], in: dir).status == 0)
        #expect(files(dir.appendingPathComponent("r")) == ["manifest.json", "run.json", "summary.csv", "summary.json", "timeseries", "timeseries/3.csv"])
    }

    /// Two runs into one folder cannot interleave: the second is refused while the first holds the lock.
    @Test func aLockedFolderIsRefused() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        try write(smallScenario, to: dir.appendingPathComponent("s.json"))
        let out = dir.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        let fd = open(out.appendingPathComponent(".stormsim.lock").path, O_RDWR | O_CREAT, 0o644)
        #expect(fd >= 0 && flock(fd, LOCK_EX) == 0)
        let r = try stormsim(["run", "s.json", "--out", "out"], in: dir)
        #expect(r.status == 1)
        #expect(r.stderr.contains("another stormsim is writing results into this folder"))
        close(fd)
        #expect(try stormsim(["run", "s.json", "--out", "out", "--quiet"], in: dir).status == 0)
        #expect(!files(out).contains(".stormsim.lock"))
    }

    /// Names that cannot be written are refused before the simulation, naming the limit.
    @Test func overlongPathsAreRefusedBeforeRunning() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        try write(smallScenario, to: dir.appendingPathComponent("s.json"))
        let deep = Array(repeating: String(repeating: "d", count: 200), count: 21).joined(separator: "/")
        let r = try stormsim(["run", "s.json", "--out", deep], in: dir)
        #expect(r.status == 1)
        #expect(r.stderr.contains("ENAMETOOLONG"))
        #expect(!r.stderr.contains("NSCocoaErrorDomain"))
        #expect(files(dir) == ["s.json"], "nothing created for a refused run")
    }

    /// A full or closed stderr must not turn an error exit into a crash.
    @Test func unwritableStandardErrorKeepsTheExitCode() throws {
        let process = Process()
        process.executableURL = try stormsimBinary()
        process.arguments = ["run", "/nonexistent/s.json"]
        process.standardError = FileHandle(forWritingAtPath: "/dev/full")
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 3)
    }

    /// A run over the memory limit is refused before it starts (exit 3), naming the estimate and the option.
    @Test func memoryLimitRefusesAndAllowLargeLiftsIt() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        try write(smallScenario, to: dir.appendingPathComponent("s.json"))
        let refused = try stormsim(["run", "s.json", "--out", "r", "--max-memory", "1M"], in: dir)
        #expect(refused.status == 3)
        #expect(refused.stderr.contains("this run needs about") && refused.stderr.contains("--max-memory SIZE"))
        #expect(files(dir) == ["s.json"])
        #expect(try stormsim(["run", "s.json", "--out", "r", "--max-memory", "1M", "--allow-large", "--quiet"], in: dir).status == 0)
        #expect(try stormsim(["run", "s.json", "--max-memory", "lots"], in: dir).status == 2)
    }
}

