/// Where each value of a decoded scenario came from, for `stormsim explain`: recorded by `ObjectReader` as the
/// decoder reads each key, whether the file gave it or a default filled it in.
final class ExplainLog {
    struct Entry: Equatable {
        var path: JSONPath
        var value: String
        var source: ExplainedValue.Source
    }

    private(set) var entries: [Entry] = []
    private var seen: Set<String> = []
    /// Paths (as text) that `--set` overrides wrote, and the `vary`/`variants` paths of the first variant.
    var overridden: [String] = []
    var varied: [String] = []
    /// Paths that a preset filled in, with the preset's name.
    private var presetPaths: [(path: String, name: String)] = []

    /// Records a value read from the document.
    func found(_ path: JSONPath, _ value: JSONValue) { add(path, value.compactText, source(of: path.description)) }

    /// Records a default the decoder used because the document had no such key.
    func defaulted(_ path: JSONPath, _ text: String) { add(path, text, .default) }

    /// Records that the members of `preset` that `given` lacks, at `path`, came from the preset `name`.
    func presetFilled(_ path: JSONPath, preset: JSONValue, given: JSONValue, name: String) {
        guard case .object(let members) = preset else { return }
        for member in members where !ScenarioKeys.isComment(member.key) {
            let here = path.appending(member.key)
            if let mine = given[member.key] {
                if case .object = mine, case .object = member.value {
                    presetFilled(here, preset: member.value, given: mine, name: name)
                }
            } else {
                presetPaths.append((here.description, name))
            }
        }
    }

    private func add(_ path: JSONPath, _ text: String, _ source: ExplainedValue.Source) {
        let key = path.description
        guard !seen.contains(key) else { return }
        seen.insert(key)
        entries.append(Entry(path: path, value: text, source: source))
    }

    private func source(of path: String) -> ExplainedValue.Source {
        func within(_ prefix: String) -> Bool {
            path == prefix || path.hasPrefix(prefix + ".") || path.hasPrefix(prefix + "[")
        }
        if varied.contains(where: within) { return .vary }
        if overridden.contains(where: within) { return .override }
        if let p = presetPaths.last(where: { within($0.path) }) { return .preset(p.name) }
        return .file
    }

    /// The values, leaves only: an entry whose path has recorded values below it (an object whose members were
    /// read one by one) is left out.
    var values: [ExplainedValue] {
        let texts = entries.map(\.path.description)
        var result: [ExplainedValue] = []
        for (i, entry) in entries.enumerated() {
            let prefix = texts[i]
            let hasChildren = texts.contains { $0.hasPrefix(prefix + ".") || $0.hasPrefix(prefix + "[") }
            if !hasChildren { result.append(ExplainedValue(path: prefix, value: entry.value, source: entry.source)) }
        }
        // In the order of a scenario file's top-level keys (the decoder reads the services before the clients).
        func rank(_ path: String) -> Int {
            let head = String(path.prefix { $0 != "." && $0 != "[" })
            return ScenarioKeys.top.firstIndex(of: head) ?? ScenarioKeys.top.count
        }
        return result.enumerated().sorted { (rank($0.element.path), $0.offset) < (rank($1.element.path), $1.offset) }.map(\.element)
    }
}

/// One value of an explained scenario: its path, its value as JSON text, and where it came from.
public struct ExplainedValue: Equatable, Sendable {
    public enum Source: Equatable, Sendable, CustomStringConvertible {
        case file, override, vary, preset(String), `default`

        public var description: String {
            switch self {
            case .file: return "file"
            case .override: return "--set"
            case .vary: return "vary"
            case .preset(let name): return "preset \(name)"
            case .default: return "default"
            }
        }
    }

    public var path: String
    public var value: String
    public var source: Source
}

extension Distribution {
    /// The distribution as the scenario format writes it.
    var jsonText: String {
        func d(_ x: SimDuration) -> String { JSONValue.quote(DurationText.format(x)) }
        switch self {
        case .constant(let v): return "{\"dist\":\"constant\",\"value\":\(d(v))}"
        case .exponential(let m): return "{\"dist\":\"exponential\",\"mean\":\(d(m))}"
        case .uniform(let lo, let hi): return "{\"dist\":\"uniform\",\"min\":\(d(lo)),\"max\":\(d(hi))}"
        case .normal(let m, let s): return "{\"dist\":\"normal\",\"mean\":\(d(m)),\"stddev\":\(d(s))}"
        case .lognormal(let median, let sigma): return "{\"dist\":\"lognormal\",\"median\":\(d(median)),\"sigma\":\(NumberFormat.shortest(sigma))}"
        }
    }
}

/// A scenario as `stormsim explain` shows it: every value of its first variant with where it came from, its
/// variants, and the warnings of all of them.
public struct ScenarioExplanation: Sendable {
    public var set: ScenarioSet
    public var values: [ExplainedValue]
    public var warnings: [ScenarioWarning]
}

extension ScenarioDecoder {
    /// Reads, overrides and decodes a scenario file, recording where each value of its first variant came from.
    public static func explain(file: String, overrides: [Override] = []) throws(ScenarioError) -> ScenarioExplanation {
        let log = ExplainLog()
        let set = try decodeSet(text: readText(file: file), file: displayName(file), overrides: overrides, log: log)
        return ScenarioExplanation(set: set, values: log.values, warnings: ScenarioWarnings.check(set))
    }
}
