/// A run whose simulated time stopped advancing: too many events at one instant (a zero-time loop). The run is
/// abandoned, and this says why in the scenario's own terms.
enum Stall {
    /// Consecutive events allowed at one instant. A burst of every client at the same time is legitimate and
    /// costs a few events per client; a loop goes on forever.
    static func limit(for scenario: Scenario) -> Int { 1_000_000 + 64 * scenario.clients.count }

    /// Events watched after the stall to find the cause.
    static let watched = 100_000

    /// Watches the stalled instant for a while and describes the loop.
    static func diagnose<F>(_ simulation: inout Simulation<World<F>>, scenario: Scenario, limit: Int) -> String {
        let before = simulation.model.stats.totals
        var kinds = [Int](repeating: 0, count: 256)
        var seen = 0
        while seen < watched, let event = simulation.stepAtNow() {
            kinds[Int(event.kind.rawValue)] += 1
            seen += 1
        }
        let after = simulation.model.stats.totals
        let at = simulation.now
        var text = "simulated time stopped advancing at \(NumberFormat.shortest(at.seconds)) s: more than \(limit) events happened at that instant, so the run would never end (a zero-time loop)."
        let started = after.requests - before.requests
        let causes: [(Int, String)] = [
            (after.rejected - before.rejected, "rejected by a full queue"),
            (after.fastFailed - before.fastFailed, "failed fast by the breaker or adaptive throttling"),
            (after.throttled - before.throttled, "throttled by the service's rate limit"),
            (after.budgetRefused - before.budgetRefused, "refused a retry by the budget"),
            (after.errors - before.errors, "answered with an error"),
            (after.nonRetryable - before.nonRetryable, "answered with a non-retryable error"),
            (after.conflicts - before.conflicts, "lost a write conflict"),
        ].filter { $0.0 > 0 }
        let how = causes.map { "\($0.0) \($0.1)" }.joined(separator: ", ")
        if case .closed = scenario.clients.arrival, started > 0 {
            text += "\nIn \(seen) events at that instant, closed-loop clients sent \(started) new requests"
            text += how.isEmpty ? "." : " that ended at once: \(how)."
            text += "\nA closed-loop client sends its next request as soon as its last one ends (after clients.arrival.think), so a request that can fail without any time passing starts the next one at the same instant, forever."
            text += "\nTo change: give clients.arrival.think a minimum above zero (for example {\"dist\": \"constant\", \"value\": \"10ms\"}), or network.latency a value above zero; or let requests wait instead of failing at once (the service's queue.capacity, rateLimit, or the policy's breaker)."
        } else {
            let names = ["client arrivals", "attempts arriving", "services done", "downstream calls", "responses", "timeouts",
                "retries due", "rate-limiter waits over", "version reads", "writes", "fault changes"]
            let counted = kinds.enumerated().filter { $0.element > 0 }.sorted { $0.element > $1.element }
                .map { "\($0.element) \($0.offset < names.count ? names[$0.offset] : "events of kind \($0.offset)")" }
            text += "\nIn \(seen) events at that instant: \(counted.joined(separator: ", "))"
            text += how.isEmpty ? "." : "; attempts \(how)."
            text += "\nTo change: the zero durations that let work repeat without time passing, such as network.latency, the policy's backoff.base, serviceTime, or clients.arrival.think."
        }
        return text
    }
}
