import Foundation

import StormSim

extension RunCommand {
    /// `--trace N`, `--trace-from T`, `--trace-window A..B`, `--trace-failed`, `--trace-every N`. Any of the others
    /// without `--trace` traces up to `defaultTraceRequests` requests.
    static func traceSelection(_ args: inout Arguments) throws(CommandError) -> TraceSelection {
        let count = try args.integer("--trace", in: 0...100_000, what: "a number of requests")
        let fromText = try args.value("--trace-from")
        let windowText = try args.value("--trace-window")
        let failed = args.flag("--trace-failed")
        let every = try args.integer("--trace-every", in: 1...1_000_000_000, what: "a sampling step")
        func duration(_ text: String, _ option: String) throws(CommandError) -> SimDuration {
            switch DurationText.parse(.string(text)) {
            case .success(let d): return d
            case .failure(let message): throw args.usage("\(option) \(text): \(message)")
            }
        }
        var from = SimDuration.zero
        var until: SimDuration?
        if let fromText { from = try duration(fromText, "--trace-from") }
        if let windowText {
            if fromText != nil { throw args.usage("give --trace-from or --trace-window, not both") }
            let parts = windowText.components(separatedBy: "..")
            guard parts.count == 2 else { throw args.usage("--trace-window expects A..B (for example 30s..45s), found '\(windowText)'") }
            from = try duration(parts[0], "--trace-window")
            until = try duration(parts[1], "--trace-window")
            guard from < until! else { throw args.usage("--trace-window \(windowText): the end must come after the start") }
        }
        let narrowed = fromText != nil || windowText != nil || failed || every != nil
        let requests = count ?? (narrowed ? defaultTraceRequests : 0)
        if count == 0 && narrowed { throw args.usage("--trace 0 traces nothing; leave it out, or give a number of requests") }
        return TraceSelection(requests: requests, from: from, until: until, every: every ?? 1, failedOnly: failed)
    }

    static let defaultTraceRequests = 10
}
