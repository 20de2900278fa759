import Foundation
import Testing

@testable import StormSim

/// The claims of `scenarios/sqs-visibility.json`, read from its committed results (`GoldenTests` proves the code
/// reproduces them).
@Suite struct SQSVisibilityScenarioTests {
    let results = committedResults("sqs-visibility")

    /// A column of a variant's time series, one value per second.
    func column(_ name: String, _ variant: String) throws -> [Double] {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("results/sqs-visibility/timeseries/\(variant).csv")
        let rows = try String(contentsOf: file, encoding: .utf8).split(separator: "\n")
            .map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        let index = try #require(rows.first?.firstIndex(of: Substring(name)))
        return rows.dropFirst().map { Double($0[index]) ?? .nan }
    }

    /// The last second with more than 10 messages visible.
    func lastBacklog(_ variant: String) throws -> Int? {
        try column("orders_queue_length", variant).lastIndex { $0 > 10 }
    }

    /// Batches of ten that outlast the 30 s timeout: thousands of duplicates, and the backlog is still there at
    /// the end, with messages never processed.
    @Test func duplicatesKeepTheBacklog() throws {
        let r = try #require(results["visibility-30s"])
        #expect(r.value("orders_duplicates")! > 3000)
        #expect(r.value("orders_served")! < r.value("orders_attempts")! - 2000)
        #expect(try lastBacklog("visibility-30s") == 899)
        #expect(try column("orders_queue_length", "visibility-30s").last! > 1500)
    }

    /// A 300 s timeout and batches of one: no duplicates, every message deleted but the last seconds' few, the
    /// backlog gone before 700 s; the long timeout brings the failed messages back as a second backlog.
    @Test(arguments: ["visibility-300s", "batch-1"])
    func noDuplicatesAndTheBacklogClears(variant: String) throws {
        let r = try #require(results[variant])
        #expect(r.value("orders_duplicates") == 0)
        #expect(r.value("orders_served")! > r.value("orders_attempts")! - 100)
        #expect(try lastBacklog(variant)! < 700)
        let depth = try column("orders_queue_length", variant)
        let second = depth[450..<600].max()!
        #expect(variant == "visibility-300s" ? second > 1000 : second < depth[200..<300].max()!)
    }
}
