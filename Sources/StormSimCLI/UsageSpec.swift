import StormSim

/// The commands and options as the help texts state them, read back from those texts: shell completions and the
/// man page are generated from this, so they cannot drift from `--help`.
struct UsageSpec {
    struct Option: Equatable {
        /// "--out", or "-h" and "--help".
        var names: [String]
        /// What follows the option ("DIR", "N", "text|json"), or nil for a flag.
        var placeholder: String?
        var description: String
        /// Fixed values, from "a|b|c" in the synopsis or the option line.
        var choices: [String]
        /// How to complete the value: a file, a folder, a preset name, or anything.
        var valueKind: ValueKind {
            if !choices.isEmpty { return .choices }
            switch placeholder {
            case "FILE"?: return .file
            case "DIR"?: return .folder
            case "NAME"? where names.contains("--preset"): return .preset
            default: return placeholder == nil ? .none : .any
            }
        }
    }

    enum ValueKind { case none, any, file, folder, preset, choices }

    struct CommandSpec {
        var name: String
        var summary: String
        var usage: String
        var options: [Option]
        /// What the positional arguments are: scenario files, results folders, or nothing to complete.
        var arguments: ValueKind
    }

    var commands: [CommandSpec]

    /// A description cut for a completion menu: up to its first ';' (when that leaves enough), at most 80
    /// characters, at a word boundary.
    static func short(_ s: String) -> String {
        var text = s
        if let semicolon = text.firstIndex(of: ";"), text.distance(from: text.startIndex, to: semicolon) >= 20 { text = String(text[..<semicolon]) }
        guard text.count > 80 else { return text }
        let cut = text.prefix(78)
        return String(cut[..<(cut.lastIndex(of: " ") ?? cut.endIndex)]) + "..."
    }

    init(_ list: [Command] = allCommands()) {
        let summaries = UsageSpec.commandSummaries(Usage.main)
        commands = list.map { command in
            let synopsis = command.usage.split(separator: "\n", omittingEmptySubsequences: false).prefix { !$0.trimmingPrefix(" ").isEmpty }.joined(separator: " ")
            let arguments: ValueKind = ["run", "validate", "explain", "init"].contains(command.name) ? .file
                : ["merge", "plot", "compare"].contains(command.name) ? .folder : .none
            return CommandSpec(name: command.name, summary: summaries[command.name] ?? "", usage: command.usage,
                               options: UsageSpec.options(command.usage, synopsis: synopsis), arguments: arguments)
        }
    }

    /// "  run FILE        simulate ..." lines of the main help: command name -> description.
    static func commandSummaries(_ text: String) -> [String: String] {
        var result: [String: String] = [:]
        var inCommands = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("COMMANDS:") { inCommands = true; continue }
            if inCommands && !line.hasPrefix("  ") { inCommands = false }
            guard inCommands, let split = line.range(of: "  ", options: [], range: line.index(line.startIndex, offsetBy: 2)..<line.endIndex) else { continue }
            let head = line[line.index(line.startIndex, offsetBy: 2)..<split.lowerBound].split(separator: " ")
            guard let name = head.first else { continue }
            result[String(name)] = line[split.upperBound...].trimmingCharacters(in: .whitespaces)
        }
        return result
    }

    /// The option lines of a help text ("  --out DIR            write results into DIR ..."), with their
    /// continuation lines, and the choices the synopsis gives ("[--format text|json]").
    static func options(_ text: String, synopsis: String) -> [Option] {
        var result: [Option] = []
        var continuing = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.drop { $0 == " " }
            let indent = line.count - trimmed.count
            if indent == 2 && trimmed.hasPrefix("-") {
                let parts = trimmed.components(separatedBy: "  ").filter { !$0.isEmpty }
                var names: [String] = []
                var placeholder: String?
                for token in parts[0].split(separator: " ").map(String.init) {
                    if token.hasPrefix("-") { names.append(token.trimmingCharacters(in: CharacterSet(charactersIn: ","))) }
                    else if placeholder == nil { placeholder = token }
                }
                let description = parts.dropFirst().joined(separator: " ").trimmingCharacters(in: .whitespaces)
                continuing = !names.isEmpty && !result.contains { $0.names == names }
                if continuing { result.append(Option(names: names, placeholder: placeholder, description: description, choices: [])) }
            } else if continuing && indent > 4 && !trimmed.isEmpty {
                result[result.count - 1].description += " " + trimmed.trimmingCharacters(in: .whitespaces)
            } else {
                continuing = false
            }
        }
        // Options the synopsis names that have no line of their own ("[--out DIR] [--quiet]").
        let synopsisWords = synopsis.replacingOccurrences(of: "[", with: " ").replacingOccurrences(of: "]", with: " ")
            .split(separator: " ").map(String.init)
        for (i, word) in synopsisWords.enumerated() where word.hasPrefix("--") && !result.contains(where: { $0.names.contains(word) }) {
            let next = i + 1 < synopsisWords.count ? synopsisWords[i + 1] : ""
            let placeholder = !next.hasPrefix("-") && next != "|" && (next.uppercased() == next || next.contains("|")) && !next.isEmpty ? next : nil
            result.append(Option(names: [word.trimmingCharacters(in: CharacterSet(charactersIn: ".,"))], placeholder: placeholder, description: "", choices: []))
        }
        // Choices: "--format text|json" in the synopsis, or "png|svg" as the option line's placeholder.
        let words = synopsis.replacingOccurrences(of: "[", with: " ").replacingOccurrences(of: "]", with: " ").split(separator: " ").map(String.init)
        for k in result.indices {
            for name in result[k].names {
                if let i = words.firstIndex(of: name), i + 1 < words.count, words[i + 1].contains("|") {
                    result[k].choices = words[i + 1].split(separator: "|").map(String.init)
                }
            }
            if result[k].choices.isEmpty, let p = result[k].placeholder, p.contains("|") {
                result[k].choices = p.split(separator: "|").map(String.init)
            }
            if result[k].names.contains("--format"), result[k].choices.count < 2, let i = words.firstIndex(of: "--format"), i + 1 < words.count {
                result[k].choices = words[i + 1].split(separator: "|").map(String.init)
            }
        }
        return result
    }
}

import Foundation
