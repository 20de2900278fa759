import Dispatch
import Foundation

/// Turns SIGINT and SIGTERM into exit code 130 with nothing half-written.
///
/// Installed first thing in `main`. Until a command calls `startPolling()`, a signal ends the process at once
/// (nothing has been written yet: every output goes through a staging folder or a temporary file). After it, the
/// signal only raises a flag that the command polls, so it can stop its jobs, discard what it staged and exit 130.
final class Interrupt: @unchecked Sendable {
    static let shared = Interrupt()

    private let lock = NSLock()
    private var raised = false
    private var polling = false
    private var sources: [DispatchSourceSignal] = []

    /// From now on, signals raise the flag instead of ending the process.
    func startPolling() {
        lock.lock()
        polling = true
        lock.unlock()
    }

    var isRaised: Bool {
        lock.lock()
        defer { lock.unlock() }
        return raised
    }

    /// Installs the handlers (once).
    func install() {
        guard sources.isEmpty else { return }
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { [self] in
                lock.lock()
                let second = raised
                raised = true
                let now = !polling || second  // a second Ctrl-C: stop at once
                lock.unlock()
                if now {
                    writeStandardError("Error: interrupted; no results written (earlier results are untouched)\n")
                    exit(ExitCode.interrupted.rawValue)
                }
            }
            source.resume()
            sources.append(source)
        }
    }
}
