import Foundation
import StormSim

/// `stormsim validate FILE...`: checks scenario files without running them: one line per valid file on stdout,
/// one line per problem on stderr. Exit 0 when every file is valid, 3 otherwise.
struct ValidateCommand {
    var files: [String]
    var overrides: [Override]
    var json: Bool
    var strict: Bool

    init(_ args: inout Arguments) throws(CommandError) {
        overrides = try args.overrides()
        strict = args.flag("--strict")
        json = try args.jsonFormat()
        files = try args.positionals()
        guard !files.isEmpty else { throw args.usage("missing the scenario FILE(s) to validate") }
    }

    func execute() throws(CommandError) {
        var invalid = 0
        var warned = 0
        var items: [JSONValue] = []
        for file in files {
            if ValidateCommand.isJSONSchema(file) {
                if json {
                    items.append(.object([JSONMember(key: "file", value: .string(file)), JSONMember(key: "skipped", value: .string("a JSON Schema, not a scenario"))]))
                } else {
                    print("\(file): skipped (a JSON Schema, not a scenario)")
                }
                continue
            }
            do {
                let set = try ScenarioDecoder.loadSet(file: file, overrides: overrides)
                let scenario = set.variants[0].scenario
                let warnings = ScenarioWarnings.check(set)
                if !warnings.isEmpty { warned += 1 }
                if json {
                    items.append(.object([
                        JSONMember(key: "file", value: .string(file)), JSONMember(key: "valid", value: .bool(true)),
                        JSONMember(key: "scenario", value: .string(scenario.name)), JSONMember(key: "problems", value: .array([])),
                        JSONMember(key: "warnings", value: warningsJSON(warnings)),
                    ]))
                } else {
                    let count = warnings.isEmpty ? "" : ", \(warnings.count) warning(s)"
                    print("\(file): OK (\(scenario.name): \(scenario.clients.count) clients, \(scenario.services.count) service(s), \(DurationText.format(scenario.duration))\(count))")
                    try? reportWarnings(warnings, file: file, strict: false)
                }
            } catch {
                invalid += 1
                if json {
                    let problems: [JSONValue] = error.issues.map { issue in
                        .object([JSONMember(key: "path", value: .string(issue.path.description)), JSONMember(key: "message", value: .string(issue.message))])
                    }
                    items.append(.object([
                        JSONMember(key: "file", value: .string(file)), JSONMember(key: "valid", value: .bool(false)),
                        JSONMember(key: "problems", value: .array(problems)),
                    ]))
                } else {
                    writeStandardError(error.description + "\n")
                }
            }
        }
        if json { print(JSONValue.array(items).compactText) }
        if invalid > 0 {
            throw CommandError(code: .invalidScenario, message: "\(invalid) of \(files.count) file(s) invalid")
        }
        if strict && warned > 0 {
            throw CommandError(code: .invalidScenario, message: "\(warned) of \(files.count) file(s) have warnings, and --strict")
        }
    }
}

extension ValidateCommand {
    /// A JSON Schema (such as scenarios/schema.json) rather than a scenario: its "$schema" names json-schema.org.
    static func isJSONSchema(_ file: String) -> Bool {
        guard file != "-", let data = FileManager.default.contents(atPath: file),
            let json = try? JSONParser.parse(String(decoding: data, as: UTF8.self)),
            case .string(let schema)? = json["$schema"]
        else { return false }
        return schema.contains("json-schema.org")
    }
}

extension Arguments {
    /// Consumes every `--set PATH=VALUE`.
    mutating func overrides() throws(CommandError) -> [Override] {
        var result: [Override] = []
        for text in try values("--set") {
            do {
                result.append(try Override.parse(text))
            } catch {
                throw usage(error.message)
            }
        }
        return result
    }
}
