import Testing

@testable import StormSim

/// The exported configurations have the published shapes: gRPC's service config (grpc/service_config.proto, gRFC
/// A6) and Envoy's route RetryPolicy (envoy.config.route.v3.RetryPolicy); field names, types and ranges.
@Suite struct PolicyExportTests {
    func policy(_ json: String) throws -> RetryPolicy {
        try scenario("""
            {"name": "p", "duration": "10s", "clients": {"count": 1, "target": "api", "arrival": {"type": "burst"}, "policy": \(json)},
             "services": [{"name": "api", "workers": 1, "serviceTime": {"dist": "constant", "value": "1ms"}}]}
            """).clients.policy
    }

    /// A protobuf JSON Duration: seconds with up to nine fractional digits and an "s".
    func isDuration(_ v: JSONValue?) -> Bool {
        guard case .string(let s)? = v, s.hasSuffix("s"), let x = Double(s.dropLast()) else { return false }
        return x >= 0 && !s.contains("e")
    }

    func keys(_ v: JSONValue?) -> Set<String> {
        guard case .object(let m)? = v else { return [] }
        return Set(m.map(\.key))
    }

    static let grpcCodes: Set<String> = [
        "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS",
        "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED",
        "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED",
    ]

    func checkGRPC(_ p: RetryPolicy) throws {
        let doc = try JSONParser.parse(PolicyExport.grpc(p, service: "api").text)
        #expect(keys(doc).isSubset(of: ["loadBalancingConfig", "methodConfig", "retryThrottling", "healthCheckConfig"]))
        guard case .array(let methods)? = doc["methodConfig"], let method = methods.first else { Issue.record("no methodConfig"); return }
        #expect(keys(method).isSubset(of: ["name", "waitForReady", "timeout", "maxRequestMessageBytes", "maxResponseMessageBytes", "retryPolicy", "hedgingPolicy"]))
        guard case .array(let names)? = method["name"], case .string("api")? = names.first?["service"] else { Issue.record("name"); return }
        if let t = method["timeout"] { #expect(isDuration(t)) }
        if let r = method["retryPolicy"] {
            #expect(keys(r) == ["maxAttempts", "initialBackoff", "maxBackoff", "backoffMultiplier", "retryableStatusCodes"])
            guard case .number(let attempts)? = r["maxAttempts"], case .number(let multiplier)? = r["backoffMultiplier"],
                case .array(let codes)? = r["retryableStatusCodes"] else { Issue.record("retryPolicy types"); return }
            #expect(attempts == attempts.rounded() && attempts >= 2 && attempts <= 5)
            #expect(isDuration(r["initialBackoff"]) && isDuration(r["maxBackoff"]) && multiplier > 0)
            #expect(!codes.isEmpty && codes.allSatisfy { if case .string(let c) = $0 { return Self.grpcCodes.contains(c) } else { return false } })
        }
        if let t = doc["retryThrottling"] {
            #expect(keys(t) == ["maxTokens", "tokenRatio"])
            guard case .number(let tokens)? = t["maxTokens"], case .number(let ratio)? = t["tokenRatio"] else { Issue.record("throttling types"); return }
            #expect(tokens > 0 && tokens <= 1000 && ratio > 0)
        }
    }

    static let envoyRetryFields: Set<String> = [
        "retry_on", "num_retries", "per_try_timeout", "per_try_idle_timeout", "retry_priority", "retry_host_predicate",
        "retry_options_predicates", "host_selection_retry_max_attempts", "retriable_status_codes", "retry_back_off",
        "rate_limited_retry_back_off", "retriable_headers", "retriable_request_headers",
    ]
    static let envoyRetryOn: Set<String> = [
        "5xx", "gateway-error", "reset", "reset-before-request", "connect-failure", "envoy-ratelimited", "retriable-4xx",
        "refused-stream", "retriable-status-codes", "retriable-headers", "http3-post-connect-failure",
        "cancelled", "deadline-exceeded", "internal", "resource-exhausted", "unavailable",
    ]

    func checkEnvoy(_ p: RetryPolicy) throws {
        let doc = try JSONParser.parse(PolicyExport.envoy(p).text)
        let r = doc["retry_policy"]
        #expect(keys(r).isSubset(of: Self.envoyRetryFields))
        guard case .string(let on)? = r?["retry_on"], case .number(let n)? = r?["num_retries"] else { Issue.record("retry_on, num_retries"); return }
        #expect(on.split(separator: ",").allSatisfy { Self.envoyRetryOn.contains(String($0)) }, "\(on)")
        #expect(n == n.rounded() && n >= 0)
        if let t = r?["per_try_timeout"] { #expect(isDuration(t)) }
        #expect(keys(r?["retry_back_off"]) == ["base_interval", "max_interval"])
        #expect(isDuration(r?["retry_back_off"]?["base_interval"]) && isDuration(r?["retry_back_off"]?["max_interval"]))
        if case .array(let codes)? = r?["retriable_status_codes"] {
            #expect(codes.allSatisfy { if case .number(let c) = $0 { return c >= 100 && c < 600 } else { return false } })
        }
        if let cb = doc["cluster_circuit_breakers"] {
            guard case .array(let thresholds)? = cb["thresholds"], let budget = thresholds.first?["retry_budget"] else { Issue.record("thresholds"); return }
            #expect(keys(budget).isSubset(of: ["budget_percent", "min_retry_concurrency"]))
            #expect(keys(budget["budget_percent"]) == ["value"])
        }
    }

    @Test func everyPresetExportsValidGRPCAndEnvoyConfigs() throws {
        for preset in Preset.all {
            let p = try policy(#"{"preset": "\#(preset.name)", "timeout": "750ms"}"#)
            try checkGRPC(p)
            try checkEnvoy(p)
        }
        // Explicit policies: no retries, a linear backoff, an Envoy budget.
        for json in [#"{"timeout": "1s"}"#, #"{"maxAttempts": 9, "backoff": {"type": "linear", "base": "10ms", "max": "1s"}, "jitter": "none"}"#,
                     #"{"maxAttempts": 3, "budget": {"type": "concurrency", "fraction": 0.2, "minimum": 3}}"#] {
            try checkGRPC(try policy(json))
            try checkEnvoy(try policy(json))
        }
    }

    @Test func exportsCarryThePolicysNumbers() throws {
        let p = try policy(#"{"preset": "grpc", "timeout": "250ms"}"#)
        let grpc = try JSONParser.parse(PolicyExport.grpc(p, service: "api").text)
        guard case .array(let methods)? = grpc["methodConfig"], methods.count == 1 else { Issue.record("methodConfig"); return }
        #expect(methods[0]["timeout"] == .string("0.25s"))
        #expect(methods[0]["retryPolicy"]?["maxAttempts"] == .number(4))
        #expect(methods[0]["retryPolicy"]?["initialBackoff"] == .string("0.1s") && methods[0]["retryPolicy"]?["maxBackoff"] == .string("1s"))
        #expect(grpc["retryThrottling"]?["maxTokens"] == .number(10) && grpc["retryThrottling"]?["tokenRatio"] == .number(0.1))
        let envoy = try JSONParser.parse(PolicyExport.envoy(try policy(#"{"preset": "envoy", "timeout": "2s"}"#)).text)
        #expect(envoy["retry_policy"]?["num_retries"] == .number(1) && envoy["retry_policy"]?["per_try_timeout"] == .string("2s"))
        let aws = PolicyExport.aws(try policy(#"{"preset": "aws-standard"}"#))
        #expect(aws.text.contains("retry_mode = standard") && aws.text.contains("max_attempts = 3"))
        let r4j = PolicyExport.resilience4j(try policy(#"{"preset": "resilience4j", "timeout": "1s"}"#), service: "api")
        #expect(r4j.text.contains("resilience4j.retry.instances.api.maxAttempts=") && r4j.text.contains("timeoutDuration=1000ms"))
        let finagle = try #require(PolicyExport.finagle(try policy(#"{"preset": "finagle"}"#)))
        #expect(finagle.text.contains("RetryBudget(ttl = 10000.milliseconds, minRetriesPerSec = 10, percentCanRetry = 0.2)"))
        #expect(PolicyExport.finagle(try policy(#"{"preset": "grpc"}"#)) == nil)
    }
}
