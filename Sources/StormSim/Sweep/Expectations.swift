/// Checks a scenario's expectations against the aggregated outputs.
public enum ExpectationCheck {
    public struct Violation: Equatable, Sendable, CustomStringConvertible {
        public var variant: String
        public var metric: String
        public var value: Double
        public var ci95: Double
        public var bound: String

        public var description: String {
            var text = "\(variant): \(metric) = \(NumberFormat.rounded(value, digits: 4))"
            if ci95.isFinite { text += " (95% CI ± \(NumberFormat.rounded(ci95, digits: 4)))" }
            return text + ", expected \(bound)"
        }
    }

    /// Every (variant, expectation) that fails: the value (with replications, the mean) is outside the bounds, or
    /// undefined (for example a latency when nothing succeeded).
    public static func violations(_ outputs: [Aggregator.VariantOutput], set: ScenarioSet) -> [Violation] {
        var result: [Violation] = []
        for (output, variant) in zip(outputs, set.variants) {
            for e in variant.scenario.expectations {
                let (value, ci) = output.means[e.metric] ?? (.nan, .nan)
                var bound: String?
                if let lo = e.min, !(value >= lo) { bound = ">= \(NumberFormat.shortest(lo))" }
                if let hi = e.max, !(value <= hi) { bound = "<= \(NumberFormat.shortest(hi))" }
                if let bound { result.append(Violation(variant: variant.name, metric: e.metric, value: value, ci95: ci, bound: bound)) }
            }
        }
        return result
    }
}
