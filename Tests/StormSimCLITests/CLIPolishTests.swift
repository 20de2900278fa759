import Foundation
import Testing

/// Suggestions for typos, standard input, repeated flags, empty arguments, schema files in validate.
@Suite struct CLIPolishTests {
    @Test func typosGetSuggestions() throws {
        let command = try stormsim(["rnu", "x.json"])
        #expect(command.status == 2 && command.stderr.contains("unknown command 'rnu'; did you mean 'run'?"))
        let option = try stormsim(["run", "x.json", "--outt", "y"])
        #expect(option.status == 2 && option.stderr.contains("unknown option '--outt'; did you mean '--out'?"))
        let preset = try stormsim(["presets", "grcp"])
        #expect(preset.status == 2 && preset.stderr.contains("no preset named 'grcp'; did you mean 'grpc'?"))
        let help = try stormsim(["help", "valdiate"])
        #expect(help.status == 2 && help.stderr.contains("did you mean 'validate'?"))
        let far = try stormsim(["frobnicate"])
        #expect(far.status == 2 && !far.stderr.contains("did you mean"))
    }

    @Test func repeatedFlagsAndEmptyFilesAreRefusedClearly() throws {
        let twice = try stormsim(["run", "x.json", "--quiet", "--quiet"])
        #expect(twice.status == 2 && twice.stderr.contains("--quiet given 2 times; give it once"))
        let empty = try stormsim(["run", ""])
        #expect(empty.status == 2 && empty.stderr.contains("the scenario FILE is an empty string"))
    }

    @Test func standardInputAndSchemaFiles() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let process = Process()
        process.executableURL = try stormsimBinary()
        process.arguments = ["run", "-", "--out", "out", "--quiet"]
        process.currentDirectoryURL = dir
        let input = Pipe()
        process.standardInput = input
        try process.run()
        input.fileHandleForWriting.write(Data(smallScenario.utf8))
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("out/summary.csv").path))

        try write(#"{ "$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object" }"#, to: dir.appendingPathComponent("schema.json"))
        try write(smallScenario, to: dir.appendingPathComponent("s.json"))
        let v = try stormsim(["validate", "s.json", "schema.json"], in: dir)
        #expect(v.status == 0 && v.stdout.contains("schema.json: skipped (a JSON Schema, not a scenario)"))
    }
}
