/// Reusable slots for per-request and per-attempt state: contiguous storage indexed by a 32-bit id, with a free
/// list, so the state of work in flight lives in one array and a finished slot is reused without allocation.
/// Slot contents that carry a generation: bumped when the slot is freed and kept when it is reused, so an event
/// or an attempt that refers to an earlier occupant can tell.
protocol Generational {
    var generation: UInt32 { get set }
    /// A field that means nothing while the slot is free, where the free list keeps the next free slot.
    var freeLink: UInt32 { get set }
}

/// The free slots form a list threaded through the slots themselves (`freeLink`), last freed first: no second
/// array, which in a burst of a million requests would be 8 MB.
struct SlotPool<Element: Generational> {
    var items: [Element] = []
    /// The most recently freed slot (`none` when every slot is live).
    var freeHead = SlotPool.none
    var freeCount = 0
    static var none: UInt32 { UInt32.max }
    #if DEBUG
    /// Debug builds track which slots are live, to catch a slot freed twice.
    var liveFlags: [Bool] = []
    #endif

    var live: Int { items.count - freeCount }

    /// Reserves room for `count` items in flight at once. Reserved memory that no slot has used is not touched,
    /// so it costs address space, not memory; it saves the copies of growing (and the freed buffers of each step,
    /// which the allocator may keep).
    mutating func reserve(_ count: Int) {
        items.reserveCapacity(count)
    }

    /// Stores `element` in a free slot (or a new one) and returns its id.
    @inline(__always)
    mutating func insert(_ element: Element) -> UInt32 {
        if freeHead != Self.none {
            let id = freeHead
            freeHead = items[Int(id)].freeLink
            freeCount -= 1
            let generation = items[Int(id)].generation  // the slot keeps its generation
            items[Int(id)] = element
            items[Int(id)].generation = generation
            #if DEBUG
            liveFlags[Int(id)] = true
            #endif
            return id
        }
        precondition(items.count < Int(UInt32.max), "more than 2^32 items in flight")
        items.append(element)
        #if DEBUG
        liveFlags.append(true)
        #endif
        return UInt32(items.count - 1)
    }

    mutating func remove(_ id: UInt32) {
        #if DEBUG
        assert(liveFlags[Int(id)], "slot \(id) freed twice")
        liveFlags[Int(id)] = false
        #endif
        items[Int(id)].generation &+= 1
        items[Int(id)].freeLink = freeHead
        freeHead = id
        freeCount += 1
    }

    /// Which slots hold live items (O(n); for invariant checks).
    func liveSet() -> [Bool] {
        var live = [Bool](repeating: true, count: items.count)
        var id = freeHead
        while id != Self.none {
            live[Int(id)] = false
            id = items[Int(id)].freeLink
        }
        return live
    }

    subscript(id: UInt32) -> Element {
        get { items[Int(id)] }
        _modify { yield &items[Int(id)] }
    }
}
