/// Two counts over a sliding time window, kept in fixed slices (Finagle's WindowedAdder, Hystrix's rolling
/// buckets): the window covers the current slice and the `slices - 1` before it. Fixed memory, O(1) amortized.
public struct SlidingWindow: Sendable {
    let sliceLength: Int64
    var first: [Double]
    var second: [Double]
    /// The slice index (time / sliceLength) of the newest slice.
    var current: Int64 = 0

    /// - Parameters: window: the span covered; slices: how many pieces it is kept in.
    public init(window: SimDuration, slices: Int) {
        sliceLength = Swift.max(1, window.nanoseconds / Int64(slices))
        first = [Double](repeating: 0, count: slices)
        second = [Double](repeating: 0, count: slices)
    }

    /// Moves the window to `now`, forgetting slices that fell out of it.
    mutating func advance(to now: SimTime) {
        let index = now.nanoseconds / sliceLength
        guard index > current else { return }
        let n = Int64(first.count)
        if index - current >= n {
            for i in first.indices { first[i] = 0; second[i] = 0 }
        } else {
            var k = current + 1
            while k <= index {
                let slot = Int(k % n)
                first[slot] = 0
                second[slot] = 0
                k += 1
            }
        }
        current = index
    }

    public mutating func add(first a: Double = 0, second b: Double = 0, at now: SimTime) {
        advance(to: now)
        let slot = Int(current % Int64(first.count))
        first[slot] += a
        second[slot] += b
    }

    /// Totals over the window as of `now`.
    public mutating func totals(at now: SimTime) -> (first: Double, second: Double) {
        advance(to: now)
        return (first.reduce(0, +), second.reduce(0, +))
    }
}
