/// What `stormsim tune` looks for: minimise one summary metric subject to constraints, over the scenario's `vary`
/// (the candidates), under every condition at once. From the scenario's `"tune"` section, or the command line.
public struct TuneSpec: Equatable, Sendable {
    /// `METRIC >= x`, `METRIC <= x`, or `recovered` (recovered in every replication: `recovered >= 1`).
    public struct Constraint: Equatable, Sendable, CustomStringConvertible {
        public var metric: String
        public var bound: Double
        /// True for `>=`, false for `<=`.
        public var atLeast: Bool

        public init(metric: String, bound: Double, atLeast: Bool) {
            self.metric = metric
            self.bound = bound
            self.atLeast = atLeast
        }

        public var description: String {
            metric == "recovered" && atLeast && bound == 1 ? "recovered" : "\(metric) \(atLeast ? ">=" : "<=") \(NumberFormat.shortest(bound))"
        }

        /// Whether `value` meets it.
        public func holds(_ value: Double) -> Bool { atLeast ? value >= bound : value <= bound }

        /// Parses `success_rate >= 0.99`, `latency_p99_ms<=800` or `recovered`; nil when malformed.
        public static func parse(_ text: String) -> Constraint? {
            let t = text.filter { $0 != " " }
            if t == "recovered" { return Constraint(metric: "recovered", bound: 1, atLeast: true) }
            for (op, atLeast) in [(">=", true), ("<=", false)] {
                let parts = t.components(separatedBy: op)
                if parts.count == 2, !parts[0].isEmpty, let x = Double(parts[1]), x.isFinite {
                    return Constraint(metric: parts[0], bound: x, atLeast: atLeast)
                }
            }
            return nil
        }
    }

    public var minimize: String = SummaryMetric.amplification.rawValue
    public var constraints: [Constraint] = []
    /// The conditions' labels, in order (empty: the scenario as written is the one condition).
    public var conditions: [String] = []
    /// Replications a candidate gets at most.
    public var maxReplications: Int = 24

    public init() {}

    /// Every metric named must be a summary column of the scenario; returns the problems.
    public func problems(known: [String]) -> [(path: String, message: String)] {
        var result: [(String, String)] = []
        func check(_ metric: String, _ path: String) {
            guard !known.contains(metric) else { return }
            let guess = Suggest.closest(to: metric, among: known).map { "; did you mean \"\($0)\"?" } ?? ""
            result.append((path, "\(JSONValue.quote(metric)) is not a summary.csv column\(guess)"))
        }
        check(minimize, "tune.minimize")
        for (i, c) in constraints.enumerated() { check(c.metric, "tune.require[\(i)]") }
        return result
    }
}

extension ScenarioDecoder {
    /// Reads a `"tune"` section: `{"minimize": M, "require": ["success_rate >= 0.99", "recovered"],
    /// "conditions": [{"label": L, "set": {PATH: VALUE}}], "maxReplications": N}`. Returns the spec and the
    /// conditions as a `variants` list, which the caller adds to the document.
    static func decodeTune(_ json: JSONValue, context: DecodeContext) -> (TuneSpec, JSONValue?)? {
        let at = JSONPath.root.appending("tune")
        guard let r = ObjectReader(json, at: at, allowed: ScenarioKeys.tune, context: context) else { return nil }
        var spec = TuneSpec()
        if let m = r.string("minimize", required: false, default: spec.minimize) { spec.minimize = m }
        if let n = r.integer("maxReplications", in: 2...1_000, default: spec.maxReplications) { spec.maxReplications = n }
        if let req = r.value("require") {
            guard case .array(let items) = req else {
                context.fail(at.appending("require"), "expected an array of constraints such as \"success_rate >= 0.99\", found \(req.kindDescription)")
                return nil
            }
            for (i, item) in items.enumerated() {
                guard case .string(let text) = item, let c = TuneSpec.Constraint.parse(text) else {
                    context.fail(at.appending("require").appending(i), "expected \"METRIC >= NUMBER\", \"METRIC <= NUMBER\" or \"recovered\", found \(item.kindDescription)")
                    continue
                }
                spec.constraints.append(c)
            }
        }
        var conditions: JSONValue?
        if let c = r.value("conditions") {
            guard case .array(let items) = c, !items.isEmpty else {
                context.fail(at.appending("conditions"), "expected a non-empty array of {\"label\": NAME, \"set\": {PATH: VALUE}}, found \(c.kindDescription)")
                return nil
            }
            spec.conditions = items.compactMap { if case .string(let l)? = $0["label"] { return l } else { return nil } }
            conditions = c
        }
        return (spec, conditions)
    }
}
