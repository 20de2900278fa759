import Foundation

/// Turns scenario JSON into a validated `Scenario`: fill defaults, check each value and every cross-field rule,
/// and report every problem with its JSON path (a pipeline in the manner of Ciw's `import_params`).
public enum ScenarioDecoder {
    /// Reads, overrides and decodes a scenario file.
    /// - Parameter file: the path as the user gave it; it names the file in every error.
    public static func load(file: String, overrides: [Override] = []) throws(ScenarioError) -> Scenario {
        try decode(text: readText(file: file), file: file, overrides: overrides)
    }

    static func readText(file: String) throws(ScenarioError) -> String {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: file, isDirectory: &isFolder), isFolder.boolValue {
            throw ScenarioError(file: file, issues: [ScenarioIssue(path: .root, message: "is a folder, not a scenario file")])
        }
        guard let data = FileManager.default.contents(atPath: file) else {
            let reason = FileManager.default.fileExists(atPath: file) ? "cannot be read" : "does not exist"
            throw ScenarioError(file: file, issues: [ScenarioIssue(path: .root, message: "the file \(reason)")])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ScenarioError(file: file, issues: [ScenarioIssue(path: .root, message: "the file is not UTF-8 text")])
        }
        return text
    }

    /// Parses and decodes scenario text (its first variant, for a scenario with `vary`).
    public static func decode(text: String, file: String, overrides: [Override] = []) throws(ScenarioError) -> Scenario {
        try decodeSet(text: text, file: file, overrides: overrides).variants[0].scenario
    }

    /// Applies overrides, then decodes a scenario that has no `vary` (or uses only its first variant's values:
    /// use `decodeSet` for all of them).
    public static func decode(json: JSONValue, file: String, overrides: [Override] = []) throws(ScenarioError) -> Scenario {
        try decodeSet(json: json, file: file, overrides: overrides).variants[0].scenario
    }

    /// Reads, overrides and decodes a scenario file with all its variants.
    public static func loadSet(file: String, overrides: [Override] = []) throws(ScenarioError) -> ScenarioSet {
        let text = try readText(file: file)
        return try decodeSet(text: text, file: file, overrides: overrides)
    }

    /// Parses and decodes scenario text with all its variants.
    public static func decodeSet(text: String, file: String, overrides: [Override] = []) throws(ScenarioError) -> ScenarioSet {
        let json: JSONValue
        do {
            json = try JSONParser.parse(text)
        } catch {
            throw ScenarioError(file: file, issues: [ScenarioIssue(path: .root, message: "not valid JSON: \(error)")])
        }
        return try decodeSet(json: json, file: file, overrides: overrides)
    }

    /// Applies overrides, expands `vary`, and decodes every variant. A problem that every variant has is
    /// reported once; one that only some have names the first variant that has it.
    public static func decodeSet(json: JSONValue, file: String, overrides: [Override] = []) throws(ScenarioError) -> ScenarioSet {
        var json = json
        for override in overrides {
            do {
                json = try json.setting(override.path, to: override.value)
            } catch {
                throw ScenarioError(file: file, issues: [ScenarioIssue(path: override.path, message: "--set: \(error.message)")])
            }
        }
        let context = DecodeContext()
        var dimensions: [VariantExpansion.Dimension] = []
        if case .object(var members) = json, let i = members.firstIndex(where: { $0.key == "variants" }) {
            let list = members.remove(at: i).value
            json = .object(members)
            guard let found = VariantExpansion.overrideSets(list, context: context), context.issues.isEmpty else {
                throw ScenarioError(file: file, issues: context.issues)
            }
            dimensions.append(found)
        }
        if case .object(var members) = json, let i = members.firstIndex(where: { $0.key == "vary" }) {
            let vary = members.remove(at: i).value
            json = .object(members)
            guard let found = VariantExpansion.dimensions(vary, context: context), context.issues.isEmpty else {
                throw ScenarioError(file: file, issues: context.issues)
            }
            dimensions += found
        }

        var variants: [Variant] = []
        var issues: [(issue: ScenarioIssue, variant: String, count: Int)] = []
        let combinations = VariantExpansion.combinations(dimensions)
        for combination in combinations {
            var variantJSON = json
            var parameters: [Variant.Parameter] = []
            for (d, choice) in zip(dimensions, combination) {
                let (label, value) = d.choices[choice]
                parameters.append(Variant.Parameter(path: d.pathText, label: label, value: d.isOverrideSet ? .string(label) : value))
                do {
                    if d.isOverrideSet, case .object(let sets) = value {
                        for m in sets { variantJSON = try variantJSON.setting(JSONPath.parse(m.key)!, to: m.value) }
                    } else {
                        variantJSON = try variantJSON.setting(d.path, to: value)
                    }
                } catch {
                    context.fail(.root.appending(d.isOverrideSet ? "variants" : "vary").appending(d.pathText), error.message)
                }
            }
            let name = parameters.isEmpty ? "base" : parameters.map(\.label).joined(separator: "_")
            let variantContext = DecodeContext()
            let scenario = decodeScenario(variantJSON, context: variantContext)
            for issue in variantContext.issues {
                if let k = issues.firstIndex(where: { $0.issue == issue }) { issues[k].count += 1 } else { issues.append((issue, name, 1)) }
            }
            if let scenario, variantContext.issues.isEmpty {
                variants.append(Variant(name: name, parameters: parameters, scenario: scenario))
            }
            if issues.count > 50 { break }
        }
        for (issue, variant, count) in issues {
            context.fail(issue.path, count == combinations.count ? issue.message : "\(issue.message) (in variant \(variant))")
        }
        if let long = variants.first(where: { $0.name.utf8.count > FileSafeName.maxVariantBytes }) {
            context.fail(.root.appending(long.parameters.count == 1 && long.parameters[0].path == "variants" ? "variants" : "vary"),
                "the variant name \(JSONValue.quote(String(long.name.prefix(60)) + "...")) is \(long.name.utf8.count) bytes long; it becomes the file name timeseries/<name>.csv, and file names are limited to 255 bytes, so at most \(FileSafeName.maxVariantBytes); give the values shorter labels ({\"label\": ..., \"value\": ...})")
        }
        var seen: [String: Int] = [:]
        for (i, v) in variants.enumerated() {
            if let first = seen[v.name] {
                context.fail(.root.appending("vary"), "variants \(first + 1) and \(i + 1) are both named \"\(v.name)\"; give their values distinct labels ({\"label\": ..., \"value\": ...})")
                break
            }
            seen[v.name] = i
        }
        guard context.issues.isEmpty, let first = variants.first else { throw ScenarioError(file: file, issues: context.issues) }
        return ScenarioSet(name: first.scenario.name, variedPaths: dimensions.map(\.pathText), variants: variants)
    }

    // MARK: top level

    static func decodeScenario(_ json: JSONValue, context: DecodeContext) -> Scenario? {
        guard let top = ObjectReader(json, at: .root, allowed: ScenarioKeys.top, context: context, what: "a JSON object (a scenario)")
        else { return nil }
        let name = decodeName(top)
        let description = top.string("description", required: false, default: "")
        let seed = decodeSeed(top)
        let duration = top.duration("duration", positive: true)
        var interval: SimDuration? = .seconds(1)
        if let metrics = top.value("metrics"),
            let reader = ObjectReader(metrics, at: .root.appending("metrics"), allowed: ScenarioKeys.metrics, context: context)
        {
            interval = reader.duration("interval", default: .seconds(1), positive: true)
        }
        var latency: Distribution? = .constant(value: .zero)
        if let network = top.value("network"),
            let reader = ObjectReader(network, at: .root.appending("network"), allowed: ScenarioKeys.network, context: context)
        {
            latency = decodeDistribution(reader, "latency", default: .constant(value: .zero))
        }
        let services = decodeServices(top)
        let clients = top.required("clients", expected: "an object").flatMap {
            decodeClients($0, at: .root.appending("clients"), services: services, context: context)
        }

        if let duration, let interval, duration.nanoseconds / interval.nanoseconds > Int64(ScenarioLimits.maxRows) {
            context.fail(.root.appending("metrics").appending("interval"),
                "\(DurationText.format(interval)) gives more than \(ScenarioLimits.maxRows) time-series rows over \(DurationText.format(duration)); choose a longer interval")
        }
        if let duration, let clients, let services, let latency {
            checkWorkload(duration: duration, clients: clients, services: services, latency: latency, context: context)
        }
        var expectations: [Expectation]? = []
        if let e = top.value("expect"), let services {
            expectations = decodeExpectations(e, at: .root.appending("expect"), services: services, context: context)
        }
        guard let name, let description, let seed, let duration, let interval, let latency, let services, let clients,
            let expectations
        else { return nil }
        var scenario = Scenario(
            name: name, description: description, seed: seed, duration: duration, metricsInterval: interval,
            networkLatency: latency, clients: clients, services: services)
        scenario.expectations = expectations
        return scenario
    }

    /// `"expect": { METRIC: {"min": x, "max": y}, ... }`, METRIC a summary column.
    static func decodeExpectations(_ json: JSONValue, at path: JSONPath, services: [Service], context: DecodeContext) -> [Expectation]? {
        guard case .object(let members) = json else {
            context.fail(path, "expected an object of METRIC: {\"min\": x, \"max\": y}, found \(json.kindDescription)")
            return nil
        }
        let known = Runner.metricColumns(services: services.map(\.name))
        var result: [Expectation] = []
        var failed = false
        for member in members {
            let here = path.appending(member.key)
            guard known.contains(member.key) else {
                var message = "unknown metric"
                if let guess = Suggest.closest(to: member.key, among: known) { message += "; did you mean \"\(guess)\"?" }
                else { message += "; expected a summary.csv column such as amplification, success_rate or latency_p99_ms" }
                context.fail(here, message)
                failed = true
                continue
            }
            // A boolean is shorthand for a 0/1 metric such as recovered: true means at least 1, false at most 0.
            if case .bool(let b) = member.value {
                result.append(Expectation(metric: member.key, min: b ? 1 : nil, max: b ? nil : 0))
                continue
            }
            guard let r = ObjectReader(member.value, at: here, allowed: ScenarioKeys.expectation, context: context,
                                       what: "an object {\"min\": x, \"max\": y} or true/false") else {
                failed = true
                continue
            }
            let range = -1e300...1e300
            let lo = r.has("min") ? r.number("min", in: range, expected: "a number") : nil
            let hi = r.has("max") ? r.number("max", in: range, expected: "a number") : nil
            if (r.has("min") && lo == nil) || (r.has("max") && hi == nil) { failed = true; continue }
            if lo == nil && hi == nil {
                context.fail(here, "expected \"min\", \"max\" or both")
                failed = true
                continue
            }
            if let lo, let hi, lo > hi {
                context.fail(here.appending("max"), "\(NumberFormat.shortest(hi)) is below min (\(NumberFormat.shortest(lo)))")
                failed = true
                continue
            }
            result.append(Expectation(metric: member.key, min: lo, max: hi))
        }
        return failed ? nil : result
    }

    /// Refuses runs that would not finish on a laptop: too many requests, or a closed loop that never lets
    /// simulated time advance.
    static func checkWorkload(
        duration: SimDuration, clients: Clients, services: [Service], latency: Distribution, context: DecodeContext
    ) {
        let arrivalPath = JSONPath.root.appending("clients").appending("arrival")
        let limit = "the limit is 1e9 per run (about 10 minutes of simulation)"
        switch clients.arrival {
        case .poisson(let rate, let until, _):
            let span = min(duration, until)
            let base = Double(clients.count) * rate
            let expected = ResourceEstimate.expectedRequests(clients, duration: duration, services: services, latency: latency)
            let loadNote = clients.load.isEmpty ? "" : " with the load changes"
            if expected > ScenarioLimits.maxExpectedRequests {
                context.fail(arrivalPath.appending("rate"),
                    "\(clients.count) clients at \(NumberFormat.shortest(rate))/s for \(DurationText.format(span))\(loadNote) make about \(NumberFormat.scientific(expected)) requests; \(limit); shorten the duration or lower the rate\(clients.load.isEmpty ? "" : " or the load multipliers")")
            } else {
                checkAttempts(expected, clients: clients, context: context)
            }
            let peak = clients.load.reduce(1.0) { $0 * max(1, $1.peak) }
            let candidates = base * peak * span.seconds
            if !clients.load.isEmpty && candidates > ScenarioLimits.maxThinningCandidates {
                context.fail(JSONPath.root.appending("clients").appending("load"),
                    "a peak load of x\(NumberFormat.shortest(peak)) makes the simulator draw about \(NumberFormat.scientific(candidates)) candidate arrivals (at the peak rate for the whole \(DurationText.format(span)), keeping a share that follows the load); the limit is \(NumberFormat.scientific(ScenarioLimits.maxThinningCandidates)); lower the multipliers, the clients' rate, or the duration")
            }
        case .closed:
            guard let cycle = ResourceEstimate.closedLoopCycle(clients, services: services, latency: latency) else { return }
            if cycle <= 0 {
                context.fail(arrivalPath.appending("think"),
                    "with zero think time, service time and network latency a closed-loop client sends requests forever without simulated time advancing; give think, serviceTime or network.latency a non-zero mean")
                return
            }
            let expected = ResourceEstimate.expectedRequests(clients, duration: duration, services: services, latency: latency)
            if expected > ScenarioLimits.maxExpectedRequests {
                context.fail(arrivalPath.appending("think"),
                    "\(clients.count) closed-loop clients cycling every \(NumberFormat.scientific(cycle / 1e9)) s for \(DurationText.format(duration)) make up to \(NumberFormat.scientific(expected)) requests; \(limit); shorten the duration or add think time")
            } else {
                checkAttempts(expected, clients: clients, context: context)
            }
        case .burst:
            checkAttempts(Double(clients.count), clients: clients, context: context)
        }
    }

    /// Refuses a run whose attempts, if every attempt failed and was retried, would take hours.
    static func checkAttempts(_ requests: Double, clients: Clients, context: DecodeContext) {
        let attempts = requests * Double(clients.policy.maxAttempts)
        if attempts > ScenarioLimits.maxWorstCaseAttempts {
            context.fail(JSONPath.root.appending("clients").appending("policy").appending("maxAttempts"),
                "about \(NumberFormat.scientific(requests)) requests with up to \(clients.policy.maxAttempts) attempts each make up to \(NumberFormat.scientific(attempts)) attempts when every attempt fails; the limit is \(NumberFormat.scientific(ScenarioLimits.maxWorstCaseAttempts)) (about an hour); lower maxAttempts, the number of requests, or the duration")
        }
    }

    /// The root seed: a JSON integer up to 2^53 (larger ones cannot be written exactly as JSON numbers, which are
    /// doubles to most readers), or a string of digits for the whole 64-bit range.
    static func decodeSeed(_ top: ObjectReader) -> UInt64? {
        let expected = "an integer from 0 to 9007199254740992 (2^53), or a string of digits up to \"18446744073709551615\" (2^64-1)"
        guard let v = top.value("seed") else { return 1 }
        switch v {
        case .number(let d) where d == d.rounded() && d >= 0 && d <= 9_007_199_254_740_992:
            return UInt64(d)
        case .string(let text):
            if let seed = UInt64(text), text.allSatisfy(\.isASCII) { return seed }
            top.context.fail(top.path.appending("seed"), "expected \(expected), found a string (\(JSONValue.quote(String(text.prefix(40)))))")
            return nil
        default:
            top.context.fail(top.path.appending("seed"), "expected \(expected), found \(v.kindDescription)")
            return nil
        }
    }

    static func decodeName(_ top: ObjectReader) -> String? {
        guard let name = top.string("name") else { return nil }
        if let problem = FileSafeName.problem(name) {
            top.context.fail(top.path.appending("name"), "\(JSONValue.quote(name)) \(problem); the name becomes the folder results/<name>")
            return nil
        }
        return name
    }

    // MARK: clients

    static func decodeClients(_ json: JSONValue, at path: JSONPath, services: [Service]?, context: DecodeContext) -> Clients? {
        guard let reader = ObjectReader(json, at: path, allowed: ScenarioKeys.clients, context: context) else { return nil }
        let count = reader.integer("count", in: 1...ScenarioLimits.maxClients,
            why: "each client keeps about 100 bytes of state; more than \(ScenarioLimits.maxClients) would not fit a laptop's memory")
        let hosts = reader.integer("hosts", in: 1...ScenarioLimits.maxClients, default: 1)
        if let hosts, let count, hosts > count {
            context.fail(path.appending("hosts"), "\(hosts) hosts for \(count) clients; expected at most one host per client")
        }
        let target = reader.string("target")
        if let target, let services, !services.contains(where: { $0.name == target }) {
            let names = services.map(\.name)
            var message = "\(JSONValue.quote(target)) names no service; expected one of: \(names.map(JSONValue.quote).joined(separator: ", "))"
            if let guess = Suggest.closest(to: target, among: names) { message += "; did you mean \"\(guess)\"?" }
            context.fail(path.appending("target"), message)
        }
        let arrival = reader.required("arrival", expected: "an object with a \"type\"").flatMap {
            decodeArrival($0, at: path.appending("arrival"), context: context)
        }
        var policy: RetryPolicy? = .noRetries
        if let p = reader.value("policy") { policy = decodePolicy(p, at: path.appending("policy"), context: context) }
        var load: [LoadChange]? = []
        if let l = reader.value("load") { load = decodeLoad(l, at: path.appending("load"), context: context) }
        if let load, !load.isEmpty, let arrival {
            if case .poisson = arrival {} else { context.fail(path.appending("load"), "load changes apply to poisson arrivals only") }
        }
        var deadline: SimDuration?? = .some(nil)
        if reader.has("deadline") { deadline = reader.duration("deadline", positive: true).map { .some($0) } }
        let propagate = reader.bool("propagateDeadline", default: false)
        guard let count, let hosts, let target, let arrival, let policy, hosts <= count, let load, let deadline, let propagate
        else { return nil }
        var clients = Clients(count: count, hosts: hosts, target: target, arrival: arrival, policy: policy)
        clients.load = load
        clients.deadline = deadline
        clients.propagateDeadline = propagate
        return clients
    }

    static func decodeLoad(_ json: JSONValue, at path: JSONPath, context: DecodeContext) -> [LoadChange]? {
        guard case .array(let items) = json else {
            context.fail(path, "expected an array of load changes, found \(json.kindDescription)")
            return nil
        }
        var result: [LoadChange] = []
        for (i, item) in items.enumerated() {
            let here = path.appending(i)
            guard let r = ObjectReader(item, at: here, allowed: ScenarioKeys.loadChange, context: context),
                let (from, to) = window(r, at: here),
                let multiplier = r.number("multiplier", in: 0...1e6, expected: "a rate multiplier from 0 to 1e6")
            else { return nil }
            var rampTo: Double?? = .some(nil)
            if r.has("rampTo") { rampTo = r.number("rampTo", in: 0...1e6, expected: "a rate multiplier from 0 to 1e6").map { .some($0) } }
            guard let rampTo else { return nil }
            result.append(LoadChange(from: from, to: to, multiplier: multiplier, rampTo: rampTo))
        }
        return result
    }

    static func decodeArrival(_ json: JSONValue, at path: JSONPath, context: DecodeContext) -> Arrival? {
        guard let type = typeField(json, at: path, key: "type", among: ScenarioKeys.arrivalTypes, context: context),
            let reader = ObjectReader(json, at: path, allowed: ScenarioKeys.arrival[type]!, context: context)
        else { return nil }
        switch type {
        case "burst":
            guard let at = reader.duration("at", default: .zero), let spread = reader.duration("spread", default: .zero)
            else { return nil }
            return .burst(at: at, spread: spread)
        case "poisson":
            let rate = reader.number("rate", in: 1e-9...1e9, expected: "requests per second per client, a number from 1e-9 to 1e9")
            var firstAt: SimDuration?? = .some(nil)
            if reader.has("firstAt") { firstAt = reader.duration("firstAt").map { .some($0) } }
            guard let rate, let until = reader.duration("until", default: .max), let firstAt else { return nil }
            return .poisson(ratePerSecond: rate, until: until, firstAt: firstAt)
        default:
            let think = decodeDistribution(reader, "think", default: .constant(value: .zero))
            guard let think, let until = reader.duration("until", default: .max) else { return nil }
            return .closed(think: think, until: until)
        }
    }

    static func decodeBackoff(_ json: JSONValue, at path: JSONPath, context: DecodeContext) -> Backoff? {
        guard let reader = ObjectReader(json, at: path, allowed: ScenarioKeys.backoff, context: context) else { return nil }
        let kind = reader.choice("type", among: Backoff.Kind.allCases.map(\.rawValue), default: "exponential")
        let base = reader.duration("base", default: .milliseconds(100))
        let multiplier = reader.number("multiplier", in: 1...1e6, default: 2, expected: "a number from 1 to 1e6")
        let max = reader.duration("max", default: .seconds(10))
        if let base, let max, max < base {
            context.fail(path.appending("max"), "\(DurationText.format(max)) is below base (\(DurationText.format(base))); expected max >= base")
            return nil
        }
        guard let kind, let base, let multiplier, let max else { return nil }
        return Backoff(kind: Backoff.Kind(rawValue: kind)!, base: base, multiplier: multiplier, max: max)
    }

    static func decodeJitter(_ json: JSONValue, at path: JSONPath, context: DecodeContext) -> Jitter? {
        let expected = "one of \"none\", \"full\", \"equal\", \"decorrelated\", \"decorrelated-finagle\" or {\"type\": \"proportional\", \"fraction\": 0.25}"
        switch json {
        case .string(let s):
            switch s {
            case "none": return Jitter.none
            case "full": return .full
            case "equal": return .equal
            case "decorrelated": return .decorrelated
            case "decorrelated-finagle": return .decorrelatedFinagle
            default:
                var message = "expected \(expected), found \(json.kindDescription)"
                if let guess = Suggest.closest(to: s, among: ScenarioKeys.jitterNames) { message += "; did you mean \"\(guess)\"?" }
                context.fail(path, message)
                return nil
            }
        case .object:
            guard let reader = ObjectReader(json, at: path, allowed: ScenarioKeys.jitterObject, context: context),
                reader.choice("type", among: ["proportional"]) != nil,
                let fraction = reader.number("fraction", in: 0...1, expected: "a fraction from 0 to 1")
            else { return nil }
            return .proportional(fraction: fraction)
        default:
            context.fail(path, "expected \(expected), found \(json.kindDescription)")
            return nil
        }
    }

    // MARK: services

    static func decodeServices(_ top: ObjectReader) -> [Service]? {
        let path = top.path.appending("services")
        guard let json = top.required("services", expected: "an array of services") else { return nil }
        guard case .array(let items) = json, !items.isEmpty else {
            top.context.fail(path, "expected a non-empty array of services, found \(json.kindDescription)")
            return nil
        }
        var services: [Service] = []
        var failed = false
        for (i, item) in items.enumerated() {
            if let service = decodeService(item, at: path.appending(i), context: top.context) {
                if services.contains(where: { $0.name == service.name }) {
                    top.context.fail(path.appending(i).appending("name"), "\(JSONValue.quote(service.name)) is used by an earlier service; names must be unique")
                    failed = true
                }
                services.append(service)
            } else {
                failed = true
            }
        }
        if failed { return nil }
        return checkCalls(services, at: path, context: top.context) ? services : nil
    }

    static func decodeService(_ json: JSONValue, at path: JSONPath, context: DecodeContext) -> Service? {
        var kind = Service.Kind.queue
        if case .object = json, let k = json["kind"] {
            guard case .string(let text) = k, let parsed = Service.Kind(rawValue: text) else {
                context.fail(path.appending("kind"), "expected one of \"queue\", \"occ\", \"proxy\", found \(k.kindDescription)")
                return nil
            }
            kind = parsed
        }
        let allowed = kind == .occ ? ScenarioKeys.occService : kind == .proxy ? ScenarioKeys.proxyService : ScenarioKeys.service
        guard let reader = ObjectReader(json, at: path, allowed: allowed, context: context) else { return nil }
        var name = reader.string("name")
        if let n = name, let problem = FileSafeName.problem(n, allowDots: false) {
            context.fail(path.appending("name"), "\(JSONValue.quote(n)) \(problem); service names become CSV column prefixes")
            name = nil
        }
        if kind == .occ {
            guard let name else { return nil }
            return Service(name: name, kind: .occ, workers: 1, queueCapacity: 0, serviceTime: .constant(value: .zero))
        }
        let calls = decodeCalls(reader, required: kind == .proxy)
        var callPolicy: RetryPolicy? = .noRetries
        if let p = reader.value("policy") { callPolicy = decodePolicy(p, at: path.appending("policy"), context: context) }
        if kind == .proxy {
            guard let name, let calls, let callPolicy else { return nil }
            var proxy = Service(name: name, kind: .proxy, workers: ScenarioLimits.maxWorkers, queueCapacity: 0,
                                serviceTime: .constant(value: .zero))
            proxy.calls = calls
            proxy.callPolicy = callPolicy
            proxy.async = true
            return proxy
        }
        let workers = reader.integer("workers", in: 1...ScenarioLimits.maxWorkers)
        var capacity: Int? = 1000
        var discipline: String? = "fifo"
        var queueTimeout: SimDuration?? = .some(nil)
        var codel: (SimDuration, SimDuration)?? = .some(nil)
        var adaptiveAfter: SimDuration? = .milliseconds(100)
        var dropExpired: Bool? = true
        if let q = reader.value("queue"),
            let queue = ObjectReader(q, at: path.appending("queue"), allowed: ScenarioKeys.queue, context: context)
        {
            capacity = queue.integer("capacity", in: 0...ScenarioLimits.maxQueueCapacity, default: 1000)
            discipline = queue.choice("discipline", among: Service.Discipline.allCases.map(\.rawValue), default: "fifo")
            if queue.has("timeout") { queueTimeout = queue.duration("timeout", positive: true).map { .some($0) } }
            adaptiveAfter = queue.duration("adaptiveAfter", default: .milliseconds(100))
            dropExpired = queue.bool("dropExpired", default: true)
            if let c = queue.value("codel"),
                let r = ObjectReader(c, at: path.appending("queue").appending("codel"), allowed: ScenarioKeys.codel, context: context)
            {
                let target = r.duration("target", default: .milliseconds(5), positive: true)
                let interval = r.duration("interval", default: .milliseconds(100), positive: true)
                codel = (target != nil && interval != nil) ? .some((target!, interval!)) : nil
            }
        }
        let afterCall = decodeDistribution(reader, "afterCall", default: .constant(value: .zero))
        let isAsync = reader.bool("async", default: false)
        let penalty = reader.duration("concurrencyPenalty", default: .zero)
        let serviceTime = decodeDistribution(reader, "serviceTime", default: nil)
        let errorRate = reader.probability("errorRate", default: 0)
        let nonRetryable = reader.probability("nonRetryableRate", default: 0)
        if let errorRate, let nonRetryable, errorRate + nonRetryable > 1 {
            context.fail(path.appending("nonRetryableRate"), "errorRate + nonRetryableRate is \(NumberFormat.shortest(errorRate + nonRetryable)); expected at most 1")
            return nil
        }
        var rateLimit: ServiceRateLimit?? = .some(nil)
        if let r = reader.value("rateLimit") { rateLimit = decodeServiceRateLimit(r, at: path.appending("rateLimit"), context: context).map { .some($0) } }
        var faults: [Fault]? = []
        if let f = reader.value("faults") { faults = decodeFaults(f, at: path.appending("faults"), context: context) }
        guard let name, let workers, let capacity, let discipline, let serviceTime, let errorRate, let nonRetryable, let rateLimit,
            let faults, let calls, let callPolicy, let queueTimeout, let codel, let adaptiveAfter, let dropExpired, let afterCall,
            let isAsync, let penalty
        else { return nil }
        var service = Service(
            name: name, workers: workers, queueCapacity: capacity, discipline: Service.Discipline(rawValue: discipline)!,
            serviceTime: serviceTime, errorRate: errorRate, nonRetryableRate: nonRetryable, rateLimit: rateLimit)
        service.faults = faults
        service.calls = calls
        service.callPolicy = callPolicy
        service.afterCall = afterCall
        service.async = isAsync
        service.concurrencyPenalty = penalty
        service.queueTimeout = queueTimeout
        service.codel = codel.map { (target: $0.0, interval: $0.1) }
        service.adaptiveAfter = adaptiveAfter
        service.dropExpired = dropExpired
        return service
    }

    /// `calls`: a service name or an array of them.
    static func decodeCalls(_ reader: ObjectReader, required: Bool) -> [String]? {
        let path = reader.path.appending("calls")
        guard let value = reader.value("calls") else {
            if required { reader.context.fail(path, "missing; expected the name of the service a proxy forwards to") ; return nil }
            return []
        }
        switch value {
        case .string(let s): return [s]
        case .array(let items) where !items.isEmpty:
            var names: [String] = []
            for (i, item) in items.enumerated() {
                guard case .string(let s) = item else {
                    reader.context.fail(path.appending(i), "expected a service name, found \(item.kindDescription)")
                    return nil
                }
                names.append(s)
            }
            return names
        default:
            reader.context.fail(path, "expected a service name or a non-empty array of them, found \(value.kindDescription)")
            return nil
        }
    }

    /// Every call names a service, and no chain comes back to where it started.
    static func checkCalls(_ services: [Service], at path: JSONPath, context: DecodeContext) -> Bool {
        let names = services.map(\.name)
        var ok = true
        for (i, s) in services.enumerated() {
            for (j, call) in s.calls.enumerated() where !names.contains(call) {
                var message = "\(JSONValue.quote(call)) names no service"
                if let guess = Suggest.closest(to: call, among: names) { message += "; did you mean \"\(guess)\"?" }
                context.fail(path.appending(i).appending("calls").appending(j), message)
                ok = false
            }
        }
        guard ok else { return false }
        // Depth-first search for a cycle.
        var state = [Int](repeating: 0, count: services.count)  // 0 new, 1 on the path, 2 done
        func visit(_ i: Int, _ trail: [String]) -> [String]? {
            if state[i] == 1 { return trail + [services[i].name] }
            if state[i] == 2 { return nil }
            state[i] = 1
            for call in services[i].calls {
                if let cycle = visit(names.firstIndex(of: call)!, trail + [services[i].name]) { return cycle }
            }
            state[i] = 2
            return nil
        }
        for i in services.indices {
            if let cycle = visit(i, []) {
                context.fail(path.appending(i).appending("calls"), "the calls form a cycle (\(cycle.joined(separator: " -> "))); a request would never finish")
                return false
            }
        }
        return true
    }

    /// A time window `from` ... `to` (to after from), shared by faults and load changes.
    static func window(_ r: ObjectReader, at here: JSONPath) -> (SimDuration, SimDuration)? {
        guard let from = r.duration("from"), let to = r.duration("to") else { return nil }
        guard to > from else {
            r.context.fail(here.appending("to"), "\(DurationText.format(to)) is not after from (\(DurationText.format(from)))")
            return nil
        }
        return (from, to)
    }

    static func decodeFaults(_ json: JSONValue, at path: JSONPath, context: DecodeContext) -> [Fault]? {
        guard case .array(let items) = json else {
            context.fail(path, "expected an array of faults, found \(json.kindDescription)")
            return nil
        }
        var faults: [Fault] = []
        var failed = false
        for (i, item) in items.enumerated() {
            let here = path.appending(i)
            guard let type = typeField(item, at: here, key: "type", among: ScenarioKeys.faultTypes, context: context),
                let r = ObjectReader(item, at: here, allowed: ScenarioKeys.fault[type]!, context: context),
                let (from, to) = window(r, at: here)
            else { failed = true; continue }
            let effect: Fault.Effect?
            switch type {
            case "outage":
                effect = r.choice("answer", among: ["error", "never"], default: "error").map { .outage(answered: $0 == "error") }
            case "capacity":
                effect = r.integer("workers", in: 0...ScenarioLimits.maxWorkers).map { .capacity(workers: $0) }
            case "slowdown":
                effect = r.number("factor", in: 0...1e6, expected: "a factor from 0 to 1e6").map { .slowdown(factor: $0) }
            default:
                effect = r.number("errorRate", in: 0...1, expected: "a probability from 0 to 1").map { .errorRate($0) }
            }
            guard let effect else { failed = true; continue }
            faults.append(Fault(from: from, to: to, effect: effect))
        }
        return failed ? nil : faults
    }

    static func decodeServiceRateLimit(_ json: JSONValue, at path: JSONPath, context: DecodeContext) -> ServiceRateLimit? {
        guard let reader = ObjectReader(json, at: path, allowed: ScenarioKeys.serviceRateLimit, context: context) else { return nil }
        let rate = reader.number("rate", in: 1e-6...1e12, expected: "attempts per second, a number from 1e-6 to 1e12")
        let burst = reader.number("burst", in: 1...1e12, default: rate.map { max(1, $0) } ?? 1, expected: "a number from 1 to 1e12")
        var retryAfter: SimDuration?? = .some(.seconds(1))
        if let v = reader.value("retryAfter") {
            retryAfter = v == .string("auto") ? .some(nil) : reader.duration("retryAfter").map { .some($0) }
        }
        guard let rate, let burst, let retryAfter else { return nil }
        return ServiceRateLimit(rate: rate, burst: burst, retryAfter: retryAfter)
    }

    // MARK: distributions

    static func decodeDistribution(_ parent: ObjectReader, _ key: String, default fallback: Distribution?) -> Distribution? {
        let expected = "a distribution object such as {\"dist\": \"exponential\", \"mean\": \"10ms\"}"
        guard let json = fallback == nil ? parent.required(key, expected: expected) : parent.value(key) else { return fallback }
        let path = parent.path.appending(key)
        let context = parent.context
        guard let dist = typeField(json, at: path, key: "dist", among: ScenarioKeys.distributionNames, context: context),
            let reader = ObjectReader(json, at: path, allowed: ScenarioKeys.distribution[dist]!, context: context)
        else { return nil }
        switch dist {
        case "constant":
            return reader.duration("value").map { .constant(value: $0) }
        case "exponential":
            return reader.duration("mean").map { .exponential(mean: $0) }
        case "uniform":
            guard let lo = reader.duration("min"), let hi = reader.duration("max") else { return nil }
            if hi < lo {
                context.fail(path.appending("max"), "\(DurationText.format(hi)) is below min (\(DurationText.format(lo))); expected max >= min")
                return nil
            }
            return .uniform(min: lo, max: hi)
        case "normal":
            guard let mean = reader.duration("mean"), let sd = reader.duration("stddev") else { return nil }
            return .normal(mean: mean, stddev: sd)
        default:
            guard let median = reader.duration("median"),
                let sigma = reader.number("sigma", in: 0...10, expected: "a number from 0 to 10 (the standard deviation of the log)")
            else { return nil }
            return .lognormal(median: median, sigma: sigma)
        }
    }

    /// Reads the discriminator (`type` or `dist`) of a tagged object before its other keys are checked.
    static func typeField(_ json: JSONValue, at path: JSONPath, key: String, among names: [String], context: DecodeContext) -> String? {
        let expected = "one of " + names.map { "\"\($0)\"" }.joined(separator: ", ")
        guard case .object = json else {
            context.fail(path, "expected an object with \"\(key)\": \(expected), found \(json.kindDescription)")
            return nil
        }
        guard let value = json[key] else {
            context.fail(path.appending(key), "missing; expected \(expected)")
            return nil
        }
        guard case .string(let s) = value, names.contains(s) else {
            var message = "expected \(expected), found \(value.kindDescription)"
            if case .string(let s) = value, let guess = Suggest.closest(to: s, among: names) { message += "; did you mean \"\(guess)\"?" }
            context.fail(path.appending(key), message)
            return nil
        }
        return s
    }
}

/// Names that become file or column names.
enum FileSafeName {
    /// The longest variant name: `<name>.csv` must fit a file name of 255 bytes (Linux, macOS).
    static let maxVariantBytes = 251

    /// Why `name` is not safe, or nil when it is.
    static func problem(_ name: String, allowDots: Bool = true) -> String? {
        if name.isEmpty { return "is empty" }
        if name.count > 100 { return "is longer than 100 characters" }
        let allowed = name.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_"
                || (allowDots && $0 == ".")
        }
        if !allowed {
            return allowDots
                ? "may contain only letters, digits, '.', '-' and '_' (no path separators)"
                : "may contain only letters, digits, '-' and '_'"
        }
        if name.hasPrefix(".") { return "may not start with '.'" }
        return nil
    }
}
