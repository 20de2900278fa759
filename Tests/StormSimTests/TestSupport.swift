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
