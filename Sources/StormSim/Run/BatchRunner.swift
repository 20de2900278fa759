import Dispatch
import Foundation

/// Runs many jobs (variant × replication) on several threads. Each run is independent (it owns all its state);
/// results are handed over as they finish, and whoever collects them orders them by job index, so the output
/// is byte-identical whatever the number of threads or the order runs finish in.
public enum BatchRunner {
    /// Runs `jobs` of `set` on `workers` threads.
    /// - Parameters:
    ///   - trace: the requests to trace in replication 0 of each variant.
    ///   - checkpoint: called from the worker threads with (job index, simulated time); return true to stop.
    ///   - stop: asked before each job starts; true leaves the remaining jobs unstarted (Ctrl-C, a failed job).
    ///   - deliver: called from the worker threads with each finished job and its result.
    public static func run(
        jobs: [Replications.Job], of set: ScenarioSet, workers: Int, trace: TraceSelection = .off,
        checkpoint: @escaping @Sendable (Int, SimTime) -> Bool = { _, _ in false },
        stop: @escaping @Sendable () -> Bool = { false },
        deliver: @escaping @Sendable (Replications.Job, RunResult) -> Void
    ) {
        let queue = JobQueue(count: jobs.count)
        DispatchQueue.concurrentPerform(iterations: max(1, min(workers, jobs.count))) { _ in
            while !stop(), let i = queue.claim() {
                let job = jobs[i]
                var variant = set.variants[job.variant]
                variant.scenario.seed = Replications.seed(base: variant.scenario.seed, replication: job.replication)
                let result = Runner.run(variant, trace: job.replication == 0 ? trace : .off) { now in checkpoint(job.index, now) }
                deliver(job, result)
            }
        }
    }

    /// Runs the given jobs (each a variant of `set` and a replication, whose seed it takes) and returns their
    /// results in the order given, whatever the threads. For searches that choose their next runs from the last.
    public static func results(
        _ jobs: [Replications.Job], of set: ScenarioSet, workers: Int,
        checkpoint: @escaping @Sendable (Int, SimTime) -> Bool = { _, _ in false }
    ) -> [RunResult] {
        let box = ResultBox(count: jobs.count)
        let numbered = jobs.enumerated().map { Replications.Job(variant: $1.variant, replication: $1.replication, index: $0) }
        run(jobs: numbered, of: set, workers: workers, checkpoint: checkpoint) { job, result in box.store(result, at: job.index) }
        return box.results()
    }

    /// Runs each variant once and returns the results in order (for callers that want them all at once).
    public static func run(_ variants: [Variant], jobs workers: Int) -> [RunResult] {
        let set = ScenarioSet(name: variants.first?.scenario.name ?? "", variedPaths: [], variants: variants)
        let box = ResultBox(count: variants.count)
        run(jobs: Replications.jobs(variants: variants.count, replications: 1), of: set, workers: workers) { job, result in
            box.store(result, at: job.index)
        }
        return box.results()
    }

    /// Hands out job indices under a lock.
    final class JobQueue: @unchecked Sendable {
        private let lock = NSLock()
        private let count: Int
        private var next = 0

        init(count: Int) { self.count = count }

        func claim() -> Int? {
            lock.lock()
            defer { lock.unlock() }
            guard next < count else { return nil }
            next += 1
            return next - 1
        }
    }

    /// Collects results by index under a lock.
    final class ResultBox: @unchecked Sendable {
        private let lock = NSLock()
        private var slots: [RunResult?]

        init(count: Int) { slots = Array(repeating: nil, count: count) }

        func store(_ result: RunResult, at i: Int) {
            lock.lock()
            slots[i] = result
            lock.unlock()
        }

        func results() -> [RunResult] { slots.map { $0! } }
    }
}
