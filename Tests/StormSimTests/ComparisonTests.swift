import Foundation
import Testing

@testable import StormSim

/// The CSV reader and the statistics behind `stormsim compare`.
@Suite struct ComparisonTests {
    @Test func csvReaderFollowsRFC4180() throws {
        #expect(try CSVReader.rows("a,b\r\n1,\"x, \"\"y\"\"\nz\"\n") == [["a", "b"], ["1", "x, \"y\"\nz"]])
        #expect(try CSVReader.rows("a,,c\n,") == [["a", "", "c"], ["", ""]])
        #expect(throws: CSVReader.Problem.self) { try CSVReader.rows("a,\"b") }
        #expect(throws: CSVReader.Problem.self) { try CSVReader.rows("a,b\"c\"") }
    }

    func folder(_ seeds: [String], _ values: [Double]) -> Comparison.Folder {
        Comparison.Folder(path: "x", variants: ["v"], values: ["v": ["m": values.reduce(0, +) / Double(values.count)]],
                          seeds: ["v": seeds], samples: ["v": ["m": values]])
    }

    /// Paired: differences 1, 1.2, 0.8, 1 (mean 1, sd 0.1633): half-width t(3) x sd / 2 = 0.2598, significant.
    /// Unpaired (other seeds), the same samples spread 0 to 13: Welch's interval is far wider, not significant.
    @Test func pairedAndWelchIntervals() {
        let a = folder(["1", "2", "3", "4"], [10, 0, 5, 13]), b = folder(["1", "2", "3", "4"], [11, 1.2, 5.8, 14])
        let paired = Comparison.rows(a: a, b: b, metrics: ["m"])[0]
        #expect(paired.paired && paired.significant == true)
        #expect(abs(paired.interval! - 3.182446 * 0.16329931618554522 / 2) < 1e-9)
        let other = folder(["5", "6", "7", "8"], [11, 1.2, 5.8, 14])
        let welch = Comparison.rows(a: a, b: other, metrics: ["m"])[0]
        #expect(!welch.paired && welch.significant == false && welch.interval! > 5)
        #expect(Comparison.Gate.parse("m increases")!.tripped(by: [paired]).count == 1)
        #expect(Comparison.Gate.parse("m increases")!.tripped(by: [welch]).isEmpty)
        #expect(Comparison.Gate.parse("m") == nil && Comparison.Gate.parse("m rises") == nil)
    }

    @Test func directionsOfKnownMetrics() {
        #expect(Comparison.better("success_rate") == .higher && Comparison.better("api_hit_ratio") == .higher)
        #expect(Comparison.better("latency_p99_ms") == .lower && Comparison.better("db_amplification") == .lower)
        #expect(Comparison.better("events") == nil)
    }
}
