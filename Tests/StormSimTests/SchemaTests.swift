import Foundation
import Testing

@testable import StormSim

/// `scenarios/schema.json` and the decoder must accept exactly the same keys: every key the decoder accepts is
/// in the schema, and the other way round.
@Suite struct SchemaTests {
    let schema: JSONValue

    init() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scenarios/schema.json")
        schema = try JSONParser.parse(String(contentsOf: url, encoding: .utf8))
    }

    func keys(_ object: JSONValue?) -> [String] {
        guard case .object(let members)? = object?["properties"] else { return [] }
        return members.map(\.key).sorted()
    }

    func definition(_ name: String) -> JSONValue? { schema["$defs"]?[name] }

    /// The branches of a `oneOf`, by the constant of their discriminator key.
    func branches(_ name: String, discriminator: String) -> [String: [String]] {
        guard case .array(let items)? = definition(name)?["oneOf"] else { return [:] }
        var result: [String: [String]] = [:]
        for item in items {
            if case .string(let tag)? = item["properties"]?[discriminator]?["const"] { result[tag] = keys(item) }
        }
        return result
    }

    func strings(_ value: JSONValue?) -> [String] {
        guard case .array(let items)? = value else { return [] }
        return items.compactMap { if case .string(let s) = $0 { return s } else { return nil } }
    }

    @Test func objectKeysMatchTheDecoder() {
        #expect(keys(schema) == ScenarioKeys.top.sorted())
        let pairs: [(String, [String])] = [
            ("metrics", ScenarioKeys.metrics), ("network", ScenarioKeys.network), ("clients", ScenarioKeys.clients),
            ("policy", ScenarioKeys.policy), ("backoff", ScenarioKeys.backoff), ("service", ScenarioKeys.service),
            ("queue", ScenarioKeys.queue), ("breaker", ScenarioKeys.breaker), ("rateLimiter", ScenarioKeys.rateLimiter),
            ("serviceRateLimit", ScenarioKeys.serviceRateLimit), ("occService", ScenarioKeys.occService),
            ("proxyService", ScenarioKeys.proxyService), ("codel", ScenarioKeys.codel), ("loadChange", ScenarioKeys.loadChange),
            ("outlierDetection", ScenarioKeys.outlierDetection), ("healthCheck", ScenarioKeys.healthCheck),
            ("crash", ScenarioKeys.crash), ("cache", ScenarioKeys.cache), ("autoscale", ScenarioKeys.autoscale),
            ("sqsService", ScenarioKeys.sqsService),
        ]
        #expect(keys(schema["properties"]?["tune"]) == ScenarioKeys.tune.sorted(), "tune")
        #expect(keys(definition("sqsService")?["properties"]?["visibilityBackoff"]) == ScenarioKeys.visibilityBackoff.sorted(), "sqs.visibilityBackoff")
        #expect(keys(definition("crash")?["properties"]?["restart"]) == ScenarioKeys.crashRestart.sorted(), "crash.restart")
        #expect(keys(definition("crash")?["properties"]?["warmup"]) == ScenarioKeys.crashWarmup.sorted(), "crash.warmup")
        #expect(keys(definition("policy")?["properties"]?["hedging"]) == ScenarioKeys.hedging.sorted(), "policy.hedging")
        for (name, decoderKeys) in pairs {
            #expect(keys(definition(name)) == decoderKeys.sorted(), "$defs.\(name)")
        }
    }

    /// The decoder ignores keys that start with "//" in every object; so must the schema.
    @Test func everyClosedObjectAllowsCommentKeys() {
        var closed = 0, open: [String] = []
        func walk(_ value: JSONValue, _ at: String) {
            switch value {
            case .object(let members):
                if value["additionalProperties"] != nil, value["additionalProperties"] != .bool(true) {
                    closed += 1
                    if value["patternProperties"]?["^//"] == nil { open.append(at) }
                }
                for m in members { walk(m.value, at + "/" + m.key) }
            case .array(let items):
                for (i, item) in items.enumerated() { walk(item, at + "/\(i)") }
            default: break
            }
        }
        walk(schema, "")
        #expect(closed >= 60)
        #expect(open.isEmpty, "objects without comment keys: \(open)")
    }

    @Test func taggedObjectsMatchTheDecoder() {
        #expect(branches("arrival", discriminator: "type") == ScenarioKeys.arrival.mapValues { $0.sorted() })
        #expect(branches("distribution", discriminator: "dist") == ScenarioKeys.distribution.mapValues { $0.sorted() })
        #expect(branches("budget", discriminator: "type") == ScenarioKeys.budget.mapValues { $0.sorted() })
        #expect(branches("trip", discriminator: "type") == ScenarioKeys.trip.mapValues { $0.sorted() })
        #expect(branches("fault", discriminator: "type") == ScenarioKeys.fault.mapValues { $0.sorted() })
        #expect(branches("concurrencyLimit", discriminator: "type") == ScenarioKeys.concurrencyLimit.mapValues { $0.sorted() })
        guard case .array(let jitter)? = definition("jitter")?["anyOf"] else {
            Issue.record("$defs.jitter.anyOf missing")
            return
        }
        #expect(strings(jitter.first?["enum"]) == ScenarioKeys.jitterNames)
        #expect(keys(jitter.last) == ScenarioKeys.jitterObject.sorted())
    }

    @Test func enumerationsMatchTheModel() {
        #expect(strings(definition("policy")?["properties"]?["preset"]?["enum"]) == Preset.all.map(\.name))
        #expect(strings(definition("scope")?["enum"]) == PolicyScope.allCases.map(\.rawValue))
        #expect(strings(definition("backoff")?["properties"]?["type"]?["enum"]) == Backoff.Kind.allCases.map(\.rawValue))
        #expect(strings(definition("queue")?["properties"]?["discipline"]?["enum"]) == Service.Discipline.allCases.map(\.rawValue))
        guard case .array(let balancer)? = definition("balancer")?["anyOf"] else {
            Issue.record("$defs.balancer.anyOf missing")
            return
        }
        #expect(strings(balancer.first?["enum"]) == Balancer.Kind.allCases.map(\.rawValue))
        #expect(strings(balancer.first?["enum"]) == ScenarioKeys.balancerNames)
        #expect(keys(balancer.last) == ScenarioKeys.balancer.sorted())
    }

    @Test func limitsMatchTheDecoder() {
        #expect(definition("clients")?["properties"]?["count"]?["maximum"] == .number(Double(ScenarioLimits.maxClients)))
        #expect(definition("service")?["properties"]?["workers"]?["maximum"] == .number(Double(ScenarioLimits.maxWorkers)))
        #expect(definition("service")?["properties"]?["instances"]?["maximum"] == .number(Double(ScenarioLimits.maxInstances)))
        #expect(definition("queue")?["properties"]?["capacity"]?["maximum"] == .number(Double(ScenarioLimits.maxQueueCapacity)))
        #expect(definition("policy")?["properties"]?["maxAttempts"]?["maximum"] == .number(Double(ScenarioLimits.maxAttempts)))
    }
}
