import Foundation
import Testing

/// Completions and the man page are generated from the help texts; they must name every command and option, be
/// valid for their shell, and every option they offer must be one the command accepts.
@Suite struct CompletionsTests {
    static let commands = ["run", "init", "explain", "validate", "presets", "merge", "plot", "compare", "tune", "margin", "bench", "completions", "man"]

    /// The options a command's --help lists (every "--word" in it that the command itself documents).
    func options(_ command: String) throws -> [String] {
        let help = try stormsim([command, "--help"]).stdout
        let synopsis = help.components(separatedBy: "\n\n").first ?? ""
        var found: [String] = []
        for line in help.split(separator: "\n") where line.hasPrefix("  -") {
            for word in line.split(separator: " ") where word.hasPrefix("--") { found.append(String(word).trimmingCharacters(in: CharacterSet(charactersIn: ","))); break }
        }
        for word in synopsis.replacingOccurrences(of: "[", with: " ").replacingOccurrences(of: "]", with: " ").split(separator: " ") where word.hasPrefix("--") {
            found.append(String(word).trimmingCharacters(in: CharacterSet(charactersIn: ".,")))
        }
        var unique: [String] = []
        for o in found where !unique.contains(o) { unique.append(o) }
        return unique
    }

    @Test func everyShellGetsEveryCommandAndOption() throws {
        for shell in ["bash", "zsh", "fish"] {
            let script = try stormsim(["completions", shell])
            #expect(script.status == 0)
            for command in Self.commands {
                #expect(script.stdout.contains(command), "\(shell): \(command)")
                for option in try options(command) {
                    let spelled = shell == "fish" ? "-l \(option.dropFirst(2))" : option
                    #expect(script.stdout.contains(spelled), "\(shell): \(command) \(option)")
                }
            }
            #expect(script.stdout.contains("aws-standard-2026"), "\(shell): preset names")
        }
    }

    @Test func scriptsParseInTheirShells() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        var checked = 0
        for (shell, flag) in [("bash", "-n"), ("zsh", "-n"), ("fish", "--no-execute")] {
            guard let path = ["/bin/", "/usr/bin/", "/usr/local/bin/", "/opt/homebrew/bin/"].map({ $0 + shell }).first(where: FileManager.default.isExecutableFile) else { continue }
            let file = dir.appendingPathComponent("c.\(shell)")
            try write(try stormsim(["completions", shell]).stdout, to: file)
            let p = Process()
            p.executableURL = URL(fileURLWithPath: path)
            p.arguments = [flag, file.path]
            let err = Pipe()
            p.standardError = err
            try p.run()
            p.waitUntilExit()
            let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            #expect(p.terminationStatus == 0, "\(shell): \(message)")
            checked += 1
        }
        #expect(checked >= 1)  // bash at least is on every machine that runs these tests
        // bash, for real: completing "stormsim ru" and an option's values.
        let run = try bash("source <(\(try stormsimBinary().path) completions bash); COMP_WORDS=(stormsim ru); COMP_CWORD=1; _stormsim; echo \"${COMPREPLY[@]}\"; COMP_WORDS=(stormsim init x --arrival b); COMP_CWORD=4; _stormsim; echo \"${COMPREPLY[@]}\"")
        #expect(run == "run\nburst\n")
    }

    func bash(_ script: String) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = ["-c", script]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        p.waitUntilExit()
        return String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    }

    @Test func everyOptionOfferedIsAccepted() throws {
        for command in Self.commands {
            for option in try options(command) where option != "--help" {
                let r = try stormsim([command, option, "1", "--zzz-not-an-option"])
                #expect(!r.stderr.contains("unknown option '\(option)"), "\(command) \(option): \(r.stderr)")
            }
        }
    }

    @Test func manPageHasEveryCommandAndRenders() throws {
        let page = try stormsim(["man"])
        #expect(page.status == 0 && page.stdout.hasPrefix(".\\\"") && page.stdout.contains(".TH STORMSIM 1"))
        for command in Self.commands { #expect(page.stdout.contains(".SH \(command.uppercased())"), "\(command)") }
        #expect(page.stdout.contains(".SH EXIT STATUS") && page.stdout.contains(".B 130"))
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/groff") else { return }
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        try write(page.stdout, to: dir.appendingPathComponent("stormsim.1"))
        let path = dir.appendingPathComponent("stormsim.1").path
        let text = try bash("groff -man -Tascii \(path) 2>/dev/null")
        #expect(text.contains("--trace-window A..B"))
        let complaints = try bash("groff -man -Tascii -ww \(path) 2>&1 >/dev/null")
        #expect(complaints.isEmpty, "\(complaints.prefix(500))")
    }
}
