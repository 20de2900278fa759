import Foundation

/// Replications and jobs: what a run consists of, in a canonical order.
public enum Replications {
    /// The seed of replication `r`: replication 0 uses the scenario's seed (so one replication is exactly the
    /// plain run); the others are derived from it. Every variant uses the same seed for replication r, so
    /// variants are compared on common random numbers replication by replication.
    public static func seed(base: UInt64, replication r: Int) -> UInt64 {
        r == 0 ? base : DrawKey.child(base ^ 0x5EED_5EED_5EED_5EED, UInt64(r))
    }

    /// One job: one replication of one variant. Jobs are numbered variant-major: job = variant * R + r.
    public struct Job: Equatable, Sendable {
        public var variant: Int
        public var replication: Int
        public var index: Int

        public init(variant: Int, replication: Int, index: Int) {
            self.variant = variant
            self.replication = replication
            self.index = index
        }
    }

    public static func jobs(variants: Int, replications: Int) -> [Job] {
        (0..<variants).flatMap { v in
            (0..<replications).map { r in Job(variant: v, replication: r, index: v * replications + r) }
        }
    }
}

/// `--shard K/N`: shard K of N runs the jobs whose index is K - 1 modulo N.
public struct Shard: Equatable, Sendable, CustomStringConvertible {
    public var k: Int
    public var n: Int

    public init?(_ text: String) {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let k = Int(parts[0]), let n = Int(parts[1]), n >= 1, n <= 100_000, k >= 1, k <= n else { return nil }
        self.k = k
        self.n = n
    }

    public init(k: Int, n: Int) {
        self.k = k
        self.n = n
    }

    public func contains(_ job: Replications.Job) -> Bool { contains(jobIndex: job.index) }
    public func contains(jobIndex: Int) -> Bool { jobIndex % n == k - 1 }

    public var description: String { "\(k)/\(n)" }
}

/// Student's t distribution: the two-sided 95% quantile for a confidence interval of a mean.
public enum StudentT {
    /// t(0.975, df) for df = 1 ... 30 (standard tables).
    static let table: [Double] = [
        12.706205, 4.302653, 3.182446, 2.776445, 2.570582, 2.446912, 2.364624, 2.306004, 2.262157, 2.228139,
        2.200985, 2.178813, 2.160369, 2.144787, 2.131450, 2.119905, 2.109816, 2.100922, 2.093024, 2.085963,
        2.079614, 2.073873, 2.068658, 2.063899, 2.059539, 2.055529, 2.051831, 2.048407, 2.045230, 2.042272,
    ]

    /// The 0.975 quantile with `df` degrees of freedom. Beyond the table, the Cornish-Fisher expansion around the
    /// normal quantile (error below 1e-5 for df > 30).
    public static func quantile975(df: Int) -> Double {
        precondition(df >= 1)
        if df <= table.count { return table[df - 1] }
        let z = 1.959963984540054, v = Double(df)
        let z3 = z * z * z, z5 = z3 * z * z
        return z + (z3 + z) / (4 * v) + (5 * z5 + 16 * z3 + 3 * z) / (96 * v * v)
    }

    /// Half-width of the 95% confidence interval of the mean of `n` samples with sample standard deviation `sd`.
    public static func halfWidth(sd: Double, n: Int) -> Double {
        n < 2 ? .nan : quantile975(df: n - 1) * sd / Double(n).squareRoot()
    }
}
