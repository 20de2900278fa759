/// A circuit breaker: it watches call outcomes and, once they look bad, fails calls fast for a while, then lets a
/// few probes through to decide whether to close again. The variants of real libraries are parameters:
/// gobreaker trips on consecutive failures and closes after N consecutive probe successes; resilience4j judges a
/// failure rate over the last N calls (or N seconds) after every call and judges its half-open batch by the
/// same rate; Polly checks the rate only on a failure; Hystrix checks a health snapshot taken every 500 ms.
public struct CircuitBreaker: Equatable, Sendable {
    public enum Trip: Equatable, Sendable {
        /// Open when this many calls in a row failed (gobreaker's default: 6, "more than 5").
        case consecutive(failures: Int)
        /// Open when the failure rate over the window reaches `threshold`, once at least `minCalls` calls are in it.
        case rate(RateTrip)
    }

    public struct RateTrip: Equatable, Sendable {
        public enum Window: Equatable, Sendable {
            /// The last `calls` calls.
            case count(calls: Int)
            /// The last `length` of time, kept in `buckets` slices.
            case time(length: SimDuration, buckets: Int)
        }
        public enum Check: String, Equatable, Sendable, CaseIterable {
            /// After every call (resilience4j).
            case call
            /// Only after a failed call (Polly).
            case failure
            /// From a health snapshot refreshed at most every `snapshotEvery` (Hystrix).
            case snapshot
        }
        public var window: Window
        public var minCalls: Int
        public var threshold: Double
        public var check: Check
        public var snapshotEvery: SimDuration
        /// Compare the failure percentage rounded down to an integer (Hystrix).
        public var integerPercent: Bool
    }

    public enum CloseRule: String, Equatable, Sendable, CaseIterable {
        /// Any probe failure reopens; `probes` probe successes in a row close (gobreaker, Polly, Hystrix).
        case consecutive
        /// After `probes` probes have finished, their failure rate decides, by the trip threshold (resilience4j).
        case rate
    }

    public var trip: Trip
    /// How long it stays open before letting probes through (lazily, on the next call after this).
    public var openFor: SimDuration
    /// Calls admitted while half-open; others fail fast.
    public var probes: Int
    public var closeRule: CloseRule
    /// Whether retries go through the breaker too (each attempt asks it), or only first attempts.
    public var countRetries: Bool
}

public struct ScopedBreaker: Equatable, Sendable {
    public var breaker: CircuitBreaker
    public var scope: PolicyScope
}

/// The live state of one breaker instance.
struct BreakerState {
    enum Mode: UInt8 { case closed, open, halfOpen }

    var mode = Mode.closed
    /// Bumped on every state change; outcomes of calls admitted in an older generation are ignored.
    var generation: UInt32 = 0
    var openedAt = SimTime.zero
    var consecutiveFailures = 0
    // Count window: a ring of the last N outcomes.
    var ring: [Bool] = []
    var ringNext = 0
    var ringFilled = 0
    var ringFailures = 0
    // Time window.
    var window: SlidingWindow?
    /// When the health snapshot was last taken; nil before the first call.
    var snapshotTaken: SimTime?
    var snapshotTripped = false
    // Half-open.
    var probesAdmitted = 0
    var probeSuccesses = 0
    var probeFailures = 0
    var trips = 0

    init(_ b: CircuitBreaker) {
        if case .rate(let r) = b.trip {
            switch r.window {
            case .count(let calls): ring = Array(repeating: false, count: calls)
            case .time(let length, let buckets): window = SlidingWindow(window: length, slices: buckets)
            }
        }
    }

    /// May a call go through now? Nil when it must fail fast; else the generation to report its outcome with.
    mutating func admit(_ b: CircuitBreaker, now: SimTime) -> UInt32? {
        switch mode {
        case .closed:
            return generation
        case .open:
            guard now.nanoseconds &- openedAt.nanoseconds >= b.openFor.nanoseconds else { return nil }
            enter(.halfOpen, now: now)
            fallthrough
        case .halfOpen:
            guard probesAdmitted < b.probes else { return nil }
            probesAdmitted += 1
            return generation
        }
    }

    /// Reports the outcome of a call admitted in `callGeneration`.
    mutating func record(_ b: CircuitBreaker, failed: Bool, callGeneration: UInt32, now: SimTime) {
        guard callGeneration == generation else { return }
        switch mode {
        case .open:
            return
        case .halfOpen:
            if failed { probeFailures += 1 } else { probeSuccesses += 1 }
            switch b.closeRule {
            case .consecutive:
                if failed { enter(.open, now: now) } else if probeSuccesses >= b.probes { enter(.closed, now: now) }
            case .rate:
                guard probeSuccesses + probeFailures >= b.probes else { return }
                let rate = Double(probeFailures) / Double(probeSuccesses + probeFailures)
                enter(rate >= threshold(b) ? .open : .closed, now: now)
            }
        case .closed:
            if shouldTrip(b, failed: failed, now: now) { enter(.open, now: now) }
        }
    }

    func threshold(_ b: CircuitBreaker) -> Double {
        if case .rate(let r) = b.trip { return r.threshold }
        return 0.5
    }

    mutating func shouldTrip(_ b: CircuitBreaker, failed: Bool, now: SimTime) -> Bool {
        switch b.trip {
        case .consecutive(let n):
            consecutiveFailures = failed ? consecutiveFailures + 1 : 0
            return consecutiveFailures >= n
        case .rate(let r):
            let calls: Double, failures: Double
            switch r.window {
            case .count:
                if ringFilled == ring.count {
                    if ring[ringNext] { ringFailures -= 1 }
                } else {
                    ringFilled += 1
                }
                ring[ringNext] = failed
                if failed { ringFailures += 1 }
                ringNext = (ringNext + 1) % ring.count
                calls = Double(ringFilled)
                failures = Double(ringFailures)
            case .time:
                window!.add(first: 1, second: failed ? 1 : 0, at: now)
                if r.check == .snapshot {
                    if snapshotTaken.map({ now - $0 >= r.snapshotEvery }) ?? true {
                        snapshotTaken = now
                        let (c, f) = window!.totals(at: now)
                        snapshotTripped = Self.rateTrips(r, calls: c, failures: f)
                    }
                    return snapshotTripped
                }
                (calls, failures) = window!.totals(at: now)
            }
            if r.check == .failure && !failed { return false }
            return Self.rateTrips(r, calls: calls, failures: failures)
        }
    }

    static func rateTrips(_ r: CircuitBreaker.RateTrip, calls: Double, failures: Double) -> Bool {
        var minCalls = Double(r.minCalls)
        if case .count(let n) = r.window { minCalls = min(minCalls, Double(n)) }
        guard calls >= minCalls, calls > 0 else { return false }
        var rate = failures / calls
        if r.integerPercent { rate = (rate * 100).rounded(.down) / 100 }
        return rate >= r.threshold
    }

    /// Every state change clears the counts (gobreaker) and starts a new generation.
    mutating func enter(_ next: Mode, now: SimTime) {
        if next == .open { openedAt = now; if mode != .open { trips += 1 } }
        mode = next
        generation &+= 1
        consecutiveFailures = 0
        probesAdmitted = 0
        probeSuccesses = 0
        probeFailures = 0
        if next == .closed {
            for i in ring.indices { ring[i] = false }
            ringNext = 0
            ringFilled = 0
            ringFailures = 0
            if let w = window { window = SlidingWindow(window: SimDuration(nanoseconds: w.sliceLength * Int64(w.first.count)), slices: w.first.count) }
            snapshotTripped = false
        }
    }
}
