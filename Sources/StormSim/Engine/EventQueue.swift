/// The pending-event set: a binary min-heap ordered by `(time, sequence)`, plus FIFO lanes.
///
/// Every scheduled event gets the next sequence number, so simultaneous events pop in the order they were
/// scheduled. Events that a component schedules with a fixed delay (a constant timeout, a constant network latency)
/// arrive in time order: they can go to a FIFO lane instead of the heap, which makes them O(1). A lane accepts an
/// event only when it is not earlier than the lane's last one; otherwise the event goes to the heap. Popping takes
/// the smallest of the heap's top and each lane's head, so the order is exactly the same as with the heap alone.
public struct EventQueue {
    var heap: [Event] = []
    var lanes: [RingBuffer<Event>]
    var nextSequence: UInt64 = 0

    /// - Parameter lanes: how many FIFO lanes the model may use (lane indices `0..<lanes`).
    public init(lanes: Int = 0) {
        self.lanes = (0..<lanes).map { _ in RingBuffer<Event>(initialCapacity: 1024) }
        heap.reserveCapacity(1024)
    }

    /// Events waiting, in the heap and all lanes.
    public var count: Int { heap.count + lanes.reduce(0) { $0 + $1.count } }
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
        if let tail = lanes[lane].last, tail.time.nanoseconds > time.nanoseconds {
            push(event)
        } else {
            lanes[lane].append(event)
        }
    }

    /// The earliest event, without removing it.
    public func peek() -> Event? {
        var best = heap.first
        for lane in lanes {
            if let head = lane.first, best == nil || Event.precedes(head, best!) { best = head }
        }
        return best
    }

    /// Removes and returns the earliest event by `(time, sequence)`.
    /// - Complexity: O(log n) from the heap, O(1) from a lane (plus O(lanes) to compare heads).
    public mutating func popMin() -> Event? {
        var source = -1
        var best: Event? = heap.first
        for i in lanes.indices {
            if let head = lanes[i].first, best == nil || Event.precedes(head, best!) {
                best = head
                source = i
            }
        }
        guard best != nil else { return nil }
        if source >= 0 { return lanes[source].popFirst() }
        return popHeap()
    }

    // MARK: binary heap (CLRS names: the hole moves up in sift-up, down in sift-down)

    mutating func push(_ event: Event) {
        heap.append(event)
        var child = heap.count - 1
        heap.withUnsafeMutableBufferPointer { h in
            while child > 0 {
                let parent = (child - 1) >> 1
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
                var child = 2 * parent + 1
                if child >= n { break }
                if child + 1 < n && Event.precedes(h[child + 1], h[child]) { child += 1 }
                if !Event.precedes(h[child], last) { break }
                h[parent] = h[child]
                parent = child
            }
            h[parent] = last
        }
        return top
    }
}
