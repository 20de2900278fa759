import Foundation

/// Durations in scenario files: a number and a unit, `"250ms"`, `"1.5s"`, `"2m"`, `"100us"`, `"10ns"`, `"1h"`.
public enum DurationText {
    /// The longest duration a scenario may name: 10^9 seconds (about 31.7 years), so that sums of durations stay
    /// far from Int64 nanoseconds' limit.
    public static let maxSeconds = 1e9
    static let expected = "a duration string such as \"250ms\" (units: ns, us, ms, s, m, h)"

    static let units: [(String, Double)] = [
        ("ns", 1), ("us", 1e3), ("µs", 1e3), ("ms", 1e6), ("s", 1e9), ("m", 60e9), ("h", 3600e9),
    ]

    public enum Result: Equatable { case success(SimDuration), failure(String) }

    public static func parse(_ value: JSONValue) -> Result {
        guard case .string(let text) = value else {
            if case .number(let n) = value {
                return .failure("expected \(expected), found a number (\(NumberFormat.shortest(n))); add a unit, e.g. \"\(NumberFormat.shortest(n))ms\" or \"\(NumberFormat.shortest(n))s\"")
            }
            return .failure("expected \(expected), found \(value.kindDescription)")
        }
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let numberPart = trimmed.prefix { $0.isNumber || $0 == "." || $0 == "e" || $0 == "E" || $0 == "+" || $0 == "-" }
        // "1e3s" is fine, but the "e" of a unit must not be eaten: back off trailing exponent letters.
        var numberText = String(numberPart)
        while let last = numberText.last, last == "e" || last == "E" || last == "+" || last == "-" { numberText.removeLast() }
        let unit = trimmed.dropFirst(numberText.count).trimmingCharacters(in: .whitespaces)
        guard !numberText.isEmpty, let number = Double(numberText) else {
            return .failure("expected \(expected), found \(value.compactText)")
        }
        if unit.isEmpty {
            return .failure("\(value.compactText) has no unit; expected \(expected)")
        }
        guard let scale = units.first(where: { $0.0 == unit })?.1 else {
            return .failure("\(value.compactText) has an unknown unit \"\(unit)\"; expected one of ns, us, ms, s, m, h")
        }
        guard number.isFinite, number >= 0 else {
            return .failure("expected a non-negative duration, found \(value.compactText)")
        }
        let seconds = number * scale / 1e9
        guard seconds <= maxSeconds else {
            return .failure("\(value.compactText) is too long; at most 1e9 s (about 31 years)")
        }
        return .success(SimDuration(nanoseconds: Int64((number * scale).rounded())))
    }

    /// Formats a duration with the largest unit that keeps it exact-ish: `1.5s`, `250ms`, `100us`, `10ns`.
    public static func format(_ d: SimDuration) -> String {
        let ns = d.nanoseconds
        if ns == 0 { return "0s" }
        if ns % 1_000_000_000 == 0 { return "\(ns / 1_000_000_000)s" }
        if ns >= 1_000_000_000 { return NumberFormat.shortest(Double(ns) / 1e9) + "s" }
        if ns % 1_000_000 == 0 || ns >= 1_000_000 { return NumberFormat.shortest(Double(ns) / 1e6) + "ms" }
        if ns % 1_000 == 0 || ns >= 1_000 { return NumberFormat.shortest(Double(ns) / 1e3) + "us" }
        return "\(ns)ns"
    }
}
