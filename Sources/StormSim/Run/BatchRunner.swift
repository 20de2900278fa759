import Dispatch
import Foundation

/// Runs many variants on several threads. Each run is independent (it owns all its state), and results are
/// stored by index, so the output is byte-identical whatever the number of jobs or the order runs finish in.
public enum BatchRunner {
    /// - Parameters:
    ///   - jobs: runs at once (at least 1).
    ///   - checkpoint: called from the worker threads with (variant index, simulated time); return true to stop
    ///     every run (Ctrl-C).
    ///   - finished: called from the worker threads with the variant index when a run completes.
    public static func run(
        _ variants: [Variant], jobs: Int, traceRequests: Int = 0,
        checkpoint: @escaping @Sendable (Int, SimTime) -> Bool = { _, _ in false },
        finished: @escaping @Sendable (Int) -> Void = { _ in }
    ) -> [RunResult] {
        let box = ResultBox(count: variants.count)
        let workers = max(1, min(jobs, variants.count))
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while let i = box.claim() {
                let result = Runner.run(variants[i], traceRequests: traceRequests) { now in checkpoint(i, now) }
                box.store(result, at: i)
                finished(i)
            }
        }
        return box.results()
    }

    /// Hands out indices and collects results under a lock.
    final class ResultBox: @unchecked Sendable {
        private let lock = NSLock()
        private var slots: [RunResult?]
        private var next = 0

        init(count: Int) { slots = Array(repeating: nil, count: count) }

        func claim() -> Int? {
            lock.lock()
            defer { lock.unlock() }
            guard next < slots.count else { return nil }
            next += 1
            return next - 1
        }

        func store(_ result: RunResult, at i: Int) {
            lock.lock()
            slots[i] = result
            lock.unlock()
        }

        func results() -> [RunResult] { slots.map { $0! } }
    }
}
