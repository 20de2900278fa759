import Foundation
import StormSim

/// A live progress line on stderr, only when stderr is a terminal (never in pipes, logs or CI), redrawn at most
/// five times a second and erased when the run ends.
struct Progress {
    let label: String
    let total: SimDuration
    let enabled: Bool
    let clock = ContinuousClock()
    let started: ContinuousClock.Instant
    var lastDrawn: ContinuousClock.Instant
    var drawn = false

    init(label: String, total: SimDuration, enabled: Bool) {
        self.label = label
        self.total = total
        self.enabled = enabled && isatty(STDERR_FILENO) == 1
        started = clock.now
        lastDrawn = started
    }

    mutating func update(simulated now: SimTime) {
        guard enabled else { return }
        let wallNow = clock.now
        // Stay quiet for short runs; redraw at most every 200 ms.
        guard wallNow - started > .milliseconds(500), wallNow - lastDrawn > .milliseconds(200) else { return }
        lastDrawn = wallNow
        let fraction = min(1, max(0, now.seconds / total.seconds))
        let elapsed = seconds(wallNow - started)
        var line = "\(label): \(Int(fraction * 100))% (\(NumberFormat.rounded(now.seconds, digits: 1)) of \(DurationText.format(total)) simulated, \(NumberFormat.rounded(elapsed, digits: 1)) s elapsed"
        if fraction > 0.01 {
            line += ", about \(Int((elapsed / fraction - elapsed).rounded())) s left"
        }
        line += ")"
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
        drawn = true
    }

    /// Erases the line.
    mutating func finish() {
        if drawn { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        drawn = false
    }

    private func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}
