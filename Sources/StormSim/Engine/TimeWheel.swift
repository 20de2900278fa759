/// Pending events beyond the current time window, kept unsorted in a ring of buckets, one per window.
///
/// The event queue sorts only the events of the current window (`WindowQueue`, which stays in the cache). When the
/// window's events are done, the next window's bucket moves into it and is sorted there. Windows are 2^21 ns (about
/// 2.1 ms); the ring covers 1,023 windows ahead (about 2.1 s). Events further ahead wait in the queue's `far` heap.
/// (4.2 ms windows made the AWS sweep 2 to 4% slower, 1 ms windows `bench-overload` 3% slower.)
///
/// A bucket is a list of chunks from the queue's pool (`EventChunks`), filled in order: appending writes the next
/// entry of the bucket's last chunk, and draining copies whole chunks out, front to back. The bucket's last chunk
/// and fill count are in small arrays that stay in the cache. (A bucket used to be linked lists of one node per
/// event; a million-client burst spent a tenth of its time waiting for the free list's next node to come from
/// memory before it could append.)
///
/// A bucket holds its events in the order they were appended, which is the order they were scheduled, except
/// that events moved in from `far` come first (see `EventQueue.advance`). A slot holds the events of exactly one
/// window: a window enters the ring's span only after the window that used its slot has been drained.
struct TimeWheel: ~Copyable {
    typealias Entry = WindowQueue.Entry

    static let none = EventChunks.none
    /// Window index of a key: its time >> windowShift.
    static let windowShift: UInt64 = 21
    static let slots = 1024

    /// Each slot's first and last chunk (`none` when its bucket is empty), and the entries in its last chunk.
    var first: UnsafeMutablePointer<UInt32>
    var last: UnsafeMutablePointer<UInt32>
    var fill: UnsafeMutablePointer<UInt32>
    /// Events in all buckets.
    var count = 0

    init() {
        first = PlainMemory.allocate(UInt32.self, capacity: Self.slots)
        first.initialize(repeating: Self.none, count: Self.slots)
        last = PlainMemory.allocate(UInt32.self, capacity: Self.slots)
        last.initialize(repeating: Self.none, count: Self.slots)
        fill = PlainMemory.allocate(UInt32.self, capacity: Self.slots)
        fill.initialize(repeating: 0, count: Self.slots)
    }

    deinit {
        PlainMemory.free(first)
        PlainMemory.free(last)
        PlainMemory.free(fill)
    }

    @inline(__always)
    static func slot(_ window: UInt64) -> Int { Int(truncatingIfNeeded: window) & (slots - 1) }

    /// Adds an event of `window` (which must be within the ring's span). - Complexity: amortized O(1).
    @inline(__always)
    mutating func append(_ key: EventKey, _ payload: UInt64, window: UInt64, chunks: inout EventChunks) {
        let s = Self.slot(window)
        var chunk = last[s]
        var n = Int(fill[s])
        if chunk == Self.none || n == EventChunks.size {
            let fresh = chunks.take()
            if chunk == Self.none { first[s] = fresh } else { chunks.next[Int(chunk)] = fresh }
            last[s] = fresh
            chunk = fresh
            n = 0
        }
        (chunks.base(chunk) + n).initialize(to: Entry(key: key, payload: payload))
        fill[s] = UInt32(truncatingIfNeeded: n &+ 1)
        count &+= 1
    }

    /// Moves every event of `window` into `queue`'s run in the order they were appended (the queue sorts them),
    /// and its chunks back to the pool.
    mutating func drain(window: UInt64, into queue: inout WindowQueue, chunks: inout EventChunks) {
        let s = Self.slot(window)
        var chunk = first[s]
        guard chunk != Self.none else { return }
        let lastChunk = last[s], lastFill = Int(fill[s])
        first[s] = Self.none
        last[s] = Self.none
        fill[s] = 0
        while chunk != Self.none {
            let n = chunk == lastChunk ? lastFill : EventChunks.size
            queue.append(contentsOf: chunks.base(chunk), count: n)
            count &-= n
            let following = chunks.next[Int(chunk)]
            chunks.give(chunk)
            chunk = following
        }
    }

    /// Calls `body` with every event waiting, in no particular order. O(n): never on the hot path.
    func forEach(_ chunks: borrowing EventChunks, _ body: (EventKey, UInt64) -> Void) {
        for s in 0..<Self.slots {
            var chunk = first[s]
            while chunk != Self.none {
                let n = chunk == last[s] ? Int(fill[s]) : EventChunks.size
                let base = chunks.base(chunk)
                for i in 0..<n { body(base[i].key, base[i].payload) }
                chunk = chunks.next[Int(chunk)]
            }
        }
    }
}
