/// Exit codes, documented in the README and in `stormsim --help`.
enum ExitCode: Int32 {
    case success = 0
    /// The run could not finish: outputs could not be written, or another runtime failure.
    case failure = 1
    /// The command line is wrong: unknown command or option, missing argument.
    case usage = 2
    /// A scenario file is missing, unreadable, not JSON or not a valid scenario.
    case invalidScenario = 3
    /// The run finished and wrote its outputs, but a variant missed one of the scenario's expectations.
    case expectationFailed = 4
    /// `compare`: a `--fail-if` gate tripped (the comparison was printed).
    case gateTripped = 5
    /// Stopped by Ctrl-C (SIGINT) or SIGTERM; earlier outputs are left untouched.
    case interrupted = 130
}

/// A failure that ends the command with a message on stderr and an exit code.
struct CommandError: Error {
    var code: ExitCode
    var message: String
    /// Usage errors also print "See 'stormsim <command> --help'".
    var helpCommand: String? = nil
}
