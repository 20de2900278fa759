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
    static func appendShortest(_ value: Double, to bytes: inout TextBytes) {
        if value == value.rounded(), abs(value) < 1e15 {
            appendInteger(Int64(value), to: &bytes)
        } else if !value.isNaN {
            bytes.append(shortest(value))
        }
    }

    /// Appends the bytes of `shortest(Double(nanoseconds) / 1e9)`, a time in seconds, from its integer nanoseconds.
    /// Below 10^15 ns, the decimal nanoseconds / 10^9 has at most 15 significant digits, and no other decimal of at
    /// most 15 digits reads back as the same Double (that is what 15 digits of precision means), so the shortest
    /// text is that decimal itself, trailing zeros dropped. Swift writes values from 10^-4 up in plain notation;
    /// anything else goes the general way.
    static func appendSeconds(nanoseconds ns: Int64, to bytes: inout TextBytes) {
        guard ns >= 100_000 && ns < 1_000_000_000_000_000 else {
            appendShortest(Double(ns) / 1e9, to: &bytes)
            return
        }
        bytes.appendBackwards(limit: 32) { end in
            var p = end
            var fraction = UInt64(ns % 1_000_000_000)
            if fraction != 0 {
                var digits = 9
                while fraction % 10 == 0 {
                    fraction /= 10
                    digits -= 1
                }
                for _ in 0..<digits {
                    p -= 1
                    p.pointee = UInt8(ascii: "0") &+ UInt8(fraction % 10)
                    fraction /= 10
                }
                p -= 1
                p.pointee = UInt8(ascii: ".")
            }
            return writeDigits(UInt64(ns / 1_000_000_000), endingAt: p)
        }
    }

    /// Appends the decimal digits of `value`.
    static func appendInteger(_ value: Int64, to bytes: inout TextBytes) {
        bytes.appendBackwards(limit: 24) { end in
            var p = writeDigits(value.magnitude, endingAt: end)
            if value < 0 {
                p -= 1
                p.pointee = UInt8(ascii: "-")
            }
            return p
        }
    }

    /// Writes the decimal digits of `value` so that they end just before `end`; returns where they start.
    private static func writeDigits(_ value: UInt64, endingAt end: UnsafeMutablePointer<UInt8>) -> UnsafeMutablePointer<UInt8> {
        var p = end
        var rest = value
        repeat {
            p -= 1
            p.pointee = UInt8(ascii: "0") &+ UInt8(rest % 10)
            rest /= 10
        } while rest > 0
        return p
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
