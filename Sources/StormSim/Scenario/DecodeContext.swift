/// Collects problems while a scenario is decoded, so that all of them are reported at once.
final class DecodeContext {
    var issues: [ScenarioIssue] = []
    /// The scenario file's folder, which files it names (a trace) are relative to ("" for the working folder).
    let folder: String
    /// Trace files already read, by path and options: every variant of a sweep shares one read.
    let traces: TraceCache
    /// Set by `stormsim explain`: records every value read and every default used.
    var log: ExplainLog?

    init(folder: String = "", traces: TraceCache = TraceCache()) {
        self.folder = folder
        self.traces = traces
    }

    /// A context for decoding one variant: the same folder and trace cache, its own problems.
    func variant() -> DecodeContext { DecodeContext(folder: folder, traces: traces) }

    /// Records a problem. A message that echoes a huge value is cut in its middle, so the beginning (what was
    /// found) and the end (what was expected, a suggestion) stay.
    func fail(_ path: JSONPath, _ message: String) {
        if issues.count == Self.maxIssues {
            issues.append(ScenarioIssue(path: .root, message: "more problems follow; fix these first (at most \(Self.maxIssues) are reported)"))
        }
        guard issues.count < Self.maxIssues else { return }
        issues.append(ScenarioIssue(path: path, message: Self.capped(message)))
    }

    /// Problems reported at most: enough for any real file, and a bound on the work a hostile one causes.
    static let maxIssues = 100

    static let maxMessage = 1_000

    static func capped(_ message: String) -> String {
        guard message.count > maxMessage else { return message }
        return String(message.prefix(maxMessage / 2)) + " [... \(message.count - maxMessage) characters cut ...] " + String(message.suffix(maxMessage / 2))
    }
}

/// Reads one JSON object: checks its keys against the allowed ones and decodes typed members.
///
/// Unknown keys are reported with the closest allowed key as a suggestion; keys that start with "//" are comments
/// and are ignored. Every typed read either returns a
/// valid value or records why not and returns nil.
struct ObjectReader {
    let path: JSONPath
    let members: [JSONMember]
    let context: DecodeContext

    /// Returns nil (after recording the problem) when `value` is not an object.
    init?(_ value: JSONValue, at path: JSONPath, allowed: [String], context: DecodeContext, what: String = "an object") {
        guard case .object(let members) = value else {
            context.fail(path, "expected \(what), found \(value.kindDescription)")
            return nil
        }
        self.path = path
        self.members = members
        self.context = context
        for member in members where !allowed.contains(member.key) && !ScenarioKeys.isComment(member.key) {
            let memberPath = path.appending(member.key)
            if let guess = Suggest.closest(to: member.key, among: allowed) {
                context.fail(memberPath, "unknown key; did you mean \"\(guess)\"?")
            } else {
                context.fail(memberPath, "unknown key; expected one of: \(allowed.joined(separator: ", "))")
            }
        }
    }

    func has(_ key: String) -> Bool { members.contains { $0.key == key } }

    /// The member, recorded for `explain` when present.
    func value(_ key: String) -> JSONValue? {
        let found = members.last { $0.key == key }?.value
        if let log = context.log, let found { log.found(path.appending(key), found) }
        return found
    }

    /// Returns a default the caller uses for a missing key, recorded for `explain` as `text`.
    func defaulted<T>(_ key: String, _ value: T?, _ text: (T) -> String) -> T? {
        if let log = context.log, let value { log.defaulted(path.appending(key), text(value)) }
        return value
    }

    /// Records for `explain` a default that a decoder applies itself (`key` may be a dotted path below this object).
    func noteDefault(_ key: String, _ text: String) {
        guard let log = context.log else { return }
        var here = path
        for part in key.split(separator: ".") { here = here.appending(String(part)) }
        log.defaulted(here, text)
    }

    /// The member, or nil after recording that it is missing.
    func required(_ key: String, expected: String) -> JSONValue? {
        if let v = value(key) { return v }
        context.fail(path.appending(key), "missing; expected \(expected)")
        return nil
    }

    func string(_ key: String, required: Bool = true, default fallback: String? = nil) -> String? {
        let expected = "a string"
        guard let v = required ? self.required(key, expected: expected) : value(key) else { return defaulted(key, fallback, JSONValue.quote) }
        guard case .string(let s) = v else {
            context.fail(path.appending(key), "expected \(expected), found \(v.kindDescription)")
            return nil
        }
        return s
    }

    /// One of a fixed set of strings.
    func choice(_ key: String, among choices: [String], default fallback: String? = nil) -> String? {
        let expected = "one of " + choices.map { "\"\($0)\"" }.joined(separator: ", ")
        guard let v = fallback == nil ? required(key, expected: expected) : value(key) else { return defaulted(key, fallback, JSONValue.quote) }
        guard case .string(let s) = v, choices.contains(s) else {
            var message = "expected \(expected), found \(v.kindDescription)"
            if case .string(let s) = v, let guess = Suggest.closest(to: s, among: choices) {
                message += "; did you mean \"\(guess)\"?"
            }
            context.fail(path.appending(key), message)
            return nil
        }
        return s
    }

    /// An integer in `range`, given as a JSON number with no fractional part. Checked before any conversion, so a
    /// huge value is an error, never a trap.
    func integer(_ key: String, in range: ClosedRange<Int>, default fallback: Int? = nil, why: String? = nil) -> Int? {
        let expected = ObjectReader.describe(range)
        guard let v = fallback == nil ? required(key, expected: expected) : value(key) else { return defaulted(key, fallback) { "\($0)" } }
        guard case .number(let d) = v, d == d.rounded() else {
            context.fail(path.appending(key), "expected \(expected), found \(v.kindDescription)")
            return nil
        }
        guard d >= Double(range.lowerBound), d <= Double(range.upperBound) else {
            var message = "expected \(expected), found \(v.compactText)"
            if let why, d > Double(range.upperBound) { message += " (\(why))" }
            context.fail(path.appending(key), message)
            return nil
        }
        return Int(d)
    }

    /// A finite number in `range`.
    func number(_ key: String, in range: ClosedRange<Double>, default fallback: Double? = nil, expected: String? = nil) -> Double? {
        let expected = expected ?? "a number from \(NumberFormat.shortest(range.lowerBound)) to \(NumberFormat.shortest(range.upperBound))"
        guard let v = fallback == nil ? required(key, expected: expected) : value(key) else { return defaulted(key, fallback, NumberFormat.shortest) }
        guard case .number(let d) = v, range.contains(d) else {
            context.fail(path.appending(key), "expected \(expected), found \(v.kindDescription)")
            return nil
        }
        return d
    }

    func bool(_ key: String, default fallback: Bool) -> Bool? {
        guard let v = value(key) else { return defaulted(key, fallback) { $0 ? "true" : "false" } }
        guard case .bool(let b) = v else {
            context.fail(path.appending(key), "expected true or false, found \(v.kindDescription)")
            return nil
        }
        return b
    }

    func probability(_ key: String, default fallback: Double) -> Double? {
        number(key, in: 0...1, default: fallback, expected: "a probability from 0 to 1")
    }

    /// A duration string such as `"250ms"`.
    func duration(_ key: String, default fallback: SimDuration? = nil, positive: Bool = false) -> SimDuration? {
        guard let v = fallback == nil ? required(key, expected: DurationText.expected) : value(key) else {
            return defaulted(key, fallback) { $0 == .max ? "none" : JSONValue.quote(DurationText.format($0)) }
        }
        switch DurationText.parse(v) {
        case .success(let d):
            if positive && d == .zero {
                context.fail(path.appending(key), "expected a duration greater than zero, found \(v.compactText)")
                return nil
            }
            return d
        case .failure(let message):
            context.fail(path.appending(key), message)
            return nil
        }
    }

    static func describe(_ range: ClosedRange<Int>) -> String {
        if range.upperBound == Int.max { return "an integer of at least \(range.lowerBound)" }
        return "an integer from \(range.lowerBound) to \(range.upperBound)"
    }
}

/// "Did you mean": the allowed word closest to a misspelt one by edit distance, if close enough.
public enum Suggest {
    /// Longest word worth a suggestion: a typo of a key or name is short, and the distance costs length x length.
    static let maxWord = 64

    public static func closest(to word: String, among candidates: [String]) -> String? {
        guard word.count <= maxWord else { return nil }
        let lowered = word.lowercased()
        var best: (String, Int)?
        for candidate in candidates {
            let d = distance(lowered, candidate.lowercased())
            if best == nil || d < best!.1 { best = (candidate, d) }
        }
        guard let (candidate, d) = best else { return nil }
        let limit = max(1, min(3, candidate.count / 3))
        return d <= limit ? candidate : nil
    }

    /// Damerau-Levenshtein (optimal string alignment) distance: a transposition counts as one edit.
    static func distance(_ a: String, _ b: String) -> Int {
        let x = Array(a), y = Array(b)
        if x.isEmpty { return y.count }
        if y.isEmpty { return x.count }
        var d = [[Int]](repeating: [Int](repeating: 0, count: y.count + 1), count: x.count + 1)
        for i in 0...x.count { d[i][0] = i }
        for j in 0...y.count { d[0][j] = j }
        for i in 1...x.count {
            for j in 1...y.count {
                let cost = x[i - 1] == y[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, x[i - 1] == y[j - 2], x[i - 2] == y[j - 1] { d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1) }
            }
        }
        return d[x.count][y.count]
    }
}
