/// Pending events beyond the current time window, kept unsorted in a ring of buckets, one per window.
///
/// The event queue sorts only the events of the current window (`WindowQueue`, which stays in the cache). When the
/// window's events are done, the next window's bucket moves into it and is sorted there. Windows are 2^22 ns (about
/// 4.2 ms); the ring covers 1,023 windows ahead (about 4.3 s). Events further ahead wait in the queue's `far` heap.
/// (With the window sorted by insertion and merge sort, 2.1 ms windows had been 2 to 4% faster on the AWS sweep;
/// since the counting pass made sorting a window linear, 4.2 ms windows are 2.6% fewer instructions and 7% fewer
/// mispredicted branches, and 8.4 ms more mispredicted branches again. 1 ms windows: `bench-overload` 3% slower.)
///
/// A bucket is a list of chunks from the queue's pool (`EventChunks`), filled in order: appending writes the next
/// entry of the bucket's last chunk, and draining copies whole chunks out, front to back. Each bucket's first
/// chunk and next place are in small arrays that stay in the cache. (A bucket used to be linked lists of one node per
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
    static let windowShift: UInt64 = 22
    static let slots = 1024

    /// Each slot's bucket: its first chunk (`none` when empty), and the place its next event goes
    /// (`EventChunks.append`; 0 when empty).
    var first: UnsafeMutablePointer<UInt32>
    var tail: UnsafeMutablePointer<UInt32>
    /// Events in all buckets.
    var count = 0

    init() {
        first = PlainMemory.allocate(UInt32.self, capacity: Self.slots)
        first.initialize(repeating: Self.none, count: Self.slots)
        tail = PlainMemory.allocate(UInt32.self, capacity: Self.slots)
        tail.initialize(repeating: 0, count: Self.slots)
    }

    deinit {
        PlainMemory.free(first)
        PlainMemory.free(tail)
    }

    @inline(__always)
    static func slot(_ window: UInt64) -> Int { Int(truncatingIfNeeded: window) & (slots - 1) }

    /// Adds an event of `window` (which must be within the ring's span). - Complexity: amortized O(1).
    @inline(__always)
    mutating func append(_ key: EventKey, _ payload: UInt64, window: UInt64, chunks: inout EventChunks) {
        let s = Self.slot(window)
        var place = Int(tail[s])
        if chunks.append(Entry(key: key, payload: payload), tail: &place) {
            first[s] = UInt32(truncatingIfNeeded: (place &- 1) >> EventChunks.shift)
        }
        tail[s] = UInt32(truncatingIfNeeded: place)
        count &+= 1
    }

    /// Whether `window`'s bucket is empty (only for a window within the ring's span).
    @inline(__always)
    func isEmpty(window: UInt64) -> Bool { first[Self.slot(window)] == Self.none }

    /// Moves every event of `window` into `queue`'s run in the order they were appended (the queue sorts them),
    /// and its chunks back to the pool.
    mutating func drain(window: UInt64, into queue: inout WindowQueue, chunks: inout EventChunks) {
        let s = Self.slot(window)
        var chunk = first[s]
        guard chunk != Self.none else { return }
        let end = Int(tail[s])
        first[s] = Self.none
        tail[s] = 0
        while chunk != Self.none {
            let n = EventChunks.filled(chunk, tail: end)
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
                let base = chunks.base(chunk)
                for i in 0..<EventChunks.filled(chunk, tail: Int(tail[s])) { body(base[i].key, base[i].payload) }
                chunk = chunks.next[Int(chunk)]
            }
        }
    }
}
