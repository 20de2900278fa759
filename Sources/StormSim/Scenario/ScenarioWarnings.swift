/// A setting that is valid but probably not what the author meant: printed by `run`, `validate` and `explain`
/// (exit 3 with `--strict`). Each names the keys involved and suggests a fix.
public struct ScenarioWarning: Equatable, Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        case queueOutlivesTimeout = "queue-outlives-timeout"
        case noTimeout = "no-timeout"
        case failuresNotRetried = "failures-not-retried"
        case sharedBucket = "shared-bucket"
        case downstreamTimeoutLonger = "downstream-timeout-longer"
        case retriesMultiply = "retries-multiply"
        case overloadedBeforeFault = "overloaded-before-fault"
    }

    public var kind: Kind
    /// The key to change, as in error messages and `--set`.
    public var path: String
    public var message: String

    public var description: String { "\(path): \(message) [\(kind.rawValue)]" }
}

/// Estimates and checks on a decoded scenario: mean service capacities, full-queue waits, offered load, the
/// callers of each service, and the warnings built from them.
public struct ScenarioWarnings {
    let scenario: Scenario
    /// Retry layers may multiply up to this many attempts per request before a warning.
    public static let maxMultipliedAttempts = 10

    public init(_ scenario: Scenario) { self.scenario = scenario }

    /// The warnings of every variant of a set: one that every variant has is reported once, one that only some
    /// have says which.
    public static func check(_ set: ScenarioSet) -> [ScenarioWarning] {
        var found: [(warning: ScenarioWarning, variants: [String])] = []
        for variant in set.variants {
            for w in ScenarioWarnings(variant.scenario).warnings {
                if let k = found.firstIndex(where: { $0.warning == w }) { found[k].variants.append(variant.name) }
                else { found.append((w, [variant.name])) }
            }
        }
        return found.map { item in
            guard item.variants.count < set.variants.count else { return item.warning }
            var w = item.warning
            let names = item.variants.prefix(3).joined(separator: ", ") + (item.variants.count > 3 ? " and \(item.variants.count - 3) more" : "")
            w.message += " (in variant\(item.variants.count == 1 ? "" : "s") \(names))"
            return w
        }
    }

    public var warnings: [ScenarioWarning] {
        var result: [ScenarioWarning] = []
        result += timeoutWarnings()
        result += queueWarnings()
        result += downstreamTimeoutWarnings()
        result += retryOnWarnings()
        result += sharedBucketWarnings()
        result += multipliedRetryWarnings()
        result += overloadWarnings()
        return result
    }

    // MARK: estimates

    /// A policy that sends attempts to a service: the clients' or a calling service's.
    struct Sender {
        var path: String
        var policy: RetryPolicy
        var name: String
    }

    func index(of name: String) -> Int? { scenario.services.firstIndex { $0.name == name } }

    /// The policies that send attempts to service `j`.
    func callers(of j: Int) -> [Sender] {
        var result: [Sender] = []
        if j == scenario.targetIndex { result.append(Sender(path: "clients.policy", policy: scenario.clients.policy, name: "the clients")) }
        for (i, s) in scenario.services.enumerated() where s.calls.contains(scenario.services[j].name) {
            result.append(Sender(path: "services[\(i)].policy", policy: s.callPolicy, name: s.name))
        }
        return result
    }

    /// Mean time an attempt holds a worker of service `j`, in seconds: its own time, and, for a service whose
    /// workers wait on their calls, the calls (with their network hops) and the time after them.
    func holdSeconds(_ j: Int, depth: Int = 0) -> Double {
        let s = scenario.services[j]
        guard s.kind == .queue, depth < scenario.services.count else { return 0 }
        var ns = s.serviceTime.mean
        if !s.async {
            let downstream = s.calls.compactMap(index(of:)).map { holdSeconds($0, depth: depth + 1) * 1e9 + 2 * scenario.networkLatency.mean }
            ns += (downstream.max() ?? 0) + s.afterCall.mean
        }
        return ns / 1e9
    }

    func totalWorkers(_ j: Int) -> Int {
        let s = scenario.services[j]
        return s.instanceWorkers?.reduce(0, +) ?? s.workers * s.instances
    }

    /// Attempts per second service `j` serves at most, on average (nil when it has no such limit).
    public func capacityPerSecond(_ j: Int) -> Double? {
        let hold = holdSeconds(j)
        guard scenario.services[j].kind == .queue, hold > 0 else { return nil }
        return Double(totalWorkers(j)) / hold
    }

    /// How long the last attempt of a full queue waits, in seconds (per instance: each has its own queue).
    public func fullQueueWaitSeconds(_ j: Int) -> Double? {
        let s = scenario.services[j]
        guard s.kind == .queue, s.queueCapacity > 0 else { return nil }
        let perInstance = Double(totalWorkers(j)) / Double(s.instances)
        return Double(s.queueCapacity) * holdSeconds(j) / perInstance
    }

    /// Requests per second the clients send before any change of load (open loops only).
    var baseRequestRate: Double? {
        guard case .poisson(let rate, _, _) = scenario.clients.arrival else { return nil }
        let atStart = scenario.clients.load.reduce(1.0) { $0 * $1.factor(at: SimTime(nanoseconds: 0)) }
        return Double(scenario.clients.count) * rate * atStart
    }

    /// Attempts per second reaching service `j` before any fault and without retries: each attempt a service
    /// serves calls each of its `calls` once. Nil past a cache (hits do not call on) or without an open loop.
    public func offeredPerSecond(_ j: Int) -> Double? {
        guard let base = baseRequestRate else { return nil }
        return pathRate(to: j, base: base)
    }

    /// The rate reaching `j`: the base rate times the number of call paths from the target to `j`.
    func pathRate(to j: Int, base: Double) -> Double? {
        var memo: [Int: Double] = [:]
        func paths(_ i: Int, _ depth: Int) -> Double {
            if i == j { return 1 }
            if depth > scenario.services.count || scenario.services[i].cache != nil { return 0 }
            if let m = memo[i] { return m }
            let p = scenario.services[i].calls.compactMap(index(of:)).reduce(0.0) { $0 + paths($1, depth + 1) }
            memo[i] = p
            return p
        }
        let p = paths(scenario.targetIndex, 0)
        return p > 0 ? base * p : nil
    }

    /// Whether the scenario changes anything over time: faults, load changes, a burst or a trace.
    var hasTrigger: Bool {
        if !scenario.clients.load.isEmpty { return true }
        switch scenario.clients.arrival {
        case .burst, .trace: return true
        default: break
        }
        return scenario.services.contains { !$0.faults.isEmpty || $0.crash != nil }
    }

    /// The services reachable from `j` by calls, `j` included.
    func reachable(from j: Int) -> [Int] {
        var order = [j], k = 0
        while k < order.count {
            for c in scenario.services[order[k]].calls.compactMap(index(of:)) where !order.contains(c) { order.append(c) }
            k += 1
        }
        return order
    }
}
