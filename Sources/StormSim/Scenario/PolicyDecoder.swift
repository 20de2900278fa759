/// Decoding of `clients.policy`: presets, retries, backoff and jitter, budgets, breakers and rate limiters.
extension ScenarioDecoder {
    static func decodePolicy(_ json: JSONValue, at path: JSONPath, context: DecodeContext) -> RetryPolicy? {
        guard case .object = json else {
            context.fail(path, "expected an object, found \(json.kindDescription)")
            return nil
        }
        var presetName: String?
        guard let json = resolvePreset(json, at: path, name: &presetName, context: context),
            let reader = ObjectReader(json, at: path, allowed: ScenarioKeys.policy, context: context)
        else { return nil }
        var timeout: SimDuration?? = .some(nil)
        if let t = reader.value("timeout"), t != .string("none") {
            timeout = reader.duration("timeout", positive: true).map { .some($0) }
        }
        let maxAttempts = reader.integer("maxAttempts", in: 1...ScenarioLimits.maxAttempts, default: 1,
            why: "no real client retries more; the limit keeps per-attempt statistics bounded")
        var backoff: Backoff? = RetryPolicy.noRetries.backoff
        if let b = reader.value("backoff") { backoff = decodeBackoff(b, at: path.appending("backoff"), context: context) }
        if context.log != nil { noteDefaults(reader) }
        var jitter: Jitter? = .full
        if let j = reader.value("jitter") { jitter = decodeJitter(j, at: path.appending("jitter"), context: context) }
        var retryOn: Set<RetryPolicy.Failure>? = Set(RetryPolicy.Failure.allCases)
        if let r = reader.value("retryOn") { retryOn = decodeRetryOn(r, at: path.appending("retryOn"), context: context) }
        let retryAfter = reader.choice("retryAfter", among: RetryPolicy.RetryAfter.allCases.map(\.rawValue), default: "ignore")
        var maxElapsed: SimDuration?? = .some(nil)
        if reader.has("maxElapsed") { maxElapsed = reader.duration("maxElapsed", positive: true).map { .some($0) } }
        var budgets: [ScopedBudget]? = []
        if let b = reader.value("budget") { budgets = decodeBudgets(b, at: path.appending("budget"), context: context) }
        var breaker: ScopedBreaker?? = .some(nil)
        if let b = reader.value("breaker") { breaker = decodeBreaker(b, at: path.appending("breaker"), context: context).map { .some($0) } }
        var limiter: ScopedRateLimiter?? = .some(nil)
        if let l = reader.value("rateLimiter") { limiter = decodeRateLimiter(l, at: path.appending("rateLimiter"), context: context).map { .some($0) } }
        let deadlineAware = reader.bool("deadlineAware", default: false)
        let avoidPreviousHosts = reader.bool("avoidPreviousHosts", default: false)
        let reselect = reader.integer("hostReselectAttempts", in: 0...100, default: 1)
        var hedging: Hedging?? = .some(nil)
        if let h = reader.value("hedging") {
            hedging = decodeHedging(h, at: path.appending("hedging"), context: context).map { .some($0) }
            if maxAttempts.map({ $0 > 1 }) == true {
                context.fail(path.appending("hedging"), "a policy either retries or hedges (gRPC's service config takes a retryPolicy or a hedgingPolicy); with hedging, leave maxAttempts at 1 and set hedging.maxAttempts")
                hedging = nil
            }
        }
        var maxRequests: Int?? = .some(nil)
        if reader.has("maxRequests") {
            maxRequests = reader.integer("maxRequests", in: 1...ScenarioLimits.maxClients).map { .some($0) }
        }
        guard let timeout, let maxAttempts, let backoff, let jitter, let retryOn, let retryAfter, let maxElapsed,
            let budgets, let breaker, let limiter, let deadlineAware, let avoidPreviousHosts, let reselect, let hedging,
            let maxRequests
        else { return nil }
        var policy = RetryPolicy(
            timeout: timeout, maxAttempts: maxAttempts, backoff: backoff, jitter: jitter, retryOn: retryOn,
            retryAfter: RetryPolicy.RetryAfter(rawValue: retryAfter)!, maxElapsed: maxElapsed, budgets: budgets,
            breaker: breaker, rateLimiter: limiter, preset: presetName)
        policy.deadlineAware = deadlineAware
        policy.avoidPreviousHosts = avoidPreviousHosts
        policy.hostReselectAttempts = reselect
        policy.hedging = hedging
        policy.maxRequests = maxRequests
        return policy
    }

    /// For `explain`: the defaults of a policy's keys that the file (and its preset) left out.
    static func noteDefaults(_ reader: ObjectReader) {
        let d = RetryPolicy.noRetries
        let defaults: [(String, String)] = [
            ("timeout", "none"), ("maxAttempts", "1"), ("jitter", "\"full\""),
            ("backoff", "{\"type\":\"exponential\",\"base\":\"\(DurationText.format(d.backoff.base))\",\"multiplier\":\(NumberFormat.shortest(d.backoff.multiplier)),\"max\":\"\(DurationText.format(d.backoff.max))\"}"),
            ("retryOn", "[" + RetryPolicy.Failure.allCases.map { JSONValue.quote($0.rawValue) }.joined(separator: ",") + "]"),
            ("budget", "none"), ("breaker", "none"), ("rateLimiter", "none"), ("maxElapsed", "none"),
        ]
        for (key, text) in defaults where !reader.has(key) { reader.noteDefault(key, text) }
    }

    static func decodeHedging(_ json: JSONValue, at path: JSONPath, context: DecodeContext) -> Hedging? {
        guard let r = ObjectReader(json, at: path, allowed: ScenarioKeys.hedging, context: context) else { return nil }
        let maxAttempts = r.integer("maxAttempts", in: 2...Hedging.maxHedges, why: "gRPC clamps hedging's maxAttempts to 5")
        var quantile: Double?? = .some(nil)
        var delay: SimDuration? = .zero
        if case .string(let text)? = r.value("delay"), text.hasPrefix("p") {
            // "p95": the observed 95th percentile; "initialDelay" until it is known.
            if let q = Double(text.dropFirst()), q > 0, q < 100 {
                quantile = .some(q / 100)
            } else {
                context.fail(path.appending("delay"), "expected a duration or a percentile such as \"p95\", found \(JSONValue.quote(text))")
                quantile = nil
            }
            delay = r.duration("initialDelay", default: .zero)
        } else {
            delay = r.duration("delay", default: .zero)
            if r.has("initialDelay") {
                context.fail(path.appending("initialDelay"), "only an adaptive delay (\"delay\": \"p95\") has an initial delay")
                delay = nil
            }
        }
        var nonFatal: Set<RetryPolicy.Failure>? = []
        if let n = r.value("nonFatal") { nonFatal = decodeRetryOn(n, at: path.appending("nonFatal"), context: context) }
        var budget: Double?? = .some(nil)
        if r.has("budgetPercent") {
            budget = r.number("budgetPercent", in: 0...100, expected: "a percentage of the requests from 0 to 100").map { .some($0) }
        }
        let propagate = r.bool("propagateCancellation", default: false)
        guard let maxAttempts, let delay, let nonFatal, let budget, let propagate, let quantile else { return nil }
        var hedging = Hedging(maxAttempts: maxAttempts, delay: delay, nonFatal: nonFatal, budgetPercent: budget, propagateCancellation: propagate)
        hedging.delayQuantile = quantile
        return hedging
    }

    /// Replaces `"preset": NAME` by the preset's keys with the other keys merged over them (presets may build on
    /// presets).
    static func resolvePreset(_ json: JSONValue, at path: JSONPath, name: inout String?, context: DecodeContext) -> JSONValue? {
        guard case .object(var members) = json, let i = members.firstIndex(where: { $0.key == "preset" }) else { return json }
        let value = members.remove(at: i).value
        guard case .string(let presetName) = value, let preset = Preset.named(presetName) else {
            let names = Preset.all.map(\.name)
            var message = "expected one of \(names.map(JSONValue.quote).joined(separator: ", ")), found \(value.kindDescription)"
            if case .string(let s) = value, let guess = Suggest.closest(to: s, among: names) { message += "; did you mean \"\(guess)\"?" }
            context.fail(path.appending("preset"), message + " (see 'stormsim presets')")
            return nil
        }
        if name == nil { name = presetName }
        context.log?.found(path.appending("preset"), value)
        guard let base = resolvePreset(preset.policy, at: path, name: &name, context: context) else { return nil }
        context.log?.presetFilled(path, preset: base, given: .object(members), name: presetName)
        return base.merging(.object(members))
    }

    static func decodeRetryOn(_ json: JSONValue, at path: JSONPath, context: DecodeContext) -> Set<RetryPolicy.Failure>? {
        let names = RetryPolicy.Failure.allCases.map(\.rawValue)
        let expected = "an array of " + names.map(JSONValue.quote).joined(separator: ", ")
        guard case .array(let items) = json else {
            context.fail(path, "expected \(expected), found \(json.kindDescription)")
            return nil
        }
        var result = Set<RetryPolicy.Failure>()
        for (i, item) in items.enumerated() {
            guard case .string(let s) = item, let f = RetryPolicy.Failure(rawValue: s) else {
                var message = "expected one of " + names.map(JSONValue.quote).joined(separator: ", ") + ", found \(item.kindDescription)"
                if case .string(let s) = item, let guess = Suggest.closest(to: s, among: names) { message += "; did you mean \"\(guess)\"?" }
                context.fail(path.appending(i), message)
                return nil
            }
            result.insert(f)
        }
        return result
    }

    static func scope(_ reader: ObjectReader, default fallback: PolicyScope) -> PolicyScope? {
        reader.choice("scope", among: PolicyScope.allCases.map(\.rawValue), default: fallback.rawValue).flatMap(PolicyScope.init)
    }

    /// One budget object, or an array of them (every one must allow a retry).
    static func decodeBudgets(_ json: JSONValue, at path: JSONPath, context: DecodeContext) -> [ScopedBudget]? {
        if case .array(let items) = json {
            let decoded = items.enumerated().map { decodeBudget($1, at: path.appending($0), context: context) }
            return decoded.contains { $0 == nil } ? nil : decoded.map { $0! }
        }
        return decodeBudget(json, at: path, context: context).map { [$0] }
    }

    static func decodeBudget(_ json: JSONValue, at path: JSONPath, context: DecodeContext) -> ScopedBudget? {
        guard let type = typeField(json, at: path, key: "type", among: ScenarioKeys.budgetTypes, context: context),
            let r = ObjectReader(json, at: path, allowed: ScenarioKeys.budget[type]!, context: context)
        else { return nil }
        let scope = scope(r, default: .client)
        switch type {
        case "tokenBucket":
            let capacity = r.number("capacity", in: 0...1e12, expected: "tokens, a number from 0 to 1e12")
            let initial = r.number("initial", in: 0...1e12, default: capacity ?? 0, expected: "tokens, a number from 0 to 1e12")
            let earnPerRequest = r.number("earnPerRequest", in: 0...1e12, default: 0)
            let earnPerSuccess = r.number("earnPerSuccess", in: 0...1e12, default: 0)
            let costPerRetry = r.number("costPerRetry", in: 0...1e12, default: 0)
            let costPerTimeoutRetry = r.number("costPerTimeoutRetry", in: 0...1e12, default: costPerRetry ?? 0)
            let costPerThrottledRetry = r.number("costPerThrottledRetry", in: 0...1e12, default: costPerRetry ?? 0)
            let costPerFailure = r.number("costPerFailure", in: 0...1e12, default: 0)
            let refund = r.bool("refundLastRetryOnSuccess", default: false)
            var threshold: Double?? = .some(nil)
            if r.has("threshold") { threshold = r.number("threshold", in: 0...1e12).map { .some($0) } }
            let floor = r.number("floor", in: -1e12...0, default: 0, expected: "tokens, 0 or a negative number down to -1e12 (a debt)")
            if let capacity, let initial, initial > capacity {
                context.fail(path.appending("initial"), "\(NumberFormat.shortest(initial)) is above capacity (\(NumberFormat.shortest(capacity)))")
                return nil
            }
            guard let scope, let capacity, let initial, let earnPerRequest, let earnPerSuccess, let costPerRetry,
                let costPerTimeoutRetry, let costPerThrottledRetry, let costPerFailure, let refund, let threshold, let floor
            else { return nil }
            return ScopedBudget(budget: .tokenBucket(.init(
                capacity: capacity, initial: initial, earnPerRequest: earnPerRequest, earnPerSuccess: earnPerSuccess,
                refundLastRetryOnSuccess: refund, costPerRetry: costPerRetry, costPerTimeoutRetry: costPerTimeoutRetry,
                costPerThrottledRetry: costPerThrottledRetry,
                costPerFailure: costPerFailure, threshold: threshold, floor: floor)), scope: scope)
        case "ratio":
            let ratio = r.number("ratio", in: 0...1000, default: 0.2, expected: "retries per request, a number from 0 to 1000")
            let minPerSecond = r.number("minPerSecond", in: 0...1e9, default: 10)
            let window = r.duration("window", default: .seconds(10), positive: true)
            guard let scope, let ratio, let minPerSecond, let window else { return nil }
            return ScopedBudget(budget: .ratio(ratio: ratio, minPerSecond: minPerSecond, window: window), scope: scope)
        case "concurrency":
            let fraction = r.number("fraction", in: 0...1000, default: 0.2)
            let minimum = r.integer("minimum", in: 0...ScenarioLimits.maxClients, default: 3)
            guard let scope, let fraction, let minimum else { return nil }
            return ScopedBudget(budget: .concurrency(fraction: fraction, minimum: minimum), scope: scope)
        case "failureRate":
            let threshold = r.number("threshold", in: 0...1, default: 0.1, expected: "a fraction of failed attempts from 0 to 1")
            let window = r.duration("window", default: .seconds(10), positive: true)
            let minCalls = r.integer("minCalls", in: 0...1_000_000_000, default: 10)
            guard let scope, let threshold, let window, let minCalls else { return nil }
            return ScopedBudget(budget: .failureRate(threshold: threshold, window: window, minCalls: minCalls), scope: scope)
        default:
            let k = r.number("k", in: 1...1000, default: 2, expected: "a number from 1 to 1000 (2 in the SRE book)")
            let window = r.duration("window", default: .seconds(120), positive: true)
            guard let scope, let k, let window else { return nil }
            return ScopedBudget(budget: .adaptiveThrottling(k: k, window: window), scope: scope)
        }
    }

    static func decodeBreaker(_ json: JSONValue, at path: JSONPath, context: DecodeContext) -> ScopedBreaker? {
        guard let r = ObjectReader(json, at: path, allowed: ScenarioKeys.breaker, context: context) else { return nil }
        let scope = scope(r, default: .client)
        let trip = r.required("trip", expected: "an object with a \"type\"").flatMap { decodeTrip($0, at: path.appending("trip"), context: context) }
        let openFor = r.duration("openFor", default: .seconds(60), positive: true)
        let probes = r.integer("probes", in: 1...1_000_000, default: 1)
        let close = r.choice("close", among: CircuitBreaker.CloseRule.allCases.map(\.rawValue), default: "consecutive")
        let countRetries = r.bool("countRetries", default: true)
        guard let scope, let trip, let openFor, let probes, let close, let countRetries else { return nil }
        return ScopedBreaker(breaker: CircuitBreaker(
            trip: trip, openFor: openFor, probes: probes, closeRule: CircuitBreaker.CloseRule(rawValue: close)!,
            countRetries: countRetries), scope: scope)
    }

    static func decodeTrip(_ json: JSONValue, at path: JSONPath, context: DecodeContext) -> CircuitBreaker.Trip? {
        guard let type = typeField(json, at: path, key: "type", among: ScenarioKeys.tripTypes, context: context),
            let r = ObjectReader(json, at: path, allowed: ScenarioKeys.trip[type]!, context: context)
        else { return nil }
        if type == "consecutive" {
            return r.integer("failures", in: 1...1_000_000, default: 6).map { .consecutive(failures: $0) }
        }
        let windowKind = r.choice("window", among: ["count", "time"], default: "count")
        var window: CircuitBreaker.RateTrip.Window?
        if windowKind == "count" {
            window = r.integer("calls", in: 1...1_000_000, default: 100).map { .count(calls: $0) }
        } else if windowKind == "time" {
            let length = r.duration("length", default: .seconds(10), positive: true)
            let buckets = r.integer("buckets", in: 1...10_000, default: 10)
            if let length, let buckets { window = .time(length: length, buckets: buckets) }
        }
        let minCalls = r.integer("minCalls", in: 1...1_000_000, default: 100)
        let threshold = r.number("threshold", in: 0...1, default: 0.5, expected: "a failure rate from 0 to 1")
        let check = r.choice("check", among: CircuitBreaker.RateTrip.Check.allCases.map(\.rawValue), default: "call")
        let snapshotEvery = r.duration("snapshotEvery", default: .milliseconds(500), positive: true)
        let integerPercent = r.bool("integerPercent", default: false)
        guard let window, let minCalls, let threshold, let check, let snapshotEvery, let integerPercent else { return nil }
        return .rate(.init(
            window: window, minCalls: minCalls, threshold: threshold, check: CircuitBreaker.RateTrip.Check(rawValue: check)!,
            snapshotEvery: snapshotEvery, integerPercent: integerPercent))
    }

    static func decodeRateLimiter(_ json: JSONValue, at path: JSONPath, context: DecodeContext) -> ScopedRateLimiter? {
        guard let r = ObjectReader(json, at: path, allowed: ScenarioKeys.rateLimiter, context: context) else { return nil }
        let scope = scope(r, default: .host)
        let rate = r.number("rate", in: 1e-6...1e12, expected: "tokens per second, a number from 1e-6 to 1e12")
        let burst = r.number("burst", in: 1...1e12, default: 1, expected: "a number from 1 to 1e12")
        let appliesTo = r.choice("appliesTo", among: RateLimiter.AppliesTo.allCases.map(\.rawValue), default: "attempts")
        let adaptive = r.bool("adaptive", default: false)
        guard let scope, let rate, let burst, let appliesTo, let adaptive else { return nil }
        return ScopedRateLimiter(
            limiter: RateLimiter(rate: rate, burst: burst, appliesTo: RateLimiter.AppliesTo(rawValue: appliesTo)!, adaptive: adaptive),
            scope: scope)
    }

    static func decodeBackoff(_ json: JSONValue, at path: JSONPath, context: DecodeContext) -> Backoff? {
        guard let reader = ObjectReader(json, at: path, allowed: ScenarioKeys.backoff, context: context) else { return nil }
        let kind = reader.choice("type", among: Backoff.Kind.allCases.map(\.rawValue), default: "exponential")
        let base = reader.duration("base", default: .milliseconds(100))
        let multiplier = reader.number("multiplier", in: 1...1e6, default: 2, expected: "a number from 1 to 1e6")
        let max = reader.duration("max", default: .seconds(10))
        let throttleBase: SimDuration?? = reader.has("throttleBase") ? reader.duration("throttleBase").map { .some($0) } : .some(nil)
        if let base, let max, max < base {
            context.fail(path.appending("max"), "\(DurationText.format(max)) is below base (\(DurationText.format(base))); expected max >= base")
            return nil
        }
        if let max, let t = throttleBase ?? nil, max < t {
            context.fail(path.appending("throttleBase"), "\(DurationText.format(t)) is above max (\(DurationText.format(max))); expected throttleBase <= max")
            return nil
        }
        guard let kind, let base, let multiplier, let max, let throttleBase else { return nil }
        return Backoff(kind: Backoff.Kind(rawValue: kind)!, base: base, multiplier: multiplier, max: max, throttleBase: throttleBase)
    }

    static func decodeJitter(_ json: JSONValue, at path: JSONPath, context: DecodeContext) -> Jitter? {
        let expected = "one of \"none\", \"full\", \"equal\", \"decorrelated\", \"decorrelated-finagle\" or {\"type\": \"proportional\", \"fraction\": 0.25}"
        switch json {
        case .string(let s):
            switch s {
            case "none": return Jitter.none
            case "full": return .full
            case "equal": return .equal
            case "decorrelated": return .decorrelated
            case "decorrelated-finagle": return .decorrelatedFinagle
            default:
                var message = "expected \(expected), found \(json.kindDescription)"
                if let guess = Suggest.closest(to: s, among: ScenarioKeys.jitterNames) { message += "; did you mean \"\(guess)\"?" }
                context.fail(path, message)
                return nil
            }
        case .object:
            guard let reader = ObjectReader(json, at: path, allowed: ScenarioKeys.jitterObject, context: context),
                reader.choice("type", among: ["proportional"]) != nil,
                let fraction = reader.number("fraction", in: 0...1, expected: "a fraction from 0 to 1")
            else { return nil }
            return .proportional(fraction: fraction)
        default:
            context.fail(path, "expected \(expected), found \(json.kindDescription)")
            return nil
        }
    }
}
