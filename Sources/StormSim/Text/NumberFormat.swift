import Foundation

/// Deterministic number text for CSV and messages.
public enum NumberFormat {
    /// The shortest text that reads back as the same Double (Swift's own algorithm, the same on every platform),
    /// with integral values written without ".0". NaN is written as an empty cell (gnuplot and pandas read it as
    /// missing); infinities as `inf` / `-inf`.
    public static func shortest(_ value: Double) -> String {
        if value.isNaN { return "" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        if value == value.rounded(), abs(value) < 1e15 {
            return value == 0 ? "0" : String(Int64(value))
        }
        return value.description
    }

    /// A value rounded to `digits` decimal places, then written shortest (for human-facing output).
    public static func rounded(_ value: Double, digits: Int) -> String {
        guard value.isFinite else { return shortest(value) }
        let scale = pow(10.0, Double(digits))
        return shortest((value * scale).rounded() / scale)
    }

    /// Three significant digits in scientific form, for messages: `1.23e10`.
    public static func scientific(_ value: Double) -> String {
        guard value.isFinite, value > 0 else { return shortest(value) }
        let exponent = floor(log10(value))
        let mantissa = (value / pow(10, exponent) * 100).rounded() / 100
        return "\(shortest(mantissa))e\(Int(exponent))"
    }
}
