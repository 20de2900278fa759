/// Decoding of a service's fleet keys: its balancer, outlier detection, health checks and concurrency limit.
extension ScenarioDecoder {
    /// `balancer`: a name, or an object with `type` and its options.
    static func decodeBalancer(_ json: JSONValue, at path: JSONPath, context: DecodeContext) -> Balancer? {
        let expected = ScenarioKeys.balancerNames.map { JSONValue.quote($0) }.joined(separator: ", ")
        if case .string(let name) = json {
            guard let kind = Balancer.Kind(rawValue: name) else {
                var message = "expected one of \(expected), found \(JSONValue.quote(name))"
                if let guess = Suggest.closest(to: name, among: ScenarioKeys.balancerNames) { message += "; did you mean \"\(guess)\"?" }
                context.fail(path, message)
                return nil
            }
            return Balancer(kind: kind)
        }
        guard let type = typeField(json, at: path, key: "type", among: ScenarioKeys.balancerNames, context: context),
            let r = ObjectReader(json, at: path, allowed: ScenarioKeys.balancer, context: context)
        else { return nil }
        let kind = Balancer.Kind(rawValue: type)!
        let scope = r.choice("scope", among: PolicyScope.allCases.map(\.rawValue), default: "host")
        let start = r.choice("start", among: ["random", "zero"], default: "random")
        let choices = r.integer("choices", in: 2...100, default: 2)
        let panic = r.number("panicThreshold", in: 0...100, default: 50, expected: "a percentage from 0 to 100")
        if kind != .roundRobin && r.has("start") {
            context.fail(path.appending("start"), "only a round-robin balancer has a start; this one is \(JSONValue.quote(type))")
            return nil
        }
        if kind != .leastRequest && r.has("choices") {
            context.fail(path.appending("choices"), "only a least-request balancer draws choices; this one is \(JSONValue.quote(type))")
            return nil
        }
        var zipf: (Double, Int)?? = .some(nil)
        if let key = r.value("key") {
            if kind != .ringHash {
                context.fail(path.appending("key"), "only a ring hash hashes a key; this one is \(JSONValue.quote(type))")
                return nil
            }
            if key != .string("client") {
                guard let z = ObjectReader(key, at: path.appending("key"), allowed: ScenarioKeys.zipfKey, context: context) else { return nil }
                let exponent = z.number("zipf", in: 0...10, expected: "a Zipf exponent from 0 to 10")
                let keys = z.integer("keys", in: 1...1_000_000)
                zipf = exponent.flatMap { e in keys.map { .some((e, $0)) } }
            }
        }
        if kind == .ringHash && r.has("scope") {
            context.fail(path.appending("scope"), "a ring hash sends each client to the same instance whoever balances; it has no scope")
            return nil
        }
        var slowStart: (SimDuration, Double, Double)?? = .some(nil)
        if let ss = r.value("slowStart") {
            if kind == .ringHash {
                context.fail(path.appending("slowStart"), "a ring hash has no weights to ramp; slow start is for the other balancers")
                return nil
            }
            guard let s = ObjectReader(ss, at: path.appending("slowStart"), allowed: ScenarioKeys.slowStart, context: context) else { return nil }
            let window = s.duration("window", positive: true)
            let aggression = s.number("aggression", in: 0.01...100, default: 1, expected: "a number from 0.01 to 100")
            let minWeight = s.number("minWeightPercent", in: 0...100, default: 10, expected: "a percentage from 0 to 100")
            slowStart = window.flatMap { w in aggression.flatMap { a in minWeight.map { .some((w, a, $0)) } } }
        }
        guard let scope, let start, let choices, let panic, let zipf, let slowStart else { return nil }
        var balancer = Balancer(kind: kind, scope: PolicyScope(rawValue: scope)!, randomStart: start == "random", choices: choices)
        balancer.panicThreshold = panic
        balancer.zipf = zipf.map { (exponent: $0.0, keys: $0.1) }
        balancer.slowStart = slowStart.map { (window: $0.0, aggression: $0.1, minWeightPercent: $0.2) }
        return balancer
    }

    /// `outlierDetection`: Envoy's keys in camel case, each with Envoy's default.
    static func decodeOutlierDetection(_ json: JSONValue, at path: JSONPath, context: DecodeContext) -> OutlierDetection? {
        guard let r = ObjectReader(json, at: path, allowed: ScenarioKeys.outlierDetection, context: context) else { return nil }
        var o = OutlierDetection()
        var ok = true
        func duration(_ key: String, _ value: inout SimDuration) {
            if r.has(key) { if let d = r.duration(key, positive: true) { value = d } else { ok = false } }
        }
        func percent(_ key: String, _ value: inout Double) {
            if r.has(key) { if let x = r.number(key, in: 0...100, expected: "a percentage from 0 to 100") { value = x } else { ok = false } }
        }
        func count(_ key: String, _ value: inout Int, _ range: ClosedRange<Int>) {
            if r.has(key) { if let n = r.integer(key, in: range) { value = n } else { ok = false } }
        }
        duration("interval", &o.interval)
        duration("baseEjectionTime", &o.baseEjectionTime)
        duration("maxEjectionTime", &o.maxEjectionTime)
        percent("maxEjectionPercent", &o.maxEjectionPercent)
        count("consecutive5xx", &o.consecutive5xx, 1...1_000_000)
        percent("enforcingConsecutive5xx", &o.enforcingConsecutive5xx)
        count("consecutiveGatewayFailure", &o.consecutiveGatewayFailure, 1...1_000_000)
        percent("enforcingConsecutiveGatewayFailure", &o.enforcingConsecutiveGatewayFailure)
        count("successRateMinimumHosts", &o.successRateMinimumHosts, 0...ScenarioLimits.maxInstances)
        count("successRateRequestVolume", &o.successRateRequestVolume, 0...1_000_000_000)
        if r.has("successRateStdevFactor") {
            if let x = r.number("successRateStdevFactor", in: 0...1e6, expected: "a factor x 1000 from 0 to 1e6 (Envoy's 1900 is 1.9)") {
                o.successRateStdevFactor = x
            } else { ok = false }
        }
        percent("enforcingSuccessRate", &o.enforcingSuccessRate)
        percent("failurePercentageThreshold", &o.failurePercentageThreshold)
        count("failurePercentageMinimumHosts", &o.failurePercentageMinimumHosts, 0...ScenarioLimits.maxInstances)
        count("failurePercentageRequestVolume", &o.failurePercentageRequestVolume, 0...1_000_000_000)
        percent("enforcingFailurePercentage", &o.enforcingFailurePercentage)
        return ok ? o : nil
    }

    static func decodeHealthCheck(_ json: JSONValue, at path: JSONPath, context: DecodeContext) -> HealthCheck? {
        guard let r = ObjectReader(json, at: path, allowed: ScenarioKeys.healthCheck, context: context) else { return nil }
        var h = HealthCheck()
        let interval = r.duration("interval", default: h.interval, positive: true)
        let timeout = r.duration("timeout", default: h.timeout, positive: true)
        let unhealthy = r.integer("unhealthyThreshold", in: 1...1_000, default: h.unhealthyThreshold)
        let healthy = r.integer("healthyThreshold", in: 1...1_000, default: h.healthyThreshold)
        let probePath = r.choice("path", among: HealthCheck.Path.allCases.map(\.rawValue), default: "queue")
        let probeTime = r.duration("probeTime", default: h.probeTime)
        guard let interval, let timeout, let unhealthy, let healthy, let probePath, let probeTime else { return nil }
        h.interval = interval
        h.timeout = timeout
        h.unhealthyThreshold = unhealthy
        h.healthyThreshold = healthy
        h.path = HealthCheck.Path(rawValue: probePath)!
        h.probeTime = probeTime
        return h
    }

    /// `concurrencyLimit`: `type` fixed (`limit`), aimd or gradient2, with the library's keys and defaults.
    static func decodeConcurrencyLimit(_ json: JSONValue, at path: JSONPath, context: DecodeContext) -> ConcurrencyLimit? {
        guard let type = typeField(json, at: path, key: "type", among: ScenarioKeys.concurrencyLimitTypes, context: context),
            let r = ObjectReader(json, at: path, allowed: ScenarioKeys.concurrencyLimit[type]!, context: context)
        else { return nil }
        var ok = true
        func int(_ key: String, _ value: inout Int, _ range: ClosedRange<Int>) {
            if r.has(key) { if let n = r.integer(key, in: range) { value = n } else { ok = false } }
        }
        func real(_ key: String, _ value: inout Double, _ range: ClosedRange<Double>, _ expected: String) {
            if r.has(key) { if let x = r.number(key, in: range, expected: expected) { value = x } else { ok = false } }
        }
        let maxLimit = ScenarioLimits.maxQueueCapacity
        switch type {
        case "fixed":
            guard let limit = r.integer("limit", in: 1...maxLimit) else { return nil }
            return ConcurrencyLimit(.fixed(limit))
        case "aimd":
            var a = ConcurrencyLimit.AIMD()
            int("initialLimit", &a.initialLimit, 1...maxLimit)
            int("minLimit", &a.minLimit, 1...maxLimit)
            int("maxLimit", &a.maxLimit, 1...maxLimit)
            real("backoffRatio", &a.backoffRatio, 0.5...1, "a ratio from 0.5 to 1")
            if r.has("timeout") { if let t = r.duration("timeout", positive: true) { a.timeout = t } else { ok = false } }
            guard ok, limitsOrdered(a.minLimit, a.initialLimit, a.maxLimit, r, path) else { return nil }
            return ConcurrencyLimit(.aimd(a))
        case "vegas":
            var v = ConcurrencyLimit.Vegas()
            int("initialLimit", &v.initialLimit, 1...maxLimit)
            int("maxLimit", &v.maxLimit, 1...maxLimit)
            real("smoothing", &v.smoothing, 0...1, "a smoothing factor from 0 to 1")
            int("probeMultiplier", &v.probeMultiplier, 1...1_000_000)
            guard ok, limitsOrdered(1, v.initialLimit, v.maxLimit, r, path) else { return nil }
            return ConcurrencyLimit(.vegas(v))
        default:
            var g = ConcurrencyLimit.Gradient2()
            int("initialLimit", &g.initialLimit, 1...maxLimit)
            int("minLimit", &g.minLimit, 1...maxLimit)
            int("maxLimit", &g.maxLimit, 1...maxLimit)
            real("smoothing", &g.smoothing, 0...1, "a smoothing factor from 0 to 1")
            real("queueSize", &g.queueSize, 0...1e6, "attempts, from 0 to 1e6")
            int("longWindow", &g.longWindow, 1...1_000_000)
            real("tolerance", &g.tolerance, 1...100, "a factor from 1 to 100")
            guard ok, limitsOrdered(g.minLimit, g.initialLimit, g.maxLimit, r, path) else { return nil }
            return ConcurrencyLimit(.gradient2(g))
        }
    }

    static func limitsOrdered(_ min: Int, _ initial: Int, _ max: Int, _ r: ObjectReader, _ path: JSONPath) -> Bool {
        guard min <= initial, initial <= max else {
            r.context.fail(path, "expected minLimit <= initialLimit <= maxLimit, found \(min), \(initial), \(max)")
            return false
        }
        return true
    }

    /// `crash`: when instances crash (`heldAbove` for `for`), what their callers see, CrashLoopBackOff, warm-up.
    static func decodeCrash(_ json: JSONValue, at path: JSONPath, context: DecodeContext) -> Crash? {
        guard let r = ObjectReader(json, at: path, allowed: ScenarioKeys.crash, context: context) else { return nil }
        let held = r.integer("heldAbove", in: 0...ScenarioLimits.maxQueueCapacity)
        let holdFor = r.duration("for", default: .zero)
        let lose = r.choice("lose", among: Crash.Lose.allCases.map(\.rawValue), default: "reset")
        guard let held, let holdFor, let lose else { return nil }
        var crash = Crash(heldAbove: held)
        crash.holdFor = holdFor
        crash.lose = Crash.Lose(rawValue: lose)!
        var ok = true
        if let restart = r.value("restart") {
            let rpath = path.appending("restart")
            if let rr = ObjectReader(restart, at: rpath, allowed: ScenarioKeys.crashRestart, context: context) {
                let delay = rr.duration("delay", default: crash.delay)
                let maxDelay = rr.duration("maxDelay", default: crash.maxDelay)
                let resetAfter = rr.duration("resetAfter", default: crash.resetAfter)
                let jitter = rr.number("jitter", in: 0...1, default: 0, expected: "a share of the delay from 0 (none) to 1 (full jitter)")
                if let delay, let maxDelay, maxDelay < delay {
                    context.fail(rpath.appending("maxDelay"), "\(DurationText.format(maxDelay)) is below delay (\(DurationText.format(delay))); expected maxDelay >= delay")
                    ok = false
                }
                if let delay, let maxDelay, let resetAfter, let jitter {
                    crash.delay = delay
                    crash.maxDelay = maxDelay
                    crash.resetAfter = resetAfter
                    crash.jitter = jitter
                } else { ok = false }
            } else { ok = false }
        }
        if let warmup = r.value("warmup") {
            let wpath = path.appending("warmup")
            if let wr = ObjectReader(warmup, at: wpath, allowed: ScenarioKeys.crashWarmup, context: context) {
                let factor = wr.number("factor", in: 1...1000, default: 1, expected: "a factor on service time from 1 to 1000")
                let period = wr.duration("period", default: .zero)
                if let factor, let period {
                    crash.warmupFactor = factor
                    crash.warmupPeriod = period
                } else { ok = false }
            } else { ok = false }
        }
        return ok ? crash : nil
    }
}
