import Foundation

/// Memory for the event queue's arrays of plain values (events, calendar chunks), taken from `malloc` and grown
/// with `realloc`. A large block grows in place or is remapped by the system without a copy, so a queue that
/// doubles to hold a burst's million events never holds the old and the new array at once (with allocate, copy and
/// free, the peak was one and a half times the array, and the freed block could stay in the process).
enum PlainMemory {
    static func allocate<T>(_ type: T.Type, capacity: Int) -> UnsafeMutablePointer<T> {
        precondition(_isPOD(T.self), "PlainMemory holds plain values only")
        return reallocate(nil, bytes: Swift.max(1, capacity) * MemoryLayout<T>.stride)
            .bindMemory(to: T.self, capacity: capacity)
    }

    /// The block at `pointer`, resized to `capacity` values; its first values are kept.
    static func resize<T>(_ pointer: UnsafeMutablePointer<T>, to capacity: Int) -> UnsafeMutablePointer<T> {
        reallocate(pointer, bytes: Swift.max(1, capacity) * MemoryLayout<T>.stride)
            .bindMemory(to: T.self, capacity: capacity)
    }

    /// A block of `bytes` (a new one when `old` is nil, else `old` resized, its first bytes kept), on huge pages
    /// when it is large (`adviseLarge`).
    static func reallocate(_ old: UnsafeMutableRawPointer?, bytes: Int) -> UnsafeMutableRawPointer {
        guard let raw = realloc(old, bytes) else { fatalError("out of memory: a block of \(bytes) bytes") }
        adviseLarge(raw, bytes: bytes)
        return raw
    }

    static func free<T>(_ pointer: UnsafeMutablePointer<T>) {
        Foundation.free(pointer)
    }

    /// Blocks from this size on are backed by huge pages where the system offers them on request.
    static let largeBlock = 32 << 20

    /// Asks Linux to back a large block with transparent huge pages (2 MB) where it is configured to do so on
    /// request (`madvise` mode, the common default). A burst of ten million requests reads slots at random in
    /// gigabytes: with 4 KB pages nearly every read also misses the address translation cache, and the run took
    /// 40% longer. Blocks under 32 MB are left alone (a million-client burst gains nothing measurable), and other
    /// systems decide for themselves. Which pages back memory never changes what a run computes.
    static func adviseLarge(_ raw: UnsafeMutableRawPointer, bytes: Int) {
        #if os(Linux)
        guard bytes >= largeBlock else { return }
        let page = 4096
        let start = (Int(bitPattern: raw) + page - 1) & ~(page - 1)
        let end = (Int(bitPattern: raw) + bytes) & ~(page - 1)
        guard end > start, let address = UnsafeMutableRawPointer(bitPattern: start) else { return }
        _ = madvise(address, end - start, MADV_HUGEPAGE)
        #endif
    }
}
