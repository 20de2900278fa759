import Foundation

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
///
/// The slots are in memory of their own, aligned to 64 bytes (`SlotStorage`): a 64-byte slot is then exactly one
/// cache line. (In a Swift array the elements follow a 32-byte header, so in a large array every 64-byte slot
/// straddled two lines, and a burst that reads a million slots at random waited for two lines each time.) A pool
/// is a value, as an array is: a copy shares the storage until one of them writes (copy on write).
struct SlotPool<Element: Generational> {
    private var storage = SlotStorage(capacity: 0, stride: MemoryLayout<Element>.stride)
    /// `storage.base`, kept here so a read needs no extra load.
    private var base: UnsafeMutablePointer<Element>
    /// Slots used so far (live or free).
    private(set) var count = 0
    /// The most recently freed slot (`none` when every slot is live).
    var freeHead = SlotPool.none
    var freeCount = 0
    static var none: UInt32 { UInt32.max }
    #if DEBUG
    /// Debug builds track which slots are live, to catch a slot freed twice.
    var liveFlags: [Bool] = []
    #endif

    init() {
        precondition(_isPOD(Element.self), "slot pools hold plain values only")
        base = storage.base.bindMemory(to: Element.self, capacity: storage.capacity)
    }

    var live: Int { count - freeCount }

    /// Slots there is room for without growing (`reserve`).
    var capacity: Int { storage.capacity }

    /// Every slot used so far, live or free, for invariant checks (never on the hot path); valid until the pool
    /// next changes.
    var items: UnsafeBufferPointer<Element> { UnsafeBufferPointer(start: base, count: count) }

    /// Reserves room for `count` items in flight at once. Reserved memory that no slot has used is not touched,
    /// so it costs address space, not memory; it saves the copies of growing.
    mutating func reserve(_ capacity: Int) {
        if capacity > storage.capacity { makeUnique(capacity: capacity) }
    }

    /// Makes the storage this pool's own (copy on write) with room for at least `capacity` slots.
    @inline(never)
    private mutating func makeUnique(capacity: Int) {
        if isKnownUniquelyReferenced(&storage) {
            storage.grow(to: Swift.max(capacity, storage.capacity), keeping: count)
        } else {
            storage = storage.copy(count: count, capacity: Swift.max(capacity, storage.capacity))
        }
        base = storage.base.bindMemory(to: Element.self, capacity: storage.capacity)
    }

    @inline(__always)
    private mutating func prepareWrite() {
        if !isKnownUniquelyReferenced(&storage) { makeUnique(capacity: count) }
    }

    /// Stores `element` in a free slot (or a new one) and returns its id.
    @inline(__always)
    mutating func insert(_ element: Element) -> UInt32 {
        if freeHead != Self.none {
            prepareWrite()
            let id = freeHead
            let slot = base + Int(id)
            freeHead = slot.pointee.freeLink
            freeCount -= 1
            let generation = slot.pointee.generation  // the slot keeps its generation
            slot.pointee = element
            slot.pointee.generation = generation
            #if DEBUG
            liveFlags[Int(id)] = true
            #endif
            return id
        }
        precondition(count < Int(UInt32.max), "more than 2^32 items in flight")
        if count == storage.capacity || !isKnownUniquelyReferenced(&storage) {
            makeUnique(capacity: Swift.max(16, count == storage.capacity ? 2 * count : count))
        }
        (base + count).initialize(to: element)
        count += 1
        #if DEBUG
        liveFlags.append(true)
        #endif
        return UInt32(count - 1)
    }

    mutating func remove(_ id: UInt32) {
        #if DEBUG
        assert(liveFlags[Int(id)], "slot \(id) freed twice")
        liveFlags[Int(id)] = false
        #endif
        if Int(id) >= count { slotOutOfRange(id, count) }
        prepareWrite()
        base[Int(id)].generation &+= 1
        base[Int(id)].freeLink = freeHead
        freeHead = id
        freeCount += 1
    }

    /// A slot's generation, or 0 for an id beyond the slots used (never traps: for `EventHandler.touch`).
    @inline(__always)
    func peekGeneration(_ id: UInt32) -> UInt32 { Int(id) < count ? base[Int(id)].generation : 0 }

    /// Which slots hold live items (O(n); for invariant checks).
    func liveSet() -> [Bool] {
        var live = [Bool](repeating: true, count: count)
        var id = freeHead
        while id != Self.none {
            live[Int(id)] = false
            id = base[Int(id)].freeLink
        }
        return live
    }

    /// A slot, read and written in place. (Addressors, not a getter and `_modify`: through a getter, an unoptimised
    /// build copied the whole slot for every field it read.)
    subscript(id: UInt32) -> Element {
        @inline(__always)
        unsafeAddress {
            if Int(id) >= count { slotOutOfRange(id, count) }
            return UnsafePointer(base + Int(id))
        }
        @inline(__always)
        unsafeMutableAddress {
            if Int(id) >= count { slotOutOfRange(id, count) }
            prepareWrite()
            return base + Int(id)
        }
    }
}

/// Traps: `id` is not one of the `count` slots used so far. (Not `precondition` with its message, and not a method
/// of the generic pool: in an unoptimised build, which is what the test suite runs, the message's closure copied
/// the pool, with a retain and a release of its storage, and a method looked up the pool's metadata, on every
/// access.)
@inline(never)
private func slotOutOfRange(_ id: UInt32, _ count: Int) -> Never { preconditionFailure("slot \(id) of \(count)") }

/// A slot pool's memory: plain bytes from `malloc`, grown with `realloc` (a large block is remapped without a
/// copy), with the first slot on a 64-byte boundary; large pools on huge pages (`PlainMemory.adviseLarge`). Not
/// generic (slots are plain values, copied as bytes): an unoptimised build looked up a generic class's metadata
/// for every uniqueness check, that is, for every write to a slot.
final class SlotStorage {
    /// The block from `malloc`, 64 bytes longer than the slots need, and where the slots start in it.
    private var raw: UnsafeMutableRawPointer
    private(set) var base: UnsafeMutableRawPointer
    private(set) var capacity: Int
    /// Bytes per slot.
    let stride: Int
    static var alignment: Int { 64 }

    init(capacity: Int, stride: Int) {
        self.capacity = capacity
        self.stride = stride
        raw = Self.allocate(nil, capacity * stride)
        base = Self.aligned(raw)
    }

    deinit { free(raw) }

    private static func allocate(_ old: UnsafeMutableRawPointer?, _ bytes: Int) -> UnsafeMutableRawPointer {
        PlainMemory.reallocate(old, bytes: Swift.max(1, bytes) + alignment)
    }

    private static func aligned(_ raw: UnsafeMutableRawPointer) -> UnsafeMutableRawPointer {
        let address = UInt(bitPattern: raw)
        return raw + Int((UInt(alignment) &- address % UInt(alignment)) % UInt(alignment))
    }

    /// Grows to `newCapacity` slots, keeping the first `count`: `realloc` may move the block to an address with
    /// another offset to the next 64-byte boundary, so the slots move within the block to the new boundary.
    func grow(to newCapacity: Int, keeping count: Int) {
        guard newCapacity > capacity else { return }
        let oldOffset = base - raw
        raw = Self.allocate(raw, newCapacity * stride)
        base = Self.aligned(raw)
        let newOffset = base - raw
        if newOffset != oldOffset { base.copyMemory(from: raw + oldOffset, byteCount: count * stride) }
        capacity = newCapacity
    }

    /// A storage of its own with the first `count` slots of this one.
    func copy(count: Int, capacity: Int) -> SlotStorage {
        let clone = SlotStorage(capacity: Swift.max(capacity, count), stride: stride)
        clone.base.copyMemory(from: base, byteCount: count * stride)
        return clone
    }
}

extension SlotPool where Element == AttemptState {
    /// An attempt's request, or `none` for an id beyond the slots used (never traps: for `EventHandler.touch`).
    @inline(__always)
    func peekRequest(_ id: UInt32) -> UInt32 { Int(id) < count ? self[id].request : RequestState.none }
}
