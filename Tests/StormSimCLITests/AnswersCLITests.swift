import Foundation
import Testing

/// `tune` and `margin` from the command line: their files, JSON, errors and exit codes.
@Suite struct AnswersCLITests {
    static let tuneScenario = """
        {"name": "t", "duration": "20s",
         "clients": {"count": 50, "target": "api", "arrival": {"type": "poisson", "rate": 2},
                     "policy": {"timeout": "1s", "maxAttempts": 1, "backoff": {"base": "50ms", "max": "1s"}}},
         "services": [{"name": "api", "workers": 10, "queue": {"capacity": 100}, "serviceTime": {"dist": "exponential", "mean": "20ms"},
                       "faults": [{"type": "errorRate", "from": "5s", "to": "10s", "errorRate": 0.3}]}],
         "vary": {"clients.policy.maxAttempts": [1, 3, 6]},
         "tune": {"require": ["success_rate >= 0.98"], "maxReplications": 4}}
        """

    @Test func tuneWritesTheRecommendationAndExports() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        try write(Self.tuneScenario, to: dir.appendingPathComponent("t.json"))
        let r = try stormsim(["tune", "t.json", "--format", "json"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let doc = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        let recommended = doc?["recommended"] as? [String: Any]
        #expect((recommended?["values"] as? [String: Any])?["clients.policy.maxAttempts"] as? Int == 3)
        let metrics = recommended?["metrics"] as? [String: [String: Any]]
        #expect(metrics?["success_rate"]?["low"] != nil && metrics?["amplification"]?["high"] != nil)
        #expect(doc?["frontier"] is [Any])
        for file in ["tune.json", "candidates.csv", "frontier.csv", "frontier.gp", "recommended.json", "recommended-policy.json",
                     "grpc-service-config.json", "envoy-route.json", "resilience4j.properties", "polly.json", "aws-config"] {
            #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("results/t/tune/\(file)").path), "\(file)")
        }
        let policy = try read(dir.appendingPathComponent("results/t/tune/recommended-policy.json"))
        #expect(policy.contains("\"maxAttempts\": 3") && policy.contains("\"timeout\": \"1s\""))
        // Nothing meets a bound no candidate reaches: the files are written and the exit code says so.
        let none = try stormsim(["tune", "t.json", "--require", "success_rate >= 0.9999", "--quiet"], in: dir)
        #expect(none.status == 4 && none.stderr.contains("no candidate meets every constraint"))
        let bad = try stormsim(["tune", "t.json", "--minimize", "amplificaton"], in: dir)
        #expect(bad.status == 3 && bad.stderr.contains("did you mean \"amplification\"?"))
        let malformed = try stormsim(["tune", "t.json", "--require", "success_rate > 0.9"], in: dir)
        #expect(malformed.status == 2)
    }

    @Test func marginReportsTheTippingSizeAsJSON() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        // 100 requests/s against 120/s; a x3 spike at 10 s; 1 s timeouts and four attempts: a long spike tips it.
        try write("""
            {"name": "m", "duration": "40s",
             "clients": {"count": 100, "target": "api", "arrival": {"type": "poisson", "rate": 1},
                         "policy": {"timeout": "1s", "maxAttempts": 4, "backoff": {"base": "100ms", "max": "1s"}},
                         "load": [{"from": "10s", "to": "12s", "multiplier": 3}]},
             "services": [{"name": "api", "workers": 6, "queue": {"capacity": 2000}, "serviceTime": {"dist": "exponential", "mean": "50ms"},
                           "faults": [{"type": "outage", "from": "25s", "to": "26s", "answer": "error"}]}]}
            """, to: dir.appendingPathComponent("m.json"))
        let two = try stormsim(["margin", "m.json"], in: dir)
        #expect(two.status == 2 && two.stderr.contains("has 2 triggers; choose one with --trigger N") && two.stderr.contains("2: a load spike, 10-12 s"))
        let outage = try stormsim(["margin", "m.json", "--trigger", "1", "--scale", "magnitude"], in: dir)
        #expect(outage.status == 2 && outage.stderr.contains("has no magnitude"))
        let r = try stormsim(["margin", "m.json", "--trigger", "2", "--replications", "3", "--steps", "2", "--format", "json"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let doc = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        let tipping = doc?["tipping"] as? [String: Double]
        #expect(tipping?["estimate"] != nil && tipping!["low"]! <= tipping!["estimate"]! && tipping!["estimate"]! <= tipping!["high"]!, "\(r.stdout)")
        #expect((doc?["curve"] as? [[String: Any]])?.first?["p"] != nil && doc?["unit"] as? String == "s")
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("results/m/margin/curve.csv").path))
        let none = try stormsim(["margin", "m.json", "--set", "clients.load=[]", "--set", "services[0].faults=[]"], in: dir)
        #expect(none.status == 3 && none.stderr.contains("no trigger to scale"))
    }
}
