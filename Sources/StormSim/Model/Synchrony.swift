/// How synchronised the attempts are: the most attempts sent in any 100 ms bin against the mean per bin over
/// the span from the first attempt to the last (fixed bins from time zero). Streaming: O(1) memory.
struct Synchrony {
    static let bin: Int64 = 100_000_000
    var firstBin: Int64 = -1
    var currentBin: Int64 = -1
    /// The span of the current bin: times only grow, so a division is needed only when a bin ends.
    var binStart: Int64 = 0
    var binEnd: Int64 = 0
    var inBin = 0
    var peak = 0
    var total = 0

    @inline(__always)
    mutating func record(_ now: SimTime) {
        if now.nanoseconds >= binEnd || now.nanoseconds < binStart { startBin(now.nanoseconds / Synchrony.bin) }
        inBin += 1
        total += 1
    }

    mutating func startBin(_ b: Int64) {
        if b != currentBin {
            peak = max(peak, inBin)
            if firstBin < 0 { firstBin = b }
            currentBin = b
            inBin = 0
        }
        binStart = b * Synchrony.bin
        binEnd = binStart + Synchrony.bin
    }

    mutating func finish() { peak = max(peak, inBin) }

    /// Peak over mean; NaN before any attempt.
    var peakToMean: Double {
        guard total > 0 else { return .nan }
        let bins = Double(currentBin - firstBin + 1)
        return Double(peak) / (Double(total) / bins)
    }
}
