import Foundation

/// Memory for the event queue's arrays of plain values (events, calendar chunks), taken from `malloc` and grown
/// with `realloc`. A large block grows in place or is remapped by the system without a copy, so a queue that
/// doubles to hold a burst's million events never holds the old and the new array at once (with allocate, copy and
/// free, the peak was one and a half times the array, and the freed block could stay in the process).
public enum PlainMemory {
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

    /// Asks glibc's allocator to keep memory that runs free for the next run instead of giving it back at once
    /// (the command line calls this first). By default, blocks from 128 KB up are fresh mappings and an arena
    /// returns its free top beyond a few hundred KB: the time series of a sweep's short runs (a few hundred KB
    /// each) then came from new pages every run, and the AWS sweep at 100 ms rows took 60,000 page faults more
    /// than at 1 s rows (a twentieth of its CPU time in the kernel). Now blocks under 4 MB come from the arenas
    /// and are reused, and an arena keeps up to 32 MB free at its top; larger blocks (a burst's slots and queues)
    /// are still mappings of their own, grown without a copy. What a run computes never depends on it.
    public static func keepFreedMemory() {
        #if canImport(Glibc)
        // mallopt is not in the Glibc module (malloc.h is not part of it): found at run time, with the constants
        // of malloc.h. Elsewhere (another C library, another system) nothing changes.
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        guard let program = dlopen(nil, RTLD_NOW), let symbol = dlsym(program, "mallopt") else { return }
        let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
        let trimThreshold: Int32 = -1, mmapThreshold: Int32 = -3
        _ = mallopt(mmapThreshold, 4 << 20)
        _ = mallopt(trimThreshold, 32 << 20)
        #endif
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
