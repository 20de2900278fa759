/// A small argv scanner: options with values (`--out DIR` or `--out=DIR`), flags, and positional arguments.
struct Arguments {
    private var items: [String]
    let command: String

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
        guard let i = items.firstIndex(of: name) else { return false }
        items.remove(at: i)
        return true
    }

    /// Consumes every value of an option (`--set a=1 --set b=2`).
    mutating func values(_ name: String) throws(CommandError) -> [String] {
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
        var result: [String] = []
        var optionsEnded = false
        for item in items {
            if !optionsEnded && item == "--" { optionsEnded = true; continue }
            if !optionsEnded && item.hasPrefix("-") && item.count > 1 {
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
