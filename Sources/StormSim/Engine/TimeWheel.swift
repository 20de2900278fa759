/// Pending events beyond the current time window, kept unsorted in a ring of buckets, one per window.
///
/// The event queue sorts only the events of the current window (`WindowQueue`, which stays in the cache). When the
/// window's events are done, the next window's bucket moves into it and is sorted there. Windows are 2^21 ns (about
/// 2.1 ms); the ring covers 1,023 windows ahead (about 2.1 s). Events further ahead wait in the queue's `far` heap.
/// (4.2 ms windows made the AWS sweep 2 to 4% slower, 1 ms windows `bench-overload` 3% slower.)
///
/// A bucket is a list of chunks of `chunkSize` entries from one pool, filled in order: appending writes the next
/// entry of the bucket's last chunk, and draining copies whole chunks out, front to back. Nothing on either path
/// waits for a load from memory that may be cold: the bucket's last chunk and fill count are in small arrays that
/// stay in the cache, a chunk's entries are written and read in address order (the prefetcher follows), and the
/// chunk links and the free list live in their own small array. (A bucket used to be linked lists of one node per
/// event; a million-client burst spent a tenth of its time waiting for the free list's next node to come from
/// memory before it could append.) Free chunks are reused last-freed-first, so the memory touched grows with the
/// events waiting, not with the number of buckets.
///
/// A bucket holds its events in the order they were appended, which is the order they were scheduled, except
/// that events moved in from `far` come first (see `EventQueue.advance`). A slot holds the events of exactly one
/// window: a window enters the ring's span only after the window that used its slot has been drained.
struct TimeWheel: ~Copyable {
    typealias Entry = WindowQueue.Entry

    static let none = UInt32.max
    /// Window index of a key: its time >> windowShift.
    static let windowShift: UInt64 = 21
    static let slots = 1024
    /// Entries per chunk (a power of two): 32 entries of 24 bytes, 768 bytes.
    static let chunkSize = 32

    /// Each slot's first and last chunk (`none` when its bucket is empty), and the entries in its last chunk.
    var first: UnsafeMutablePointer<UInt32>
    var last: UnsafeMutablePointer<UInt32>
    var fill: UnsafeMutablePointer<UInt32>
    /// The chunks' entries: chunk c holds `entries[c * chunkSize ..< (c + 1) * chunkSize]`.
    var entries: UnsafeMutablePointer<Entry>
    /// The chunk after each chunk in its bucket, or on the free list; `none` ends a list.
    var next: UnsafeMutablePointer<UInt32>
    var chunkCapacity: Int
    /// Chunks ever used; those below it that are not in a bucket are on the free list.
    var chunksUsed = 0
    var free = TimeWheel.none
    /// Events in all buckets.
    var count = 0

    init() {
        first = PlainMemory.allocate(UInt32.self, capacity: Self.slots)
        first.initialize(repeating: Self.none, count: Self.slots)
        last = PlainMemory.allocate(UInt32.self, capacity: Self.slots)
        last.initialize(repeating: Self.none, count: Self.slots)
        fill = PlainMemory.allocate(UInt32.self, capacity: Self.slots)
        fill.initialize(repeating: 0, count: Self.slots)
        chunkCapacity = 64
        entries = PlainMemory.allocate(Entry.self, capacity: chunkCapacity * Self.chunkSize)
        next = PlainMemory.allocate(UInt32.self, capacity: chunkCapacity)
    }

    deinit {
        PlainMemory.free(first)
        PlainMemory.free(last)
        PlainMemory.free(fill)
        PlainMemory.free(entries)
        PlainMemory.free(next)
    }

    @inline(__always)
    static func slot(_ window: UInt64) -> Int { Int(truncatingIfNeeded: window) & (slots - 1) }

    /// Adds an event of `window` (which must be within the ring's span). - Complexity: amortized O(1).
    @inline(__always)
    mutating func append(_ key: EventKey, _ payload: UInt64, window: UInt64) {
        let s = Self.slot(window)
        var chunk = last[s]
        var n = Int(fill[s])
        if chunk == Self.none || n == Self.chunkSize {
            let fresh = newChunk()
            if chunk == Self.none { first[s] = fresh } else { next[Int(chunk)] = fresh }
            last[s] = fresh
            chunk = fresh
            n = 0
        }
        (entries + (Int(chunk) &* Self.chunkSize &+ n)).initialize(to: Entry(key: key, payload: payload))
        fill[s] = UInt32(truncatingIfNeeded: n &+ 1)
        count &+= 1
    }

    /// A chunk off the free list, or a new one.
    @inline(__always)
    mutating func newChunk() -> UInt32 {
        let chunk: UInt32
        if free != Self.none {
            chunk = free
            free = next[Int(chunk)]
        } else {
            if chunksUsed == chunkCapacity { grow() }
            chunk = UInt32(truncatingIfNeeded: chunksUsed)
            chunksUsed &+= 1
        }
        next[Int(chunk)] = Self.none
        return chunk
    }

    /// Moves every event of `window` into `queue`'s run in the order they were appended (the queue sorts them),
    /// and its chunks to the free list.
    mutating func drain(window: UInt64, into queue: inout WindowQueue) {
        let s = Self.slot(window)
        var chunk = first[s]
        guard chunk != Self.none else { return }
        let lastChunk = last[s], lastFill = Int(fill[s])
        first[s] = Self.none
        last[s] = Self.none
        fill[s] = 0
        while chunk != Self.none {
            let n = chunk == lastChunk ? lastFill : Self.chunkSize
            queue.append(contentsOf: entries + Int(chunk) &* Self.chunkSize, count: n)
            count &-= n
            let following = next[Int(chunk)]
            next[Int(chunk)] = free
            free = chunk
            chunk = following
        }
    }

    /// Calls `body` with every event waiting, in no particular order. O(n): never on the hot path.
    func forEach(_ body: (EventKey, UInt64) -> Void) {
        for s in 0..<Self.slots {
            var chunk = first[s]
            while chunk != Self.none {
                let n = chunk == last[s] ? Int(fill[s]) : Self.chunkSize
                let base = entries + Int(chunk) * Self.chunkSize
                for i in 0..<n { body(base[i].key, base[i].payload) }
                chunk = next[Int(chunk)]
            }
        }
    }

    mutating func grow() {
        precondition(chunkCapacity < Int(Self.none) / 2, "more than 2^36 events pending")
        chunkCapacity *= 2
        entries = PlainMemory.resize(entries, to: chunkCapacity * Self.chunkSize)
        next = PlainMemory.resize(next, to: chunkCapacity)
    }
}
