import Foundation
import Testing

@testable import StormSim

/// The claims of `scenarios/cache-stampede.json`, read from its committed results (`GoldenTests` proves the code
/// reproduces them).
@Suite struct CacheStampedeScenarioTests {
    let results = committedResults("cache-stampede")

    /// A column of a variant's time series, one value per second.
    func column(_ name: String, _ variant: String) throws -> [Double] {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("results/cache-stampede/timeseries/\(variant).csv")
        let rows = try String(contentsOf: file, encoding: .utf8).split(separator: "\n")
            .map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        let index = try #require(rows.first?.firstIndex(of: Substring(name)))
        return rows.dropFirst().map { Double($0[index]) ?? .nan }
    }

    /// Before the flush every variant runs warm: hit ratio near Che's 0.77 and the database well below its
    /// 1,000/s.
    @Test func warmBeforeTheFlush() throws {
        for variant in results.keys.sorted() {
            let hits: [Double] = try column("api_hits", variant), attempts: [Double] = try column("api_attempts", variant)
            let ratio: Double = hits[30..<60].reduce(0, +) / attempts[30..<60].reduce(0, +)
            #expect(ratio > 0.72 && ratio < 0.8, "\(variant): \(ratio)")
            #expect(try column("db_attempts", variant)[30..<60].allSatisfy { $0 < 600 }, "\(variant)")
        }
    }

    /// Without coalescing the cache never fills again, with or without retries: no hit and no success after 61 s.
    @Test(arguments: ["3-attempts", "no-retries", "10s-flush-coalescing"])
    func staysDown(variant: String) throws {
        let r = try #require(results[variant])
        #expect(r.value("recovered") == 0)
        let end = variant.hasPrefix("10s") ? 71 : 61
        #expect(try column("api_hits", variant)[end...].allSatisfy { $0 == 0 })
        #expect(try column("successes", variant)[end...].allSatisfy { $0 == 0 })
        let served: [Double] = try column("db_served", variant)
        let mean: Double = served[90...].reduce(0, +) / Double(served.count - 90)
        #expect(mean > 950)  // busy all the time, for callers that have given up
    }

    /// Retries do not cause the collapse, they only multiply its load.
    @Test func retriesTripleTheLoad() throws {
        let retrying = try #require(results["3-attempts"]), single = try #require(results["no-retries"])
        #expect(retrying.value("amplification")! > 2.3 && single.value("amplification") == 1)
        #expect(retrying.value("success_rate") == single.value("success_rate"))
    }

    /// Coalescing survives the 1 s flush; a newest-first database survives it, and the 10 s flush with coalescing.
    @Test(arguments: ["coalescing", "db-adaptive-lifo", "10s-flush-coalescing-lifo"])
    func recovers(variant: String) throws {
        let r = try #require(results[variant])
        #expect(r.value("recovered") == 1 && r.value("success_rate")! > 0.98)
        let hits: [Double] = try column("api_hits", variant), attempts: [Double] = try column("api_attempts", variant)
        let ratio: Double = hits[150..<180].reduce(0, +) / attempts[150..<180].reduce(0, +)
        #expect(ratio > 0.72)
    }
}
