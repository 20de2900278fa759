/// Pending events beyond the current time window, kept unsorted in a ring of buckets, one per window.
///
/// The event queue sorts only the events of the current window (`WindowQueue`, which stays in the cache). When the
/// window's events are done, the next window's bucket moves into it and is sorted there. Windows are 2^21 ns (about 2.1 ms);
/// the ring covers 1,023 windows ahead (about 2.1 s). Events further ahead wait in the queue's `far` heap.
/// (4.2 ms windows made the AWS sweep 2 to 4% slower, 1 ms windows `bench-overload` 3% slower.)
///
/// A bucket is four linked lists of nodes from one pool, reused last-freed-first: the memory touched grows with
/// the events waiting, not with the number of buckets, and a new event usually lands in a node still in the cache.
/// A node joins the list its index picks; draining walks the four lists in step, so four independent loads are in
/// flight where one list would wait for each node in turn (a burst's window of thousands of retries, in nodes
/// scattered over megabytes, is a chain of cache misses).
/// A slot holds the events of exactly one window: a window enters the ring's span only after the window that used
/// its slot has been drained.
struct TimeWheel: ~Copyable {
    struct Node {
        var key: EventKey
        var payload: UInt64
        /// The next node of the same bucket, or of the free list; `none` ends a list.
        var next: UInt32
    }

    static let none = UInt32.max
    /// Window index of a key: its time >> windowShift.
    static let windowShift: UInt64 = 21
    static let slots = 1024
    /// Lists per bucket (a power of two).
    static let chains = 4

    /// First node of each list of each slot's bucket: slot s has lists `s * chains ..< (s + 1) * chains`.
    var heads: UnsafeMutablePointer<UInt32>
    var nodes: UnsafeMutablePointer<Node>
    var nodeCapacity: Int
    /// Nodes ever used; those below it that are not in a bucket are on the free list.
    var nodesUsed = 0
    var free = TimeWheel.none
    /// Events in all buckets.
    var count = 0

    init() {
        heads = .allocate(capacity: Self.slots * Self.chains)
        heads.initialize(repeating: Self.none, count: Self.slots * Self.chains)
        nodeCapacity = 1024
        nodes = PlainMemory.allocate(Node.self, capacity: nodeCapacity)
    }

    deinit {
        heads.deallocate()
        PlainMemory.free(nodes)
    }

    @inline(__always)
    static func slot(_ window: UInt64) -> Int { Int(truncatingIfNeeded: window) & (slots - 1) }

    /// Adds an event of `window` (which must be within the ring's span). - Complexity: amortized O(1).
    @inline(__always)
    mutating func append(_ key: EventKey, _ payload: UInt64, window: UInt64) {
        let node: UInt32
        if free != Self.none {
            node = free
            free = nodes[Int(node)].next
        } else {
            if nodesUsed == nodeCapacity { grow() }
            node = UInt32(truncatingIfNeeded: nodesUsed)
            nodesUsed &+= 1
        }
        let list = Self.slot(window) &* Self.chains &+ Int(node) & (Self.chains &- 1)
        (nodes + Int(node)).initialize(to: Node(key: key, payload: payload, next: heads[list]))
        heads[list] = node
        count &+= 1
    }

    /// Moves every event of `window` into `queue`'s run, unsorted (the queue sorts them), and its nodes to the
    /// free list.
    mutating func drain(window: UInt64, into queue: inout WindowQueue) {
        let first = Self.slot(window) &* Self.chains
        var a = heads[first], b = heads[first + 1], c = heads[first + 2], d = heads[first + 3]
        guard a & b & c & d != Self.none else { return }  // all four are `none`
        for k in 0..<Self.chains { heads[first + k] = Self.none }
        // One step of each list per round: the four next-node loads do not wait for each other.
        while a & b & c & d != Self.none {
            if a != Self.none { a = take(a, into: &queue) }
            if b != Self.none { b = take(b, into: &queue) }
            if c != Self.none { c = take(c, into: &queue) }
            if d != Self.none { d = take(d, into: &queue) }
        }
    }

    /// Hands `node`'s event to `queue`, frees the node, and returns the next node of its list.
    @inline(__always)
    mutating func take(_ node: UInt32, into queue: inout WindowQueue) -> UInt32 {
        let n = Int(node)
        queue.append(nodes[n].key, nodes[n].payload)
        let next = nodes[n].next
        nodes[n].next = free
        free = node
        count &-= 1
        return next
    }

    mutating func grow() {
        precondition(nodeCapacity < Int(Self.none) / 2, "more than 2^31 events pending")
        nodeCapacity *= 2
        nodes = PlainMemory.resize(nodes, to: nodeCapacity)
    }
}
