import Foundation
import Testing

@testable import StormSim

/// Megabytes of hostile input are read in time linear in their size, and what errors echo back is bounded. (The
/// time limit guards against a hang; speed itself is measured by benchmarks, not here.)
@Suite(.timeLimit(.minutes(1))) struct ParserScaleTests {
    @Test func manyEscapesParseInLinearTime() throws {
        let n = 1_000_000
        let text = "{\"d\": \"" + String(repeating: "\\n", count: n) + "\\u00e9\\ud83d\\ude00\"}"
        let value = try JSONParser.parse(text)
        guard case .string(let s)? = value["d"] else { Issue.record("not a string"); return }
        #expect(s.unicodeScalars.count == n + 2 && s.hasSuffix("é😀"))
    }

    @Test func duplicateKeysAreFoundInLargeObjects() {
        let keys = (0..<100_000).map { "\"k\($0)\": 1" }.joined(separator: ", ")
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse("{" + keys + ", \"k99999\": 2}") }
        #expect((try? JSONParser.parse("{" + keys + "}")) != nil)
    }

    @Test func hugeValuesAreNotEchoedOrFuzzyMatched() {
        let text = """
            { "name": "h", "duration": "1s",
              "clients": { "count": 1, "target": "a", "arrival": { "type": "burst" },
                           "policy": { "jitter": "\(String(repeating: "x", count: 2_000_000))" } },
              "services": [ { "name": "a", "workers": 1, "serviceTime": { "dist": "constant", "value": "1ms" } } ] }
            """
        let found = issues(text)
        #expect(found.count == 1)
        #expect(found[0].count < 1_200 && found[0].contains("2000000 characters"), "\(found[0].prefix(300))")
    }

    @Test func manyProblemsAreReportedUpToABound() {
        let keys = (0..<10_000).map { "\"unknown\($0)\": 1" }.joined(separator: ", ")
        let found = issues("{ \(keys), \"name\": \"x\" }")
        #expect(found.count == DecodeContext.maxIssues + 1)
        #expect(found.last?.contains("more problems follow") == true)
    }

    @Test func deepOverridePathsAreRefused() {
        let deep = Array(repeating: "a", count: 30_000).joined(separator: ".")
        #expect(JSONPath.parse(deep) == nil)
        #expect(JSONPath.parse(Array(repeating: "a", count: 200).joined(separator: ".")) != nil)
        #expect(JSONPath.parse("a" + String(repeating: "[0]", count: 30_000)) == nil)
        #expect(throws: OverrideError.self) { try Override.parse(deep + "=1") }
    }
}
