import Foundation
import StormSim

/// `stormsim init FILE`: writes a commented starter scenario that validates and runs as written.
struct InitCommand {
    var file: String
    var starter = StarterScenario()
    var force: Bool

    init(_ args: inout Arguments) throws(CommandError) {
        force = args.flag("--force")
        if let preset = try args.value("--preset") {
            guard Preset.named(preset) != nil else {
                let guess = Suggest.closest(to: preset, among: Preset.all.map(\.name)).map { "; did you mean '\($0)'?" } ?? ""
                throw args.usage("--preset: no preset named '\(preset)'\(guess) ('stormsim presets' lists them)")
            }
            starter.preset = preset
        }
        if let arrival = try args.value("--arrival") {
            guard let kind = StarterScenario.ArrivalKind(rawValue: arrival) else {
                let names = StarterScenario.ArrivalKind.allCases.map(\.rawValue)
                let guess = Suggest.closest(to: arrival, among: names).map { "; did you mean '\($0)'?" } ?? ""
                throw args.usage("--arrival \(arrival): expected one of \(names.joined(separator: ", "))\(guess)")
            }
            starter.arrival = kind
        }
        if let chain = try args.integer("--chain", in: 1...StarterScenario.maxChain, what: "a number of services") {
            starter.chain = chain
        }
        let files = try args.positionals()
        guard files.count == 1, let file = files.first, !file.isEmpty else {
            throw args.usage(files.isEmpty ? "missing the FILE to write (for example my-scenario.json, or - for stdout)" : "expected one FILE, found \(files.count)")
        }
        self.file = file
        starter.name = StarterScenario.name(fromFile: file == "-" ? "my-scenario" : file)
        starter.schema = InitCommand.schemaReference(for: file)
    }

    func execute() throws(CommandError) {
        if file == "-" {
            print(starter.text, terminator: "")
            return
        }
        if FileManager.default.fileExists(atPath: file) && !force {
            throw CommandError(code: .failure, message: "\(file) exists; choose another name, or --force to replace it")
        }
        do {
            try AtomicFile.write(starter.text, to: file)
        } catch {
            throw CommandError(code: .failure, message: error.description)
        }
        let chain = starter.serviceNames.joined(separator: " -> ")
        print("""
            Wrote \(file): clients -> \(chain), \(starter.arrival.rawValue) arrivals, \(starter.preset.map { "the \($0) preset" } ?? "an explicit retry policy"), a slowdown of \(starter.serviceNames.last!) from 30 s to 45 s, no retries against retries.
            Next:
              stormsim explain \(file)    every value, with the defaults filled in and where each came from
              stormsim run \(file)        run it (results/\(starter.name)/)
              stormsim plot results/\(starter.name)
            """)
    }

    /// The `$schema` an editor can follow: the path from the file's folder to scenarios/schema.json when run in a
    /// stormsim checkout, else the schema's published address.
    static func schemaReference(for file: String) -> String {
        let cwd = FileManager.default.currentDirectoryPath
        guard file != "-", FileManager.default.fileExists(atPath: cwd + "/scenarios/schema.json") else { return StarterScenario.schemaURL }
        let absolute = URL(fileURLWithPath: file, relativeTo: URL(fileURLWithPath: cwd + "/")).standardizedFileURL.deletingLastPathComponent().pathComponents
        let schema = URL(fileURLWithPath: cwd + "/scenarios").standardizedFileURL.pathComponents
        var common = 0
        while common < min(absolute.count, schema.count), absolute[common] == schema[common] { common += 1 }
        let up = Array(repeating: "..", count: absolute.count - common)
        let parts = up + schema[common...] + ["schema.json"]
        return (up.isEmpty ? "./" : "") + parts.joined(separator: "/")
    }
}
