/// The seven checks behind `ScenarioWarning`.
extension ScenarioWarnings {
    /// Seconds as a short duration: "1 s", "250 ms".
    public static func seconds(_ s: Double) -> String {
        guard s.isFinite, s < 1e9 else { return "forever" }
        func r(_ x: Double) -> String { NumberFormat.shortest(VariantExpansion.roundSignificant(x, digits: 3)) }
        if s >= 1 { return r(s) + " s" }
        if s >= 1e-3 { return r(s * 1e3) + " ms" }
        return r(s * 1e6) + " us"
    }

    public static func rate(_ x: Double) -> String { NumberFormat.shortest(VariantExpansion.roundSignificant(x, digits: 3)) }

    /// The policies that call somewhere: the clients', and those of services with calls.
    var callingPolicies: [Sender] {
        var result = [Sender(path: "clients.policy", policy: scenario.clients.policy, name: "the clients")]
        for (i, s) in scenario.services.enumerated() where !s.calls.isEmpty && s.kind != .sqs {
            result.append(Sender(path: "services[\(i)].policy", policy: s.callPolicy, name: s.name))
        }
        return result
    }

    /// The services `caller`'s attempts go to.
    func targets(of caller: Sender) -> [Int] {
        caller.path == "clients.policy" ? [scenario.targetIndex]
            : scenario.services.first { $0.name == caller.name }?.calls.compactMap(index(of:)) ?? []
    }

    /// Whether attempts at service `j` can take long: a queue under a trigger that slows it or raises its load.
    func canBeSlow(_ j: Int) -> Bool {
        let s = scenario.services[j]
        guard s.kind == .queue else { return false }
        if !scenario.clients.load.isEmpty || s.crash != nil { return true }
        if case .burst = scenario.clients.arrival { return true }
        if let offered = offeredPerSecond(j), let capacity = capacityPerSecond(j), offered >= 0.8 * capacity { return true }
        return s.faults.contains { f in
            switch f.effect {
            case .outage(let answered): return !answered
            case .capacity, .slowdown, .crash: return true
            case .errorRate, .cacheFlush: return false
            }
        }
    }

    /// The timeout an attempt of `caller` gives up at: its policy's, or the clients' deadline.
    func timeout(_ caller: Sender) -> SimDuration? {
        let own = caller.policy.timeout
        guard caller.path == "clients.policy", let deadline = scenario.clients.deadline else { return own }
        return own.map { min($0, deadline) } ?? deadline
    }

    /// A policy that retries (or hedges) with no timeout: an attempt waits as long as the service takes.
    func timeoutWarnings() -> [ScenarioWarning] {
        callingPolicies.compactMap { caller in
            let p = caller.policy
            guard timeout(caller) == nil else { return nil }
            let targets = self.targets(of: caller)
            // Without a preset, only a policy that retries where attempts can be slow: an OCC row never is.
            guard p.preset != nil || ((p.maxAttempts > 1 || p.hedging != nil) && targets.flatMap(reachable(from:)).contains(where: canBeSlow))
            else { return nil }
            let who = p.preset.map { "the preset \($0) sets no timeout (real clients wait for the socket's, often minutes)" }
                ?? "this policy retries but has no timeout"
            return ScenarioWarning(kind: .noTimeout, path: caller.path + ".timeout",
                message: "\(who): an attempt of \(caller.name) waits as long as the service takes, so slow attempts are never retried and hold their caller. Set \"timeout\" a little above the service's normal p99.")
        }
    }

    /// A queue whose last place waits longer than its caller's timeout.
    func queueWarnings() -> [ScenarioWarning] {
        var result: [ScenarioWarning] = []
        for (j, s) in scenario.services.enumerated() where s.kind == .queue && s.discipline == .fifo && s.codel == nil {
            guard let wait = fullQueueWaitSeconds(j) else { continue }
            let limits = callers(of: j).compactMap { c in timeout(c).map { (c, Double($0.nanoseconds) / 1e9) } }
            guard let (caller, t) = limits.min(by: { $0.1 < $1.1 }), wait > t else { continue }
            if let qt = s.queueTimeout, Double(qt.nanoseconds) / 1e9 <= t { continue }
            let perInstance = totalWorkers(j) / s.instances
            let fits = max(1, Int(Double(s.queueCapacity) * t / wait / 2))
            result.append(ScenarioWarning(kind: .queueOutlivesTimeout, path: "services[\(j)].queue.capacity",
                message: "a full queue of \(s.queueCapacity) waits about \(Self.seconds(wait)) (\(s.queueCapacity) x \(Self.seconds(holdSeconds(j))) / \(perInstance) workers), but \(caller.name) give\(caller.name == "the clients" ? "" : "s") up after \(Self.seconds(t)) (\(caller.path).timeout): attempts at the back are served after their caller left, wasted work that retries add to. Use a capacity of about \(fits) (half the timeout's worth), \"timeout\": \"\(DurationText.format(SimDuration(nanoseconds: Int64(t * 1e9))))\" in the queue, or \"discipline\": \"adaptive-lifo\"."))
        }
        return result
    }

    /// A service whose calls wait longer than its own callers do.
    func downstreamTimeoutWarnings() -> [ScenarioWarning] {
        var result: [ScenarioWarning] = []
        for (i, s) in scenario.services.enumerated() where !s.calls.isEmpty && s.kind != .sqs {
            guard let mine = s.callPolicy.timeout else { continue }
            let limits = callers(of: i).compactMap { c in timeout(c).map { (c, $0) } }
            guard let (caller, theirs) = limits.min(by: { $0.1 < $1.1 }), mine > theirs else { continue }
            result.append(ScenarioWarning(kind: .downstreamTimeoutLonger, path: "services[\(i)].policy.timeout",
                message: "\(s.name) waits up to \(DurationText.format(mine)) for \(s.calls.joined(separator: ", ")), longer than \(caller.name) wait\(caller.name == "the clients" ? "" : "s") for \(s.name) (\(DurationText.format(theirs)), \(caller.path).timeout): its calls go on after the caller gave up. Make timeouts shrink inwards: below \(DurationText.format(theirs)) minus \(s.name)'s own time."))
        }
        return result
    }

    /// Retrying policies that leave out failures the scenario produces.
    func retryOnWarnings() -> [ScenarioWarning] {
        var result: [ScenarioWarning] = []
        for caller in callingPolicies where caller.policy.maxAttempts > 1 {
            let targets = self.targets(of: caller)
            var produced: [(RetryPolicy.Failure, String)] = []
            let downstream = targets.flatMap(reachable(from:))
            if timeout(caller) != nil, hasTrigger { produced.append((.timeout, "timeouts (a timeout is set and the scenario has a trigger)")) }
            if let s = downstream.map({ scenario.services[$0] }).first(where: { s in
                s.errorRate > 0 || s.faults.contains { if case .outage(true) = $0.effect { return true }; if case .errorRate = $0.effect { return true }; return false }
            }) {
                produced.append((.error, "server errors (from \(s.name))"))
            }
            if let s = targets.map({ scenario.services[$0] }).first(where: { $0.rateLimit != nil }) {
                produced.append((.throttled, "throttles (\(s.name) has a rate limit)"))
            }
            let missed = produced.filter { !caller.policy.retryOn.contains($0.0) }
            guard !missed.isEmpty else { continue }
            let retried = RetryPolicy.Failure.allCases.filter(caller.policy.retryOn.contains).map(\.rawValue)
            let who = caller.policy.preset.map { "the preset \($0)" } ?? "this policy"
            result.append(ScenarioWarning(kind: .failuresNotRetried, path: caller.path + ".retryOn",
                message: "\(who) retries only \(retried.isEmpty ? "nothing" : retried.joined(separator: ", ")), but the scenario produces \(missed.map(\.1).joined(separator: " and ")), which it never retries: for those it behaves as no retries. Add \(missed.map { "\"\($0.0.rawValue)\"" }.joined(separator: ", ")) to \"retryOn\" if the real client retries them, or compare with a policy that does."))
        }
        return result
    }

    /// A budget, breaker or rate limiter per host, with every client on one host.
    func sharedBucketWarnings() -> [ScenarioWarning] {
        let c = scenario.clients
        guard c.hosts == 1, c.count > 1 else { return [] }
        let p = c.policy
        var shared: [String] = p.budgets.filter { $0.scope == .host }.map { b in
            if case .tokenBucket(let t) = b.budget { return "the retry budget (\(NumberFormat.shortest(t.capacity)) tokens)" }
            return "the retry budget"
        }
        if p.breaker?.scope == .host { shared.append("the circuit breaker") }
        if p.rateLimiter?.scope == .host { shared.append("the rate limiter") }
        guard !shared.isEmpty else { return [] }
        let origin = p.preset.map { " (as the preset \($0) sets)" } ?? ""
        return [ScenarioWarning(kind: .sharedBucket, path: "clients.hosts",
            message: "\(shared.joined(separator: " and ")) \(shared.count == 1 ? "has" : "have") scope \"host\"\(origin) and clients.hosts is 1, so all \(c.count) clients share one, as if they ran in one process. Set \"hosts\" to the number of processes (\(c.count) for one SDK client per simulated client), or give it \"scope\": \"client\".")]
    }

    /// Retry layers whose attempts multiply: the clients' maxAttempts times each calling service's on a path.
    func multipliedRetryWarnings() -> [ScenarioWarning] {
        func attempts(_ p: RetryPolicy) -> Int { max(p.maxAttempts, p.hedging?.maxAttempts ?? 1) }
        var worst: (product: Int, layers: [String], at: Int)?
        func walk(_ j: Int, _ product: Int, _ layers: [String], _ depth: Int) {
            let s = scenario.services[j]
            if worst == nil || product > worst!.product { worst = (product, layers, j) }
            guard depth < scenario.services.count, s.kind != .sqs else { return }
            let n = attempts(s.callPolicy)
            for c in s.calls.compactMap(index(of:)) {
                walk(c, product * n, n > 1 ? layers + ["services[\(j)].policy.maxAttempts (\(n))"] : layers, depth + 1)
            }
        }
        let first = attempts(scenario.clients.policy)
        walk(scenario.targetIndex, first, first > 1 ? ["clients.policy.maxAttempts (\(first))"] : [], 0)
        guard let w = worst, w.layers.count >= 2, w.product > Self.maxMultipliedAttempts else { return [] }
        let path = String(w.layers.last!.prefix { $0 != " " })
        return [ScenarioWarning(kind: .retriesMultiply, path: path,
            message: "retries at \(w.layers.count) layers multiply: one request can become \(w.product) attempts at \(scenario.services[w.at].name) (\(w.layers.joined(separator: " x "))). Retry at one layer and give the others maxAttempts 1, or add a retry budget at each layer.")]
    }

    /// Offered load above a service's capacity before any trigger.
    func overloadWarnings() -> [ScenarioWarning] {
        var result: [ScenarioWarning] = []
        for (j, s) in scenario.services.enumerated() where s.kind == .queue && s.autoscale == nil {
            guard let offered = offeredPerSecond(j), let capacity = capacityPerSecond(j), offered >= capacity else { continue }
            result.append(ScenarioWarning(kind: .overloadedBeforeFault, path: "services[\(j)].workers",
                message: "before any fault \(s.name) is offered \(Self.rate(offered)) attempts/s against a capacity of about \(Self.rate(capacity))/s (\(totalWorkers(j)) workers / \(Self.seconds(holdSeconds(j))) each): utilization \(NumberFormat.rounded(offered / capacity, digits: 2)), so queues grow from the start and the results show overload rather than the trigger. Add workers or clients' time, or ignore this if the overload is the point."))
        }
        return result
    }
}
