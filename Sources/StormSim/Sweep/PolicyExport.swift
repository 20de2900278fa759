/// A client policy written in the configuration of the systems that implement it: a gRPC service config, an Envoy
/// route's `retry_policy`, resilience4j properties, Polly v8 options and the AWS SDK's shared config. Each says in
/// comments (or a `"//"`-free note beside it) what it cannot express.
public enum PolicyExport {
    public struct File: Equatable, Sendable {
        public var name: String
        public var text: String
        /// What the target system cannot express of the policy (empty when nothing is lost).
        public var notes: [String]
    }

    /// Every export of `policy`, for calls to `service`.
    public static func all(_ policy: RetryPolicy, service: String) -> [File] {
        var files = [grpc(policy, service: service), envoy(policy), resilience4j(policy, service: service), polly(policy), aws(policy)]
        if let finagle = finagle(policy) { files.append(finagle) }
        return files
    }

    /// Finagle's `RetryBudget`, when the policy has a ratio budget (Finagle's own kind): Scala for a client's
    /// `withRetryBudget`, with its backoff.
    public static func finagle(_ p: RetryPolicy) -> File? {
        guard let ratio = p.budgets.lazy.compactMap({ b -> (Double, Double, SimDuration)? in
            if case .ratio(let r, let m, let w) = b.budget { return (r, m, w) } else { return nil }
        }).first else { return nil }
        let ms = { (d: SimDuration) in "\(max(1, d.nanoseconds / 1_000_000)).milliseconds" }
        let text = """
            // Finagle, written by stormsim tune: a client's retry budget and backoff.
            import com.twitter.conversions.DurationOps._
            import com.twitter.finagle.Backoff
            import com.twitter.finagle.service.RetryBudget

            val budget = RetryBudget(ttl = \(ms(ratio.2)), minRetriesPerSec = \(Int(ratio.1.rounded())), percentCanRetry = \(NumberFormat.shortest(ratio.0)))
            val backoff = Backoff.exponentialJittered(\(ms(p.backoff.base)), \(ms(p.backoff.max)))
            // client.withRetryBudget(budget).withRetryBackoff(backoff)

            """
        return File(name: "finagle.scala", text: text, notes: p.maxAttempts > 1 ? ["Finagle retries what its RetryPolicy classifies as retryable; attempts are bounded by the budget, not a count"] : [])
    }

    /// A protobuf-JSON duration: "0.1s".
    static func protoDuration(_ d: SimDuration) -> String { NumberFormat.shortest(Double(d.nanoseconds) / 1e9) + "s" }

    static func object(_ members: [(String, JSONValue)]) -> JSONValue { .object(members.map { JSONMember(key: $0.0, value: $0.1) }) }

    /// The gRPC status codes of the failures a policy retries.
    static func grpcCodes(_ retryOn: Set<RetryPolicy.Failure>) -> [String] {
        var codes: [String] = []
        for f in RetryPolicy.Failure.allCases where retryOn.contains(f) {
            let code: String
            switch f {
            case .timeout: code = "DEADLINE_EXCEEDED"
            case .rejected, .error: code = "UNAVAILABLE"
            case .throttled: code = "RESOURCE_EXHAUSTED"
            case .conflict: code = "ABORTED"
            }
            if !codes.contains(code) { codes.append(code) }
        }
        return codes
    }

    /// gRPC service config (gRFC A6): `methodConfig[].retryPolicy` and `retryThrottling`.
    public static func grpc(_ p: RetryPolicy, service: String) -> File {
        var notes: [String] = []
        var method: [(String, JSONValue)] = [("name", .array([object([("service", .string(service))])]))]
        if let t = p.timeout { method.append(("timeout", .string(protoDuration(t)))) }
        if p.maxAttempts > 1 {
            if p.maxAttempts > 5 { notes.append("gRPC caps maxAttempts at 5; \(p.maxAttempts) becomes 5") }
            if p.backoff.kind != .exponential { notes.append("gRPC's backoff is exponential; the \(p.backoff.kind.rawValue) backoff is written with multiplier 1") }
            if p.jitter != .full && p.jitter != .proportional(fraction: 0.2) { notes.append("gRPC jitters its own way (U[0.8, 1.2) since 2024); the scenario's jitter is not expressible") }
            var codes = grpcCodes(p.retryOn)
            if codes.isEmpty { codes = ["UNAVAILABLE"]; notes.append("retryableStatusCodes must not be empty; UNAVAILABLE added") }
            method.append(("retryPolicy", object([
                ("maxAttempts", .number(Double(min(p.maxAttempts, 5)))),
                ("initialBackoff", .string(protoDuration(max(p.backoff.base, .milliseconds(1))))),
                ("maxBackoff", .string(protoDuration(max(p.backoff.max, p.backoff.base, .milliseconds(1))))),
                ("backoffMultiplier", .number(p.backoff.kind == .exponential ? max(p.backoff.multiplier, 1) : 1)),
                ("retryableStatusCodes", .array(codes.map { .string($0) })),
            ])))
        }
        var config: [(String, JSONValue)] = [("methodConfig", .array([object(method)]))]
        for b in p.budgets {
            if case .tokenBucket(let t) = b.budget, t.earnPerSuccess > 0 {
                config.append(("retryThrottling", object([
                    ("maxTokens", .number(min(1000, max(1, t.capacity.rounded())))), ("tokenRatio", .number(t.earnPerSuccess)),
                ])))
                if b.scope != .host { notes.append("gRPC throttles per channel (scope host); the scenario's scope is \(b.scope.rawValue)") }
            } else {
                notes.append("gRPC has no budget of this kind; only a token bucket maps to retryThrottling")
            }
        }
        if p.breaker != nil { notes.append("gRPC has no circuit breaker") }
        return File(name: "grpc-service-config.json", text: object(config).prettyText() + "\n", notes: notes)
    }

    /// Envoy route `retry_policy` (config.route.v3.RetryPolicy), and the cluster's retry budget when the policy has
    /// a concurrency budget.
    public static func envoy(_ p: RetryPolicy) -> File {
        var notes: [String] = []
        var on: [String] = []
        if p.retryOn.contains(.error) || p.retryOn.contains(.rejected) || p.retryOn.contains(.timeout) { on.append("5xx") }
        if p.retryOn.contains(.timeout) { on.append("reset") }
        if p.retryOn.contains(.throttled) { on.append("retriable-status-codes") }
        if p.retryOn.contains(.conflict) { on.append("retriable-4xx") }
        var retry: [(String, JSONValue)] = [("retry_on", .string(on.isEmpty ? "5xx" : on.joined(separator: ",")))]
        retry.append(("num_retries", .number(Double(max(0, p.maxAttempts - 1)))))
        if let t = p.timeout { retry.append(("per_try_timeout", .string(protoDuration(t)))) }
        retry.append(("retry_back_off", object([
            ("base_interval", .string(protoDuration(max(p.backoff.base, .milliseconds(1))))),
            ("max_interval", .string(protoDuration(max(p.backoff.max, p.backoff.base, .milliseconds(1))))),
        ])))
        if p.retryOn.contains(.throttled) { retry.append(("retriable_status_codes", .array([.number(429)]))) }
        if p.backoff.kind != .exponential || p.backoff.multiplier != 2 { notes.append("Envoy's backoff is fully jittered exponential with multiplier 2") }
        if p.jitter != .full { notes.append("Envoy always uses full jitter") }
        var doc: [(String, JSONValue)] = [("retry_policy", object(retry))]
        for b in p.budgets {
            if case .concurrency(let fraction, let minimum) = b.budget {
                doc.append(("cluster_circuit_breakers", object([("thresholds", .array([object([
                    ("retry_budget", object([("budget_percent", object([("value", .number(fraction * 100))])),
                                             ("min_retry_concurrency", .number(Double(minimum)))])),
                ])]))])))
            } else {
                notes.append("Envoy's retry budget counts retries in flight; a token bucket or ratio budget does not map")
            }
        }
        if p.breaker != nil { notes.append("Envoy's circuit breakers are thresholds, not a breaker that opens: use outlier detection") }
        return File(name: "envoy-route.json", text: object(doc).prettyText() + "\n", notes: notes)
    }

    static func springDuration(_ d: SimDuration) -> String {
        d.nanoseconds % 1_000_000 == 0 ? "\(d.nanoseconds / 1_000_000)ms" : "\(max(1, d.nanoseconds / 1_000))us"
    }

    /// resilience4j Spring Boot properties: retry, time limiter and circuit breaker of one instance.
    public static func resilience4j(_ p: RetryPolicy, service: String) -> File {
        var notes: [String] = []
        let r = "resilience4j.retry.instances.\(service)."
        var lines = ["# resilience4j (Spring Boot application.properties), written by stormsim tune"]
        lines.append(r + "maxAttempts=\(p.maxAttempts)")
        lines.append(r + "waitDuration=\(springDuration(p.backoff.base))")
        if p.backoff.kind == .exponential {
            lines.append(r + "enableExponentialBackoff=true")
            lines.append(r + "exponentialBackoffMultiplier=\(NumberFormat.shortest(p.backoff.multiplier))")
            lines.append(r + "exponentialMaxWaitDuration=\(springDuration(p.backoff.max))")
        }
        switch p.jitter {
        case .none: break
        case .proportional(let f): lines.append(r + "enableRandomizedWait=true"); lines.append(r + "randomizedWaitFactor=\(NumberFormat.shortest(f))")
        default:
            lines.append(r + "enableRandomizedWait=true"); lines.append(r + "randomizedWaitFactor=0.5")
            notes.append("resilience4j randomizes the wait by a factor around it; full jitter is written as factor 0.5")
        }
        if let t = p.timeout { lines.append("resilience4j.timelimiter.instances.\(service).timeoutDuration=\(springDuration(t))") }
        if !p.budgets.isEmpty { notes.append("resilience4j has no retry budget") }
        if p.breaker != nil { notes.append("the circuit breaker is a separate resilience4j.circuitbreaker instance; see 'stormsim presets resilience4j'") }
        return File(name: "resilience4j.properties", text: lines.joined(separator: "\n") + "\n", notes: notes)
    }

    static func timeSpan(_ d: SimDuration) -> String {
        let ns = d.nanoseconds
        let s = ns / 1_000_000_000, frac = (ns % 1_000_000_000) / 100
        let text = String(format: "%02d:%02d:%02d", Int(s / 3600), Int(s / 60 % 60), Int(s % 60))
        return frac == 0 ? text : text + "." + String(format: "%07d", Int(frac))
    }

    /// Polly v8 `RetryStrategyOptions` and `TimeoutStrategyOptions`, as appsettings JSON.
    public static func polly(_ p: RetryPolicy) -> File {
        var notes: [String] = []
        let kind: String
        switch p.backoff.kind {
        case .constant: kind = "Constant"
        case .linear: kind = "Linear"
        case .exponential: kind = "Exponential"
        }
        if p.backoff.kind == .exponential && p.backoff.multiplier != 2 { notes.append("Polly's exponential backoff doubles; multiplier \(NumberFormat.shortest(p.backoff.multiplier)) is not expressible") }
        var retry: [(String, JSONValue)] = [
            ("MaxRetryAttempts", .number(Double(max(0, p.maxAttempts - 1)))), ("BackoffType", .string(kind)),
            ("UseJitter", .bool(p.jitter != .none)), ("Delay", .string(timeSpan(p.backoff.base))),
            ("MaxDelay", .string(timeSpan(p.backoff.max))),
        ]
        if p.maxAttempts == 1 { retry = [("MaxRetryAttempts", .number(0))] }
        var doc: [(String, JSONValue)] = [("Retry", object(retry))]
        if let t = p.timeout { doc.append(("Timeout", object([("Timeout", .string(timeSpan(t)))]))) }
        if !p.budgets.isEmpty { notes.append("Polly has no retry budget") }
        return File(name: "polly.json", text: object(doc).prettyText() + "\n", notes: notes)
    }

    /// The AWS SDKs' shared config (~/.aws/config): the retry mode and attempts are all it sets.
    public static func aws(_ p: RetryPolicy) -> File {
        let mode = p.rateLimiter != nil ? "adaptive" : p.budgets.isEmpty ? "legacy" : "standard"
        var notes = ["the AWS SDKs' shared config sets the retry mode and attempts only; delays and quotas are the mode's"]
        if p.timeout != nil { notes.append("timeouts are set in each SDK's client configuration (for example botocore's read_timeout)") }
        let text = "# AWS SDK shared config, written by stormsim tune\n[default]\nretry_mode = \(mode)\nmax_attempts = \(p.maxAttempts)\n"
        return File(name: "aws-config", text: text, notes: notes)
    }
}

import Foundation
