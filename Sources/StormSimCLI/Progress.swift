import Foundation
import StormSim

/// A live progress line on stderr, only when stderr is a terminal (never in pipes, logs or CI), redrawn at most
/// five times a second and erased when the run ends. Safe to update from the worker threads of a batch.
final class Progress: @unchecked Sendable {
    private let lock = NSLock()
    private let label: String
    private let total: Double
    private let enabled: Bool
    private let clock = ContinuousClock()
    private let started: ContinuousClock.Instant
    private var lastDrawn: ContinuousClock.Instant
    private var drawn = false
    /// Per job: the fraction of its simulated time done.
    private var fractions: [Double]
    private var finished = 0
    private let durations: [Double]
    private let variants: Int

    /// - Parameter jobs: the simulated duration of each job (variant × replication) this process runs.
    init(label: String, jobs: [SimDuration], variants: Int, enabled: Bool) {
        self.label = label
        self.enabled = enabled && isatty(STDERR_FILENO) == 1
        fractions = Array(repeating: 0, count: jobs.count)
        durations = jobs.map(\.seconds)
        total = Double(max(1, jobs.count))
        self.variants = variants
        started = clock.now
        lastDrawn = started
    }

    func update(job: Int, simulated now: SimTime) {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        fractions[job] = min(1, now.seconds / durations[job])
        draw()
    }

    func jobFinished(_ job: Int) {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        fractions[job] = 1
        finished += 1
        draw()
    }

    /// Must hold the lock.
    private func draw() {
        let wallNow = clock.now
        // Stay quiet for short runs; redraw at most every 200 ms.
        guard wallNow - started > .milliseconds(500), wallNow - lastDrawn > .milliseconds(200) else { return }
        lastDrawn = wallNow
        let fraction = fractions.reduce(0, +) / total
        let elapsed = seconds(wallNow - started)
        var line = "\(label): \(Int(fraction * 100))%"
        if fractions.count > 1 {
            line += fractions.count == variants ? ", \(finished) of \(fractions.count) variants done" : ", \(finished) of \(fractions.count) runs (variants × replications) done"
        }
        line += ", \(NumberFormat.rounded(elapsed, digits: 1)) s elapsed"
        if fraction > 0.01 { line += ", about \(Int((elapsed / fraction - elapsed).rounded())) s left" }
        writeStandardError("\r\u{1B}[K" + line)
        drawn = true
    }

    /// Erases the line.
    func finish() {
        lock.lock()
        defer { lock.unlock() }
        if drawn { writeStandardError("\r\u{1B}[K") }
        drawn = false
    }

    private func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}
