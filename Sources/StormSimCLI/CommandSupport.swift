import Foundation
import StormSim

/// Reads a scenario set for a command: an invalid file is exit 3 with every problem; `seed` replaces the root seed.
func loadScenarioSet(_ file: String, overrides: [Override], seed: UInt64?) throws(CommandError) -> ScenarioSet {
    var set: ScenarioSet
    do { set = try ScenarioDecoder.loadSet(file: file, overrides: overrides) } catch {
        throw CommandError(code: .invalidScenario, message: "invalid scenario\n" + error.description)
    }
    if let seed { for i in set.variants.indices { set.variants[i].scenario.seed = seed } }
    return set
}

/// Runs gnuplot on `script` in `folder` when it is installed (quietly: the script is written either way); the name
/// of the image it drew, or nil.
func renderWithGnuplot(_ script: String, in folder: String, image: String) -> String? {
    guard let gnuplot = Paths.executable("gnuplot") else { return nil }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: gnuplot)
    process.arguments = [script]
    process.currentDirectoryURL = URL(fileURLWithPath: folder)
    process.standardError = FileHandle.nullDevice
    do { try process.run() } catch { return nil }
    process.waitUntilExit()
    return process.terminationStatus == 0 ? image : nil
}
