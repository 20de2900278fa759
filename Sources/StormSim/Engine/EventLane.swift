/// A FIFO of events: a list of chunks from the queue's pool (`EventChunks`), appended at the end of its last chunk
/// and popped from the front of its first.
///
/// Events scheduled with a fixed delay arrive in time order, so a lane needs no sorting: O(1) in and out.
///
/// A lane has a nominal capacity, which only decides when it counts as full: the model may then take out events
/// that no longer matter (`EventQueue.makeRoom`) before appending more; appending to a full lane doubles it.
struct EventLane {
    typealias Entry = EventChunks.Entry

    /// Where the first event is, and where the next one goes, as places in `EventChunks.entries` (chunk c holds
    /// places 32c to 32c + 31). A place at the start of a chunk for `tail` means the last chunk is full (or there
    /// is none): the next append takes a chunk. An empty lane holds at most the chunk it emptied in.
    var head = 0
    var tail = 0
    var count = 0
    /// The time of the last event appended (meaningful while the lane is not empty).
    var tailTime: Int64 = 0
    var capacity: Int

    /// Lanes of this many events or more have their events touched ahead (`EventQueue.warmAhead`), unless the model
    /// says its state is beyond the cache (`EventQueue.warmLanes(from:)`).
    static let warmFrom = 8_192
    static let chunkMask = EventChunks.mask
    static let chunkShift = EventChunks.shift

    init(capacity: Int) {
        var c = 4
        while c < capacity { c <<= 1 }
        self.capacity = c
    }

    /// Whether appending an event at `time` keeps the lane in time order.
    @inline(__always)
    func accepts(_ time: SimTime) -> Bool { count == 0 || tailTime <= time.nanoseconds }

    /// Whether the next append would make the lane grow.
    var isFull: Bool { count >= capacity }

    /// The first event; only when not empty.
    @inline(__always)
    func peekFirst(_ chunks: borrowing EventChunks) -> Entry { chunks.entries[head] }

    @inline(__always)
    mutating func append(_ entry: Entry, time: Int64, chunks: inout EventChunks) {
        if count >= capacity { capacity &*= 2 }
        if chunks.append(entry, tail: &tail) { head = tail &- 1 }
        count &+= 1
        tailTime = time
    }

    /// Only when not empty.
    @inline(__always)
    mutating func popFirst(chunks: inout EventChunks) -> Entry {
        let entry = chunks.entries[head]
        head &+= 1
        count &-= 1
        if head & Self.chunkMask == 0 { leaveChunk(&chunks) }
        return entry
    }

    /// The first chunk is done (its last place popped): back to the pool. (A lane that empties within a chunk keeps
    /// it, with `head == tail`: a lane that holds one event at a time does not take and return a chunk per event.)
    @inline(never)
    mutating func leaveChunk(_ chunks: inout EventChunks) {
        let chunk = (head &- 1) >> Self.chunkShift
        if count == 0 {
            head = 0
            tail = 0
        } else {
            let following = chunks.next[chunk]
            head = Int(following) << Self.chunkShift
            // The chunk after the one now being read is due to be touched, 32 to 64 events ahead, in a lane long
            // enough that its events' slots are unlikely to be in the cache (in a short one of a small model,
            // touching is all cost).
            let after = chunks.next[Int(following)]
            if after != EventChunks.none && count >= chunks.laneWarmFrom {
                chunks.toWarm = after
                chunks.toWarmCount = EventChunks.filled(after, tail: tail)
            }
        }
        chunks.give(UInt32(truncatingIfNeeded: chunk))
    }

    /// The place after `place` in the lane's chain of chunks.
    @inline(__always)
    static func step(_ place: Int, _ chunks: borrowing EventChunks) -> Int {
        let following = place + 1
        guard following & chunkMask == 0 else { return following }
        let next = chunks.next[place >> chunkShift]
        return next == EventChunks.none ? 0 : Int(next) << chunkShift
    }

    /// Calls `body` with every event, in order.
    func forEach(_ chunks: borrowing EventChunks, _ body: (Entry) -> Void) {
        var place = head
        for _ in 0..<count {
            body(chunks.entries[place])
            place = Self.step(place, chunks)
        }
    }

    /// Removes the events `isDead` picks, keeping the others in their order, returns the chunks left empty to the
    /// pool, and returns how many of the removed events are earlier than `end`. O(count).
    mutating func remove(
        where isDead: (Entry) -> Bool, countingBefore end: SimTime, chunks: inout EventChunks
    ) -> Int {
        guard count > 0 else { return 0 }
        var read = head, write = head, lastWritten = -1
        var kept = 0, counted = 0, left = count
        while left > 0 {
            // The rest of the chunk `read` is in, or of the lane.
            let run = Swift.min(left, EventChunks.size - read & Self.chunkMask)
            for place in read..<(read + run) {
                let entry = chunks.entries[place]
                if isDead(entry) {
                    if entry.key.simTime < end { counted += 1 }
                } else {
                    chunks.entries[write] = entry
                    lastWritten = write
                    kept += 1
                    write = Self.step(write, chunks)
                }
            }
            left -= run
            if left > 0 { read = Int(chunks.next[(read + run - 1) >> Self.chunkShift]) << Self.chunkShift }
        }
        if kept > 0 { tailTime = chunks.entries[lastWritten].key.simTime.nanoseconds }
        if kept == 0 {
            chunks.giveList(from: UInt32(truncatingIfNeeded: head >> Self.chunkShift))
            head = 0
            tail = 0
        } else {
            let lastChunk = lastWritten >> Self.chunkShift
            chunks.giveList(from: chunks.next[lastChunk])
            chunks.next[lastChunk] = EventChunks.none
            tail = lastWritten + 1
        }
        count = kept
        return counted
    }
}
