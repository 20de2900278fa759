/// The world's callers, services, instances, balancers, limiters, caches and autoscalers: `Records` in an
/// unoptimised build, an array in an optimised one.
///
/// `swift test` runs unoptimised, and there an array's subscript getter copies the whole record, retaining and
/// releasing each reference in it, to read one field: a caller is 700 bytes, read a dozen times an event. In an
/// optimised build the array is faster (with `Records` there, `bench-overload` took 5% more instructions). Both
/// are arrays of values; `GoldenTests` checks that the unoptimised build reproduces the optimised one's results.
#if DEBUG
typealias RecordArray<Element> = Records<Element>
#else
typealias RecordArray<Element> = [Element]
#endif

/// A fixed number of records read and written in place (addressors: the record's address, not a copy of it). A
/// copy of `Records` shares the storage until one of them writes (copy on write, as an array).
struct Records<Element>: RandomAccessCollection, MutableCollection {
    /// A `RecordStorage<Element>`, held as its non-generic superclass: an unoptimised build looked up a generic
    /// class's metadata for every uniqueness check, that is, for every write.
    private var storage: RecordBlock
    /// `storage.base`, kept here so a read needs no extra load.
    private var base: UnsafeMutablePointer<Element>
    let endIndex: Int
    var startIndex: Int { 0 }

    init(_ elements: [Element]) {
        let typed = RecordStorage(elements)
        storage = typed
        base = typed.base
        endIndex = elements.count
    }

    subscript(index: Int) -> Element {
        @inline(__always)
        unsafeAddress {
            if UInt(bitPattern: index) >= UInt(endIndex) { recordOutOfRange(index, endIndex) }
            return UnsafePointer(base + index)
        }
        @inline(__always)
        unsafeMutableAddress {
            if UInt(bitPattern: index) >= UInt(endIndex) { recordOutOfRange(index, endIndex) }
            if !isKnownUniquelyReferenced(&storage) { makeUnique() }
            return base + index
        }
    }

    @inline(never)
    private mutating func makeUnique() {
        let typed = RecordStorage(Array(UnsafeBufferPointer(start: base, count: endIndex)))
        storage = typed
        base = typed.base
    }
}

/// The storage of any records, for the uniqueness check.
class RecordBlock {}

/// The records' memory: initialised once from an array, deinitialised with the last `Records` that shares it.
final class RecordStorage<Element>: RecordBlock {
    let base: UnsafeMutablePointer<Element>
    let count: Int

    init(_ elements: [Element]) {
        count = elements.count
        base = UnsafeMutablePointer<Element>.allocate(capacity: Swift.max(1, count))
        _ = UnsafeMutableBufferPointer(start: base, count: count).initialize(from: elements)
        super.init()
    }

    deinit {
        base.deinitialize(count: count)
        base.deallocate()
    }
}

/// Traps: `index` is not in `0..<count`. (A free function: in an unoptimised build, a method of the generic records
/// looked up their metadata, and one called from the mutating accessor copied them.)
@inline(never)
private func recordOutOfRange(_ index: Int, _ count: Int) -> Never { preconditionFailure("record \(index) of \(count)") }
