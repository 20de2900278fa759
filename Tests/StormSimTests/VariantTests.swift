import Testing

@testable import StormSim

@Suite struct VariantTests {
    func set(_ vary: String, base: String = ScenarioDecoderTests.minimal) throws(ScenarioError) -> ScenarioSet {
        let text = base.replacingOccurrences(of: #"{ "name": "m","#, with: #"{ "name": "m", "vary": \#(vary),"#)
        return try ScenarioDecoder.decodeSet(text: text, file: "v.json")
    }

    func problems(_ vary: String) -> [String] {
        do throws(ScenarioError) {
            _ = try set(vary)
            return []
        } catch {
            return error.issues.map(\.description)
        }
    }

    @Test func noVaryIsOneBaseVariant() throws {
        let s = try ScenarioDecoder.decodeSet(text: ScenarioDecoderTests.minimal, file: "m.json")
        #expect(s.variants.map(\.name) == ["base"])
        #expect(s.variedPaths.isEmpty)
    }

    @Test func crossProductInStableOrderLastPathFastest() throws {
        let s = try set(#"{ "clients.policy.jitter": ["none", "full"], "clients.policy.maxAttempts": [1, 3, 5] }"#)
        #expect(s.variants.map(\.name) == ["none_1", "none_3", "none_5", "full_1", "full_3", "full_5"])
        #expect(s.variedPaths == ["clients.policy.jitter", "clients.policy.maxAttempts"])
        #expect(s.variants[4].scenario.clients.policy.jitter == .full)
        #expect(s.variants[4].scenario.clients.policy.maxAttempts == 3)
        #expect(s.variants[0].scenario.clients.policy.maxAttempts == 1)
    }

    @Test func labelsNameVariantsAndObjectsGetReadableNames() throws {
        let s = try set(#"""
            { "clients.policy.jitter": [ {"label": "plain", "value": "none"}, {"type": "proportional", "fraction": 0.25} ],
              "services[0].serviceTime": [ {"dist": "constant", "value": "1ms"} ] }
            """#)
        #expect(s.variants.map(\.name) == ["plain_constant-1ms", "proportional-0.25_constant-1ms"])
        #expect(s.variants[1].scenario.clients.policy.jitter == .proportional(fraction: 0.25))
        #expect(s.variants[0].parameters.map(\.label) == ["plain", "constant-1ms"])
    }

    @Test func problemsNameTheVariantThatHasThem() {
        #expect(problems(#"{ "services[0].workers": [1, 0, 2] }"#) == [
            "services[0].workers: expected an integer from 1 to 10000000, found 0 (in variant 0)"
        ])
        #expect(problems(#"{ "clients.policy.jitter": ["full", "ful"] }"#) == [
            #"clients.policy.jitter: expected one of "none", "full", "equal", "decorrelated", "decorrelated-finagle" or {"type": "proportional", "fraction": 0.25}, found a string ("ful"); did you mean "full"? (in variant ful)"#
        ])
    }

    @Test func badVaryIsReported() {
        #expect(problems(#"[1, 2]"#) == ["vary: expected an object of PATH: [values], found an array"])
        #expect(problems(#"{ "clients..count": [1] }"#) == [#"vary.clients..count: "clients..count" is not a path (expected keys and indices such as services[0].workers)"#])
        #expect(problems(#"{ "clients.count": [] }"#) == ["vary.clients.count: expected a non-empty array of values or a range {\"from\", \"to\", \"step\" or \"count\"}, found an empty array"])
        #expect(problems(#"{ "clients.count": 5 }"#) == ["vary.clients.count: expected a non-empty array of values or a range {\"from\", \"to\", \"step\" or \"count\"}, found a number (5)"])
        #expect(problems(#"{ "services[4].workers": [1] }"#) == ["vary.services[4].workers: services has 1 element(s), so [4] does not exist"])
        #expect(problems(#"{ "clients.count": [1, 1.0] }"#) == [#"vary: variants 1 and 2 are both named "1"; give their values distinct labels ({"label": ..., "value": ...})"#])
        #expect(problems(#"{ "clients.count": [{"label": "../x", "value": 1}] }"#).first?.hasPrefix(#"vary.clients.count[0].label: "../x" may contain only"#) == true)
    }

    @Test func tooManyVariantsAreRefused() {
        let big = "[" + (1...400).map(String.init).joined(separator: ",") + "]"
        #expect(problems(#"{ "clients.count": \#(big), "services[0].workers": \#(big) }"#) == [
            "vary: makes 160000 variants; at most 100000 per run (split the sweep, or use --shard)"
        ])
    }

    /// Common random numbers: every variant draws the same outcome for the same attempt of the same request. With
    /// one attempt, the requests whose first attempt fails are the failures; with two attempts they are exactly the
    /// requests that retry. Independent draws would make the two counts differ by about sqrt(2 * 1000 * 0.21) = 20.
    @Test func variantsShareTheirRandomNumbers() throws {
        let base = """
            { "name": "crn", "duration": "60s",
              "clients": { "count": 1000, "target": "s", "arrival": { "type": "burst", "spread": "10s" },
                           "policy": { "jitter": "full" } },
              "services": [ { "name": "s", "workers": 1000, "serviceTime": { "dist": "exponential", "mean": "10ms" }, "errorRate": 0.3 } ] }
            """
        let s = try set(#"{ "clients.policy.maxAttempts": [1, 2] }"#, base: base.replacingOccurrences(of: #"{ "name": "crn","#, with: #"{ "name": "m","#))
        let one = Runner.run(s.variants[0]), two = Runner.run(s.variants[1])
        #expect(one.value("failed")! > 200)
        #expect(two.value("retries") == one.value("failed"))
        // And the first attempts' latencies are the same draws: the fastest success is the same request.
        #expect(one.value("requests") == two.value("requests"))
    }

    /// Every variant's time series has the same columns: attempt_1 ... attempt_K for the variant that allows the
    /// most attempts (the others' extra columns hold 0), so a column is at the same place in every file.
    @Test func everyVariantHasTheSameSeriesColumns() throws {
        let set = try ScenarioDecoder.decodeSet(text: """
            { "name": "cols", "duration": "5s",
              "clients": { "count": 20, "target": "api", "arrival": { "type": "burst" }, "policy": { "timeout": "10ms" } },
              "services": [ { "name": "api", "workers": 1, "serviceTime": { "dist": "constant", "value": "5ms" } } ],
              "vary": { "clients.policy.maxAttempts": [1, 3, 12] } }
            """, file: "cols.json")
        let headers = set.variants.map { Runner.run($0).seriesHeader }
        #expect(headers.allSatisfy { $0 == headers[0] })
        #expect(headers[0].contains("attempt_10_or_more") && headers[0].contains("api_queue_length"))
        let one = Runner.run(set.variants[0])
        let column = one.seriesHeader.firstIndex(of: "attempt_2")!
        #expect(one.seriesRows.allSatisfy { $0[column] == 0 })
        // A scenario on its own keeps its own columns.
        #expect(!Runner.run(try scenario(#"{ "name": "one", "duration": "1s", "clients": { "count": 1, "target": "api", "arrival": { "type": "burst" } }, "services": [ { "name": "api", "workers": 1, "serviceTime": { "dist": "constant", "value": "1ms" } } ] }"#)).seriesHeader.contains("attempt_2"))
    }
}
