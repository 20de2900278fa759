/// Standard normal draws by the ziggurat method (Marsaglia and Tsang, 2000, with Doornik's 2005 correction: the
/// layer index and the uniform come from disjoint bits of the word, so they are independent).
///
/// The density's right half is covered by 256 layers of equal area v: a base strip (the rectangle under f(r) plus
/// the tail beyond r) and 255 rectangles stacked on it. A draw picks a layer and a point in it with one 64-bit word;
/// in 98.8% of draws the point lies inside the density's rectangle core and is returned after one multiplication
/// and one comparison. Otherwise the wedge between the rectangle and the curve is tested with two exponentials, or
/// the tail beyond r is drawn by Marsaglia's exponential method. Rejection is exact, so the draws are exactly
/// normal; the tables are computed once with `PortableMath`, so every platform draws the same bits.
enum Ziggurat {
    /// Right edge of the base strip, and the area of every layer, for 256 layers (Marsaglia and Tsang).
    static let r = 3.6541528853610088
    static let v = 4.92867323399e-3

    /// Pairs (x[i], x[i+1] / x[i]) for i in 0..<256, then x[256] = 0: x[i] is the half-width of layer i (x[0] is the
    /// base strip's width v / f(r), x[1] = r), the ratio the width of the core that needs no further test.
    /// Allocated once and never freed: a plain pointer keeps reference counting off the hot path.
    static let table = Table(pairs: makeTable())

    /// The table, as a value a hot path keeps at hand (`World` holds one): every read of the static `table` first
    /// calls the runtime to check that it is initialised.
    struct Table: @unchecked Sendable {
        let pairs: UnsafePointer<Double>
    }

    static func makeTable() -> UnsafePointer<Double> {
        var x = [Double](repeating: 0, count: 257)
        x[0] = v / density(r)
        x[1] = r
        for i in 2..<256 {
            x[i] = (-2 * PortableMath.log(v / x[i - 1] + density(x[i - 1]))).squareRoot()
        }
        x[256] = 0
        let buffer = UnsafeMutablePointer<Double>.allocate(capacity: 514)
        for i in 0..<256 {
            buffer[2 * i] = x[i]
            buffer[2 * i + 1] = x[i + 1] / x[i]
        }
        buffer[512] = 0
        buffer[513] = 0
        return UnsafePointer(buffer)
    }

    /// The unnormalised density e^(-x^2/2).
    static func density(_ x: Double) -> Double { PortableMath.exp(-0.5 * x * x) }

    /// One standard normal draw.
    @inline(__always)
    static func standardNormal<R: RandomSource>(_ rng: inout R, _ table: Table) -> Double {
        let t = table.pairs
        while true {
            let word = rng.next()
            let layer = Int(truncatingIfNeeded: word & 0xFF)
            let u = Double(word >> 11) * 0x1p-52 - 1  // [-1, 1), from bits 11...63
            if abs(u) < t[2 * layer + 1] { return u * t[2 * layer] }
            if let z = edge(layer: layer, u: u, t, &rng) { return z }
        }
    }

    /// The rare part of a draw, outside layer `layer`'s core: the tail for the base strip, the wedge otherwise.
    /// nil when the point is rejected (the caller draws again).
    @inline(never)
    static func edge<R: RandomSource>(layer: Int, u: Double, _ table: UnsafePointer<Double>, _ rng: inout R) -> Double? {
        if layer == 0 {
            // Beyond r: x = -ln(U1) / r, accepted when -2 ln(U2) > x^2 (Marsaglia 1964).
            var x = 0.0, y = 0.0
            repeat {
                x = -PortableMath.log(1 - rng.nextUnit()) / r
                y = -PortableMath.log(1 - rng.nextUnit())
            } while y + y < x * x
            return u < 0 ? -(r + x) : r + x
        }
        let xi = table[2 * layer], next = table[2 * layer + 2]
        let z = u * xi
        // Uniform height in the layer [f(x[i]), f(x[i+1])], compared with f(z); everything scaled by 1 / f(z).
        let f0 = PortableMath.exp(-0.5 * (xi * xi - z * z))
        let f1 = PortableMath.exp(-0.5 * (next * next - z * z))
        return f1 + rng.nextUnit() * (f0 - f1) < 1 ? z : nil
    }
}
