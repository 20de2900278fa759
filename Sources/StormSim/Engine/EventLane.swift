/// A FIFO of events in one growable ring buffer (capacity a power of two), owned like the queue it belongs to.
///
/// Events scheduled with a fixed delay arrive in time order, so a lane needs no sorting: O(1) in and out.
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
        buffer = PlainMemory.allocate(Event.self, capacity: c)
        mask = c - 1
    }

    deinit { PlainMemory.free(buffer) }

    /// Whether appending an event at `time` keeps the lane in time order.
    @inline(__always)
    func accepts(_ time: SimTime) -> Bool { count == 0 || tailTime <= time.nanoseconds }

    /// The first event's key; only when not empty.
    @inline(__always)
    var headKey: EventKey {
        let e = buffer[head]
        return EventKey(time: e.time, order: e.sequenceAndKind)
    }

    @inline(__always)
    mutating func append(_ event: Event) {
        if count > mask { grow() }
        (buffer + ((head &+ count) & mask)).initialize(to: event)
        count &+= 1
        tailTime = event.time.nanoseconds
    }

    /// Only when not empty.
    @inline(__always)
    mutating func popFirst() -> Event {
        let event = buffer[head]
        head = (head &+ 1) & mask
        count &-= 1
        return event
    }

    /// Whether the next append would have to grow the buffer.
    var isFull: Bool { count > mask }

    /// Removes the events `isDead` picks, keeping the others in their order, and returns how many of the removed
    /// ones are earlier than `end`. O(count).
    mutating func remove(where isDead: (Event) -> Bool, countingBefore end: SimTime) -> Int {
        var kept = 0, counted = 0
        for i in 0..<count {
            let event = buffer[(head &+ i) & mask]
            if isDead(event) {
                if event.time < end { counted += 1 }
            } else {
                buffer[(head &+ kept) & mask] = event
                kept += 1
            }
        }
        count = kept
        if kept > 0 { tailTime = buffer[(head &+ kept &- 1) & mask].time.nanoseconds }
        return counted
    }

    /// Doubles the ring in place (`realloc`): the events that had wrapped around to the start move to just past
    /// the old end, so the ring runs on from `head` unbroken.
    mutating func grow() {
        let old = mask + 1
        buffer = PlainMemory.resize(buffer, to: old * 2)
        let wrapped = head + count - old
        if wrapped > 0 { (buffer + old).update(from: buffer, count: wrapped) }
        mask = old * 2 - 1
    }
}
