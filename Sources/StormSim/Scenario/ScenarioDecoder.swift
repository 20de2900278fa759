import Foundation

/// Turns scenario JSON into a validated `Scenario`: fill defaults, check each value and every cross-field rule,
/// and report every problem with its JSON path (a pipeline in the manner of Ciw's `import_params`).
public enum ScenarioDecoder {
    /// Reads, overrides and decodes a scenario file.
    /// - Parameter file: the path as the user gave it; it names the file in every error.
    public static func load(file: String, overrides: [Override] = []) throws(ScenarioError) -> Scenario {
        try decode(text: readText(file: file), file: displayName(file), overrides: overrides)
    }

    /// How errors name a scenario file: "-" is standard input (relative paths in it, such as a trace file, are
    /// then relative to the working folder).
    public static func displayName(_ file: String) -> String { file == "-" ? "(standard input)" : file }

    static func readText(file: String) throws(ScenarioError) -> String {
        if file == "-" {
            guard let text = String(data: FileHandle.standardInput.readDataToEndOfFile(), encoding: .utf8) else {
                throw ScenarioError(file: displayName(file), issues: [ScenarioIssue(path: .root, message: "standard input is not UTF-8 text")])
            }
            return text
        }
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
        return try decodeSet(text: text, file: displayName(file), overrides: overrides)
    }

    /// Parses and decodes scenario text with all its variants.
    public static func decodeSet(text: String, file: String, overrides: [Override] = []) throws(ScenarioError) -> ScenarioSet {
        try decodeSet(text: text, file: file, overrides: overrides, log: nil)
    }

    static func decodeSet(text: String, file: String, overrides: [Override], log: ExplainLog?) throws(ScenarioError) -> ScenarioSet {
        let json: JSONValue
        do {
            json = try JSONParser.parse(text)
        } catch {
            throw ScenarioError(file: file, issues: [ScenarioIssue(path: .root, message: "not valid JSON: \(error)")])
        }
        return try decodeSet(json: json, file: file, overrides: overrides, log: log)
    }

    /// Applies overrides, expands `vary`, and decodes every variant. A problem that every variant has is
    /// reported once; one that only some have names the first variant that has it.
    public static func decodeSet(json: JSONValue, file: String, overrides: [Override] = []) throws(ScenarioError) -> ScenarioSet {
        try decodeSet(json: json, file: file, overrides: overrides, log: nil)
    }

    /// `decodeSet`, recording in `log` (when given) every value of the first variant and where it came from.
    static func decodeSet(json: JSONValue, file: String, overrides: [Override], log: ExplainLog?) throws(ScenarioError) -> ScenarioSet {
        var json = json
        for override in overrides {
            do {
                json = try json.setting(override.path, to: override.value)
            } catch {
                throw ScenarioError(file: file, issues: [ScenarioIssue(path: override.path, message: "--set: \(error.message)")])
            }
        }
        let context = DecodeContext(folder: (file as NSString).deletingLastPathComponent)
        var dimensions: [VariantExpansion.Dimension] = []
        var tune: TuneSpec?
        if case .object(var members) = json, let i = members.firstIndex(where: { $0.key == "tune" }) {
            let section = members.remove(at: i).value
            guard let (spec, conditions) = decodeTune(section, context: context), context.issues.isEmpty else {
                throw ScenarioError(file: file, issues: context.issues)
            }
            tune = spec
            if let conditions {
                guard !members.contains(where: { $0.key == "variants" }) else {
                    throw ScenarioError(file: file, issues: [ScenarioIssue(path: .root.appending("tune").appending("conditions"),
                        message: "a scenario with tune.conditions cannot also have \"variants\": put the settings to compare in \"vary\"")])
                }
                members.append(JSONMember(key: "variants", value: conditions))
            }
            json = .object(members)
        }
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

        if let log {
            log.overridden = overrides.map(\.path.description)
            for d in dimensions {
                if d.isOverrideSet, case .object(let sets)? = d.choices.first?.1 {
                    log.varied += sets.filter { !ScenarioKeys.isComment($0.key) }.map(\.key)
                } else {
                    log.varied.append(d.pathText)
                }
            }
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
                        for m in sets where !ScenarioKeys.isComment(m.key) { variantJSON = try variantJSON.setting(JSONPath.parse(m.key)!, to: m.value) }
                    } else {
                        variantJSON = try variantJSON.setting(d.path, to: value)
                    }
                } catch {
                    context.fail(.root.appending(d.isOverrideSet ? "variants" : "vary").appending(d.pathText), error.message)
                }
            }
            let name = parameters.isEmpty ? "base" : parameters.map(\.label).joined(separator: "_")
            let variantContext = context.variant()
            if variants.isEmpty && issues.isEmpty { variantContext.log = log }
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
        // Every variant's time series gets the same attempt_k columns: as many as the variant with the most.
        if variants.count > 1, let most = variants.map(\.scenario.clients.policy.attemptsPerRequest).max() {
            for i in variants.indices { variants[i].scenario.seriesAttempts = most }
        }
        var set = ScenarioSet(name: first.scenario.name, variedPaths: dimensions.map(\.pathText), variants: variants)
        if let tune {
            let problems = tune.problems(known: SummaryMetric.names(services: first.scenario.services.map(\.name)))
            guard problems.isEmpty else {
                throw ScenarioError(file: file, issues: problems.map { ScenarioIssue(path: JSONPath.parse($0.path) ?? .root, message: $0.message) })
            }
            set.tune = tune
        }
        return set
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
        if !top.has("metrics") { top.noteDefault("metrics.interval", "\"1s\"") }
        if !top.has("network") { top.noteDefault("network.latency", Distribution.constant(value: .zero).jsonText) }
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
        let known = SummaryMetric.names(services: services.map(\.name))
        var result: [Expectation] = []
        var failed = false
        for member in members where !ScenarioKeys.isComment(member.key) {
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
        else { reader.noteDefault("policy.timeout", "none"); reader.noteDefault("policy.maxAttempts", "1") }
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
        case "trace":
            let file = reader.string("file")
            let timeScale = reader.number("timeScale", in: 1e-6...1e6, default: 1, expected: "a factor on the trace's times, from 1e-6 to 1e6")
            let multiplier = reader.number("multiplier", in: 1e-6...1e6, default: 1, expected: "a factor on the trace's load, from 1e-6 to 1e6")
            guard let file, let timeScale, let multiplier else { return nil }
            return context.traces.trace(file: file, timeScale: timeScale, multiplier: multiplier) {
                TraceFile.read(file: file, folder: context.folder, timeScale: timeScale, multiplier: multiplier,
                               at: path.appending("file"), context: context)
            }.map { .trace($0) }
        default:
            let think = decodeDistribution(reader, "think", default: .constant(value: .zero))
            guard let think, let until = reader.duration("until", default: .max) else { return nil }
            return .closed(think: think, until: until)
        }
    }

    // MARK: distributions

    static func decodeDistribution(_ parent: ObjectReader, _ key: String, default fallback: Distribution?) -> Distribution? {
        let expected = "a distribution object such as {\"dist\": \"exponential\", \"mean\": \"10ms\"}"
        guard let json = fallback == nil ? parent.required(key, expected: expected) : parent.value(key) else {
            return parent.defaulted(key, fallback) { $0.jsonText }
        }
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
        context.log?.found(path.appending(key), value)
        return s
    }
}
