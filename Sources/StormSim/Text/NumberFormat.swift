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

    /// Appends the bytes of `shortest(value)`, without making a String for an integral value.
    public static func appendShortest(_ value: Double, to bytes: inout [UInt8]) {
        if value == value.rounded(), abs(value) < 1e15 {
            appendInteger(Int64(value), to: &bytes)
        } else if !value.isNaN {
            var text = shortest(value)
            text.withUTF8 { bytes.append(contentsOf: $0) }
        }
    }

    /// Appends the bytes of `shortest(Double(nanoseconds) / 1e9)`, a time in seconds, from its integer nanoseconds.
    /// Below 10^15 ns, the decimal nanoseconds / 10^9 has at most 15 significant digits, and no other decimal of at
    /// most 15 digits reads back as the same Double (that is what 15 digits of precision means), so the shortest
    /// text is that decimal itself, trailing zeros dropped. Swift writes values from 10^-4 up in plain notation;
    /// anything else goes the general way.
    public static func appendSeconds(nanoseconds ns: Int64, to bytes: inout [UInt8]) {
        guard ns >= 100_000 && ns < 1_000_000_000_000_000 else {
            appendShortest(Double(ns) / 1e9, to: &bytes)
            return
        }
        appendInteger(ns / 1_000_000_000, to: &bytes)
        var fraction = ns % 1_000_000_000
        guard fraction != 0 else { return }
        var digits = 9
        while fraction % 10 == 0 {
            fraction /= 10
            digits -= 1
        }
        bytes.append(UInt8(ascii: "."))
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: digits))
        var i = start + digits - 1
        while fraction > 0 {
            bytes[i] = UInt8(ascii: "0") + UInt8(fraction % 10)
            fraction /= 10
            i -= 1
        }
    }

    /// Appends the decimal digits of `value`.
    static func appendInteger(_ value: Int64, to bytes: inout [UInt8]) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        let start = bytes.count
        repeat {
            bytes.append(UInt8(ascii: "0") + UInt8(magnitude % 10))
            magnitude /= 10
        } while magnitude > 0
        bytes[start...].reverse()
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
