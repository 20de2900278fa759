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
}

/// Expands `vary` into variants.
enum VariantExpansion {
    /// At most this many variants in one run.
    static let maxVariants = 100_000

    struct Dimension {
        var path: JSONPath
        var pathText: String
        var choices: [(label: String, value: JSONValue)]
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
        for member in members {
            let here = at.appending(member.key)
            guard let path = JSONPath.parse(member.key) else {
                context.fail(here, "\"\(member.key)\" is not a path (expected keys and indices such as services[0].workers)")
                continue
            }
            if case .key("vary") = path.components.first {
                context.fail(here, "vary cannot vary itself")
                continue
            }
            guard case .array(let items) = member.value, !items.isEmpty else {
                context.fail(here, "expected a non-empty array of values, found \(member.value.kindDescription)")
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
