/// Policies of real systems, with their real defaults and quirks (each names its sources; `stormsim presets NAME`
/// shows them). A preset is a set of policy keys: `"preset": "aws-standard"` starts from them, and keys beside it
/// override them (objects merge key by key; an object with a different `type` replaces the preset's).
///
/// Presets set what the library sets by default. They leave `timeout` to the scenario unless the library has a
/// per-attempt default of its own (Hystrix's 1 s command timeout).
public struct Preset: Sendable {
    public var name: String
    /// One line: what it models.
    public var summary: String
    /// Where the defaults come from.
    public var source: String
    /// Policy keys, as in a scenario file.
    public var json: String

    public var policy: JSONValue { try! JSONParser.parse(json) }

    public static func named(_ name: String) -> Preset? { all.first { $0.name == name } }

    public static let all: [Preset] = [
        Preset(
            name: "aws-standard",
            summary: "AWS SDK standard mode: 3 attempts, full jitter on 1 s x 2^n capped at 20 s, a 500-token retry quota per client object (5 per retry, 10 after a timeout; a success refunds)",
            source: "botocore retries/standard.py and quota.py",
            json: """
                {"maxAttempts": 3, "jitter": "full", "backoff": {"type": "exponential", "base": "1s", "multiplier": 2, "max": "20s"},
                 "retryOn": ["timeout", "rejected", "error", "throttled"],
                 "budget": {"type": "tokenBucket", "scope": "host", "capacity": 500, "initial": 500, "costPerRetry": 5,
                            "costPerTimeoutRetry": 10, "earnPerSuccess": 1, "refundLastRetryOnSuccess": true}}
                """),
        Preset(
            name: "aws-standard-2026",
            summary: "AWS SDK standard mode as updated in 2026 (the default since November 2026): 3 attempts, full jitter on 50 ms x 2^n after errors and timeouts and 1 s x 2^n after throttles, capped at 20 s; a 500-token quota per client object (14 per retry, 5 after a throttle; a success refunds); x-amz-retry-after honoured, at least the backoff and at most 5 s more",
            source: "AWS SDKs and Tools reference guide, Retry behavior (2026); AWS developer blog, updated retry behavior for AWS SDKs (2026); botocore 1.44 retries",
            json: """
                {"maxAttempts": 3, "jitter": "full",
                 "backoff": {"type": "exponential", "base": "50ms", "throttleBase": "1s", "multiplier": 2, "max": "20s"},
                 "retryOn": ["timeout", "rejected", "error", "throttled"], "retryAfter": "clamped",
                 "budget": {"type": "tokenBucket", "scope": "host", "capacity": 500, "initial": 500, "costPerRetry": 14,
                            "costPerThrottledRetry": 5, "earnPerSuccess": 1, "refundLastRetryOnSuccess": true}}
                """),
        Preset(
            name: "aws-legacy",
            summary: "AWS SDK legacy mode (botocore's default when nothing is configured): 5 attempts, U[0,1) x 2^(n-1) s with no cap, no quota",
            source: "botocore retries/legacy (the _retry.json defaults)",
            json: """
                {"maxAttempts": 5, "jitter": "full", "backoff": {"type": "exponential", "base": "1s", "multiplier": 2, "max": "1e9s"},
                 "retryOn": ["timeout", "rejected", "error", "throttled"]}
                """),
        Preset(
            name: "aws-adaptive",
            summary: "AWS SDK adaptive mode: standard mode plus a client-side rate limiter that switches on at the first throttle and sets its rate by CUBIC",
            source: "botocore retries/adaptive.py and throttling.py",
            json: """
                {"preset": "aws-standard",
                 "rateLimiter": {"scope": "host", "adaptive": true, "appliesTo": "attempts", "rate": 0.5, "burst": 1}}
                """),
        Preset(
            name: "grpc",
            summary: "gRPC retry policy (gRFC A6 example) with retry throttling: 4 attempts, min(0.1 s x 2^k, 1 s) x U[0.8, 1.2), tokens 10 / ratio 0.1 per channel",
            source: "gRFC A6; grpc-go stream.go; grpc core retry_throttle.cc",
            json: """
                {"maxAttempts": 4, "jitter": {"type": "proportional", "fraction": 0.2},
                 "backoff": {"type": "exponential", "base": "100ms", "multiplier": 2, "max": "1s"},
                 "retryOn": ["rejected", "error", "throttled"], "retryAfter": "replace",
                 "budget": {"type": "tokenBucket", "scope": "host", "capacity": 10, "initial": 10, "costPerFailure": 1,
                            "earnPerSuccess": 0.1, "threshold": 5}}
                """),
        Preset(
            name: "grpc-legacy",
            summary: "gRPC before the 2024 revision of A6: the same, but the delay is U[0, cur) (full jitter)",
            source: "gRFC A6 before 2024; grpc-go before v1.64",
            json: """
                {"preset": "grpc", "jitter": "full"}
                """),
        Preset(
            name: "grpc-hedging",
            summary: "gRPC hedging policy (gRFC A6 example): 4 attempts 0.5 s apart, UNAVAILABLE, INTERNAL and ABORTED non-fatal (here: rejected, error, conflict), with the same retry throttling",
            source: "gRFC A6 (hedgingPolicy, retryThrottling); grpc-java RetriableStream",
            json: """
                {"maxAttempts": 1, "hedging": {"maxAttempts": 4, "delay": "500ms", "nonFatal": ["rejected", "error", "conflict"]},
                 "budget": {"type": "tokenBucket", "scope": "host", "capacity": 10, "initial": 10, "costPerFailure": 1,
                            "earnPerSuccess": 0.1, "threshold": 5}}
                """),
        Preset(
            name: "envoy",
            summary: "Envoy router retries: 1 retry, U[0, min(25 ms x 2^(k-1), 250 ms)), retry budget 20% of active requests with a minimum of 3 concurrent retries per proxy",
            source: "envoy router retry_state_impl.cc, backoff_strategy.cc; cluster circuit breakers retry_budget",
            json: """
                {"maxAttempts": 2, "jitter": "full", "backoff": {"type": "exponential", "base": "25ms", "multiplier": 2, "max": "250ms"},
                 "retryOn": ["timeout", "rejected", "error"],
                 "budget": {"type": "concurrency", "scope": "host", "fraction": 0.2, "minimum": 3}}
                """),
        Preset(
            name: "envoy-defaults",
            summary: "Envoy with no retry budget configured: the same router retries, and the cluster's default circuit-breaker thresholds, max_retries 3 (retries in flight per proxy) and max_requests 1024",
            source: "envoy circuit_breaker.proto (thresholds defaults), router retry_state_impl.cc",
            json: """
                {"preset": "envoy", "budget": {"type": "concurrency", "scope": "host", "fraction": 0, "minimum": 3}, "maxRequests": 1024}
                """),
        Preset(
            name: "finagle",
            summary: "Finagle: RetryBudget (20% of requests over 10 s plus 10 retries/s) and its own decorrelated jitter (5 ms to 200 ms, delays never shrink)",
            source: "finagle service/RetryBudget.scala, RetryPolicy.scala, util WindowedAdder",
            json: """
                {"maxAttempts": 3, "jitter": "decorrelated-finagle",
                 "backoff": {"type": "exponential", "base": "5ms", "multiplier": 2, "max": "200ms"},
                 "retryOn": ["timeout", "rejected", "error", "throttled"],
                 "budget": {"type": "ratio", "scope": "host", "ratio": 0.2, "minPerSecond": 10, "window": "10s"}}
                """),
        Preset(
            name: "sre-throttling",
            summary: "Google SRE book: client-side adaptive throttling (K = 2 over 2 minutes), at most 3 attempts, retries under 10% of a client's requests",
            source: "Site Reliability Engineering, chapter 21, Handling Overload",
            json: """
                {"maxAttempts": 3, "jitter": "full", "backoff": {"type": "exponential", "base": "100ms", "multiplier": 2, "max": "10s"},
                 "retryOn": ["timeout", "rejected", "error", "throttled"],
                 "budget": [{"type": "adaptiveThrottling", "scope": "client", "k": 2, "window": "2m"},
                            {"type": "ratio", "scope": "client", "ratio": 0.1, "minPerSecond": 0, "window": "2m"}]}
                """),
        Preset(
            name: "gobreaker",
            summary: "sony/gobreaker defaults: trips on the 6th consecutive failure, open 60 s, then 1 probe; no retries",
            source: "sony/gobreaker gobreaker.go (ReadyToTrip, Timeout, MaxRequests)",
            json: """
                {"maxAttempts": 1,
                 "breaker": {"scope": "host", "trip": {"type": "consecutive", "failures": 6}, "openFor": "60s", "probes": 1,
                             "close": "consecutive", "countRetries": true}}
                """),
        Preset(
            name: "resilience4j",
            summary: "resilience4j defaults: retry 3 attempts, 500 ms fixed; breaker on a 50% failure rate over the last 100 calls (at least 100), open 60 s, 10 probes judged together",
            source: "resilience4j CircuitBreakerConfig and RetryConfig defaults",
            json: """
                {"maxAttempts": 3, "jitter": "none", "backoff": {"type": "constant", "base": "500ms", "max": "500ms"},
                 "breaker": {"scope": "host", "trip": {"type": "rate", "window": "count", "calls": 100, "minCalls": 100,
                             "threshold": 0.5, "check": "call"}, "openFor": "60s", "probes": 10, "close": "rate", "countRetries": true}}
                """),
        Preset(
            name: "polly",
            summary: "Polly v8 defaults: retry 3 times after a constant 2 s, no jitter; breaker at a 10% failure ratio over 30 s (at least 100 calls), checked on failures, open 5 s, 1 probe",
            source: "Polly v8 RetryStrategyOptions and CircuitBreakerStrategyOptions",
            json: """
                {"maxAttempts": 4, "jitter": "none", "backoff": {"type": "constant", "base": "2s", "max": "2s"},
                 "breaker": {"scope": "host", "trip": {"type": "rate", "window": "time", "length": "30s", "buckets": 10,
                             "minCalls": 100, "threshold": 0.1, "check": "failure"}, "openFor": "5s", "probes": 1,
                             "close": "consecutive", "countRetries": true}}
                """),
        Preset(
            name: "hystrix",
            summary: "Netflix Hystrix defaults: 1 s command timeout, no retries; breaker at 50% errors over a rolling 10 s (20 buckets, at least 20 calls) from a 500 ms health snapshot, open 5 s, 1 trial",
            source: "Hystrix HystrixCommandProperties defaults",
            json: """
                {"timeout": "1s", "maxAttempts": 1,
                 "breaker": {"scope": "host", "trip": {"type": "rate", "window": "time", "length": "10s", "buckets": 20,
                             "minCalls": 20, "threshold": 0.5, "check": "snapshot", "snapshotEvery": "500ms", "integerPercent": true},
                             "openFor": "5s", "probes": 1, "close": "consecutive", "countRetries": true}}
                """),
        Preset(
            name: "go-retryablehttp",
            summary: "hashicorp/go-retryablehttp defaults: 5 attempts, 1 s x 2^n capped at 30 s with no jitter; a 429's Retry-After replaces the delay, uncapped",
            source: "hashicorp/go-retryablehttp client.go (DefaultBackoff, DefaultRetryPolicy)",
            json: """
                {"maxAttempts": 5, "jitter": "none", "backoff": {"type": "exponential", "base": "1s", "multiplier": 2, "max": "30s"},
                 "retryOn": ["timeout", "rejected", "error", "throttled"], "retryAfter": "replace"}
                """),
        Preset(
            name: "cenkalti-backoff",
            summary: "cenkalti/backoff ExponentialBackOff defaults: 500 ms x 1.5^n capped at 60 s, then x U[0.5, 1.5] (so delays reach 90 s), give up after 15 minutes",
            source: "cenkalti/backoff exponential.go",
            json: """
                {"maxAttempts": 1000, "jitter": {"type": "proportional", "fraction": 0.5},
                 "backoff": {"type": "exponential", "base": "500ms", "multiplier": 1.5, "max": "60s"}, "maxElapsed": "15m",
                 "retryOn": ["timeout", "rejected", "error", "throttled"]}
                """),
        Preset(
            name: "client-go",
            summary: "Kubernetes client-go workqueue default rate limiter: per item 5 ms x 2^failures capped at 1000 s, and a shared 10 qps / burst 100 bucket that delays retries",
            source: "client-go util/workqueue default_rate_limiters.go (DefaultControllerRateLimiter)",
            json: """
                {"maxAttempts": 1000, "jitter": "none", "backoff": {"type": "exponential", "base": "5ms", "multiplier": 2, "max": "1000s"},
                 "retryOn": ["timeout", "rejected", "error", "throttled"],
                 "rateLimiter": {"scope": "host", "rate": 10, "burst": 100, "appliesTo": "retries", "adaptive": false}}
                """),
    ]
}

extension JSONValue {
    /// `overlay` on top of `self`: objects merge key by key, recursively, unless their `type` differs (then the
    /// overlay replaces the object); anything else is replaced.
    public func merging(_ overlay: JSONValue) -> JSONValue {
        guard case .object(var members) = self, case .object(let over) = overlay else { return overlay }
        if let a = self["type"], let b = overlay["type"], a != b { return overlay }
        for m in over {
            if let i = members.firstIndex(where: { $0.key == m.key }) {
                members[i].value = members[i].value.merging(m.value)
            } else {
                members.append(m)
            }
        }
        return .object(members)
    }
}
