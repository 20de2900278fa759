import Foundation

/// Memory for the event queue's arrays of plain values (events, calendar nodes), taken from `malloc` and grown
/// with `realloc`. A large block grows in place or is remapped by the system without a copy, so a queue that
/// doubles to hold a burst's million events never holds the old and the new array at once (with allocate, copy and
/// free, the peak was one and a half times the array, and the freed block could stay in the process).
enum PlainMemory {
    static func allocate<T>(_ type: T.Type, capacity: Int) -> UnsafeMutablePointer<T> {
        precondition(_isPOD(T.self), "PlainMemory holds plain values only")
        guard let raw = malloc(Swift.max(1, capacity) * MemoryLayout<T>.stride) else {
            fatalError("out of memory: \(capacity) values of \(MemoryLayout<T>.stride) bytes")
        }
        return raw.bindMemory(to: T.self, capacity: capacity)
    }

    /// The block at `pointer`, resized to `capacity` values; its first values are kept.
    static func resize<T>(_ pointer: UnsafeMutablePointer<T>, to capacity: Int) -> UnsafeMutablePointer<T> {
        guard let raw = realloc(pointer, Swift.max(1, capacity) * MemoryLayout<T>.stride) else {
            fatalError("out of memory: \(capacity) values of \(MemoryLayout<T>.stride) bytes")
        }
        return raw.bindMemory(to: T.self, capacity: capacity)
    }

    static func free<T>(_ pointer: UnsafeMutablePointer<T>) {
        Foundation.free(pointer)
    }
}
