import Foundation
import StormSim

/// `stormsim plot RESULTS_DIR`: writes a gnuplot script beside the data and renders it when gnuplot is installed.
struct PlotCommand {
    var results: String
    var format: PlotScript.Format
    var output: String?
    var script: String?
    /// Write the script only; do not look for gnuplot.
    var scriptOnly: Bool

    init(_ args: inout Arguments) throws(CommandError) {
        scriptOnly = args.flag("--script-only")
        let formatText = try args.value("--format") ?? "png"
        guard let f = PlotScript.Format(rawValue: formatText) else {
            throw args.usage("--format expects png or svg, found '\(formatText)'")
        }
        format = f
        output = try args.value("--out")
        script = try args.value("--script")
        let rest = try args.positionals()
        guard rest.count == 1 else {
            throw args.usage(rest.isEmpty ? "missing the RESULTS_DIR (for example results/jitter-comparison)" : "expected one RESULTS_DIR, found \(rest.count)")
        }
        results = rest[0]
    }

    func execute() throws(CommandError) {
        let scriptPath = script ?? "\(results)/plot.gp"
        let imagePath = output ?? "\(results)/plot.\(format.rawValue)"
        let scriptFolder = URL(fileURLWithPath: scriptPath).deletingLastPathComponent().standardizedFileURL
        let dataPrefix = Paths.relative(from: scriptFolder, to: URL(fileURLWithPath: results).standardizedFileURL)
        let imageInScript = Paths.relative(from: scriptFolder, to: URL(fileURLWithPath: imagePath).standardizedFileURL)
        let text: String
        do {
            text = try PlotScript.make(
                results: results, read: { FileManager.default.contents(atPath: "\(results)/\($0)").map { [UInt8]($0) } },
                dataPrefix: dataPrefix.isEmpty ? "" : dataPrefix + "/", output: imageInScript, format: format)
        } catch {
            throw CommandError(code: .failure, message: error.description)
        }
        do { try AtomicFile.write(text, to: scriptPath) } catch { throw CommandError(code: .failure, message: error.description) }

        if scriptOnly {
            print("wrote \(scriptPath)")
            return
        }
        guard let gnuplot = Paths.executable("gnuplot") else {
            throw CommandError(code: .failure, message: """
                wrote \(scriptPath), but gnuplot is not installed, so no image was drawn. Install it with
                    apt-get install gnuplot-nox      (Debian, Ubuntu)
                    brew install gnuplot             (macOS)
                then run:  stormsim plot \(results)    or:  cd \(scriptFolder.path) && gnuplot \(URL(fileURLWithPath: scriptPath).lastPathComponent)
                (--script-only writes the script without looking for gnuplot)
                """)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: gnuplot)
        process.arguments = [URL(fileURLWithPath: scriptPath).lastPathComponent]
        process.currentDirectoryURL = scriptFolder
        let err = Pipe()
        process.standardError = err
        do { try process.run() } catch {
            throw CommandError(code: .failure, message: "cannot start \(gnuplot) (found on PATH, but it does not run); reinstall gnuplot, or run the script yourself: cd \(scriptFolder.path) && gnuplot \(URL(fileURLWithPath: scriptPath).lastPathComponent)")
        }
        let errors = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CommandError(code: .failure, message: "gnuplot failed on \(scriptPath):\n\(errors)")
        }
        print("wrote \(imagePath) (script: \(scriptPath))")
    }
}

enum Paths {
    /// `to` as a path relative to the folder `from` ("" when they are the same).
    static func relative(from: URL, to: URL) -> String {
        let a = from.pathComponents, b = to.pathComponents
        var common = 0
        while common < a.count && common < b.count && a[common] == b[common] { common += 1 }
        return (Array(repeating: "..", count: a.count - common) + b[common...]).joined(separator: "/")
    }

    /// The full path of an executable found on PATH.
    static func executable(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for folder in path.split(separator: ":") {
            let candidate = "\(folder)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
