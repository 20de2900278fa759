/// Elementary functions built only from IEEE 754 basic operations (+, -, *, /, sqrt), which every platform
/// rounds identically. The platform's libm (glibc, Apple's libm) may differ in the last bit, and one differing
/// sample would change every later event: these keep results byte-identical across Linux and macOS.
///
/// Accuracy: within a few units in the last place over the ranges the simulator uses (tests compare with libm).
public enum PortableMath {
    static let ln2Hi = 6.93147180369123816490e-01  // ln 2, upper bits (exact product with small integers)
    static let ln2Lo = 1.90821492927058770002e-10  // ln 2 - ln2Hi

    /// Natural logarithm. NaN for negative inputs, -inf for 0.
    public static func log(_ x: Double) -> Double {
        if x.isNaN || x < 0 { return .nan }
        if x == 0 { return -.infinity }
        if x.isInfinite { return x }
        // x = m * 2^k with m in [sqrt(1/2), sqrt(2)).
        var (k, m) = exponentAndSignificand(x)
        if m > 1.4142135623730951 {
            m /= 2
            k += 1
        }
        // log(m) = 2 atanh(s), s = (m - 1) / (m + 1), |s| <= 0.1716: the odd series converges fast.
        let f = m - 1
        let s = f / (2 + f)
        let s2 = s * s
        var term = s2
        var sum = 0.0
        var denominator = 3.0
        // s^2 <= 0.0295; 14 terms leave a relative error below 1e-22.
        for _ in 0..<14 {
            sum += term / denominator
            term *= s2
            denominator += 2
        }
        let logm = 2 * s + 2 * s * sum
        let kd = Double(k)
        return kd * ln2Hi + (logm + kd * ln2Lo)
    }

    /// `(Int(x.exponent), x.significand)` of a positive finite x, the significand in [1, 2). Normal numbers are
    /// read off the bits (no call into the standard library on the hot path); subnormals take the slow path.
    @inline(__always)
    static func exponentAndSignificand(_ x: Double) -> (Int, Double) {
        let biased = Int(truncatingIfNeeded: x.bitPattern >> 52)  // x > 0: no sign bit
        guard biased != 0 else { return (Int(x.exponent), x.significand) }
        return (biased - 1023, Double(bitPattern: x.bitPattern & 0x000F_FFFF_FFFF_FFFF | 0x3FF0_0000_0000_0000))
    }

    /// e^x. Overflows to +inf above about 709.78, underflows to 0 below about -745.
    public static func exp(_ x: Double) -> Double {
        if x.isNaN { return x }
        if x > 709.782712893384 { return .infinity }
        if x < -745.1332191019412 { return 0 }
        // x = k ln2 + r with |r| <= ln2 / 2.
        let k = (x * 1.4426950408889634).rounded(.toNearestOrEven)
        let r = (x - k * ln2Hi) - k * ln2Lo
        // Taylor series of e^r to degree 16 (|r|^17 / 17! < 1e-22 for |r| <= 0.347), nested from the highest
        // term down: e^r = 1 + r (1 + r/2 (1 + r/3 (...))), so the largest rounding happens last, once.
        var q = 1.0
        for i in stride(from: 16, through: 2, by: -1) {
            q = 1 + r * q / Double(i)
        }
        return scale(1 + r * q, Int(k))
    }

    /// base^n for an integer n >= 0 by repeated squaring: only multiplications, so the same bits everywhere.
    /// At most 63 rounds for any n; an overflow gives +inf (which a backoff cap then caps).
    public static func power(_ base: Double, _ n: Int) -> Double {
        var result = 1.0, b = base, e = n
        while e > 0 {
            if e & 1 == 1 { result *= b }
            e >>= 1
            if e > 0 { b *= b }
        }
        return result
    }

    /// x * 2^k, exact unless the result is subnormal.
    static func scale(_ x: Double, _ k: Int) -> Double {
        var x = x, k = k
        while k > 1023 { x *= 0x1p1023; k -= 1023 }
        while k < -1022 { x *= 0x1p-1022; k += 1022 }
        return x * Double(sign: .plus, exponent: k, significand: 1)
    }
}

extension PortableMath {
    /// Cube root by Newton's method from a bit-level first guess: only basic operations.
    public static func cbrt(_ x: Double) -> Double {
        if x == 0 || !x.isFinite { return x }
        let a = abs(x)
        var y = Double(sign: .plus, exponent: a.exponent / 3, significand: 1)
        for _ in 0..<60 {
            let next = y - (y * y * y - a) / (3 * y * y)
            if next == y { break }
            y = next
        }
        return x < 0 ? -y : y
    }
}
