import Foundation
import Testing

/// What a run of the built `stormsim` binary printed and returned.
struct Execution {
    var stdout: String
    var stderr: String
    var status: Int32
}

/// The `stormsim` executable next to the test bundle (SwiftPM builds it because this target depends on it).
func stormsimBinary() throws -> URL {
    var candidates: [URL] = []
    if let override = ProcessInfo.processInfo.environment["STORMSIM_BIN"] { candidates.append(URL(fileURLWithPath: override)) }
    let bundle = Bundle.main.bundleURL
    candidates.append(bundle.appendingPathComponent("stormsim"))
    candidates.append(bundle.deletingLastPathComponent().appendingPathComponent("stormsim"))
    for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
        candidates.append(bundle.bundleURL.deletingLastPathComponent().appendingPathComponent("stormsim"))
    }
    guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
        throw CLITestError.binaryNotFound(candidates.map(\.path))
    }
    return found
}

enum CLITestError: Error { case binaryNotFound([String]) }

/// Runs `stormsim` with `arguments` in `directory` and waits for it.
func stormsim(_ arguments: [String], in directory: URL? = nil) throws -> Execution {
    let process = Process()
    process.executableURL = try stormsimBinary()
    process.arguments = arguments
    if let directory { process.currentDirectoryURL = directory }
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    // Read both pipes before waiting, so a chatty process cannot block on a full pipe.
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return Execution(
        stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errData, as: UTF8.self),
        status: process.terminationStatus)
}

/// A fresh temporary folder, removed by the caller with `cleanUp`.
func temporaryFolder() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("stormsim-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

func write(_ text: String, to url: URL) throws {
    try text.write(to: url, atomically: true, encoding: .utf8)
}

func read(_ url: URL) throws -> String { try String(contentsOf: url, encoding: .utf8) }

/// The repository's root, found from this file's path (tests read the bundled scenarios).
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// A small valid scenario that runs in milliseconds.
let smallScenario = """
    { "name": "small", "seed": 3, "duration": "5s",
      "clients": { "count": 200, "target": "api", "arrival": { "type": "burst", "spread": "100ms" },
                   "policy": { "timeout": "50ms", "maxAttempts": 3, "jitter": "full" } },
      "services": [ { "name": "api", "workers": 4, "queue": { "capacity": 20 },
                      "serviceTime": { "dist": "exponential", "mean": "5ms" } } ] }
    """
