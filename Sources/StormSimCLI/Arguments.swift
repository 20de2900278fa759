import StormSim

/// A small argv scanner: options with values (`--out DIR` or `--out=DIR`), flags, and positional arguments.
struct Arguments {
    private var items: [String]
    let command: String
    /// The options this command asked about (for "did you mean"), and flags given more than once.
    private var known: [String] = ["--help"]
    private var repeated: [String] = []

    init(_ items: [String], command: String) {
        self.items = items
        self.command = command
    }

    /// True (and consumed) when `-h` or `--help` appears anywhere.
    mutating func wantsHelp() -> Bool {
        let found = items.contains { $0 == "--help" || $0 == "-h" }
        items.removeAll { $0 == "--help" || $0 == "-h" }
        return found
    }

    /// Consumes a flag such as `--quiet`.
    mutating func flag(_ name: String) -> Bool {
        known.append(name)
        let count = items.filter { $0 == name }.count
        items.removeAll { $0 == name }
        if count > 1 { repeated.append("\(name) given \(count) times; give it once") }
        return count > 0
    }

    /// Consumes every value of an option (`--set a=1 --set b=2`).
    mutating func values(_ name: String) throws(CommandError) -> [String] {
        known.append(name)
        var found: [String] = []
        var i = 0
        while i < items.count {
            if items[i] == name {
                guard i + 1 < items.count, !items[i + 1].hasPrefix("--") else {
                    throw usage("\(name) needs a value")
                }
                found.append(items[i + 1])
                items.removeSubrange(i...(i + 1))
            } else if items[i].hasPrefix(name + "=") {
                found.append(String(items[i].dropFirst(name.count + 1)))
                items.remove(at: i)
            } else {
                i += 1
            }
        }
        return found
    }

    /// Consumes an option that may appear at most once.
    mutating func value(_ name: String) throws(CommandError) -> String? {
        let all = try values(name)
        if all.count > 1 { throw usage("\(name) given \(all.count) times; give it once") }
        return all.first
    }

    /// Consumes an integer option within `range`; `what` describes the value in the error message.
    mutating func integer(_ name: String, in range: ClosedRange<Int>, what: String = "an integer") throws(CommandError) -> Int? {
        guard let text = try value(name) else { return nil }
        guard let n = Int(text), range.contains(n) else {
            throw usage("\(name) expects \(what) from \(range.lowerBound) to \(range.upperBound), found '\(text)'")
        }
        return n
    }

    /// What is left once options are consumed: positional arguments. Anything left that looks like an option is an
    /// error (`--` ends options).
    mutating func positionals() throws(CommandError) -> [String] {
        if let first = repeated.first { throw usage(first) }
        var result: [String] = []
        var optionsEnded = false
        for item in items {
            if !optionsEnded && item == "--" { optionsEnded = true; continue }
            // A lone "-" is an argument: standard input.
            if !optionsEnded && item.hasPrefix("-") && item.count > 1 {
                let name = String(item.split(separator: "=", maxSplits: 1)[0])
                if let guess = Suggest.closest(to: name, among: known) { throw usage("unknown option '\(item)'; did you mean '\(guess)'?") }
                throw usage("unknown option '\(item)'")
            }
            result.append(item)
        }
        items = []
        return result
    }

    func usage(_ message: String) -> CommandError {
        CommandError(code: .usage, message: message, helpCommand: command)
    }
}

extension Arguments {
    /// `--format text|json`: true for json.
    mutating func jsonFormat() throws(CommandError) -> Bool {
        let format = try value("--format") ?? "text"
        guard format == "text" || format == "json" else { throw usage("--format \(format): expected text or json") }
        return format == "json"
    }

    /// `--seed N`: a root seed, 0 to 2^64 - 1.
    mutating func seed() throws(CommandError) -> UInt64? {
        guard let text = try value("--seed") else { return nil }
        guard let s = UInt64(text) else { throw usage("--seed expects an integer from 0 to 18446744073709551615, found '\(text)'") }
        return s
    }

    /// The one scenario FILE a command takes (what is left once its options are consumed).
    mutating func scenarioFile() throws(CommandError) -> String {
        let files = try positionals()
        guard files.count == 1, !files[0].isEmpty else {
            throw usage(files.isEmpty ? "missing the scenario FILE" : files.count > 1 ? "expected one scenario FILE, found \(files.count)" : "the scenario FILE is an empty string (an unset variable in a script?)")
        }
        return files[0]
    }
}
