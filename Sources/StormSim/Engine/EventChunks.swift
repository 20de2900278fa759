/// Chunks of 32 event entries, one pool for all the event queue's FIFO lanes and calendar buckets.
///
/// Each lane and each bucket is a list of chunks filled in order: appending writes the next entry of its last
/// chunk, popping or draining reads its first chunk front to back, and a chunk emptied goes back to the pool,
/// which hands it out again last-freed-first (while it is likely still in the cache). So the memory the queue
/// holds follows the events waiting in all its parts together, and a part that held a million events a moment
/// ago (a burst's first attempts in the network lane) does not keep its memory while another part fills (their
/// retries in the calendar): a million-client burst's queue took 75 MB as separate rings and 50 MB from one pool.
/// Nothing waits for a load from memory that may be cold: entries are written and read in address order, and the
/// links live in their own small array.
struct EventChunks: ~Copyable {
    typealias Entry = WindowQueue.Entry

    /// Entries per chunk: 32 of 24 bytes, 768 bytes.
    static let size = 32
    static let mask = size - 1
    static let shift = size.trailingZeroBitCount
    static let none = UInt32.max

    /// Chunk c holds `entries[c * size ..< (c + 1) * size]`.
    var entries: UnsafeMutablePointer<Entry>
    /// The chunk after each chunk in its list, or on the free list; `none` ends a list.
    var next: UnsafeMutablePointer<UInt32>
    var capacity: Int
    /// Chunks ever handed out; those below it that are in no list are on the free list.
    var used = 0
    var free = EventChunks.none
    /// A lane's next chunk, which it began to read just now, and its events: due to be touched (`EventHandler.touch`).
    var toWarm = EventChunks.none
    var toWarmCount = 0
    /// Lanes of this many events or more have their next chunk touched (`EventQueue.warmLanes(from:)`).
    var laneWarmFrom = EventLane.warmFrom

    init() {
        capacity = 64
        entries = PlainMemory.allocate(Entry.self, capacity: capacity * Self.size)
        next = PlainMemory.allocate(UInt32.self, capacity: capacity)
    }

    deinit {
        PlainMemory.free(entries)
        PlainMemory.free(next)
    }

    /// The first entry of `chunk`.
    @inline(__always)
    func base(_ chunk: UInt32) -> UnsafeMutablePointer<Entry> { entries + Int(chunk) &* Self.size }

    /// A chunk off the free list, or a new one, linked to nothing.
    @inline(__always)
    mutating func take() -> UInt32 {
        let chunk: UInt32
        if free != Self.none {
            chunk = free
            free = next[Int(chunk)]
        } else {
            if used == capacity { grow() }
            chunk = UInt32(truncatingIfNeeded: used)
            used &+= 1
        }
        next[Int(chunk)] = Self.none
        return chunk
    }

    /// Appends `entry` to a chain of chunks (a lane, a calendar bucket) whose next place is `tail`: place p is
    /// entry p of `entries`, in chunk p / 32; a place at the start of a chunk means the chain's last chunk is full,
    /// and 0 that it holds none. Returns true when the chain held no chunk: its first is now the one `tail - 1` is in.
    @inline(__always)
    mutating func append(_ entry: Entry, tail: inout Int) -> Bool {
        let started = tail == 0
        if tail & Self.mask == 0 { tail = startChunk(after: tail) }
        (entries + tail).initialize(to: entry)
        tail &+= 1
        return started
    }

    /// Takes a chunk for a chain whose next place is `tail` (one append in 32, kept out of the inlined path),
    /// links it after the chain's last chunk, and returns its first place.
    @inline(never)
    mutating func startChunk(after tail: Int) -> Int {
        let chunk = take()
        if tail != 0 { next[(tail &- 1) >> Self.shift] = chunk }
        return Int(chunk) << Self.shift
    }

    /// The events in `chunk` of a chain whose next place is `tail`: all 32, or fewer in its last chunk.
    @inline(__always)
    static func filled(_ chunk: UInt32, tail: Int) -> Int {
        Int(chunk) == (tail &- 1) >> shift ? ((tail &- 1) & mask) &+ 1 : size
    }

    /// Returns `chunk` to the pool.
    @inline(__always)
    mutating func give(_ chunk: UInt32) {
        next[Int(chunk)] = free
        free = chunk
    }

    /// Returns `chunk` and every chunk linked after it.
    mutating func giveList(from chunk: UInt32) {
        var c = chunk
        while c != Self.none {
            let following = next[Int(c)]
            give(c)
            c = following
        }
    }

    /// Doubles the pool (`realloc`: the pages of chunks never handed out are never touched, so they cost address
    /// space, not memory).
    mutating func grow() {
        precondition(capacity * 2 * Self.size <= Int(UInt32.max), "more than 2^32 events pending")
        capacity *= 2
        entries = PlainMemory.resize(entries, to: capacity * Self.size)
        next = PlainMemory.resize(next, to: capacity)
    }
}
