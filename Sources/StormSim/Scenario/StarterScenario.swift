/// The scenario `stormsim init` writes: a chain of services with a fault deep in it, sized so that it is healthy
/// before the fault (about 70% load at the last service) and raises no warning, with a "//" comment on every part
/// saying what it means and what to change. It runs as written and compares no retries with retries.
public struct StarterScenario: Sendable {
    public enum ArrivalKind: String, CaseIterable, Sendable { case poisson, burst, closed }

    /// Services in the chain, at most `maxChain`.
    public var chain: Int = 3
    public var arrival: ArrivalKind = .poisson
    /// A preset name for the clients' policy, or nil for an explicit policy.
    public var preset: String? = nil
    public var name: String = "my-scenario"
    /// The `$schema` reference editors follow.
    public var schema: String = StarterScenario.schemaURL

    public static let maxChain = 8
    public static let schemaURL = "https://github.com/stormsim/stormsim/scenarios/schema.json"
    static let names = ["api", "payments", "bank", "ledger", "vault", "archive", "audit", "store"]

    public init() {}

    /// A scenario name made from a file name: its letters, digits, '-' and '_' (others become '-').
    public static func name(fromFile file: String) -> String {
        var base = String(file.split(separator: "/").last ?? "")
        if base.hasSuffix(".json") { base.removeLast(5) }
        let safe = String(base.unicodeScalars.map { s -> Character in
            let ok = ("a"..."z").contains(s) || ("A"..."Z").contains(s) || ("0"..."9").contains(s) || s == "-" || s == "_"
            return ok ? Character(s) : "-"
        }.prefix(100))
        return safe.isEmpty || safe.allSatisfy({ $0 == "-" }) ? "my-scenario" : safe
    }

    /// The services' names, the clients' target first.
    public var serviceNames: [String] { Array(Self.names.prefix(chain)) }

    /// The attempts per request of the preset (following presets it builds on), or 3 without one.
    var retryAttempts: Int {
        var json = preset.flatMap { Preset.named($0)?.policy }
        while let j = json {
            if case .number(let n)? = j["maxAttempts"] { return Int(n) }
            guard case .string(let base)? = j["preset"] else { break }
            json = Preset.named(base)?.policy
        }
        return 3
    }

    /// The caller's timeout at each layer, in milliseconds: the clients' 1 s, then 100 ms less at each hop, so every
    /// downstream timeout is shorter than its caller's.
    func timeoutMs(layer: Int) -> Int { 1000 - 100 * layer }

    /// The scenario as JSON text, ending in a newline.
    public var text: String { json.prettyText() + "\n" }

    var json: JSONValue {
        let rate = 400.0
        let names = serviceNames
        let last = chain - 1
        var services: [JSONValue] = []
        // Mean time a worker of service i is held: its own time, plus its downstream calls (threads wait on them).
        var holdMs = [Double](repeating: 0, count: chain)
        for i in stride(from: last, through: 0, by: -1) {
            holdMs[i] = i == last ? 20 : 5 + holdMs[i + 1] + 2
        }
        for i in 0..<chain {
            // Workers for 70% utilization at the last service, about 50% elsewhere, at least 4.
            let target = i == last ? 0.7 : 0.5
            let workers = max(4, Int((rate * holdMs[i] / 1000 / target).rounded(.up)))
            // The queue's full wait (capacity x hold / workers) is at most half the caller's timeout.
            let capacity = max(1, Int(Double(timeoutMs(layer: i)) / 2 * Double(workers) / holdMs[i]))
            var members: [(String, JSONValue)] = [("name", .string(names[i]))]
            if i == 0 { members.append(("//", .string("The clients' target. Workers wait on their downstream calls (set \"async\": true for event loops)."))) }
            members += [
                ("workers", .number(Double(workers))),
                ("queue", object([
                    ("//", .string("A full queue waits at most half the caller's timeout; longer, and attempts are served after their caller gave up.")),
                    ("capacity", .number(Double(capacity))), ("discipline", .string("fifo")),
                ])),
                ("serviceTime", object([("dist", .string("exponential")), ("mean", .string(i == last ? "20ms" : "5ms"))])),
            ]
            if i < last {
                members += [
                    ("calls", .string(names[i + 1])),
                    ("policy", object([
                        ("//", .string("The policy of this service's calls to \(names[i + 1]): one attempt, so retries happen at one layer only (retries at every layer multiply).")),
                        ("timeout", .string("\(timeoutMs(layer: i + 1))ms")), ("maxAttempts", .number(1)),
                    ])),
                ]
            } else {
                members.append(("faults", .array([object([
                    ("//", .string("The trigger: \(names[i]) is 5 times slower for 15 s (capacity below the load). Try \"outage\" with \"answer\": \"error\" or \"none\", or \"capacity\".")),
                    ("type", .string("slowdown")), ("from", .string("30s")), ("to", .string("45s")), ("factor", .number(5)),
                ])])))
            }
            services.append(object(members))
        }
        var policy: [(String, JSONValue)] = []
        if let preset {
            policy = [
                ("//", .string("The \(preset) preset ('stormsim presets \(preset)' shows what it sets); keys here override it. Presets set no timeout.")),
                ("preset", .string(preset)), ("timeout", .string("1s")),
            ]
        } else {
            policy = [
                ("//", .string("Or start from a real client's policy: \"preset\": \"aws-standard\" (see 'stormsim presets').")),
                ("timeout", .string("1s")), ("maxAttempts", .number(Double(retryAttempts))),
                ("backoff", object([("type", .string("exponential")), ("base", .string("100ms")), ("multiplier", .number(2)), ("max", .string("2s"))])),
                ("jitter", .string("full")),
            ]
        }
        let clients = object([
            ("//", .string(clientsComment(rate: rate))),
            ("count", .number(Double(clientCount))),
            ("target", .string(names[0])),
            ("arrival", arrivalJSON),
            ("policy", object(policy)),
        ])
        let chainText = names.joined(separator: " -> ")
        return object([
            ("$schema", .string(schema)),
            ("//", .string("Written by 'stormsim init'. Keys that start with // are comments. 'stormsim explain FILE' prints every value with its default filled in; 'stormsim run FILE' runs it.")),
            ("name", .string(name)),
            ("description", .string("Clients -> \(chainText), \(arrivalText); \(names[last]) slows down from 30 s to 45 s. Does retrying help or start a storm?")),
            ("seed", .number(1)),
            ("duration", .string("120s")),
            ("metrics", object([("interval", .string("1s"))])),
            ("network", object([("latency", object([("dist", .string("constant")), ("value", .string("1ms"))]))])),
            ("clients", clients),
            ("services", .array(services)),
            ("vary", object([
                ("//", .string("Every combination of these values is a variant, run side by side. Add paths such as \"clients.policy.timeout\": [\"500ms\", \"1s\"].")),
                ("clients.policy.maxAttempts", .array([
                    object([("label", .string("no-retries")), ("value", .number(1))]),
                    object([("label", .string("\(retryAttempts)-attempts")), ("value", .number(Double(retryAttempts)))]),
                ])),
            ])),
        ])
    }

    var clientCount: Int {
        switch arrival {
        case .poisson: return 200
        case .burst: return 4000
        case .closed: return 90
        }
    }

    var arrivalJSON: JSONValue {
        switch arrival {
        case .poisson:
            return object([("type", .string("poisson")), ("rate", .number(2))])
        case .burst:
            return object([("type", .string("burst")), ("at", .string("30s")), ("spread", .string("10s"))])
        case .closed:
            return object([("type", .string("closed")), ("think", object([("dist", .string("exponential")), ("mean", .string("200ms"))]))])
        }
    }

    var arrivalText: String {
        switch arrival {
        case .poisson: return "400 requests/s (Poisson)"
        case .burst: return "4,000 requests spread over 30-40 s (400/s)"
        case .closed: return "90 clients that wait 200 ms between requests (closed loop, about 400/s)"
        }
    }

    func clientsComment(rate: Double) -> String {
        switch arrival {
        case .poisson:
            return "200 clients, each sending 2 requests/s at random (open loop: new requests keep coming whatever happens). Put \"hosts\" at the number of processes when a budget or breaker has scope \"host\"."
        case .burst:
            return "4,000 clients send one request each, spread evenly over 30-40 s (\"spread\": \"0s\" sends them at once: a thundering herd)."
        case .closed:
            return "90 clients, each sending its next request 200 ms (exponential think time) after the previous one finished: a slow service slows the clients down."
        }
    }

    func object(_ members: [(String, JSONValue)]) -> JSONValue {
        .object(members.map { JSONMember(key: $0.0, value: $0.1) })
    }
}
