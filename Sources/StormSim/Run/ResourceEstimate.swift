/// What a command will cost before it runs: peak memory and work, from the scenario's shape, so that a run that
/// would exhaust the machine is refused with the reason and the key to change instead of growing until it is
/// killed.
///
/// The per-item costs were measured on release builds (Linux x86_64, README "Limits"): about 230 bytes per
/// request in flight (its request and attempt slots, its events, its client's state), about 26 bytes per
/// time-series cell while a run is live (the series and its rows; files are written a chunk at a time), 16 more
/// per cell for the sums of replications, 8 bytes per interval of every finished variant (its attempts column,
/// for the terminal; the rest is on disk as soon as the variant is complete), and about 160 bytes per traced
/// step.
public struct ResourceEstimate: Sendable {
    public static let bytesPerInFlight = 230.0
    public static let bytesPerClient = 64.0
    public static let bytesPerLiveCell = 26.0
    public static let bytesPerReplicationCell = 16.0
    public static let bytesPerKeptRow = 8.0
    public static let bytesPerTraceStep = 160.0
    public static let baseBytes = 24.0 * 1_048_576
    /// The default bound on the estimate (`--max-memory`).
    public static let defaultMaxBytes = 4e9
    /// Requests over all the jobs of one command (`--allow-large` lifts it): at ~10^7 events/s, hours.
    public static let maxTotalRequests = 2e10

    /// The estimated peak memory, in bytes.
    public var bytes: Double
    /// Expected new requests over every job.
    public var requests: Double
    /// The largest contributions, largest first: what, bytes, and the key or option that sets its size.
    public var parts: [(what: String, bytes: Double, key: String)]

    /// The estimate for running `set` with `replications`, `jobs` threads, and `trace` traced requests.
    public static func of(_ set: ScenarioSet, replications: Int, jobs: Int, trace: Int) -> ResourceEstimate {
        let totalJobs = set.variants.count * replications
        let running = Double(max(1, min(jobs, totalJobs)))
        var perRun: (inFlight: Double, clients: Double, live: Double, sums: Double, kept: Double, trace: Double) = (0, 0, 0, 0, 0, 0)
        var requests = 0.0
        for v in set.variants {
            let s = v.scenario
            let cells = Double(rows(s)) * Double(Runner.timeSeriesHeader(s).count)
            let r = expectedRequests(s)
            requests += r * Double(replications)
            perRun.inFlight = max(perRun.inFlight, peakInFlight(s, requests: r) * bytesPerInFlight)
            perRun.clients = max(perRun.clients, Double(s.clients.count) * bytesPerClient)
            perRun.live = max(perRun.live, cells * bytesPerLiveCell)
            perRun.sums = max(perRun.sums, replications > 1 ? cells * bytesPerReplicationCell : 0)
            perRun.kept += Double(rows(s)) * bytesPerKeptRow
            let steps = Double(trace) * Double(2 + 4 * s.clients.policy.attemptsPerRequest)
            perRun.trace += min(steps, r * Double(2 + 4 * s.clients.policy.attemptsPerRequest)) * bytesPerTraceStep
        }
        let parts: [(String, Double, String)] = [
            ("requests in flight (\(Int(running)) run(s) at once)", running * perRun.inFlight,
             "clients.count, the arrival rate, queue.capacity, timeouts, or --jobs"),
            ("client state", running * perRun.clients, "clients.count"),
            ("time series of the running jobs", running * perRun.live, "duration / metrics.interval, or --jobs"),
            ("sums of the replications in progress", running * perRun.sums, "duration / metrics.interval, or --jobs"),
            ("attempts per interval kept for every variant", perRun.kept, "duration / metrics.interval, or fewer variants"),
            ("traced requests", perRun.trace, "--trace"),
        ]
        let sorted = parts.filter { $0.1 > 0 }.sorted { $0.1 > $1.1 }
        return ResourceEstimate(bytes: baseBytes + parts.reduce(0) { $0 + $1.1 }, requests: requests, parts: sorted)
    }

    /// Time-series rows of one run.
    static func rows(_ s: Scenario) -> Int64 {
        (s.duration.nanoseconds + s.metricsInterval.nanoseconds - 1) / s.metricsInterval.nanoseconds
    }

    /// New requests a run of `s` is expected to make.
    public static func expectedRequests(_ s: Scenario) -> Double {
        WorkloadLimits.expectedRequests(s.clients, duration: s.duration, services: s.services, latency: s.networkLatency)
    }

    /// Requests and attempts alive at once, at most: every client of a burst or a closed loop (times the hops of
    /// a chain); for open-loop arrivals, the peak rate times how long a request can live, which a timeout bounds
    /// (without one, the queues do). Attempts abandoned by their caller may wait in queues up to their capacity.
    static func peakInFlight(_ s: Scenario, requests: Double) -> Double {
        let hops = Double(max(1, s.services.count))
        let attempts = requests * Double(s.clients.policy.attemptsPerRequest) * hops
        let queued = s.services.reduce(0.0) { $0 + Double($1.queueCapacity) }
        let alive: Double
        switch s.clients.arrival {
        case .burst, .closed:
            alive = Double(s.clients.count) * hops
        case .poisson, .trace:
            let policy = s.clients.policy
            var lifetime = Double(s.duration.nanoseconds)
            if let timeout = policy.timeout {
                // The longest wait: the last retry's backoff, or the cap for decorrelated jitter (which grows to it).
                let longest = policy.jitter == .decorrelated
                    ? Double(policy.backoff.max.nanoseconds) : policy.backoff.delay(retry: policy.maxAttempts)
                let perAttempt = Double(timeout.nanoseconds) + longest
                lifetime = min(lifetime, Double(policy.maxAttempts) * perAttempt)
            }
            if let deadline = s.clients.deadline { lifetime = min(lifetime, Double(deadline.nanoseconds)) }
            let open: Double
            if case .trace(let trace) = s.clients.arrival {
                open = trace.peakRequests(within: SimDuration(saturating: lifetime)) * hops
            } else if case .poisson(let rate, _, _) = s.clients.arrival {
                let peak = s.clients.load.reduce(1.0) { $0 * max(1, $1.peak) }
                open = Double(s.clients.count) * rate * peak * lifetime / 1e9 * hops
            } else {
                open = 0
            }
            alive = policy.timeout == nil && s.clients.deadline == nil ? min(open, queued + Double(s.clients.count) * hops) : open
        }
        return min(min(alive, requests * hops) + min(queued, attempts), attempts + 1)
    }

    /// Why the command is refused under `maxBytes` (nil when it may run).
    public func refusal(maxBytes: Double) -> String? {
        if bytes > maxBytes {
            let lines = parts.prefix(3).filter { $0.bytes >= bytes / 100 }.map { "  \(Self.format($0.bytes)) for \($0.what) (set by \($0.key))" }
            return "this run needs about \(Self.format(bytes)) of memory (\(Self.format(Self.baseBytes)) of it for the program itself), more than the limit of \(Self.format(maxBytes)):\n"
                + lines.joined(separator: "\n")
                + "\nMake the run smaller, or raise the limit with --max-memory SIZE (for example --max-memory 16G) or lift it with --allow-large."
        }
        if requests > Self.maxTotalRequests {
            return "this run makes about \(NumberFormat.scientific(requests)) requests over all its variants and replications, more than the limit of \(NumberFormat.scientific(Self.maxTotalRequests)) (hours of simulation); use fewer replications or variants, split it with --shard K/N, or lift the limit with --allow-large."
        }
        return nil
    }

    /// "1.2 GB", "340 MB".
    public static func format(_ bytes: Double) -> String {
        if bytes >= 1e12 { return NumberFormat.shortest((bytes / 1e12 * 10).rounded() / 10) + " TB" }
        if bytes >= 1e9 { return NumberFormat.shortest((bytes / 1e9 * 10).rounded() / 10) + " GB" }
        return NumberFormat.shortest((bytes / 1e6).rounded()) + " MB"
    }

    /// Parses a size: "512M", "16G", "2T", "100000000" (bytes); nil when not a size.
    public static func parseSize(_ text: String) -> Double? {
        let units: [(String, Double)] = [("K", 1e3), ("M", 1e6), ("G", 1e9), ("T", 1e12)]
        var number = text.uppercased()
        var scale = 1.0
        if number.hasSuffix("B") { number.removeLast() }
        for (suffix, factor) in units where number.hasSuffix(suffix) {
            number.removeLast()
            scale = factor
        }
        guard let value = Double(number), value.isFinite, value > 0 else { return nil }
        return value * scale
    }
}
