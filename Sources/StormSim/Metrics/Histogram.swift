/// A log-bucketed histogram of non-negative Int64 values (HdrHistogram's idea): fixed memory, O(1) recording,
/// mergeable in any order with an exact result.
///
/// Values below 256 have a bucket each. Above, every power of two is split into 128 buckets, so a bucket's width
/// is at most 1/128 of its lower edge; a percentile is reported as its bucket's midpoint (clamped to the exact
/// minimum and maximum), within 0.4% of the true sample. 7,296 buckets cover all of Int64.
public struct Histogram: Equatable, Sendable {
    static let subBucketBits = 7
    static let subBuckets = 1 << subBucketBits  // 128
    static let bucketCount = 256 + 55 * 128

    public private(set) var counts: [UInt64]
    public private(set) var count: UInt64 = 0
    public private(set) var sum: Double = 0
    public private(set) var min: Int64 = .max
    public private(set) var max: Int64 = 0

    public init() { counts = [UInt64](repeating: 0, count: Histogram.bucketCount) }

    /// Rebuilds a histogram from its parts (buckets as (index, count) pairs), as written by `parts`.
    /// Returns nil for parts no histogram could have (they may come from a tampered file): a bucket out of range
    /// or given twice, counts that do not add up to `count`, or a minimum and maximum outside the buckets used.
    public init?(buckets: [(Int, UInt64)], count: UInt64, sum: Double, min: Int64, max: Int64) {
        self.init()
        var total: UInt64 = 0
        for (i, c) in buckets {
            guard i >= 0, i < Histogram.bucketCount, counts[i] == 0, c > 0 else { return nil }
            counts[i] = c
            let (t, overflow) = total.addingReportingOverflow(c)
            guard !overflow else { return nil }
            total = t
        }
        guard total == count, sum.isFinite, sum >= 0 else { return nil }
        if count > 0 {
            guard min >= 0, min <= max, let first = buckets.map(\.0).min(), let last = buckets.map(\.0).max(),
                Histogram.index(of: min) == first, Histogram.index(of: max) == last
            else { return nil }
        } else {
            guard min == .max, max == 0 else { return nil }
        }
        self.count = count
        self.sum = sum
        self.min = min
        self.max = max
    }

    /// The non-empty buckets as (index, count) pairs.
    public var nonEmptyBuckets: [(Int, UInt64)] {
        guard count > 0 else { return [] }
        return (Histogram.index(of: min)...Histogram.index(of: max)).compactMap { counts[$0] > 0 ? ($0, counts[$0]) : nil }
    }

    static func index(of value: Int64) -> Int {
        let v = UInt64(Swift.max(0, value))
        if v < 256 { return Int(v) }
        let msb = 63 - v.leadingZeroBitCount  // >= 8
        let shift = msb - subBucketBits  // >= 1
        let sub = Int(v >> UInt64(shift)) - subBuckets  // 0..<128
        return 256 + (shift - 1) * subBuckets + sub
    }

    /// The smallest and largest value that fall in bucket `index`.
    static func range(ofBucket index: Int) -> (low: Int64, high: Int64) {
        if index < 256 { return (Int64(index), Int64(index)) }
        let shift = (index - 256) / subBuckets + 1
        let sub = (index - 256) % subBuckets + subBuckets
        let low = UInt64(sub) << UInt64(shift)
        let high = low + (UInt64(1) << UInt64(shift)) - 1
        return (Int64(clamping: low), Int64(clamping: high))
    }

    /// Records one value (negative values count as 0). - Complexity: O(1).
    public mutating func record(_ value: Int64) {
        counts[Histogram.index(of: value)] &+= 1
        count &+= 1
        sum += Double(value)
        if value < min { min = value }
        if value > max { max = value }
    }

    public var mean: Double { count == 0 ? .nan : sum / Double(count) }

    /// The nearest-rank `q`-quantile (0 < q <= 1): the smallest recorded value with at least q * count values at or
    /// below it, to within the bucket width. NaN when empty.
    public func quantile(_ q: Double) -> Double {
        guard count > 0 else { return .nan }
        let rank = Swift.max(1, UInt64((q * Double(count)).rounded(.up)))
        guard let i = bucket(ofRank: rank) else { return Double(max) }
        let (low, high) = Histogram.range(ofBucket: i)
        let mid = Double(low) / 2 + Double(high) / 2
        return Swift.min(Swift.max(mid, Double(min)), Double(max))
    }

    /// The bucket of the `rank`-th smallest value (1-based): the first whose running count reaches `rank`. Only
    /// the buckets between the minimum's and the maximum's can hold values (a run's latencies fill a few hundred
    /// of the 7,296), and a rank in the upper half is found from the maximum down (p99 and p99.9 are then a few
    /// buckets away instead of the whole range).
    func bucket(ofRank rank: UInt64) -> Int? {
        let first = Histogram.index(of: min), last = Histogram.index(of: max)
        return counts.withUnsafeBufferPointer { counts in
            if rank <= count / 2 {
                var seen: UInt64 = 0
                for i in first...last {
                    seen += counts[i]
                    if seen >= rank { return i }
                }
                return nil
            }
            // Going down, `above` counts the values in the buckets above i: i is the bucket when the values up to
            // it (count - above) reach the rank and those below it (count - above - counts[i]) do not.
            var above: UInt64 = 0
            for i in stride(from: last, through: first, by: -1) {
                let c = counts[i]
                if count - above - c < rank && count - above >= rank { return i }
                above += c
            }
            return nil
        }
    }

    /// Adds every sample of `other`: the result is exactly the histogram of both sample sets.
    public mutating func merge(_ other: Histogram) {
        // Only the buckets between the other's minimum and maximum can hold its samples.
        if other.count > 0 {
            let last = Histogram.index(of: other.max)
            counts.withUnsafeMutableBufferPointer { mine in
                other.counts.withUnsafeBufferPointer { theirs in
                    for i in Histogram.index(of: other.min)...last { mine[i] &+= theirs[i] }
                }
            }
        }
        count &+= other.count
        sum += other.sum
        min = Swift.min(min, other.min)
        max = Swift.max(max, other.max)
    }
}
