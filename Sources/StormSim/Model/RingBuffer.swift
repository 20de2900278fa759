/// A growable double-ended queue in one contiguous buffer.
///
/// Used for service queues (FIFO and LIFO; the event queue has its own lanes, `EventLane`). Capacity doubles when
/// full and never shrinks, so a run reaches a steady state with no allocation. Slots hold plain values (a `filler`
/// marks unused ones), so an element takes exactly its own size.
public struct RingBuffer<Element> {
    var storage: ContiguousArray<Element>
    var head = 0
    var countStored = 0
    let filler: Element

    public init(initialCapacity: Int = 16, filler: Element) {
        var capacity = 4
        while capacity < initialCapacity { capacity <<= 1 }
        storage = ContiguousArray(repeating: filler, count: capacity)
        self.filler = filler
    }

    public var count: Int { countStored }
    public var isEmpty: Bool { countStored == 0 }

    public var first: Element? { countStored == 0 ? nil : storage[head] }
    public var last: Element? {
        countStored == 0 ? nil : storage[(head + countStored - 1) & (storage.count - 1)]
    }

    /// - Complexity: amortized O(1).
    public mutating func append(_ element: Element) {
        if countStored == storage.count { grow() }
        storage[(head + countStored) & (storage.count - 1)] = element
        countStored += 1
    }

    /// - Complexity: amortized O(1).
    public mutating func prepend(_ element: Element) {
        if countStored == storage.count { grow() }
        head = (head - 1) & (storage.count - 1)
        storage[head] = element
        countStored += 1
    }

    /// - Complexity: O(1).
    public mutating func popFirst() -> Element? {
        guard countStored > 0 else { return nil }
        let element = storage[head]
        head = (head + 1) & (storage.count - 1)
        countStored -= 1
        return element
    }

    /// - Complexity: O(1).
    public mutating func popLast() -> Element? {
        guard countStored > 0 else { return nil }
        countStored -= 1
        return storage[(head + countStored) & (storage.count - 1)]
    }

    /// The `i`-th element from the front (checks only).
    func element(at i: Int) -> Element { storage[(head + i) & (storage.count - 1)] }

    mutating func grow() {
        var bigger = ContiguousArray(repeating: filler, count: storage.count * 2)
        for i in 0..<countStored { bigger[i] = storage[(head + i) & (storage.count - 1)] }
        storage = bigger
        head = 0
    }
}
