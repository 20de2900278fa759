import Foundation
import Testing

@testable import StormSim

/// Randomized robustness: mutate valid scenarios (delete keys, swap types, extreme numbers and durations,
/// truncated or corrupted text) and check that each mutant is either a clean `ScenarioError` or a scenario that
/// runs with its conservation laws intact (`World.checkInvariants`, checked 4 times a run). A trap (overflow,
/// out-of-range conversion, index out of range) would crash the test process. Seeds are fixed, so a failure names
/// its seed and mutant and can be replayed.
@Suite struct MutationTests {
    static let bases = [
        """
        { "name": "herd", "seed": 1, "duration": "20s", "metrics": { "interval": "1s" },
          "network": { "latency": { "dist": "normal", "mean": "1ms", "stddev": "1ms" } },
          "clients": { "count": 300, "target": "api", "arrival": { "type": "burst", "at": "0s", "spread": "1s" },
                       "policy": { "timeout": "100ms", "maxAttempts": 4, "jitter": "decorrelated",
                                   "backoff": { "type": "exponential", "base": "10ms", "multiplier": 2, "max": "1s" } } },
          "services": [ { "name": "api", "workers": 5, "queue": { "capacity": 50, "discipline": "lifo" },
                          "serviceTime": { "dist": "lognormal", "median": "5ms", "sigma": 1 }, "errorRate": 0.1 } ] }
        """,
        """
        { "name": "open", "duration": "30s",
          "clients": { "count": 50, "target": "s", "arrival": { "type": "poisson", "rate": 5 },
                       "policy": { "timeout": "50ms", "maxAttempts": 3, "jitter": { "type": "proportional", "fraction": 0.2 },
                                   "backoff": { "type": "linear", "base": "20ms", "max": "100ms" } } },
          "services": [ { "name": "s", "workers": 2, "serviceTime": { "dist": "uniform", "min": "1ms", "max": "20ms" } } ] }
        """,
        """
        { "name": "closed", "duration": "10s",
          "clients": { "count": 20, "target": "s", "arrival": { "type": "closed", "think": { "dist": "exponential", "mean": "10ms" } },
                       "policy": { "maxAttempts": 2, "jitter": "equal", "backoff": { "type": "constant", "base": "5ms", "max": "5ms" } } },
          "services": [ { "name": "s", "workers": 1, "queue": { "capacity": 0 }, "serviceTime": { "dist": "constant", "value": "2ms" } } ] }
        """,
        """
        { "name": "chain", "duration": "20s",
          "clients": { "count": 40, "target": "edge", "arrival": { "type": "poisson", "rate": 5 }, "deadline": "800ms",
                       "propagateDeadline": true, "load": [ { "from": "5s", "to": "8s", "multiplier": 3, "rampTo": 1 } ],
                       "policy": { "timeout": "300ms", "maxAttempts": 3, "deadlineAware": true,
                                   "budget": { "type": "tokenBucket", "capacity": 10, "costPerRetry": 1, "earnPerSuccess": 0.1 } } },
          "services": [
            { "name": "edge", "kind": "proxy", "calls": "api", "policy": { "timeout": "200ms", "maxAttempts": 2 } },
            { "name": "api", "workers": 4, "async": false, "concurrencyPenalty": "1ms",
              "queue": { "capacity": 50, "discipline": "adaptive-lifo", "timeout": "100ms", "codel": { "target": "5ms", "interval": "50ms" } },
              "serviceTime": { "dist": "exponential", "mean": "5ms" }, "calls": ["db", "cache"],
              "policy": { "timeout": "100ms", "maxAttempts": 2, "breaker": { "trip": { "type": "consecutive", "failures": 3 }, "openFor": "1s" } },
              "afterCall": { "dist": "constant", "value": "1ms" },
              "faults": [ { "type": "slowdown", "from": "10s", "to": "12s", "factor": 5 } ] },
            { "name": "db", "workers": 2, "serviceTime": { "dist": "lognormal", "median": "3ms", "sigma": 1 }, "errorRate": 0.05,
              "faults": [ { "type": "outage", "from": "14s", "to": "15s", "answer": "never" } ] },
            { "name": "cache", "workers": 8, "serviceTime": { "dist": "uniform", "min": "0s", "max": "2ms" } } ] }
        """,
    ]

    static let extremeValues: [JSONValue] = [
        .number(0), .number(-1), .number(0.5), .number(1e308), .number(-1e308), .number(1e15), .number(1e12),
        .number(9.2e18), .number(1e-300), .number(4294967296), .string("1e30s"), .string("0s"), .string("1ns"),
        .string("9223372036854775807ns"), .string("1e9s"), .string("999999999s"), .string("-0s"), .string(""),
        .string("none"), .string("full"), .string("🙂"), .null, .bool(true), .array([]), .object([]),
        .object([JSONMember(key: "dist", value: .string("exponential")), JSONMember(key: "mean", value: .string("1e9s"))]),
        .object([JSONMember(key: "dist", value: .string("lognormal")), JSONMember(key: "median", value: .string("1e9s")),
                 JSONMember(key: "sigma", value: .number(10))]),
    ]

    @Test(arguments: 0..<6)
    func mutantsFailCleanlyOrRun(seed: UInt64) throws {
        var rng = Xoshiro256(seed: 1000 + seed)
        var invalid = 0, valid = 0
        for mutant in 0..<400 {
            let base = Self.bases[Int(rng.nextInt(below: UInt64(Self.bases.count)))]
            let text = mutate(base, &rng)
            do {
                var s = try ScenarioDecoder.decode(text: text, file: "mutant.json")
                valid += 1
                // Keep each run short in a debug build: fewer clients and rows. The decoder already accepted the
                // full values; the run's arithmetic saturates the same way at any size.
                s.clients.count = min(s.clients.count, 2_000)
                if s.duration.nanoseconds / s.metricsInterval.nanoseconds > 2_000 {
                    s.metricsInterval = SimDuration(nanoseconds: s.duration.nanoseconds / 2_000 + 1)
                }
                var checkpoints = 0
                let (r, problems) = Runner.runAudited(Variant(name: "m", parameters: [], scenario: s), segments: 4, checkpointEvery: 1024) { _ in
                    checkpoints += 1
                    return checkpoints > 20
                }
                #expect(problems.isEmpty, "seed \(seed) mutant \(mutant): \(problems.prefix(3))")
                let requests = r.value("requests")!, succeeded = r.value("succeeded")!, failed = r.value("failed")!
                #expect(requests == succeeded + failed + r.value("unfinished")!, "seed \(seed) mutant \(mutant)")
            } catch {
                invalid += 1
                #expect(!error.issues.isEmpty, "seed \(seed) mutant \(mutant): an error without a message")
                for issue in error.issues { #expect(!issue.message.isEmpty) }
            }
        }
        // Both outcomes occur, or the mutations are too weak (or too strong) to test anything.
        #expect(valid > 20 && invalid > 20, "valid \(valid), invalid \(invalid)")
    }

    func mutate(_ text: String, _ rng: inout Xoshiro256) -> String {
        switch rng.nextInt(below: 10) {
        case 0:  // truncated text
            let cut = Int(rng.nextInt(below: UInt64(text.utf8.count)))
            return String(decoding: Array(text.utf8)[0..<cut], as: UTF8.self)
        case 1:  // one corrupted byte
            var bytes = Array(text.utf8)
            bytes[Int(rng.nextInt(below: UInt64(bytes.count)))] = UInt8(truncatingIfNeeded: rng.next())
            return String(decoding: bytes, as: UTF8.self)
        default:  // structural mutations of the parsed document, one to three of them
            var json = try! JSONParser.parse(text)
            let count = rng.bernoulli(0.7) ? 1 : 2 + Int(rng.nextInt(below: 2))
            for _ in 0..<count { json = mutateValue(json, &rng) }
            return json.compactText
        }
    }

    /// Picks a random node and deletes it, replaces it by an extreme value, or changes its type.
    func mutateValue(_ value: JSONValue, _ rng: inout Xoshiro256) -> JSONValue {
        switch value {
        case .object(var members) where !members.isEmpty:
            let i = Int(rng.nextInt(below: UInt64(members.count)))
            switch rng.nextInt(below: 4) {
            case 0: members.remove(at: i)
            case 1: members[i].value = replacement(for: members[i].value, &rng)
            default: members[i].value = mutateValue(members[i].value, &rng)
            }
            return .object(members)
        case .array(var items) where !items.isEmpty:
            let i = Int(rng.nextInt(below: UInt64(items.count)))
            if rng.bernoulli(0.2) { items.append(items[i]) } else { items[i] = mutateValue(items[i], &rng) }
            return .array(items)
        default:
            return replacement(for: value, &rng)
        }
    }

    /// Mostly an extreme value of the same kind (so that many mutants stay valid and run), sometimes any value.
    func replacement(for value: JSONValue, _ rng: inout Xoshiro256) -> JSONValue {
        func pick(_ values: [JSONValue]) -> JSONValue { values[Int(rng.nextInt(below: UInt64(values.count)))] }
        if rng.bernoulli(0.75) {
            switch value {
            case .number: return pick(Self.extremeValues.filter { if case .number = $0 { return true } else { return false } })
            case .string(let s) where s.last?.isLetter == true && s.first?.isNumber == true:
                return pick(Self.extremeValues.filter { if case .string(let t) = $0 { return t.first?.isNumber == true } else { return false } })
            default: break
            }
        }
        return pick(Self.extremeValues)
    }
}
