/// The heap-side events of the current calendar window, in two parts: the run, the window's bucket as it moved in
/// from the calendar, sorted once and then popped from the front; and `late`, a heap of the events scheduled into
/// the window after that (a zero delay, a short backoff).
///
/// A window holds tens of events in the AWS sweep and in `bench-overload`, and nearly all of them arrive with the
/// bucket: sorting them once costs less than pushing each through a heap and popping it (see `sortRun` for how
/// windows of every size are sorted).
struct WindowQueue: ~Copyable {
    struct Entry {
        var key: EventKey
        var payload: UInt64
    }

    var run: UnsafeMutablePointer<Entry>
    var runCapacity: Int
    /// The run's entries not popped yet: `run[runStart ..< runEnd]`.
    var runStart = 0
    var runEnd = 0
    /// The run's entries below `warmed` have been handed to the model's `touch`; when `runStart` reaches `warmAt`,
    /// the next batch is due (`Int.max`: never, for a run of a few events).
    var warmed = 0
    var warmAt = Int.max
    var late: KeyHeap
    /// Where a counting pass spreads a window of more than `insertionLimit` events.
    var scratch: UnsafeMutablePointer<Entry>
    var scratchCapacity = 0
    /// The counting passes' bucket counts.
    var counts: UnsafeMutablePointer<Int32>

    init(capacity: Int) {
        runCapacity = Swift.max(capacity, 16)
        run = PlainMemory.allocate(Entry.self, capacity: runCapacity)
        late = KeyHeap(capacity: 64)
        scratch = run  // unused until a run of more than `insertionLimit` events
        counts = PlainMemory.allocate(Int32.self, capacity: Self.radixBuckets)
    }

    deinit {
        PlainMemory.free(run)
        if scratchCapacity > 0 { PlainMemory.free(scratch) }
        PlainMemory.free(counts)
    }

    var count: Int { runEnd &- runStart &+ late.count }
    var isEmpty: Bool { runStart == runEnd && late.isEmpty }

    /// Whether the earliest event is the run's head (else `late`'s top); only when not empty.
    @inline(__always)
    var topIsInRun: Bool {
        runStart != runEnd && (late.isEmpty || EventKey.precedes(run[runStart].key, late.top))
    }

    /// The earliest key; only when not empty.
    @inline(__always)
    var top: EventKey { topIsInRun ? run[runStart].key : late.top }

    /// The earliest event; only when not empty.
    @inline(__always)
    func peekTop() -> Entry { topIsInRun ? run[runStart] : Entry(key: late.top, payload: late.topPayload) }

    /// Removes and returns the earliest event; only when not empty.
    @inline(__always)
    mutating func popTop() -> Entry {
        if topIsInRun {
            let entry = run[runStart]
            runStart &+= 1
            return entry
        }
        let entry = Entry(key: late.top, payload: late.topPayload)
        late.removeTop()
        return entry
    }

    /// Events touched at once: their slots are read side by side.
    static let warmBatch = 16

    /// Runs of this many events or more are touched ahead.
    static let warmCrowd = 256

    /// Whether the run's next events should be touched: a crowded run (the window's bucket held a burst's
    /// retries) whose touched events are nearly all popped.
    @inline(__always)
    var needsWarming: Bool { runStart >= warmAt }

    /// The run's next `warmBatch` events, now due to be touched (`EventQueue.warmAhead`), as (first, count).
    mutating func takeWarmBatch() -> (UnsafeMutablePointer<Entry>, Int) {
        let from = Swift.max(warmed, runStart)
        let to = Swift.min(from &+ Self.warmBatch, runEnd)
        warmed = to
        warmAt = to < runEnd ? to &- 4 : .max
        return (run + from, to &- from)
    }

    /// Adds an event scheduled into the current window.
    @inline(__always)
    mutating func push(_ key: EventKey, _ payload: UInt64) { late.push(key, payload) }

    /// Adds an event of a window being moved in, unsorted; only while the queue is empty (then `sortRun`).
    @inline(__always)
    mutating func append(_ key: EventKey, _ payload: UInt64) {
        if runStart == runEnd {
            runStart = 0
            runEnd = 0
            warmed = 0
            warmAt = .max
        }
        if runEnd == runCapacity {
            runCapacity *= 2
            run = PlainMemory.resize(run, to: runCapacity)
        }
        (run + runEnd).initialize(to: Entry(key: key, payload: payload))
        runEnd &+= 1
    }

    /// Adds `count` events of a window being moved in, unsorted; only while the queue is empty (then `sortRun`).
    @inline(__always)
    mutating func append(contentsOf source: UnsafePointer<Entry>, count: Int) {
        if runStart == runEnd {
            runStart = 0
            runEnd = 0
            warmed = 0
            warmAt = .max
        }
        if runEnd &+ count > runCapacity {
            while runEnd &+ count > runCapacity { runCapacity *= 2 }
            run = PlainMemory.resize(run, to: runCapacity)
        }
        (run + runEnd).initialize(from: source, count: count)
        runEnd &+= count
    }

    /// Sorts the run after a window moved in. Keys are unique, so any correct sort gives the same order.
    ///
    /// A window of a few events is insertion sorted. More (the AWS sweep's windows hold tens) are first
    /// spread by the top bits of their time within the window into two to four times as many buckets as events, in one
    /// stable counting pass, and then insertion sorted: most buckets hold one event, so the insertion sort's inner
    /// loop almost never runs and its branch is predicted (insertion sort alone mispredicts once an event, and
    /// that was a sixth of the sweep). A crowded window (a burst's retries) takes two counting passes by time.
    /// Either way the insertion sort by the whole key comes last, so ties and anything out of place end in
    /// `(time, order)` order whatever the passes did.
    mutating func sortRun() {
        let n = runEnd &- runStart
        if n >= Self.warmCrowd {
            warmed = runStart
            warmAt = runStart
        }
        let entries = run + runStart
        if n <= Self.insertionLimit {
            Self.insertionSort(entries, n)
            return
        }
        if scratchCapacity < n {
            if scratchCapacity > 0 { PlainMemory.free(scratch) }
            scratchCapacity = Swift.max(n, 2 * scratchCapacity)
            scratch = PlainMemory.allocate(Entry.self, capacity: scratchCapacity)
        }
        if n < Self.radixLimit {
            // 2^bits buckets, from 2n to 4n: the top `bits` bits of the time within the window.
            let bits = UInt64(Int.bitWidth &- n.leadingZeroBitCount &+ 1)
            countingPass(from: entries, to: scratch, count: n, shift: TimeWheel.windowShift &- bits, bits: bits)
            Self.insertionSort(scratch, n)
            entries.update(from: scratch, count: n)
            return
        }
        // By time within the window, two stable counting passes (the low 11 bits, then the next 11), then the
        // insertion sort, which has nothing to do when events of equal time came in order of sequence (they do: a
        // bucket keeps the order of scheduling).
        countingPass(from: entries, to: scratch, count: n, shift: 0, bits: Self.radixBits)
        countingPass(from: scratch, to: entries, count: n, shift: Self.radixBits, bits: Self.radixBits)
        Self.insertionSort(entries, n)
    }

    /// Up to this many events, a window is insertion sorted alone.
    static let insertionLimit = 8
    /// From this many events, a window is sorted by time in two counting passes, then insertion sorted.
    static let radixLimit = 512
    /// Bits of time per counting pass of a crowded window: two passes cover a window's 22 bits.
    static let radixBits: UInt64 = 11

    /// One stable counting pass by `bits` bits of the time (at most `radixBits`), from bit `shift` up.
    @inline(__always)
    mutating func countingPass(
        from source: UnsafeMutablePointer<Entry>, to target: UnsafeMutablePointer<Entry>, count n: Int,
        shift: UInt64, bits: UInt64
    ) {
        let buckets = 1 << Int(truncatingIfNeeded: bits)
        let mask = UInt64(buckets &- 1)
        counts.update(repeating: 0, count: buckets)
        for i in 0..<n { counts[Int(truncatingIfNeeded: source[i].key.time >> shift & mask)] &+= 1 }
        var total: Int32 = 0
        for b in 0..<buckets {
            let c = counts[b]
            counts[b] = total
            total &+= c
        }
        for i in 0..<n {
            let entry = source[i]
            let b = Int(truncatingIfNeeded: entry.key.time >> shift & mask)
            target[Int(counts[b])] = entry
            counts[b] &+= 1
        }
    }

    static let radixBuckets = 1 << Int(radixBits)

    /// Insertion sort: a window's few events, often nearly in order already.
    @inline(__always)
    static func insertionSort(_ entries: UnsafeMutablePointer<Entry>, _ n: Int) {
        guard n > 1 else { return }
        for i in 1..<n {
            let entry = entries[i]
            var j = i
            while j > 0 && EventKey.precedes(entry.key, entries[j &- 1].key) {
                entries[j] = entries[j &- 1]
                j &-= 1
            }
            entries[j] = entry
        }
    }

    /// Calls `body` with every event waiting, in no particular order.
    func forEach(_ body: (EventKey, UInt64) -> Void) {
        for i in runStart..<runEnd { body(run[i].key, run[i].payload) }
        for i in 0..<late.count { body(late.keys[i], late.payloads[i]) }
    }
}
