/// The order key of a pending event: its time, with the sign bit flipped so that unsigned order is signed order,
/// and its `sequenceAndKind`. Sixteen bytes, so four keys fill one 64-byte cache line.
struct EventKey {
    var time: UInt64
    var order: UInt64

    @inline(__always)
    init(time: SimTime, order: UInt64) {
        self.time = UInt64(bitPattern: time.nanoseconds) ^ (1 << 63)
        self.order = order
    }

    /// The latest possible key: later than every event (`order` never reaches `.max`).
    static let last = EventKey(time: .never, order: .max)

    var simTime: SimTime { SimTime(nanoseconds: Int64(bitPattern: time ^ (1 << 63))) }

    /// Strict `(time, order)` order.
    @inline(__always)
    static func precedes(_ x: EventKey, _ y: EventKey) -> Bool { bit(x, y) != 0 }

    /// 1 when `x` precedes `y`, else 0, computed with integer operations only: a heap that compares random times
    /// must not branch on the result (half the branches would mispredict), and short-circuit `||` and `&&` would
    /// become branches.
    @inline(__always)
    static func bit(_ x: EventKey, _ y: EventKey) -> Int {
        let timeLess = x.time < y.time ? 1 : 0
        let timeEqual = x.time == y.time ? 1 : 0
        let orderLess = x.order < y.order ? 1 : 0
        return timeLess | (timeEqual & orderLess)
    }
}

/// A 4-ary min-heap of event keys with 64-bit payloads, in two parallel arrays that it owns: keys (compared on
/// the way down) and payloads (only moved).
///
/// Children of node i are 4i+1 ... 4i+4: half the levels of a binary heap, and the keys are placed so that the
/// four siblings share one cache line. Pops descend bottom-up (Floyd) with branch-free child selection.
struct KeyHeap: ~Copyable {
    var keys: UnsafeMutablePointer<EventKey>
    var payloads: UnsafeMutablePointer<UInt64>
    var count = 0
    var capacity: Int

    init(capacity: Int) {
        self.capacity = Swift.max(capacity, 4)
        (keys, payloads) = Self.allocate(self.capacity)
    }

    deinit { Self.deallocate(keys, payloads) }

    var isEmpty: Bool { count == 0 }

    /// The smallest key; only when not empty.
    @inline(__always)
    var top: EventKey { keys[0] }
    @inline(__always)
    var topPayload: UInt64 { payloads[0] }

    /// - Complexity: O(log n), usually O(1) for late keys.
    @inline(__always)
    mutating func push(_ key: EventKey, _ payload: UInt64) {
        if count == capacity { grow() }
        count &+= 1
        siftUp(key, payload, from: count &- 1)
    }

    /// Places `key` at the empty slot `hole` or above it: the hole moves up past every parent that `key` precedes,
    /// instead of swapping.
    @inline(__always)
    mutating func siftUp(_ key: EventKey, _ payload: UInt64, from hole: Int) {
        var hole = hole
        while hole > 0 {
            let parent = (hole &- 1) >> 2
            if !EventKey.precedes(key, keys[parent]) { break }
            keys[hole] = keys[parent]
            payloads[hole] = payloads[parent]
            hole = parent
        }
        keys[hole] = key
        payloads[hole] = payload
    }

    /// Removes the top, bottom-up (Floyd): the hole left at the top moves down to a leaf along the smallest
    /// children, with no comparison against the element that fills it; the last element then sifts up from there,
    /// usually not at all, since it came from the bottom. - Complexity: O(log n).
    mutating func removeTop() {
        count &-= 1
        let n = count
        if n == 0 { return }
        let lastKey = keys[n], lastPayload = payloads[n]
        var hole = 0
        while true {
            let first = 4 &* hole &+ 1
            if first &+ 3 >= n { break }
            // All four children exist: a tournament computed with arithmetic, not branches.
            let a = first &+ EventKey.bit(keys[first &+ 1], keys[first])
            let b = first &+ 2 &+ EventKey.bit(keys[first &+ 3], keys[first &+ 2])
            let best = a &+ (b &- a) & (0 &- EventKey.bit(keys[b], keys[a]))
            keys[hole] = keys[best]
            payloads[hole] = payloads[best]
            hole = best
        }
        let first = 4 &* hole &+ 1
        if first < n {
            // Fewer than four children, all leaves.
            var best = first
            var c = first &+ 1
            while c < n {
                if EventKey.precedes(keys[c], keys[best]) { best = c }
                c &+= 1
            }
            keys[hole] = keys[best]
            payloads[hole] = payloads[best]
            hole = best
        }
        siftUp(lastKey, lastPayload, from: hole)
    }

    mutating func grow() {
        let bigger = capacity * 2
        let (newKeys, newPayloads) = Self.allocate(bigger)
        newKeys.update(from: keys, count: count)
        newPayloads.update(from: payloads, count: count)
        Self.deallocate(keys, payloads)
        (keys, payloads) = (newKeys, newPayloads)
        capacity = bigger
    }

    /// Keys start 48 bytes into a 64-byte aligned block, so key 1 (and every group of four siblings, 4i+1 ... 4i+4)
    /// starts a cache line.
    static func allocate(_ capacity: Int) -> (UnsafeMutablePointer<EventKey>, UnsafeMutablePointer<UInt64>) {
        let stride = MemoryLayout<EventKey>.stride
        let raw = UnsafeMutableRawPointer.allocate(byteCount: (capacity + 3) * stride, alignment: 64)
        let keys = (raw + 3 * stride).bindMemory(to: EventKey.self, capacity: capacity)
        return (keys, UnsafeMutablePointer<UInt64>.allocate(capacity: capacity))
    }

    static func deallocate(_ keys: UnsafeMutablePointer<EventKey>, _ payloads: UnsafeMutablePointer<UInt64>) {
        (UnsafeMutableRawPointer(keys) - 3 * MemoryLayout<EventKey>.stride).deallocate()
        payloads.deallocate()
    }
}
