/// One variant of a scenario: a name, the values it gives the varied keys, and the scenario it makes.
public struct Variant: Equatable, Sendable {
    /// File-safe and unique within the run: `timeseries/<name>.csv`.
    public var name: String
    /// For each varied path, in the order of `vary`, the value's label (or its JSON text if it has none).
    public var parameters: [Parameter]
    public var scenario: Scenario

    public struct Parameter: Equatable, Sendable {
        public var path: String
        public var label: String
        public var value: JSONValue
    }

    public init(name: String, parameters: [Parameter], scenario: Scenario) {
        self.name = name
        self.parameters = parameters
        self.scenario = scenario
    }
}

/// A scenario file with all its variants, decoded and validated.
public struct ScenarioSet: Equatable, Sendable {
    public var name: String
    /// The varied paths, in the order of `vary` (empty when nothing varies).
    public var variedPaths: [String]
    /// In a stable order: the cross product with the last varied path changing fastest.
    public var variants: [Variant]
    /// The scenario's `tune` section, if any. Its conditions are the first varied dimension (`variants`).
    public var tune: TuneSpec? = nil

    public init(name: String, variedPaths: [String], variants: [Variant]) {
        self.name = name
        self.variedPaths = variedPaths
        self.variants = variants
    }

    /// Whether some variant has a service of several instances (its results then include `instances.csv`).
    public var hasFleets: Bool { variants.contains { $0.scenario.services.contains { $0.instances > 1 } } }
}

/// Expands `vary` into variants.
enum VariantExpansion {
    /// At most this many variants in one run.
    static let maxVariants = 100_000

    struct Dimension {
        var path: JSONPath
        var pathText: String
        var choices: [(label: String, value: JSONValue)]
        /// For the `variants` list: each choice sets several paths at once (its value is an object of
        /// PATH: VALUE).
        var isOverrideSet = false
    }

    /// Reads `variants`: `[{"label": NAME, "set": {PATH: VALUE, ...}}, ...]`, one dimension of named override sets
    /// (combined with `vary`, if any, as the first dimension).
    static func overrideSets(_ json: JSONValue, context: DecodeContext) -> Dimension? {
        let at = JSONPath.root.appending("variants")
        guard case .array(let items) = json, !items.isEmpty else {
            context.fail(at, "expected a non-empty array of {\"label\": NAME, \"set\": {PATH: VALUE, ...}}, found \(json.kindDescription)")
            return nil
        }
        var choices: [(String, JSONValue)] = []
        for (i, item) in items.enumerated() {
            let here = at.appending(i)
            guard let r = ObjectReader(item, at: here, allowed: ["label", "set"], context: context),
                let label = r.string("label"), let set = r.required("set", expected: "an object of PATH: VALUE")
            else { continue }
            if let problem = FileSafeName.problem(label) {
                context.fail(here.appending("label"), "\(JSONValue.quote(label)) \(problem); labels become file names")
                continue
            }
            guard case .object(let members) = set else {
                context.fail(here.appending("set"), "expected an object of PATH: VALUE, found \(set.kindDescription)")
                continue
            }
            for m in members where JSONPath.parse(m.key) == nil && !ScenarioKeys.isComment(m.key) {
                context.fail(here.appending("set").appending(m.key), "\"\(m.key)\" is not a path (expected keys and indices such as services[0].workers)")
            }
            choices.append((label, set))
        }
        return Dimension(path: .root, pathText: "variants", choices: choices, isOverrideSet: true)
    }

    /// Reads `vary` from a scenario document: `{ PATH: [VALUE or {"label": L, "value": V}, ...], ... }`.
    static func dimensions(_ vary: JSONValue, context: DecodeContext) -> [Dimension]? {
        let at = JSONPath.root.appending("vary")
        guard case .object(let members) = vary else {
            context.fail(at, "expected an object of PATH: [values], found \(vary.kindDescription)")
            return nil
        }
        var result: [Dimension] = []
        var product = 1
        for member in members where !ScenarioKeys.isComment(member.key) {
            let here = at.appending(member.key)
            guard let path = JSONPath.parse(member.key) else {
                context.fail(here, "\"\(member.key)\" is not a path (expected keys and indices such as services[0].workers)")
                continue
            }
            if case .key("vary") = path.components.first {
                context.fail(here, "vary cannot vary itself")
                continue
            }
            var values = member.value
            if case .object = values {
                guard let expanded = expandRange(values, at: here, context: context) else { continue }
                values = .array(expanded)
            }
            guard case .array(let items) = values, !items.isEmpty else {
                context.fail(here, "expected a non-empty array of values or a range {\"from\", \"to\", \"step\" or \"count\"}, found \(member.value.kindDescription)")
                continue
            }
            var choices: [(String, JSONValue)] = []
            for (i, item) in items.enumerated() {
                if case .object(let m) = item, m.count == 2, case .string(let label)? = item["label"], let value = item["value"] {
                    if let problem = FileSafeName.problem(label) {
                        context.fail(here.appending(i).appending("label"), "\(JSONValue.quote(label)) \(problem); labels become file names")
                    }
                    choices.append((label, value))
                } else {
                    choices.append((autoLabel(item), item))
                }
            }
            result.append(Dimension(path: path, pathText: member.key, choices: choices))
            product = product.multipliedReportingOverflow(by: choices.count).overflow ? Int.max : product * choices.count
        }
        if product > maxVariants {
            context.fail(at, "makes \(product == Int.max ? "too many" : String(product)) variants; at most \(maxVariants) per run (split the sweep, or use --shard)")
            return nil
        }
        return result
    }

    /// Most values one range may make.
    static let maxRangeValues = 10_000

    /// A range: `{"from": 0.05, "to": 0.5, "step": 0.05}`, or `{"from": "10ms", "to": "10s", "count": 7,
    /// "scale": "log"}`. Numbers or durations; both ends included; log scale spaces values by equal ratios, rounded
    /// to 3 significant digits.
    static func expandRange(_ json: JSONValue, at path: JSONPath, context: DecodeContext) -> [JSONValue]? {
        guard let r = ObjectReader(json, at: path, allowed: ["from", "to", "step", "count", "scale"], context: context) else { return nil }
        let scale = r.choice("scale", among: ["linear", "log"], default: "linear")
        guard let fromValue = r.required("from", expected: "a number or a duration"),
            let toValue = r.required("to", expected: "a number or a duration")
        else { return nil }
        // Numbers, or durations (then values are durations too, in nanoseconds until formatted).
        let isDuration: Bool
        var from = 0.0, to = 0.0
        switch (fromValue, toValue) {
        case (.number(let a), .number(let b)):
            isDuration = false
            (from, to) = (a, b)
        case (.string, .string):
            guard case .success(let a) = DurationText.parse(fromValue), case .success(let b) = DurationText.parse(toValue) else {
                context.fail(path, "from and to must both be numbers or both be durations such as \"10ms\"")
                return nil
            }
            isDuration = true
            (from, to) = (Double(a.nanoseconds), Double(b.nanoseconds))
        default:
            context.fail(path, "from and to must both be numbers or both be durations such as \"10ms\"")
            return nil
        }
        var points: [Double] = []
        if r.has("count") {
            guard let n = r.integer("count", in: 2...maxRangeValues) else { return nil }
            if scale == "log" {
                guard from > 0, to > 0 else {
                    context.fail(path, "a log-scale range needs from and to above zero")
                    return nil
                }
                let ratio = to / from
                points = (0..<n).map { i in i == n - 1 ? to : from * PortableMath.exp(PortableMath.log(ratio) * Double(i) / Double(n - 1)) }
            } else {
                points = (0..<n).map { i in i == n - 1 ? to : from + (to - from) * Double(i) / Double(n - 1) }
            }
        } else if r.has("step") {
            guard scale == "linear" else {
                context.fail(path.appending("step"), "a log-scale range takes \"count\", not \"step\"")
                return nil
            }
            var step = 0.0
            if isDuration {
                guard case .success(let d) = DurationText.parse(r.value("step")!), d.nanoseconds > 0 else {
                    context.fail(path.appending("step"), "expected a positive duration such as \"10ms\"")
                    return nil
                }
                step = Double(d.nanoseconds)
            } else {
                guard let s = r.number("step", in: 1e-300...1e300, expected: "a positive number") else { return nil }
                step = s
            }
            let n = ((to - from) / step * (1 + 1e-12)).rounded(.down) + 1
            guard to >= from else {
                context.fail(path.appending("to"), "is below from; a range with a step counts upwards")
                return nil
            }
            guard n <= Double(maxRangeValues) else {
                context.fail(path, "makes \(NumberFormat.scientific(n)) values; at most \(maxRangeValues)")
                return nil
            }
            // Each value from the start (not by repeated addition), rounded to 12 significant digits, so that
            // 0.05 + 5 * 0.05 is 0.3, not 0.30000000000000004.
            points = (0..<Int(n)).map { from + step * Double($0) }
        } else {
            context.fail(path, "a range needs \"step\" or \"count\"")
            return nil
        }
        // Log-spaced values are rounded to 3 significant digits (316ms, not 316.227766ms); linear ones to 12.
        let digits = scale == "log" ? 3 : 12
        return points.map { x in
            let rounded = roundSignificant(x, digits: digits)
            if isDuration { return .string(DurationText.format(SimDuration(nanoseconds: Int64(rounded.rounded())))) }
            return .number(rounded)
        }
    }

    /// `x` rounded to `digits` significant digits (by powers of ten computed exactly, so results are portable).
    static func roundSignificant(_ x: Double, digits: Int) -> Double {
        guard x != 0, x.isFinite else { return x }
        let magnitude = Int((PortableMath.log(abs(x)) / PortableMath.log(10)).rounded(.down))
        let shift = digits - 1 - magnitude
        if shift >= 0 {
            let scale = PortableMath.power(10, shift)
            return scale > 1e300 ? x : (x * scale).rounded() / scale
        }
        let scale = PortableMath.power(10, -shift)
        return (x / scale).rounded() * scale
    }

    /// A file-safe label from a value: strings and numbers as written, objects from their scalar members.
    static func autoLabel(_ value: JSONValue) -> String {
        var text: String
        switch value {
        case .string(let s): text = s
        case .number(let d): text = NumberFormat.shortest(d)
        case .bool(let b): text = b ? "true" : "false"
        case .null: text = "null"
        case .array(let items): text = items.map(autoLabel).joined(separator: "-")
        case .object(let members): text = members.map { autoLabel($0.value) }.joined(separator: "-")
        }
        let safe = String(text.unicodeScalars.map { scalar -> Character in
            let ok = ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
                || scalar == "-" || scalar == "_" || scalar == "."
            return ok ? Character(scalar) : "-"
        })
        var trimmed = String(safe.prefix(60))
        while trimmed.hasPrefix(".") { trimmed.removeFirst() }
        return trimmed.isEmpty ? "value" : trimmed
    }

    /// Every combination, last dimension fastest.
    static func combinations(_ dimensions: [Dimension]) -> [[Int]] {
        var result: [[Int]] = [[]]
        for dimension in dimensions {
            result = result.flatMap { prefix in dimension.choices.indices.map { prefix + [$0] } }
        }
        return result
    }
}
