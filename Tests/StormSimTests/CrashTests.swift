import Foundation
import Testing

@testable import StormSim

/// Crashes and restarts (`crash`): exact timelines of deterministic runs, CrashLoopBackOff's sequence, warm-up,
/// and the model's books kept through crashes.
@Suite struct CrashTests {
    /// One service of `instances` instances of one worker with constant 100 ms service, no network delay.
    func scenarioText(clients: String, crash: String, instances: Int = 1, duration: String = "100s", policy: String = #"{ "timeout": "1s" }"#) -> String {
        """
        { "name": "crash", "duration": "\(duration)", "seed": 3,
          "network": { "latency": { "dist": "constant", "value": "0ms" } },
          "clients": \(clients.replacingOccurrences(of: "POLICY", with: policy)),
          "services": [ { "name": "db", "workers": 1, "instances": \(instances), "queue": { "capacity": 1000 },
                          "serviceTime": { "dist": "constant", "value": "100ms" }, "crash": \(crash) } ] }
        """
    }

    /// A `crash` fault window from 10 s to 20 s on one of two instances: it crashes at 10 s (its attempts get a
    /// reset: errors), is down until 20 s, then serves again; the other instance never goes down.
    @Test func aCrashFaultWindowHoldsInstancesDown() throws {
        let s = try scenario("""
            { "name": "crash", "duration": "30s", "seed": 3, "metrics": { "interval": "1s" },
              "network": { "latency": { "dist": "constant", "value": "0ms" } },
              "clients": { "count": 100, "target": "db", "arrival": { "type": "poisson", "rate": 1 }, "policy": { "timeout": "1s" } },
              "services": [ { "name": "db", "workers": 10, "instances": 2, "serviceTime": { "dist": "constant", "value": "50ms" },
                              "faults": [ { "type": "crash", "from": "10s", "to": "20s", "instances": [1] } ] } ] }
            """)
        let (r, problems) = Runner.runAudited(Variant(name: "base", parameters: [], scenario: s))
        #expect(problems.isEmpty, "\(problems.prefix(3))")
        let down = r.seriesRows.map { $0[r.seriesHeader.firstIndex(of: "db_down")!] }
        #expect(down[0..<10].allSatisfy { $0 == 0 } && down[10..<20].allSatisfy { $0 == 1 } && down[20...].allSatisfy { $0 == 0 })
        let errors = r.seriesRows.map { $0[r.seriesHeader.firstIndex(of: "errors")!] }
        #expect(errors[0..<10].allSatisfy { $0 == 0 } && errors[10..<20].allSatisfy { $0 > 25 } && errors[20...].allSatisfy { $0 == 0 })
        #expect(r.value("db_crashes") == 1)
        #expect(issues(#"{ "name": "c", "duration": "10s", "clients": { "count": 1, "target": "api", "arrival": { "type": "burst" } }, "services": [ { "name": "api", "workers": 1, "serviceTime": { "dist": "constant", "value": "1ms" }, "calls": ["db"], "faults": [ { "type": "crash", "from": "1s", "to": "2s" } ] }, { "name": "db", "workers": 1, "serviceTime": { "dist": "constant", "value": "1ms" } } ] }"#).first?
            .hasPrefix("services[0].faults[0].type: a service that calls others cannot crash") == true)
    }

    @Test func crashLoopBackOffDoublesToItsCap() {
        let crash = Crash(heldAbove: 0)
        #expect((1...8).map { crash.backoff(restart: $0).seconds } == [10, 20, 40, 80, 160, 300, 300, 300])
    }

    /// Ten requests at once against a threshold of 5: the sixth attempt arms the check, which runs after the
    /// seventh has arrived (each burst arrival schedules the next, and its attempt, at the same instant): the
    /// instance crashes holding seven (one in service, six queued), all lost; the last three find it down. Every
    /// request fails the way `lose` says, and it is down for exactly 10 s.
    @Test(arguments: ["reset", "timeout"])
    func aCrashLosesWhatItHolds(lose: String) throws {
        let s = try scenario(scenarioText(
            clients: #"{ "count": 10, "target": "db", "arrival": { "type": "burst" }, "policy": POLICY }"#,
            crash: #"{ "heldAbove": 5, "lose": "\#(lose)" }"#))
        let r = Runner.run(s)
        #expect(r.value("db_crashes") == 1 && r.value("db_lost") == 7)
        #expect(r.value("succeeded") == 0 && r.value("failed") == 10)
        #expect(r.value(lose == "reset" ? "errors" : "timeouts") == 10)
        let down = r.seriesRows.map { $0[r.seriesHeader.firstIndex(of: "db_down")!] }
        #expect(down[0..<10].allSatisfy { $0 == 1 } && down[10...].allSatisfy { $0 == 0 })  // restarted at 10 s
    }

    /// Any attempt crashes the instance (a threshold of 0) and requests keep coming: it crashes the moment it
    /// restarts, so the restarts come after 10, 20, 40, 80, 160, 300 and 300 s: crashes at about 0, 10, 30, 70,
    /// 150, 310, 610 and 910 s in a 1,000 s run, down all the time but for instants.
    @Test func aCrashLoopFollowsCrashLoopBackOff() throws {
        let s = try scenario(scenarioText(
            clients: #"{ "count": 100, "target": "db", "arrival": { "type": "poisson", "rate": 10 }, "policy": POLICY }"#,
            crash: #"{ "heldAbove": 0 }"#, duration: "1000s"))
        let (r, problems) = Runner.runAudited(Variant(name: "base", parameters: [], scenario: s))
        #expect(problems.isEmpty, "\(problems.prefix(3))")
        #expect(r.value("db_crashes") == 8)
        let down = r.seriesRows.map { $0[r.seriesHeader.firstIndex(of: "db_down")!] }
        #expect(down.reduce(0, +) > 999.9)
        // Up for an instant at the start and after each restart: the seconds where the mean is below 1.
        let restarts = down.indices.filter { down[$0] < 1 }
        #expect(restarts == [0, 10, 30, 70, 150, 310, 610, 910])
    }

    /// Ten instances that crash together restart together; with jitter 1 each delay is drawn in [0, 10 s), so
    /// they come back at different times, each the same in every run.
    @Test func jitterSpreadsRestarts() throws {
        func downSeconds(jitter: Double) throws -> [Double] {
            let s = try scenario(scenarioText(
                clients: #"{ "count": 100, "target": "db", "arrival": { "type": "burst" }, "policy": POLICY }"#,
                crash: #"{ "heldAbove": 5, "restart": { "jitter": \#(jitter) } }"#, instances: 10, duration: "60s"))
            return Runner.run(s).instances.map { $0.values[InstanceMetric.allCases.firstIndex(of: .downSeconds)!] }
        }
        let together = try downSeconds(jitter: 0), spread = try downSeconds(jitter: 1)
        #expect(together == [Double](repeating: 10, count: 10))
        #expect(Set(spread).count == 10 && spread.allSatisfy { $0 > 0 && $0 < 10 })
        #expect(try downSeconds(jitter: 1) == spread)
    }

    /// Warm-up 3x over 30 s, constant 100 ms service: a request 0.5 s after the restart takes 296.67 ms, one at
    /// 15 s 200 ms, one after the period 100 ms.
    @Test func warmUpDecaysLinearly() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("stormsim-crash-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try "time_s\n0\n0\n0\n10.5\n25\n45\n".write(to: dir.appendingPathComponent("t.csv"), atomically: true, encoding: .utf8)
        let file = dir.appendingPathComponent("s.json")
        try scenarioText(
            clients: #"{ "count": 1, "target": "db", "arrival": { "type": "trace", "file": "t.csv" }, "policy": POLICY }"#,
            crash: #"{ "heldAbove": 2, "warmup": { "factor": 3, "period": "30s" } }"#, duration: "60s")
            .write(to: file, atomically: true, encoding: .utf8)
        let s = try ScenarioDecoder.load(file: file.path)
        let r = Runner.run(Variant(name: "base", parameters: [], scenario: s), traceRequests: 10)
        let done = r.trace.filter { $0.event == "success" }.map { ($0.request, $0.time.seconds) }
        #expect(done.count == 3)
        let latencies = done.map { request, end in end - [3: 10.5, 4: 25.0, 5: 45.0][request]! }
        #expect(zip(latencies, [0.1 * (1 + 2 * (1 - 0.5 / 30)), 0.2, 0.1]).allSatisfy { abs($0 - $1) < 1e-6 }, "\(latencies)")
    }

    /// Crashes with retries, several instances, both ways of losing: the books balance at every checkpoint.
    @Test(arguments: ["reset", "timeout"])
    func invariantsHoldThroughCrashes(lose: String) throws {
        let s = try scenario(scenarioText(
            clients: #"{ "count": 300, "target": "db", "arrival": { "type": "poisson", "rate": 0.15 }, "policy": POLICY }"#,
            crash: #"{ "heldAbove": 20, "for": "500ms", "lose": "\#(lose)", "restart": { "delay": "2s", "jitter": 0.5 }, "warmup": { "factor": 2, "period": "5s" } }"#,
            instances: 4, duration: "120s", policy: #"{ "timeout": "1s", "maxAttempts": 3 }"#))
        let (r, problems) = Runner.runAudited(Variant(name: "base", parameters: [], scenario: s))
        #expect(problems.isEmpty, "\(problems.prefix(3))")
        #expect(r.value("db_crashes")! > 0 && r.value("db_lost")! > 0)
        #expect(r.value("requests") == r.value("succeeded")! + r.value("failed")! + r.value("unfinished")!)
    }

    @Test func crashKeysAreChecked() {
        let base = scenarioText(clients: #"{ "count": 1, "target": "db", "arrival": { "type": "burst" }, "policy": POLICY }"#, crash: "CRASH")
        func problems(_ crash: String) -> [String] { issues(base.replacingOccurrences(of: "CRASH", with: crash)) }
        #expect(problems(#"{ "heldAbove": 5, "restart": { "delay": "60s", "maxDelay": "10s" } }"#)
            == ["services[0].crash.restart.maxDelay: 10s is below delay (60s); expected maxDelay >= delay"])
        #expect(problems(#"{ "heldAbove": 5, "lose": "drop" }"#).first?.contains(#"services[0].crash.lose: expected one of "reset", "timeout""#) == true)
        #expect(problems(#"{ "for": "1s" }"#).first?.hasPrefix("services[0].crash.heldAbove: missing") == true)
        #expect(problems(#"{ "heldAbove": 5, "warmup": { "factor": 0.5 } }"#).first?.hasPrefix("services[0].crash.warmup.factor") == true)
        let chain = #"{ "name": "c", "duration": "10s", "clients": { "count": 1, "target": "api", "arrival": { "type": "burst" } },"#
            + #" "services": [ { "name": "api", "workers": 1, "serviceTime": { "dist": "constant", "value": "1ms" }, "calls": ["db"], "crash": { "heldAbove": 5 } },"#
            + #" { "name": "db", "workers": 1, "serviceTime": { "dist": "constant", "value": "1ms" } } ] }"#
        #expect(issues(chain).first?.hasPrefix("services[0].crash: a service that calls others cannot crash") == true)
    }
}
