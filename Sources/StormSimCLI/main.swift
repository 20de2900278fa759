import Foundation
import StormSim

/// Entry point: dispatch to a command, print errors on stderr, exit with a documented code.
func runMain(_ argv: [String]) -> ExitCode {
    var rest = Array(argv.dropFirst())
    guard let command = rest.first else {
        printError(CommandError(code: .usage, message: "missing a command", helpCommand: ""))
        return .usage
    }
    rest.removeFirst()
    do throws(CommandError) {
        switch command {
        case "--help", "-h":
            print(Usage.main)
        case "help":
            switch rest.first {
            case nil: print(Usage.main)
            case "run": print(Usage.run)
            case "validate": print(Usage.validate)
            case "presets": print(Usage.presets)
            case "bench": print(Usage.bench)
            case "merge": print(Usage.merge)
            case "plot": print(Usage.plot)
            case let other?: throw CommandError(code: .usage, message: "no help for unknown command '\(other)'", helpCommand: "")
            }
        case "--version", "version":
            print(Usage.version)
        case "run":
            var args = Arguments(rest, command: "run")
            if args.wantsHelp() { print(Usage.run); return .success }
            try RunCommand(&args).execute()
        case "presets":
            var args = Arguments(rest, command: "presets")
            if args.wantsHelp() { print(Usage.presets); return .success }
            try PresetsCommand(&args).execute()
        case "plot":
            var args = Arguments(rest, command: "plot")
            if args.wantsHelp() { print(Usage.plot); return .success }
            try PlotCommand(&args).execute()
        case "merge":
            var args = Arguments(rest, command: "merge")
            if args.wantsHelp() { print(Usage.merge); return .success }
            try MergeCommand(&args).execute()
        case "bench":
            var args = Arguments(rest, command: "bench")
            if args.wantsHelp() { print(Usage.bench); return .success }
            try BenchCommand(&args).execute()
        case "validate":
            var args = Arguments(rest, command: "validate")
            if args.wantsHelp() { print(Usage.validate); return .success }
            try ValidateCommand(&args).execute()
        default:
            throw CommandError(code: .usage, message: "unknown command '\(command)'", helpCommand: "")
        }
    } catch {
        printError(error)
        return error.code
    }
    return .success
}

func printError(_ error: CommandError) {
    var text = "Error: \(error.message)\n"
    if let command = error.helpCommand {
        text += "See 'stormsim \(command.isEmpty ? "" : command + " ")--help'.\n"
    }
    FileHandle.standardError.write(Data(text.utf8))
}

exit(runMain(CommandLine.arguments).rawValue)
