import Testing

@testable import StormSim

@Suite struct ScenarioDecoderTests {
    static let minimal = """
        { "name": "m", "duration": "10s",
          "clients": { "count": 1, "target": "api", "arrival": { "type": "burst" } },
          "services": [ { "name": "api", "workers": 1, "serviceTime": { "dist": "constant", "value": "1ms" } } ] }
        """

    @Test func defaultsAreFilledIn() throws {
        let s = try scenario(Self.minimal)
        #expect(s.seed == 1)
        #expect(s.metricsInterval == .seconds(1))
        #expect(s.networkLatency == .constant(value: .zero))
        #expect(s.clients.policy == .noRetries)
        #expect(s.clients.arrival == .burst(at: .zero, spread: .zero))
        #expect(s.services[0].queueCapacity == 1000 && s.services[0].discipline == .fifo && s.services[0].errorRate == 0)
    }

    @Test func durationsParseWithUnits() {
        let cases: [(String, Int64)] = [
            ("250ms", 250_000_000), ("1.5s", 1_500_000_000), ("2m", 120_000_000_000), ("100us", 100_000),
            ("10ns", 10), ("1h", 3_600_000_000_000), ("0s", 0), ("1e3ms", 1_000_000_000), ("5µs", 5_000),
        ]
        for (text, ns) in cases {
            #expect(DurationText.parse(.string(text)) == .success(SimDuration(nanoseconds: ns)), "\(text)")
        }
    }

    @Test func badDurationsSayWhy() {
        let cases: [(JSONValue, String)] = [
            (.string("10"), #""10" has no unit; expected a duration string such as "250ms" (units: ns, us, ms, s, m, h)"#),
            (.string("10 parsecs"), #""10 parsecs" has an unknown unit "parsecs"; expected one of ns, us, ms, s, m, h"#),
            (.string("1e30s"), #""1e30s" is too long; at most 1e9 s (about 31 years)"#),
            (.string("-5s"), #"expected a non-negative duration, found "-5s""#),
            (.number(0.25), #"expected a duration string such as "250ms" (units: ns, us, ms, s, m, h), found a number (0.25); add a unit, e.g. "0.25ms" or "0.25s""#),
            (.string("fast"), #"expected a duration string such as "250ms" (units: ns, us, ms, s, m, h), found "fast""#),
        ]
        for (value, message) in cases {
            #expect(DurationText.parse(value) == .failure(message))
        }
    }

    @Test func unknownKeysSuggestTheClosestKnownOne() {
        let text = Self.minimal.replacingOccurrences(of: #""arrival": { "type": "burst" }"#,
            with: #""arrival": { "type": "burst" }, "policy": { "jiter": "full", "maxAtempts": 3, "colour": 1 }"#)
        #expect(issues(text) == [
            #"clients.policy.jiter: unknown key; did you mean "jitter"?"#,
            #"clients.policy.maxAtempts: unknown key; did you mean "maxAttempts"?"#,
            "clients.policy.colour: unknown key; expected one of: preset, timeout, maxAttempts, backoff, jitter, retryOn, retryAfter, maxElapsed, budget, breaker, rateLimiter, deadlineAware, avoidPreviousHosts, hostReselectAttempts, hedging, maxRequests",
        ])
    }

    @Test func everyProblemIsReportedAtOnce() {
        let text = """
            { "name": "../escape", "duration": "0s",
              "clients": { "count": 1.5, "target": "ap", "arrival": { "type": "bursty" },
                           "policy": { "maxAttempts": 0, "backoff": { "base": "2s", "max": "1s", "multiplier": 0.5 } } },
              "services": [ { "name": "api", "workers": 0, "queue": { "capacity": -1, "discipline": "random" },
                              "serviceTime": { "dist": "exponential", "value": "1ms" }, "errorRate": 1.5 } ] }
            """
        #expect(issues(text) == [
            #"name: "../escape" may contain only letters, digits, '.', '-' and '_' (no path separators); the name becomes the folder results/<name>"#,
            #"duration: expected a duration greater than zero, found "0s""#,
            "services[0].workers: expected an integer from 1 to 10000000, found 0",
            "services[0].queue.capacity: expected an integer from 0 to 100000000, found -1",
            #"services[0].queue.discipline: expected one of "fifo", "lifo", "adaptive-lifo", found a string ("random")"#,
            "services[0].serviceTime.value: unknown key; expected one of: dist, mean",
            #"services[0].serviceTime.mean: missing; expected a duration string such as "250ms" (units: ns, us, ms, s, m, h)"#,
            "services[0].errorRate: expected a probability from 0 to 1, found a number (1.5)",
            "clients.count: expected an integer from 1 to 10000000, found a number (1.5)",
            #"clients.arrival.type: expected one of "burst", "poisson", "closed", "trace", found a string ("bursty"); did you mean "burst"?"#,
            "clients.policy.maxAttempts: expected an integer from 1 to 1000, found 0",
            "clients.policy.backoff.multiplier: expected a number from 1 to 1e6, found a number (0.5)",
            "clients.policy.backoff.max: 1s is below base (2s); expected max >= base",
        ])
    }

    @Test func targetMustNameAService() {
        let text = Self.minimal.replacingOccurrences(of: #""target": "api""#, with: #""target": "apj""#)
        #expect(issues(text) == [#"clients.target: "apj" names no service; expected one of: "api"; did you mean "api"?"#])
    }

    @Test func syntaxErrorsGiveLineAndColumn() {
        #expect(issues("{\n  \"name\": \"x\",\n}") == ["(top level): not valid JSON: line 3, column 1: unexpected '}'; expected a key in double quotes"])
        #expect(issues("") == ["(top level): not valid JSON: line 1, column 1: the file is empty; expected a JSON object"])
        #expect(issues("[1, 2") == ["(top level): not valid JSON: line 1, column 6: unexpected end of file; expected ',' or ']'"])
        #expect(issues(#"{"a": 1, "a": 2}"#) == [#"(top level): not valid JSON: line 1, column 10: the key "a" appears twice in the same object"#])
        #expect(issues("[]") == ["(top level): expected a JSON object (a scenario), found an empty array"])
        let deep = String(repeating: "[", count: 10_000)
        #expect(issues(deep).first?.contains("nesting deeper than 256 levels") == true)
    }

    @Test func overridesSetAndCreateKeys() throws {
        let json = try JSONParser.parse(Self.minimal)
        let overrides = try [
            Override.parse("clients.count=500"), Override.parse("services[0].workers=50"),
            Override.parse(#"clients.policy.jitter="none""#), Override.parse("clients.policy.maxAttempts=3"),
        ]
        let s = try ScenarioDecoder.decode(json: json, file: "m.json", overrides: overrides)
        #expect(s.clients.count == 500 && s.services[0].workers == 50)
        #expect(s.clients.policy.jitter == .none && s.clients.policy.maxAttempts == 3)
    }

    @Test func badOverridesAreReportedWithTheirPath() throws {
        let json = try JSONParser.parse(Self.minimal)
        #expect(throws: ScenarioError(file: "m.json", issues: [
            ScenarioIssue(path: JSONPath.parse("services[3].workers")!, message: "--set: services has 1 element(s), so [3] does not exist")
        ])) {
            try ScenarioDecoder.decode(json: json, file: "m.json", overrides: [Override.parse("services[3].workers=1")])
        }
        #expect(throws: ScenarioError(file: "m.json", issues: [
            ScenarioIssue(path: JSONPath.parse("clients.count")!, message: "expected an integer from 1 to 10000000, found 1000000000000 (each client keeps about 100 bytes of state; more than 10000000 would not fit a laptop's memory)")
        ])) {
            try ScenarioDecoder.decode(json: json, file: "m.json", overrides: [Override.parse("clients.count=1e12")])
        }
    }

    @Test func pathsRoundTrip() {
        for text in ["a", "a.b", "services[0].queue.capacity", "x[1][2].y"] {
            #expect(JSONPath.parse(text)?.description == text)
        }
        for bad in ["", ".a", "a.", "a..b", "a[", "a[x]", "a[-1]", "[0]x"] {
            #expect(JSONPath.parse(bad) == nil, "\(bad)")
        }
    }

    @Test func hugeRequestCountsAreRefusedBeforeRunning() {
        let text = Self.minimal.replacingOccurrences(of: #""count": 1, "target": "api", "arrival": { "type": "burst" }"#,
            with: #""count": 10000000, "target": "api", "arrival": { "type": "poisson", "rate": 1e6 }"#)
        #expect(issues(text).first?.hasPrefix("clients.arrival.rate: 10000000 clients at 1000000/s for 10s make about 1e14 requests; the limit is 1e9") == true)
    }

    /// Seeds are exact: a JSON integer up to 2^53, or a string of digits for the whole 64-bit range; a number that
    /// JSON would round is refused, never silently changed.
    @Test func seedsAreExactOrRefused() throws {
        func text(_ seed: String) -> String {
            """
            { "name": "s", "seed": \(seed), "duration": "1s",
              "clients": { "count": 1, "target": "a", "arrival": { "type": "burst" } },
              "services": [ { "name": "a", "workers": 1, "serviceTime": { "dist": "constant", "value": "1ms" } } ] }
            """
        }
        #expect(try scenario(text("9007199254740992")).seed == 9_007_199_254_740_992)
        #expect(try scenario(text(#""18446744073709551615""#)).seed == UInt64.max)
        #expect(try scenario(text(#""9007199254740993""#)).seed == 9_007_199_254_740_993)
        let rounded = issues(text("9007199254740993"))
        #expect(rounded.count == 1 && rounded[0].contains("cannot be represented exactly") && rounded[0].contains("\"9007199254740993\""))
        #expect(issues(text(#""18446744073709551616""#)).first?.hasPrefix("seed: expected an integer from 0 to 9007199254740992") == true)
        #expect(issues(text(#""0x10""#)).count == 1)
        #expect(issues(text("-1")).first?.contains("found a number (-1)") == true)
    }

    /// Variant names become file names: too long for one is an error when validating, not at write time.
    @Test func overlongVariantNamesAreRefusedWhenValidating() {
        let label = String(repeating: "a", count: 90)
        let text = """
            { "name": "s", "duration": "1s",
              "vary": { "clients.count": [ { "label": "\(label)1", "value": 1 } ],
                        "clients.policy.maxAttempts": [ { "label": "\(label)2", "value": 1 } ],
                        "services[0].workers": [ { "label": "\(label)3", "value": 1 } ] },
              "clients": { "count": 1, "target": "a", "arrival": { "type": "burst" } },
              "services": [ { "name": "a", "workers": 1, "serviceTime": { "dist": "constant", "value": "1ms" } } ] }
            """
        let found = issues(text)
        #expect(found.count == 1 && found[0].hasPrefix("vary: the variant name") && found[0].contains("275 bytes long"), "\(found)")
    }
}

@Suite struct EveryProblemAtOnceTests {
    /// A misspelt call and a misspelt key of another service are both reported, each with its suggestion.
    @Test func aCallTypoIsReportedBesideOtherProblems() {
        let found = issues("""
            {"name": "t", "duration": "10s",
             "clients": {"count": 10, "target": "api", "arrival": {"type": "poisson", "rate": 1}},
             "services": [{"name": "api", "workers": 2, "serviceTime": {"dist": "exponential", "mean": "10ms"}, "calls": "paymnts"},
                          {"name": "payments", "workrs": 2, "serviceTime": {"dist": "exponential", "mean": "10ms"}}]}
            """)
        #expect(found.contains { $0.hasPrefix("services[1].workrs: unknown key; did you mean \"workers\"?") }, "\(found)")
        #expect(found.contains { $0.hasPrefix("services[0].calls[0]: \"paymnts\" names no service; did you mean \"payments\"?") }, "\(found)")
    }
}
