import Foundation
import Testing

@testable import StormSim

/// The ziggurat's tables, and its draws against the normal distribution: the core, the wedges and the tail each
/// cover a region of their own, so a mistake in any one of them shows in the bins that region feeds.
@Suite struct ZigguratTests {
    static func x(_ i: Int) -> Double { Ziggurat.table.pairs[2 * i] }
    static func f(_ x: Double) -> Double { Foundation.exp(-x * x / 2) }

    @Test func everyLayerHasTheSameArea() {
        #expect(Self.x(1) == Ziggurat.r)
        #expect(Self.x(256) == 0)
        for i in 1..<256 {
            #expect(Self.x(i + 1) < Self.x(i))
            let area = Self.x(i) * (Self.f(Self.x(i + 1)) - Self.f(Self.x(i)))
            #expect(abs(area / Ziggurat.v - 1) < 1e-6, "layer \(i): area \(area)")
        }
        // The base strip: the rectangle under f(r) and the tail beyond r (the half density's integral).
        let tail = (Double.pi / 2).squareRoot() * erfc(Ziggurat.r / 2.0.squareRoot())
        #expect(abs((Ziggurat.r * Self.f(Ziggurat.r) + tail) / Ziggurat.v - 1) < 1e-9)
        #expect(abs(Self.x(0) * Self.f(Ziggurat.r) / Ziggurat.v - 1) < 1e-12)
        for i in 0..<256 { #expect(Ziggurat.table.pairs[2 * i + 1] == Self.x(i + 1) / Self.x(i)) }
    }

    /// P(a <= Z < b) for a standard normal Z.
    static func probability(_ a: Double, _ b: Double) -> Double {
        (erf(b / 2.0.squareRoot()) - erf(a / 2.0.squareRoot())) / 2
    }

    /// Two million draws in 70 bins: width 0.125 over [-4, 4), each tail split at r (where the tail method takes
    /// over) and 4.5. Chi-square with 69 degrees of freedom has mean 69 and sd 11.7; 131 is beyond p = 1e-5.
    /// Accepting every wedge point pushes it to 310.
    @Test func drawsFollowTheNormalDistribution() {
        var edges = [-Double.infinity, -4.5, -Ziggurat.r]
        edges += (0...64).map { -4 + Double($0) * 0.125 }
        edges += [Ziggurat.r, 4.5, .infinity]
        edges.sort()
        var counts = [Int](repeating: 0, count: edges.count - 1)
        var rng = Xoshiro256(seed: 77)
        let n = 2_000_000
        var sum = 0.0, squares = 0.0, fourth = 0.0
        for _ in 0..<n {
            let z = Distribution.standardNormal(&rng)
            sum += z
            squares += z * z
            fourth += z * z * z * z
            var lo = 0, hi = edges.count - 1  // edges[lo] <= z < edges[hi]
            while hi - lo > 1 {
                let mid = (lo + hi) / 2
                if z < edges[mid] { hi = mid } else { lo = mid }
            }
            counts[lo] += 1
        }
        var chiSquare = 0.0
        for (i, count) in counts.enumerated() {
            let expected = Double(n) * Self.probability(edges[i], edges[i + 1])
            chiSquare += (Double(count) - expected) * (Double(count) - expected) / expected
        }
        #expect(chiSquare < 131, "chi-square \(chiSquare) over \(counts.count) bins: \(counts)")
        // Moments: sd of the mean 1/sqrt(n) = 0.0007, of the variance sqrt(2/n) = 0.001, of the kurtosis about 0.0035.
        #expect(abs(sum / Double(n)) < 0.0035)
        #expect(abs(squares / Double(n) - 1) < 0.005)
        #expect(abs(fourth / Double(n) - 3) < 0.02)
    }

    /// The tail method alone (the base strip's points beyond r): 200,000 draws of Z given Z > r, whose mean is
    /// phi(r) / Q(r) = 3.8970 (sd of the sample mean 0.0005); a plain exponential beyond r would give r + 1/r = 3.928.
    /// Too few draws land in the tail for the chi-square above to see its shape.
    @Test func tailDrawsFollowTheNormalTail() {
        var rng = Xoshiro256(seed: 5)
        let n = 200_000
        var sum = 0.0, beyond = 0
        for i in 0..<n {
            let sign = i % 2 == 0 ? 1.0 : -1.0
            guard let z = Ziggurat.edge(layer: 0, u: sign * 0.999, Ziggurat.table.pairs, &rng) else {
                Issue.record("the tail method never rejects")
                return
            }
            #expect(sign * z > Ziggurat.r)
            sum += abs(z)
            if abs(z) > 4.5 { beyond += 1 }
        }
        let r = Ziggurat.r
        let q = { (x: Double) in erfc(x / 2.0.squareRoot()) / 2 }
        let mean = Foundation.exp(-r * r / 2) / (2 * Double.pi).squareRoot() / q(r)
        #expect(abs(sum / Double(n) - mean) < 0.003, "mean \(sum / Double(n)), expected \(mean)")
        let expected = Double(n) * q(4.5) / q(r)  // 5,300, sd 71
        #expect(abs(Double(beyond) - expected) < 360, "\(beyond) beyond 4.5, expected \(expected)")
    }

    /// A keyed draw is a function of its key, however many words a rejection consumed.
    @Test func keyedDrawsRepeat() {
        var seen = Set<UInt64>()
        for key in 0..<10_000 as Range<UInt64> {
            var a = DrawKey.source(key, 0x5EED), b = DrawKey.source(key, 0x5EED)
            let z = Distribution.standardNormal(&a)
            #expect(z == Distribution.standardNormal(&b))
            seen.insert(z.bitPattern)
        }
        #expect(seen.count == 10_000)
    }
}
