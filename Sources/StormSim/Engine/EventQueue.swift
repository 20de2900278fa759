/// The pending-event set: a 4-ary min-heap ordered by `(time, sequence)`, plus FIFO lanes.
///
/// Every scheduled event gets the next sequence number, so simultaneous events pop in the order they were
/// scheduled. Events that a component schedules with a fixed delay (a constant timeout, a constant network latency)
/// arrive in time order: they can go to a FIFO lane instead of the heap, which makes them O(1). A lane accepts an
/// event only when it is not earlier than the lane's last one; otherwise the event goes to the heap. Popping takes
/// the smallest of the heap's top and each lane's head. `(time, sequence)` is a strict total order (sequence numbers
/// are unique), so the events pop in exactly the same order as they would from one heap, or any correct priority
/// queue.
///
/// The queue owns its memory (it is not copyable): no reference counting and no uniqueness check on the hot path.
public struct EventQueue: ~Copyable {
    /// Heap order keys: the time with its sign bit flipped (so that unsigned order is signed order) and the event's
    /// `sequenceAndKind`. Sixteen bytes, so the four children of a node fill one 64-byte cache line.
    struct Key {
        var time: UInt64
        var order: UInt64

        @inline(__always)
        init(time: SimTime, order: UInt64) {
            self.time = UInt64(bitPattern: time.nanoseconds) ^ (1 << 63)
            self.order = order
        }

        /// Strict `(time, order)` order.
        @inline(__always)
        static func precedes(_ x: Key, _ y: Key) -> Bool { bit(x, y) != 0 }

        /// 1 when `x` precedes `y`, else 0, computed with integer operations only: a heap that compares random
        /// times must not branch on the result (half the branches would mispredict). Short-circuit `||` and `&&`
        /// would become branches.
        @inline(__always)
        static func bit(_ x: Key, _ y: Key) -> Int {
            let timeLess = x.time < y.time ? 1 : 0
            let timeEqual = x.time == y.time ? 1 : 0
            let orderLess = x.order < y.order ? 1 : 0
            return timeLess | (timeEqual & orderLess)
        }

        var simTime: SimTime { SimTime(nanoseconds: Int64(bitPattern: time ^ (1 << 63))) }
    }

    /// The heap, as two parallel arrays: keys (compared on the way down) and payloads (`a | b << 32`, only moved).
    /// Children of node i are 4i+1 ... 4i+4: half the levels of a binary heap, and one cache line of keys per level.
    var keys: UnsafeMutablePointer<Key>
    var payloads: UnsafeMutablePointer<UInt64>
    var heapCount = 0
    var heapCapacity: Int
    /// Two FIFO lanes, as plain properties (an array of lanes would cost an indirection on every pop).
    var lane0: EventLane
    var lane1: EventLane
    var nextSequence: UInt64 = 0

    /// The model may use lanes 0 and 1.
    public static let laneCount = 2

    public init() {
        heapCapacity = 1024
        (keys, payloads) = Self.allocate(heapCapacity)
        lane0 = EventLane(capacity: 1024)
        lane1 = EventLane(capacity: 1024)
    }

    deinit { Self.deallocate(keys, payloads) }

    /// Events waiting, in the heap and the lanes.
    public var count: Int { heapCount + lane0.count + lane1.count }
    public var isEmpty: Bool { count == 0 }

    /// Schedules an event in the heap. - Complexity: O(log n).
    @inline(__always)
    public mutating func schedule(_ kind: EventKind, at time: SimTime, a: UInt32, b: UInt32 = 0) {
        let order = nextSequence << 8 | UInt64(kind.rawValue)
        nextSequence &+= 1
        push(Key(time: time, order: order), UInt64(a) | UInt64(b) << 32)
    }

    /// Schedules an event in FIFO lane `lane` when that keeps the lane sorted, else in the heap.
    /// - Complexity: O(1) in the lane.
    @inline(__always)
    public mutating func schedule(
        _ kind: EventKind, at time: SimTime, a: UInt32, b: UInt32 = 0, lane: Int
    ) {
        precondition(lane == 0 || lane == 1, "EventQueue has lanes 0 and 1")
        let event = Event(time: time, sequence: nextSequence, kind: kind, a: a, b: b)
        nextSequence &+= 1
        if lane == 0 {
            if lane0.accepts(time) { lane0.append(event) } else { push(event) }
        } else {
            if lane1.accepts(time) { lane1.append(event) } else { push(event) }
        }
    }

    /// The earliest event, without removing it.
    public func peek() -> Event? {
        switch source() {
        case 0: return lane0.first
        case 1: return lane1.first
        case 2: return heapEvent(0)
        default: return nil
        }
    }

    /// Removes and returns the earliest event by `(time, sequence)`.
    /// - Complexity: O(log n) from the heap, O(1) from a lane.
    @inline(__always)
    public mutating func popMin() -> Event? {
        switch source() {
        case 0: return lane0.popFirst()
        case 1: return lane1.popFirst()
        case 2:
            let top = heapEvent(0)
            removeRoot()
            return top
        default: return nil
        }
    }

    /// Where the earliest event is: lane 0, lane 1, the heap (2), or nowhere (-1).
    @inline(__always)
    func source() -> Int {
        var source = -1
        var best = Key(time: .never, order: .max)  // later than any event: `order` never reaches .max
        if heapCount > 0 {
            best = keys[0]
            source = 2
        }
        if lane0.count > 0 {
            let head = lane0.headKey
            if Key.precedes(head, best) {
                best = head
                source = 0
            }
        }
        if lane1.count > 0, Key.precedes(lane1.headKey, best) { source = 1 }
        return source
    }

    @inline(__always)
    func heapEvent(_ i: Int) -> Event {
        let payload = payloads[i]
        return Event(
            time: keys[i].simTime, sequenceAndKind: keys[i].order,
            a: UInt32(truncatingIfNeeded: payload), b: UInt32(truncatingIfNeeded: payload >> 32))
    }

    // MARK: 4-ary heap

    mutating func push(_ event: Event) {
        push(Key(time: event.time, order: event.sequenceAndKind), UInt64(event.a) | UInt64(event.b) << 32)
    }

    /// Sift-up: the hole moves up instead of swapping.
    @inline(__always)
    mutating func push(_ key: Key, _ payload: UInt64) {
        if heapCount == heapCapacity { grow() }
        var hole = heapCount
        heapCount &+= 1
        while hole > 0 {
            let parent = (hole &- 1) >> 2
            if !Key.precedes(key, keys[parent]) { break }
            keys[hole] = keys[parent]
            payloads[hole] = payloads[parent]
            hole = parent
        }
        keys[hole] = key
        payloads[hole] = payload
    }

    /// Removes the root, bottom-up (Floyd): the hole left at the root moves down to a leaf along the smallest
    /// children, with no comparison against the element that fills it; the last element then sifts up from there,
    /// usually not at all, since it came from the bottom.
    mutating func removeRoot() {
        heapCount &-= 1
        let n = heapCount
        if n == 0 { return }
        let lastKey = keys[n], lastPayload = payloads[n]
        var hole = 0
        while true {
            let first = 4 &* hole &+ 1
            if first &+ 3 >= n { break }
            // All four children exist: a tournament computed with arithmetic, not branches.
            let a = first &+ Key.bit(keys[first &+ 1], keys[first])
            let b = first &+ 2 &+ Key.bit(keys[first &+ 3], keys[first &+ 2])
            let best = a &+ (b &- a) & (0 &- Key.bit(keys[b], keys[a]))
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
                if Key.precedes(keys[c], keys[best]) { best = c }
                c &+= 1
            }
            keys[hole] = keys[best]
            payloads[hole] = payloads[best]
            hole = best
        }
        while hole > 0 {
            let parent = (hole &- 1) >> 2
            if !Key.precedes(lastKey, keys[parent]) { break }
            keys[hole] = keys[parent]
            payloads[hole] = payloads[parent]
            hole = parent
        }
        keys[hole] = lastKey
        payloads[hole] = lastPayload
    }

    mutating func grow() {
        let capacity = heapCapacity * 2
        let (newKeys, newPayloads) = Self.allocate(capacity)
        newKeys.update(from: keys, count: heapCount)
        newPayloads.update(from: payloads, count: heapCount)
        Self.deallocate(keys, payloads)
        (keys, payloads) = (newKeys, newPayloads)
        heapCapacity = capacity
    }

    /// Keys start 48 bytes into a 64-byte aligned block, so key 1 (and every group of four siblings, 4i+1 ... 4i+4)
    /// starts a cache line.
    static func allocate(_ capacity: Int) -> (UnsafeMutablePointer<Key>, UnsafeMutablePointer<UInt64>) {
        let raw = UnsafeMutableRawPointer.allocate(byteCount: (capacity + 3) * MemoryLayout<Key>.stride, alignment: 64)
        let keys = (raw + 3 * MemoryLayout<Key>.stride).bindMemory(to: Key.self, capacity: capacity)
        return (keys, UnsafeMutablePointer<UInt64>.allocate(capacity: capacity))
    }

    static func deallocate(_ keys: UnsafeMutablePointer<Key>, _ payloads: UnsafeMutablePointer<UInt64>) {
        (UnsafeMutableRawPointer(keys) - 3 * MemoryLayout<Key>.stride).deallocate()
        payloads.deallocate()
    }
}

/// A FIFO of events in one growable ring buffer (capacity a power of two), owned like the queue it belongs to.
struct EventLane: ~Copyable {
    var buffer: UnsafeMutablePointer<Event>
    var mask: Int
    var head = 0
    var count = 0
    /// The time of the last event appended (meaningful while the lane is not empty).
    var tailTime: Int64 = 0

    init(capacity: Int) {
        var c = 4
        while c < capacity { c <<= 1 }
        buffer = .allocate(capacity: c)
        mask = c - 1
    }

    deinit { buffer.deallocate() }

    /// Whether appending an event at `time` keeps the lane in time order.
    @inline(__always)
    func accepts(_ time: SimTime) -> Bool { count == 0 || tailTime <= time.nanoseconds }

    var first: Event? { count == 0 ? nil : buffer[head] }

    @inline(__always)
    var headKey: EventQueue.Key {
        let e = buffer[head]
        return EventQueue.Key(time: e.time, order: e.sequenceAndKind)
    }

    @inline(__always)
    mutating func append(_ event: Event) {
        if count > mask { grow() }
        (buffer + ((head + count) & mask)).initialize(to: event)
        count += 1
        tailTime = event.time.nanoseconds
    }

    @inline(__always)
    mutating func popFirst() -> Event {
        let event = buffer[head]
        head = (head + 1) & mask
        count -= 1
        return event
    }

    mutating func grow() {
        let capacity = (mask + 1) * 2
        let bigger = UnsafeMutablePointer<Event>.allocate(capacity: capacity)
        for i in 0..<count { (bigger + i).initialize(to: buffer[(head + i) & mask]) }
        buffer.deallocate()
        buffer = bigger
        mask = capacity - 1
        head = 0
    }
}
