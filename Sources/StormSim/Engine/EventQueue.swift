/// The pending-event set, ordered by `(time, sequence)`: FIFO lanes for fixed delays, and for everything else the
/// current time window's events (`WindowQueue`) backed by a ring of per-window buckets (a calendar queue).
///
/// Every scheduled event gets the next sequence number, so simultaneous events pop in the order they were
/// scheduled. `(time, sequence)` is a strict total order (sequence numbers are unique), so the events pop in exactly
/// the same order as they would from one binary heap, or from any correct priority queue: the structure below is
/// free to be fast without changing a single output byte.
///
/// - Lanes: events that a component schedules with a fixed delay (a constant timeout, a constant network latency)
///   arrive in time order, so they go to a FIFO lane, O(1). A lane accepts an event only when it is not earlier
///   than the lane's last one; otherwise the event goes to the heap side.
/// - Heap side: time is cut into windows of 2^22 ns. `near` holds the events of windows up to the current one
///   (the window's bucket, sorted once when it moved in, and a small heap of events scheduled into the window
///   since); the `TimeWheel` holds, unsorted, those of the next 1,023 windows; `far`, a 4-ary heap, holds the
///   rest. When `near` runs dry, the next window's bucket moves into it. So every event passes through one
///   window's events (tens of them), which stay in the cache, and far-ahead events (the next arrival of each of
///   a thousand clients) cost an append and a move instead of a climb through a big heap.
///
/// Popping takes the smallest of `near`'s top and each lane's head. The queue owns its memory (it is not
/// copyable): no reference counting and no uniqueness check on the hot path.
public struct EventQueue: ~Copyable {
    var near: WindowQueue
    var wheel: TimeWheel
    /// The chunks that hold the lanes' and the wheel's events.
    var chunks: EventChunks
    var far: KeyHeap
    /// The current window: `near` holds every heap-side event of this window or earlier, the wheel those of the
    /// next `TimeWheel.slots - 1` windows, `far` the later ones.
    var window: UInt64
    /// Two FIFO lanes, as plain properties (an array of lanes would cost an indirection on every pop). Their events
    /// are in `chunks`.
    var lane0: EventLane
    var lane1: EventLane
    var nextSequence: UInt64 = 0
    /// Events taken out of a lane by `makeRoom` that would have been popped before the end given there.
    public private(set) var removedBeforeEnd = 0

    /// The model may use lanes 0 and 1.
    public static let laneCount = 2

    public init() {
        near = WindowQueue(capacity: 256)
        wheel = TimeWheel()
        chunks = EventChunks()
        far = KeyHeap(capacity: 256)
        window = EventKey(time: .zero, order: 0).time >> TimeWheel.windowShift
        lane0 = EventLane(capacity: 1024)
        lane1 = EventLane(capacity: 1024)
    }

    /// Events waiting.
    public var count: Int { near.count + wheel.count + far.count + lane0.count + lane1.count }
    public var isEmpty: Bool { count == 0 }

    /// Schedules an event on the heap side. - Complexity: O(1) amortized when it is beyond the current window,
    /// else O(log n) in the window's heap.
    @inline(__always)
    public mutating func schedule(code: UInt8, at time: SimTime, a: UInt32, b: UInt32 = 0) {
        let order = nextSequence << 8 | UInt64(code)
        nextSequence &+= 1
        push(EventKey(time: time, order: order), UInt64(a) | UInt64(b) << 32)
    }

    /// Schedules an event in FIFO lane `lane` when that keeps the lane sorted, else on the heap side.
    /// - Complexity: O(1) in the lane.
    @inline(__always)
    public mutating func schedule(
        code: UInt8, at time: SimTime, a: UInt32, b: UInt32 = 0, lane: Int
    ) {
        precondition(lane == 0 || lane == 1, "EventQueue has lanes 0 and 1")
        let entry = EventLane.Entry(
            key: EventKey(time: time, order: nextSequence << 8 | UInt64(code)), payload: UInt64(a) | UInt64(b) << 32)
        nextSequence &+= 1
        if lane == 0 {
            if lane0.accepts(time) { lane0.append(entry, time: time.nanoseconds, chunks: &chunks) } else { push(entry) }
        } else {
            if lane1.accepts(time) { lane1.append(entry, time: time.nanoseconds, chunks: &chunks) } else { push(entry) }
        }
    }

    /// Whether lane `lane` is full, so that the next event appended to it would make it grow.
    @inline(__always)
    public func laneIsFull(_ lane: Int) -> Bool { lane == 0 ? lane0.isFull : lane1.isFull }

    /// Makes room in a full lane instead of letting it double: removes the events that `isDead` says no longer
    /// matter (a timeout of an attempt that has already ended, whose handler would do nothing), keeping the
    /// others in order. Popping order is `(time, sequence)` whatever holds the events, so removing dead ones
    /// changes nothing else. The removed events that are earlier than `end` are counted in `removedBeforeEnd`, so
    /// a run's event count stays the number of events it would have popped. When more than half of the lane is
    /// still live it doubles, so a scan costs O(1) amortized per event appended. Called rarely (only when the
    /// lane is full), never per event.
    public mutating func makeRoom(inLane lane: Int, countingBefore end: SimTime, removing isDead: (Event) -> Bool) {
        precondition(lane == 0 || lane == 1, "EventQueue has lanes 0 and 1")
        let dead = { (entry: EventLane.Entry) in isDead(Self.event(entry)) }
        if lane == 0 {
            removedBeforeEnd += lane0.remove(where: dead, countingBefore: end, chunks: &chunks)
            if lane0.count * 2 > lane0.capacity { lane0.capacity *= 2 }
        } else {
            removedBeforeEnd += lane1.remove(where: dead, countingBefore: end, chunks: &chunks)
            if lane1.count * 2 > lane1.capacity { lane1.capacity *= 2 }
        }
    }

    /// The earliest event, without removing it (it may move the heap side to a later window).
    public mutating func peek() -> Event? {
        refill()
        switch source() {
        case 0: return lane0.count > 0 ? Self.event(lane0.peekFirst(chunks)) : nil
        case 1: return lane1.count > 0 ? Self.event(lane1.peekFirst(chunks)) : nil
        case 2: return nearTop()
        default: return nil
        }
    }

    /// Removes and returns the earliest event by `(time, sequence)`.
    /// - Complexity: O(1) from a lane; O(log n) in the window's heap, plus O(1) amortized per window passed.
    @inline(__always)
    public mutating func popMin() -> Event? {
        refill()
        switch source() {
        case 0: return Self.event(lane0.popFirst(chunks: &chunks))
        case 1: return Self.event(lane1.popFirst(chunks: &chunks))
        case 2:
            let entry = near.popTop()
            return Self.event(entry.key, entry.payload)
        default: return nil
        }
    }

    /// Where the earliest event is: lane 0, lane 1, the heap side (2), or nowhere (-1). `near` must have been
    /// refilled.
    @inline(__always)
    func source() -> Int {
        var source = -1
        var best = EventKey.last
        if !near.isEmpty {
            best = near.top
            source = 2
        }
        if lane0.count > 0 {
            let head = lane0.peekFirst(chunks).key
            if EventKey.precedes(head, best) {
                best = head
                source = 0
            }
        }
        if lane1.count > 0, EventKey.precedes(lane1.peekFirst(chunks).key, best) { source = 1 }
        return source
    }

    @inline(__always)
    func nearTop() -> Event {
        let entry = near.peekTop()
        return Self.event(entry.key, entry.payload)
    }

    @inline(__always)
    static func event(_ entry: EventLane.Entry) -> Event { event(entry.key, entry.payload) }

    /// The event a key and payload stand for.
    @inline(__always)
    static func event(_ key: EventKey, _ payload: UInt64) -> Event {
        Event(
            time: key.simTime, sequenceAndKind: key.order,
            a: UInt32(truncatingIfNeeded: payload), b: UInt32(truncatingIfNeeded: payload >> 32))
    }

    /// Calls `body` with every pending event, in no particular order. O(n): for invariant checks, never on the hot
    /// path.
    public func forEachPending(_ body: (Event) -> Void) {
        let event: (EventKey, UInt64) -> Event = Self.event
        near.forEach { body(event($0, $1)) }
        for i in 0..<far.count { body(event(far.keys[i], far.payloads[i])) }
        wheel.forEach(chunks) { body(event($0, $1)) }
        lane0.forEach(chunks) { body(Self.event($0)) }
        lane1.forEach(chunks) { body(Self.event($0)) }
    }

    /// Whether events ahead are due to be touched (`warmAhead`): a crowded window's next batch, or a lane's next
    /// chunk. Two comparisons per event.
    @inline(__always)
    var needsWarming: Bool { near.needsWarming || chunks.toWarm != EventChunks.none }

    /// Touches the next chunk of every lane of `count` events or more (8,192 unless told): for a model whose slots
    /// are beyond the cache, so that even a short lane's events find their slots on the way.
    mutating func warmLanes(from count: Int) { chunks.laneWarmFrom = Swift.max(1, count) }

    /// Hands the events ahead that are due to `model.touch` at once, so that the reads of their slots are in flight
    /// together instead of one event after another: in a burst, each event's slot is a cache miss (a retry's
    /// request, a million requests away), and a handler waits for its own. Touching changes nothing the model
    /// does; it only reads.
    mutating func warmAhead<Model: EventHandler>(_ model: borrowing Model) -> UInt64 {
        var sum: UInt64 = 0
        if near.needsWarming {
            let (first, count) = near.takeWarmBatch()
            sum &+= Self.touch(first, count, model)
        }
        if chunks.toWarm != EventChunks.none {
            sum &+= Self.touch(chunks.base(chunks.toWarm), chunks.toWarmCount, model)
            chunks.toWarm = EventChunks.none
        }
        return sum
    }

    /// Hands `count` events to `model.touch` one after another, with nothing between them that waits for a read.
    @inline(__always)
    static func touch<Model: EventHandler>(
        _ entries: UnsafeMutablePointer<EventLane.Entry>, _ count: Int, _ model: borrowing Model
    ) -> UInt64 {
        var sum: UInt64 = 0
        for i in 0..<count { sum &+= model.touch(event(entries[i])) }
        return sum
    }

    // MARK: heap side

    /// An event that could not join its lane (it is earlier than the lane's last): out of line, so that the lane's
    /// path stays small enough to inline.
    @inline(never)
    mutating func push(_ entry: EventLane.Entry) { push(entry.key, entry.payload) }

    mutating func push(_ event: Event) {
        push(EventKey(time: event.time, order: event.sequenceAndKind), UInt64(event.a) | UInt64(event.b) << 32)
    }

    @inline(__always)
    mutating func push(_ key: EventKey, _ payload: UInt64) {
        let w = key.time >> TimeWheel.windowShift
        if w <= window {
            near.push(key, payload)
        } else if w &- window < UInt64(TimeWheel.slots) {
            wheel.append(key, payload, window: w, chunks: &chunks)
        } else {
            far.push(key, payload)
        }
    }

    /// Makes `near` hold the earliest heap-side event, if there is one earlier than the lanes' window.
    @inline(__always)
    mutating func refill() {
        if near.isEmpty && (wheel.count > 0 || !far.isEmpty) { advance() }
    }

    /// The window of the earliest lane event (`UInt64.max` when both lanes are empty).
    @inline(__always)
    var laneWindow: UInt64 {
        var w = UInt64.max
        if lane0.count > 0 { w = lane0.peekFirst(chunks).key.time >> TimeWheel.windowShift }
        if lane1.count > 0 { w = Swift.min(w, lane1.peekFirst(chunks).key.time >> TimeWheel.windowShift) }
        return w
    }

    /// Moves to the next window that has events until `near` has some: window by window through the wheel, or
    /// straight to the first far event's window when the wheel is empty. Far events that come within the wheel's
    /// span on the way move into it.
    ///
    /// It never moves past the window of the earliest lane event: with `near` empty, every heap-side event is in a
    /// later window than `window`, so a lane event in `window` or earlier is the earliest of all. Moving on would
    /// make every event scheduled for the windows skipped land in `near` (they are at or before its window): in a
    /// burst whose lanes hold a million messages, `near` would grow from tens of events to a million.
    mutating func advance() {
        let stop = laneWindow
        while near.isEmpty && window < stop {
            if wheel.count > 0 {
                window &+= 1
                // An empty window with nothing to bring in from `far` (the loop below would stop at once) changes
                // nothing: on to the next without the calls. Most windows of a sparse run are empty: five in six of
                // the AWS sweep's, 0.4 for each event it handles.
                if wheel.isEmpty(window: window) {
                    let farDue = !far.isEmpty && (far.top.time >> TimeWheel.windowShift) &- window < UInt64(TimeWheel.slots)
                    if !farDue { continue }
                }
                wheel.drain(window: window, into: &near, chunks: &chunks)
            } else if !far.isEmpty {
                window = Swift.min(far.top.time >> TimeWheel.windowShift, stop)
            } else {
                return
            }
            while !far.isEmpty {
                let w = far.top.time >> TimeWheel.windowShift  // never before `window`
                if w &- window >= UInt64(TimeWheel.slots) { break }
                let key = far.top, payload = far.topPayload
                far.removeTop()
                if w == window {
                    near.append(key, payload)
                } else {
                    wheel.append(key, payload, window: w, chunks: &chunks)
                }
            }
            near.sortRun()
        }
    }
}
