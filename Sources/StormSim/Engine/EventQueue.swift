/// The pending-event set: a binary min-heap ordered by `(time, sequence)`, plus FIFO lanes.
///
/// Every scheduled event gets the next sequence number, so simultaneous events pop in the order they were
/// scheduled. Events that a component schedules with a fixed delay (a constant timeout, a constant network latency)
/// arrive in time order: they can go to a FIFO lane instead of the heap, which makes them O(1). A lane accepts an
/// event only when it is not earlier than the lane's last one; otherwise the event goes to the heap. Popping takes
/// the smallest of the heap's top and each lane's head, so the order is exactly the same as with the heap alone.
public struct EventQueue {
    var heap: [Event] = []
    /// Two FIFO lanes, as plain properties (an array of lanes would cost an indirection and a uniqueness check
    /// on every pop).
    var lane0: RingBuffer<Event>
    var lane1: RingBuffer<Event>
    var nextSequence: UInt64 = 0

    /// The model may use lanes 0 and 1.
    public static let laneCount = 2

    public init() {
        let filler = Event(time: .zero, sequence: 0, kind: .clientArrival, a: 0, b: 0)
        lane0 = RingBuffer<Event>(initialCapacity: 1024, filler: filler)
        lane1 = RingBuffer<Event>(initialCapacity: 1024, filler: filler)
        heap.reserveCapacity(1024)
    }

    /// Events waiting, in the heap and the lanes.
    public var count: Int { heap.count + lane0.count + lane1.count }
    public var isEmpty: Bool { count == 0 }

    /// Schedules an event in the heap. - Complexity: O(log n).
    public mutating func schedule(_ kind: EventKind, at time: SimTime, a: UInt32, b: UInt32 = 0) {
        let event = Event(time: time, sequence: nextSequence, kind: kind, a: a, b: b)
        nextSequence &+= 1
        push(event)
    }

    /// Schedules an event in FIFO lane `lane` when that keeps the lane sorted, else in the heap.
    /// - Complexity: O(1) in the lane.
    public mutating func schedule(
        _ kind: EventKind, at time: SimTime, a: UInt32, b: UInt32 = 0, lane: Int
    ) {
        let event = Event(time: time, sequence: nextSequence, kind: kind, a: a, b: b)
        nextSequence &+= 1
        precondition(lane == 0 || lane == 1, "EventQueue has lanes 0 and 1")
        if lane == 0 {
            if let tail = lane0.last, tail.time.nanoseconds > time.nanoseconds { push(event) } else { lane0.append(event) }
        } else {
            if let tail = lane1.last, tail.time.nanoseconds > time.nanoseconds { push(event) } else { lane1.append(event) }
        }
    }

    /// The earliest event, without removing it.
    public func peek() -> Event? {
        var best = heap.first
        if let head = lane0.first, best == nil || Event.precedes(head, best!) { best = head }
        if let head = lane1.first, best == nil || Event.precedes(head, best!) { best = head }
        return best
    }

    /// Removes and returns the earliest event by `(time, sequence)`.
    /// - Complexity: O(log n) from the heap, O(1) from a lane.
    public mutating func popMin() -> Event? {
        var source = -1
        var best: Event? = heap.first
        if let head = lane0.first, best == nil || Event.precedes(head, best!) {
            best = head
            source = 0
        }
        if let head = lane1.first, best == nil || Event.precedes(head, best!) {
            best = head
            source = 1
        }
        switch source {
        case 0: return lane0.popFirst()
        case 1: return lane1.popFirst()
        default: return best == nil ? nil : popHeap()
        }
    }

    // MARK: 4-ary heap (children of i are 4i+1 ... 4i+4): half the levels of a binary heap, and the four
    // children of a node share a cache line or two, so a pop touches fewer lines. The hole moves instead of swapping.

    mutating func push(_ event: Event) {
        heap.append(event)
        var child = heap.count - 1
        heap.withUnsafeMutableBufferPointer { h in
            while child > 0 {
                let parent = (child - 1) >> 2
                if !Event.precedes(event, h[parent]) { break }
                h[child] = h[parent]
                child = parent
            }
            h[child] = event
        }
    }

    mutating func popHeap() -> Event? {
        guard let top = heap.first else { return nil }
        let last = heap.removeLast()
        let n = heap.count
        if n == 0 { return top }
        heap.withUnsafeMutableBufferPointer { h in
            var parent = 0
            while true {
                let first = 4 * parent + 1
                if first >= n { break }
                var best = first
                if first + 3 < n {
                    // All four children exist: a tournament of selects, which compile to conditional moves (the
                    // comparisons of random times would mispredict as branches).
                    let a = Event.precedes(h[first + 1], h[first]) ? first + 1 : first
                    let b = Event.precedes(h[first + 3], h[first + 2]) ? first + 3 : first + 2
                    best = Event.precedes(h[b], h[a]) ? b : a
                } else {
                    var c = first + 1
                    while c < n {
                        if Event.precedes(h[c], h[best]) { best = c }
                        c += 1
                    }
                }
                if !Event.precedes(h[best], last) { break }
                h[parent] = h[best]
                parent = best
            }
            h[parent] = last
        }
        return top
    }
}
