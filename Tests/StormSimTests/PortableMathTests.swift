import Foundation
import Testing

@testable import StormSim

/// Our portable elementary functions against the platform's libm: they must agree to within a few ulp (their
/// point is identical bits on every platform, which libm does not promise).
@Suite struct PortableMathTests {
    func ulpsApart(_ a: Double, _ b: Double) -> Double {
        if a == b { return 0 }
        return abs(a - b) / max(a.ulp, b.ulp)
    }

    @Test func logMatchesLibm() {
        var rng = Xoshiro256(seed: 1)
        for _ in 0..<20_000 {
            let u = 1 - rng.nextUnit()  // (0, 1], the range exponential sampling uses
            #expect(ulpsApart(PortableMath.log(u), Foundation.log(u)) <= 2, "log(\(u))")
            let wide = Foundation.exp(rng.uniform(-700, 700))
            #expect(ulpsApart(PortableMath.log(wide), Foundation.log(wide)) <= 2, "log(\(wide))")
        }
        #expect(PortableMath.log(1) == 0)
        #expect(PortableMath.log(0) == -.infinity)
        #expect(PortableMath.log(-1).isNaN)
        #expect(ulpsApart(PortableMath.log(Double.leastNonzeroMagnitude), Foundation.log(Double.leastNonzeroMagnitude)) <= 2)
        #expect(ulpsApart(PortableMath.log(Double.greatestFiniteMagnitude), Foundation.log(Double.greatestFiniteMagnitude)) <= 2)
    }

    @Test func bitLevelDecompositionMatchesTheStandardLibrary() {
        var rng = Xoshiro256(seed: 5)
        var samples: [Double] = [
            1, 2, 0.5, .leastNormalMagnitude, .leastNormalMagnitude / 3, .leastNonzeroMagnitude, .greatestFiniteMagnitude,
        ]
        for _ in 0..<10_000 {
            samples.append(1 - rng.nextUnit())
            samples.append(Double(bitPattern: rng.next() >> 1))  // any positive pattern, subnormals included
        }
        for x in samples where x > 0 && x.isFinite {
            let (k, m) = PortableMath.exponentAndSignificand(x)
            #expect(k == Int(x.exponent) && m == x.significand, "\(x)")
        }
    }

    @Test func expMatchesLibm() {
        var rng = Xoshiro256(seed: 2)
        for _ in 0..<20_000 {
            let x = rng.uniform(-40, 40)
            #expect(ulpsApart(PortableMath.exp(x), Foundation.exp(x)) <= 2, "exp(\(x))")
        }
        #expect(PortableMath.exp(0) == 1)
        #expect(PortableMath.exp(710) == .infinity)
        #expect(PortableMath.exp(-800) == 0)
        #expect(ulpsApart(PortableMath.exp(709), Foundation.exp(709)) <= 2)
    }

    @Test func powerIsExactForSmallIntegersAndSaturates() {
        #expect(PortableMath.power(2, 10) == 1024)
        #expect(PortableMath.power(1.5, 0) == 1)
        #expect(PortableMath.power(3, 5) == 243)
        #expect(PortableMath.power(2, 2000) == .infinity)
        #expect(PortableMath.power(1e308, Int.max) == .infinity)
        #expect(ulpsApart(PortableMath.power(1.1, 50), Foundation.pow(1.1, 50)) <= 8)
    }
}
