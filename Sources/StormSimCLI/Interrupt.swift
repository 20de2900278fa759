import Dispatch
import Foundation

/// Turns SIGINT and SIGTERM into a flag that the run polls, so a run stops promptly, writes nothing partial, and
/// exits with code 130.
final class Interrupt: @unchecked Sendable {
    static let shared = Interrupt()

    private let lock = NSLock()
    private var raised = false
    private var sources: [DispatchSourceSignal] = []

    var isRaised: Bool {
        lock.lock()
        defer { lock.unlock() }
        return raised
    }

    /// Installs the handlers (once).
    func install() {
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { [self] in
                lock.lock()
                let second = raised
                raised = true
                lock.unlock()
                if second { exit(ExitCode.interrupted.rawValue) }  // a second Ctrl-C: stop at once
            }
            source.resume()
            sources.append(source)
        }
    }
}
