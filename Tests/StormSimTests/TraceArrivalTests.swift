import Foundation
import Testing

@testable import StormSim

/// Replayed traffic (`"arrival": {"type": "trace"}`): exact request times, Poisson counts that follow the file's
/// rates, and every malformed file reported with its line.
@Suite struct TraceArrivalTests {
    /// A scratch folder holding `files`; the scenario names them relative to it.
    func folder(_ files: [String: String]) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("stormsim-trace-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for (name, text) in files { try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        return dir
    }

    func scenarioText(arrival: String, clients: Int = 3, duration: String = "60s") -> String {
        """
        { "name": "trace", "duration": "\(duration)", "seed": 5,
          "clients": { "count": \(clients), "target": "s", "arrival": \(arrival),
                       "policy": { "timeout": "1s", "maxAttempts": 2 } },
          "services": [ { "name": "s", "workers": 1000, "serviceTime": { "dist": "constant", "value": "1ms" } } ] }
        """
    }

    /// Decodes a scenario stored in `dir` (so the trace resolves against the scenario's folder, not the working one).
    func load(_ dir: URL, _ text: String) throws -> Scenario {
        let file = dir.appendingPathComponent("scenario.json")
        try text.write(to: file, atomically: true, encoding: .utf8)
        return try ScenarioDecoder.load(file: file.path)
    }

    func problems(_ dir: URL, _ text: String) -> [String] {
        do {
            _ = try load(dir, text)
            return []
        } catch let error as ScenarioError {
            return error.issues.map(\.description)
        } catch {
            return ["\(error)"]
        }
    }

    /// Rows at 0.5, 0.5, 1.25 and 2 s, twice as slow and two requests per row: requests at 1, 1, 1, 1, 2.5, 2.5,
    /// 4, 4 s, handed to the 3 clients in turn.
    @Test func requestsReplayAtTheirTimesToClientsInTurn() throws {
        let dir = try folder(["rows.csv": "time_s\n0.5\n0.5\n1.25\r\n2\n\n"])
        let s = try load(dir, scenarioText(arrival: #"{ "type": "trace", "file": "rows.csv", "timeScale": 2, "multiplier": 2 }"#))
        let r = Runner.run(Variant(name: "base", parameters: [], scenario: s), traceRequests: 100)
        #expect(r.value("requests") == 8)
        let sends = r.trace.filter { $0.event == "send" && $0.detail == "attempt 1" }.sorted { $0.request < $1.request }
        #expect(sends.map(\.time.seconds) == [1, 1, 1, 1, 2.5, 2.5, 4, 4])
        #expect(sends.map(\.client) == [0, 1, 2, 0, 1, 2, 0, 1])
    }

    /// A trace of rates: 400/s for 20 s, 1,200/s for 10 s, 400/s for 10 s, then 0. The counts per stretch are
    /// Poisson: 8,000, 12,000 and 4,000 expected, each within 4 standard deviations; nothing after 40 s.
    @Test func ratesDrawPoissonCountsThatFollowTheFile() throws {
        let dir = try folder(["rates.csv": "time_s,rate\n0,400\n20,1200\n30,400\n40,0\n"])
        let s = try load(dir, scenarioText(arrival: #"{ "type": "trace", "file": "rates.csv" }"#, clients: 50))
        let r = Runner.run(s)
        let perSecond = r.seriesRows.map { $0[1] }  // requests started in each 1 s interval
        func count(_ from: Int, _ to: Int) -> Double { perSecond[from..<to].reduce(0, +) }
        for (from, to, expected) in [(0, 20, 8_000.0), (20, 30, 12_000.0), (30, 40, 4_000.0)] {
            #expect(abs(count(from, to) - expected) < 4 * expected.squareRoot(), "\(from)-\(to) s: \(count(from, to))")
        }
        #expect(count(40, 60) == 0)
        #expect(r.value("requests") == count(0, 40))
    }

    /// The arrivals are the file's, whatever the policy: two variants see the same requests at the same times.
    @Test func everyVariantReplaysTheSameArrivals() throws {
        let dir = try folder(["rates.csv": "time_s,rate\n0,300\n"])
        let base = scenarioText(arrival: #"{ "type": "trace", "file": "rates.csv" }"#, duration: "10s")
        func run(_ text: String) throws -> RunResult {
            Runner.run(Variant(name: "base", parameters: [], scenario: try load(dir, text)), traceRequests: 50)
        }
        let a = try run(base)
        let b = try run(base.replacingOccurrences(of: #""maxAttempts": 2"#, with: #""maxAttempts": 5, "jitter": "equal""#))
        #expect(a.value("requests") == b.value("requests"))
        let starts = { (r: RunResult) in r.trace.filter { $0.detail == "attempt 1" }.map { "\($0.client)@\($0.time.nanoseconds)" } }
        #expect(starts(a) == starts(b) && !starts(a).isEmpty)
    }

    /// Each malformed file is reported with its name, line and what was expected.
    @Test func malformedTracesNameTheLine() throws {
        let dir = try folder([
            "header.csv": "seconds\n1\n", "unsorted.csv": "time_s\n1\n2\n1.5\n", "word.csv": "time_s\n1\nsoon\n",
            "cells.csv": "time_s,rate\n0,10\n5\n", "rate.csv": "time_s,rate\n0,-3\n", "empty.csv": "", "rows.csv": "time_s\n", "ok.csv": "time_s\n1\n",
        ])
        func first(_ file: String, _ extra: String = "") -> String {
            problems(dir, scenarioText(arrival: #"{ "type": "trace", "file": "\#(file)"\#(extra) }"#)).first ?? "no problem"
        }
        #expect(first("header.csv").contains("clients.arrival.file: header.csv line 1: found the header \"seconds\"; expected time_s"))
        #expect(first("unsorted.csv").contains("unsorted.csv line 4: time_s 1.5 comes before the previous row's 2; expected the rows in time order"))
        #expect(first("word.csv").contains("word.csv line 3: found \"soon\" for time_s"))
        #expect(first("cells.csv").contains("cells.csv line 3: found 1 cell (\"5\"); expected 2: time_s,rate"))
        #expect(first("rate.csv").contains("rate.csv line 2: found \"-3\" for rate"))
        #expect(first("empty.csv").contains("empty.csv is empty"))
        #expect(first("rows.csv").contains("rows.csv has a header but no rows"))
        #expect(first("missing.csv").contains("does not exist") && first("missing.csv").contains("relative to the scenario file's folder"))
        #expect(first("unsorted.csv", #", "multiplier": 1.5"#).contains("expected a whole number of requests per row"))
        // Load changes are for Poisson arrivals.
        let withLoad = scenarioText(arrival: #"{ "type": "trace", "file": "ok.csv" }"#)
            .replacingOccurrences(of: #""policy""#, with: #""load": [{"from": "1s", "to": "2s", "multiplier": 2}], "policy""#)
        #expect(problems(dir, withLoad).contains { $0.contains("load changes apply to poisson arrivals only") })
    }

    /// Too many requests for one run are refused before it starts.
    @Test func aTraceBeyondTheWorkloadLimitIsRefused() throws {
        let dir = try folder(["huge.csv": "time_s,rate\n0,1000000000\n"])
        let p = problems(dir, scenarioText(arrival: #"{ "type": "trace", "file": "huge.csv" }"#, duration: "600s"))
        #expect(p.contains { $0.contains("clients.arrival.file: the trace huge.csv makes about") })
    }

    /// The bundled flash sale (committed results): every variant loses its goodput from 33 s while the queue holds
    /// only abandoned work; without retries or with a budget it returns at 64 s (59% succeed); three attempts
    /// without a budget keep it at 0 until the trace ends (28%, 2.4 attempts per request).
    @Test func theReplayedFlashSale() throws {
        let results = committedResults("replayed-traffic")
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("results/replayed-traffic/timeseries")
        func goodput(_ variant: String) throws -> [Double] {
            let text = try String(contentsOf: folder.appendingPathComponent("\(variant).csv"), encoding: .utf8)
            let rows = text.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false) }
            let column = try #require(rows.first?.firstIndex(of: "successes"))
            return rows.dropFirst().map { Double($0[column]) ?? .nan }
        }
        for variant in ["no-retries", "aws-standard-2026", "grpc"] {
            let r = try #require(results[variant])
            #expect(abs(r.value("success_rate")! - 0.59) < 0.01, "\(variant)")
            #expect(r.value("amplification")! < 1.01, "\(variant)")
            let g = try goodput(variant)
            #expect(g[33..<64].allSatisfy { $0 == 0 } && g[65..<100].allSatisfy { $0 > 500 }, "\(variant)")
        }
        let storm = try #require(results["3-attempts"])
        #expect(storm.value("success_rate")! < 0.3 && storm.value("amplification")! > 2.3)
        #expect(try goodput("3-attempts")[33..<100].allSatisfy { $0 == 0 })
    }
}
