import Foundation

/// The bytes of text being built for a file, in memory of their own. An append checks only the room left: an
/// array of bytes checked its uniqueness and copied through generic code on every append, about a hundred
/// instructions for a cell of a few bytes, and a time series file has tens of thousands of cells.
struct TextBytes: ~Copyable {
    private(set) var base: UnsafeMutablePointer<UInt8>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int = 1 << 12) {
        self.capacity = Swift.max(capacity, 64)
        base = Self.reallocate(nil, self.capacity)
    }

    deinit { free(base) }

    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    /// The text, as a String (for tests and messages).
    var text: String { String(decoding: UnsafeBufferPointer(start: base, count: count), as: UTF8.self) }

    mutating func removeAll() { count = 0 }

    /// Makes room for `n` more bytes.
    @inline(__always)
    mutating func reserve(_ n: Int) {
        if count &+ n > capacity { grow(to: count &+ n) }
    }

    private mutating func grow(to needed: Int) {
        while capacity < needed { capacity *= 2 }
        base = Self.reallocate(base, capacity)
    }

    private static func reallocate(_ old: UnsafeMutablePointer<UInt8>?, _ bytes: Int) -> UnsafeMutablePointer<UInt8> {
        guard let raw = realloc(old, bytes) else { fatalError("out of memory: a text buffer of \(bytes) bytes") }
        return raw.bindMemory(to: UInt8.self, capacity: bytes)
    }

    @inline(__always)
    mutating func append(_ byte: UInt8) {
        reserve(1)
        base[count] = byte
        count &+= 1
    }

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        guard let source = bytes.baseAddress, bytes.count > 0 else { return }
        reserve(bytes.count)
        UnsafeMutableRawPointer(base + count).copyMemory(from: source, byteCount: bytes.count)
        count &+= bytes.count
    }

    mutating func append(_ other: borrowing TextBytes) { append(other.bytes) }

    mutating func append(_ text: String) {
        var text = text
        text.withUTF8 { append(UnsafeRawBufferPointer($0)) }
    }

    /// Writes up to `limit` bytes at the end, backwards: `write` gets the end of the room and returns where the text
    /// it wrote starts; the text then moves to the end of what the buffer holds.
    @inline(__always)
    mutating func appendBackwards(limit: Int, _ write: (UnsafeMutablePointer<UInt8>) -> UnsafeMutablePointer<UInt8>) {
        reserve(limit)
        let end = base + count + limit
        let start = write(end)
        let n = end - start
        let to = base + count
        for i in 0..<n { to[i] = start[i] }  // forward: the text only moves towards the front
        count &+= n
    }
}
