import Foundation
import Testing

@testable import StormSim

/// Decodes a scenario from JSON text; fails the test with the decoder's message if it is invalid.
func scenario(_ json: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> Scenario {
    do {
        return try ScenarioDecoder.decode(text: json, file: "test.json")
    } catch {
        Issue.record("scenario did not decode: \(error)", sourceLocation: sourceLocation)
        throw error
    }
}

/// The issues a scenario text produces, as `path: message` lines.
func issues(_ json: String) -> [String] {
    do {
        _ = try ScenarioDecoder.decode(text: json, file: "test.json")
        return []
    } catch {
        return error.issues.map(\.description)
    }
}

/// A one-service open-loop queueing scenario: `clients` Poisson clients at 1 request/s each.
func queueingScenario(clients: Int, workers: Int, serviceTime: String, duration: String, seed: Int = 1) -> String {
    """
    { "name": "q", "seed": \(seed), "duration": "\(duration)",
      "clients": { "count": \(clients), "target": "s", "arrival": { "type": "poisson", "rate": 1 } },
      "services": [ { "name": "s", "workers": \(workers), "queue": { "capacity": 10000000 },
                      "serviceTime": \(serviceTime) } ] }
    """
}

/// Relative difference |a - b| / |b|.
func relativeError(_ a: Double, _ b: Double) -> Double { abs(a - b) / abs(b) }

/// A bundled scenario's committed results (`results/<name>/summary.csv` and `instances.csv`) as run results, by
/// variant: the claims tests read them instead of running the scenario again, since `GoldenTests` already checks
/// that the code reproduces them byte for byte.
func committedResults(_ name: String) -> [String: RunResult] {
    let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("results/\(name)")
    func rows(_ file: String) -> [[String]] {
        guard let text = try? String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8) else { return [] }
        return text.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
    }
    let summary = rows("summary.csv")
    guard let header = summary.first, let variantColumn = header.firstIndex(of: "variant") else { return [:] }
    var results: [String: RunResult] = [:]
    for row in summary.dropFirst() where row.count == header.count {
        let cells = zip(header, row).map { column, text -> (column: String, value: CSVTable.Cell) in
            if text.isEmpty { return (column, .empty) }
            if let d = Double(text) { return (column, .number(d)) }
            return (column, .text(text))
        }
        results[row[variantColumn]] = RunResult(
            scenario: name, variant: row[variantColumn], seed: 0, summary: cells, seriesHeader: [], seriesRows: SeriesRows([]),
            latency: Histogram(), events: 0, interrupted: false)
    }
    let instances = rows("instances.csv")
    for row in instances.dropFirst() where row.count == 4 + InstanceMetric.allCases.count {
        results[row[1]]?.instances.append(InstanceRow(
            service: row[2], instance: Int(row[3]) ?? -1, values: row[4...].map { Double($0) ?? .nan }))
    }
    return results
}
