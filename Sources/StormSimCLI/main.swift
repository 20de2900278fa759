import Foundation
import StormSim

/// The commands: name, help text, and how to parse and run it.
struct Command {
    var name: String
    var usage: String
    var run: (inout Arguments) throws(CommandError) -> Void
}

func allCommands() -> [Command] {
    [
    Command(name: "run", usage: Usage.run) { args throws(CommandError) in try RunCommand(&args).execute() },
    Command(name: "init", usage: Usage.initCommand) { args throws(CommandError) in try InitCommand(&args).execute() },
    Command(name: "explain", usage: Usage.explain) { args throws(CommandError) in try ExplainCommand(&args).execute() },
    Command(name: "validate", usage: Usage.validate) { args throws(CommandError) in try ValidateCommand(&args).execute() },
    Command(name: "presets", usage: Usage.presets) { args throws(CommandError) in try PresetsCommand(&args).execute() },
    Command(name: "merge", usage: Usage.merge) { args throws(CommandError) in try MergeCommand(&args).execute() },
    Command(name: "plot", usage: Usage.plot) { args throws(CommandError) in try PlotCommand(&args).execute() },
    Command(name: "compare", usage: Usage.compare) { args throws(CommandError) in try CompareCommand(&args).execute() },
    Command(name: "tune", usage: Usage.tune) { args throws(CommandError) in try TuneCommand(&args).execute() },
    Command(name: "margin", usage: Usage.margin) { args throws(CommandError) in try MarginCommand(&args).execute() },
    Command(name: "bench", usage: Usage.bench) { args throws(CommandError) in try BenchCommand(&args).execute() },
    Command(name: "completions", usage: Usage.completions) { args throws(CommandError) in try CompletionsCommand(&args).execute() },
    Command(name: "man", usage: Usage.man) { args throws(CommandError) in try ManCommand(&args).execute() },
    ]
}

/// Entry point: dispatch to a command, print errors on stderr, exit with a documented code.
func runMain(_ argv: [String]) -> ExitCode {
    var rest = Array(argv.dropFirst())
    guard let name = rest.first else {
        printError(CommandError(code: .usage, message: "missing a command", helpCommand: ""))
        return .usage
    }
    rest.removeFirst()
    let commands = allCommands()
    do throws(CommandError) {
        switch name {
        case "--help", "-h":
            print(Usage.main)
        case "--version", "version":
            print(Usage.version)
        case "help":
            guard let topic = rest.first else { print(Usage.main); break }
            guard let command = commands.first(where: { $0.name == topic }) else {
                throw CommandError(code: .usage, message: "no help for unknown command '\(topic)'" + suggestion(topic, commands), helpCommand: "")
            }
            print(command.usage)
        default:
            guard let command = commands.first(where: { $0.name == name }) else {
                throw CommandError(code: .usage, message: "unknown command '\(name)'" + suggestion(name, commands), helpCommand: "")
            }
            var args = Arguments(rest, command: name)
            if args.wantsHelp() { print(command.usage); return .success }
            try command.run(&args)
        }
    } catch {
        printError(error)
        return error.code
    }
    return .success
}

/// "; did you mean 'run'?" for a misspelt command, or nothing.
func suggestion(_ word: String, _ commands: [Command]) -> String {
    Suggest.closest(to: word, among: commands.map(\.name)).map { "; did you mean '\($0)'?" } ?? ""
}

func printError(_ error: CommandError) {
    var text = "Error: \(error.message)\n"
    if let command = error.helpCommand {
        text += "See 'stormsim \(command.isEmpty ? "" : command + " ")--help'.\n"
    }
    writeStandardError(text)
}

func writeStandardError(_ text: String) { FileSystem.writeStandardError(text) }

// Freed memory stays in the process for the next run of a sweep (see `PlainMemory.keepFreedMemory`).
PlainMemory.keepFreedMemory()
// A closed stdout (`stormsim ... | head`) is an error to ignore, not a signal that kills the process.
signal(SIGPIPE, SIG_IGN)
// Ctrl-C and SIGTERM from the first instant: until a command starts polling, they end the process with 130.
Interrupt.shared.install()
exit(runMain(CommandLine.arguments).rawValue)
